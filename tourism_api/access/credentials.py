"""What staff tokens and app keys share: a random secret shown once and stored only as
a SHA-256 digest (the secrets are high-entropy, so a fast digest is enough, unlike
passwords), listed without the secret, revocable, and its last use noted."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..catalogue.ids import is_row_id
from ..db import transaction
from ..errors import NotFound, Unauthorized

# Do not rewrite last_used_at on every request: once a minute is enough.
TOUCH_INTERVAL = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class IssuedCredentials:
    """A service over one table of issued secrets; subclasses say which and how to name it."""

    model: ClassVar[Any]  # a mapped class with prefix, <hash>, revoked_at, last_used_at
    hash_column: ClassVar[str]
    prefix: ClassVar[str]
    noun: ClassVar[str]  # "bearer token", "API key": in messages about a presented secret
    record_noun: ClassVar[str]  # "token", "API key": in messages about a record by id
    # Headers of the 401: None keeps Unauthorized's bearer challenge (WWW-Authenticate);
    # keys are not a bearer scheme, so they send none.
    challenge: ClassVar[dict[str, str] | None] = None

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def _issue(self, **columns) -> tuple[Any, str]:
        """A new record with `columns` and the secret itself, stored nowhere, shown once."""
        secret = self.prefix + secrets.token_urlsafe(32)
        with transaction(self.sessions) as session:
            record = self.model(
                **columns,
                **{self.hash_column: digest(secret)},
                prefix=secret[:10],
                created_at=datetime.now(UTC),
            )
            session.add(record)
        return record, secret

    def list(self) -> list:
        with self.sessions() as session:
            return list(session.scalars(select(self.model).order_by(self.model.id)))

    def revoke(self, record_id: int):
        with transaction(self.sessions) as session:
            record = session.get(self.model, record_id) if is_row_id(record_id) else None
            if record is None:
                raise NotFound(f"No {self.record_noun} with id {record_id}.")
            if record.revoked_at is None:
                record.revoked_at = datetime.now(UTC)
            return record

    def _live(self, session: Session, secret: str):
        """The unrevoked record of `secret`, its use noted; 401 otherwise."""
        headers = {"headers": self.challenge} if self.challenge is not None else {}
        if not secret.startswith(self.prefix):
            raise Unauthorized(f"The {self.noun} is not valid.", **headers)
        column = getattr(self.model, self.hash_column)
        record = session.scalars(select(self.model).where(column == digest(secret))).first()
        if record is None or record.revoked_at is not None:
            raise Unauthorized(f"The {self.noun} is not valid or has been revoked.", **headers)
        now = datetime.now(UTC)
        if record.last_used_at is None or now - record.last_used_at > TOUCH_INTERVAL:
            record.last_used_at = now
        return record
