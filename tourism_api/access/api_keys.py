"""API keys for third-party apps: random, shown once, stored only as a SHA-256 digest.

A key identifies an app and its plan (free, partner), which sets its rate limit; it
gives read access only (what anyone may read, at a higher rate). Keys are high-entropy
random strings, so a fast digest is enough (unlike passwords)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..catalogue.models import ApiKey
from ..db import transaction
from ..errors import InvalidInput, NotFound, Unauthorized
from .tokens import digest

KEY_PREFIX = "tk_"
PLANS = ("free", "partner")
# Do not rewrite last_used_at on every request: once a minute is enough.
_TOUCH_INTERVAL = timedelta(minutes=1)


class ApiKeyService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def create(
        self, name: str, plan: str = "free", contact: str | None = None
    ) -> tuple[ApiKey, str]:
        """A new key record and the key itself, which is stored nowhere and shown once."""
        if plan not in PLANS:
            raise InvalidInput(
                f"plan must be one of {', '.join(PLANS)}", {"plan": ["Unknown plan."]}
            )
        if not name.strip():
            raise InvalidInput("a key needs the name of its app", {"name": ["Missing."]})
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        with transaction(self.sessions) as session:
            record = ApiKey(
                name=name.strip()[:120],
                contact=(contact or "").strip()[:200] or None,
                plan=plan,
                key_hash=digest(secret),
                prefix=secret[:10],
                created_at=datetime.now(UTC),
            )
            session.add(record)
        return record, secret

    def list(self) -> list[ApiKey]:
        with self.sessions() as session:
            return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))

    def revoke(self, key_id: int) -> ApiKey:
        with transaction(self.sessions) as session:
            record = session.get(ApiKey, key_id)
            if record is None:
                raise NotFound(f"No API key with id {key_id}.")
            if record.revoked_at is None:
                record.revoked_at = datetime.now(UTC)
            return record

    def authenticate(self, secret: str) -> ApiKey:
        if not secret.startswith(KEY_PREFIX):
            raise Unauthorized("The API key is not valid.", headers={})
        with transaction(self.sessions) as session:
            record = session.scalars(
                select(ApiKey).where(ApiKey.key_hash == digest(secret))
            ).first()
            if record is None or record.revoked_at is not None:
                raise Unauthorized("The API key is not valid or has been revoked.", headers={})
            now = datetime.now(UTC)
            if record.last_used_at is None or now - record.last_used_at > _TOUCH_INTERVAL:
                record.last_used_at = now
            return record
