"""Staff bearer tokens: random, shown once, stored only as a SHA-256 digest.

A token acts as its account (that person's role and organisation, checked on each
use, so disabling the account stops its tokens). Tokens made before accounts existed
act as administrators, as all staff tokens did then."""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue.models import Account, ApiToken
from ..db import transaction
from ..errors import InvalidInput, Unauthorized
from .credentials import IssuedCredentials

TOKEN_PREFIX = "tht_"


@dataclass(frozen=True)
class Principal:
    """Who is calling; `name` is what revisions record as the actor."""

    token_id: int | None  # None when signed in with a password (a session)
    name: str
    role: str
    account_id: int | None = None
    organisation_id: int | None = None  # None: not bound to one office (administrators)


class TokenService(IssuedCredentials):
    model = ApiToken
    hash_column = "token_hash"
    prefix = TOKEN_PREFIX
    noun = "bearer token"
    record_noun = "token"

    def create(self, name: str, *, account: Account | None = None) -> tuple[ApiToken, str]:
        """A new token record and the secret itself, which is stored nowhere and shown once."""
        if account is not None:
            name = account.display_name
        if not name.strip():
            raise InvalidInput("a token needs a name (whose it is)", {"name": ["Missing."]})
        return self._issue(
            name=name.strip(),
            role=account.role if account is not None else "admin",
            account_id=account.id if account is not None else None,
        )

    def authenticate(self, secret: str) -> Principal:
        with transaction(self.sessions) as session:
            record = self._live(session, secret)
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
