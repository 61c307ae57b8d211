"""The server's signing key: TOURISM_SECRET_KEY when set, else a random key made once and
kept in the database, so every worker process and host signs and checks alike and a
restart does not invalidate the cursors clients hold."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..catalogue.models import ServerSecret
from ..db import transaction


def signing_key(sessions: sessionmaker[Session], configured: str | None, name: str) -> bytes:
    """The key for one purpose (`name`: cursors, sessions); a configured secret is not used
    as it is but through HMAC with the purpose, so no two purposes share a key."""
    if configured:
        return hmac.new(configured.encode(), name.encode(), hashlib.sha256).hexdigest().encode()
    with sessions() as session:
        found = session.get(ServerSecret, name)
        if found is not None:
            return found.value.encode()
    try:
        with transaction(sessions) as session:
            session.add(
                ServerSecret(name=name, value=secrets.token_hex(32), created_at=datetime.now(UTC))
            )
    except IntegrityError:
        pass  # another process made it first: use theirs
    with sessions() as session:
        return session.get(ServerSecret, name).value.encode()
