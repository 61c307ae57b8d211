"""API keys for third-party apps: random, shown once, stored only as a SHA-256 digest.

A key identifies an app and its plan (free, partner), which sets its rate limit; it
gives read access only (what anyone may read, at a higher rate). Keys are high-entropy
random strings, so a fast digest is enough (unlike passwords)."""

from __future__ import annotations

from ..catalogue.models import ApiKey
from ..db import transaction
from ..errors import InvalidInput
from .credentials import IssuedCredentials

KEY_PREFIX = "tk_"
PLANS = ("free", "partner")


class ApiKeyService(IssuedCredentials):
    model = ApiKey
    hash_column = "key_hash"
    prefix = KEY_PREFIX
    noun = record_noun = "API key"
    challenge: dict[str, str] = {}

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
        return self._issue(
            name=name.strip()[:120], contact=(contact or "").strip()[:200] or None, plan=plan
        )

    def authenticate(self, secret: str) -> ApiKey:
        with transaction(self.sessions) as session:
            return self._live(session, secret)
