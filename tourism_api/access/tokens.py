"""Staff bearer tokens: random, shown once, stored only as a SHA-256 digest.

A token acts as its account (that person's role and organisation, checked on each
use, so disabling the account stops its tokens). Tokens made before accounts existed
act as administrators, as all staff tokens did then."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..catalogue.models import Account, ApiToken
from ..db import transaction
from ..errors import InvalidInput, NotFound, Unauthorized

TOKEN_PREFIX = "tht_"
# Do not rewrite last_used_at on every request: once a minute is enough.
_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling; `name` is what revisions record as the actor."""

    token_id: int | None  # None when signed in with a password (a session)
    name: str
    role: str
    account_id: int | None = None
    organisation_id: int | None = None  # None: not bound to one office (administrators)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def create(self, name: str, *, account: Account | None = None) -> tuple[ApiToken, str]:
        """A new token record and the secret itself, which is stored nowhere and shown once."""
        if account is not None:
            name = account.display_name
        if not name.strip():
            raise InvalidInput("a token needs a name (whose it is)", {"name": ["Missing."]})
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with transaction(self.sessions) as session:
            record = ApiToken(
                name=name.strip(),
                role=account.role if account is not None else "admin",
                account_id=account.id if account is not None else None,
                token_hash=digest(secret),
                prefix=secret[:10],
                created_at=datetime.now(UTC),
            )
            session.add(record)
        return record, secret

    def list(self) -> list[ApiToken]:
        with self.sessions() as session:
            return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))

    def revoke(self, token_id: int) -> ApiToken:
        with transaction(self.sessions) as session:
            record = session.get(ApiToken, token_id)
            if record is None:
                raise NotFound(f"No token with id {token_id}.")
            if record.revoked_at is None:
                record.revoked_at = datetime.now(UTC)
            return record

    def authenticate(self, secret: str) -> Principal:
        if not secret.startswith(TOKEN_PREFIX):
            raise Unauthorized("The bearer token is not valid.")
        with transaction(self.sessions) as session:
            record = session.scalars(
                select(ApiToken).where(ApiToken.token_hash == digest(secret))
            ).first()
            if record is None or record.revoked_at is not None:
                raise Unauthorized("The bearer token is not valid or has been revoked.")
            now = datetime.now(UTC)
            if record.last_used_at is None or now - record.last_used_at > _TOUCH_INTERVAL:
                record.last_used_at = now
            if record.account_id is None:
                return Principal(token_id=record.id, name=record.name, role="admin")
            account = session.get(Account, record.account_id)
            if account is None or account.disabled_at is not None:
                raise Unauthorized("The account of this token is disabled.")
            return principal_for(account, record.id)


def principal_for(account: Account, token_id: int | None = None) -> Principal:
    """Who an account acts as: its name, role and (unless an administrator) office."""
    return Principal(
        token_id=token_id,
        name=account.display_name,
        role=account.role,
        account_id=account.id,
        organisation_id=None if account.role == "admin" else account.organisation_id,
    )
