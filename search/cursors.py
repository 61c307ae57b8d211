"""Opaque page cursors: the last row's sort key, bound to the query that made it, signed.

Used by the catalogue's lists and by every search backend. A cursor carries the
sort value and id to continue after, plus a fingerprint of the query's filters,
and an HMAC of both with the server's key: a cursor reused with other filters,
edited or forged is refused (400/422) before any value reaches a database or engine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Callable

from tourism_api.errors import BadRequest

# Sort values are distances in metres, relevance scores or names; no real one is larger.
MAX_NUMBER = 1e15


class BadCursor(BadRequest):
    """The cursor was tampered with, is malformed, or belongs to another query."""

    def __init__(self) -> None:
        super().__init__(
            "The cursor is invalid or belongs to another query: start again without it.",
            {"cursor": ["Invalid cursor."]},
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Signs and checks cursors with a key fetched on first use (it may live in a
    database that is created after the codec)."""

    def __init__(self, key: Callable[[], bytes] | bytes | None = None) -> None:
        if key is None:
            key = secrets.token_bytes(32)  # valid for this object only, e.g. in tests
        self._source = key if callable(key) else (lambda: key)
        self._key: bytes | None = None

    def _mac(self, payload: bytes) -> str:
        if self._key is None:
            self._key = self._source()
        return _b64(hmac.new(self._key, payload, hashlib.sha256).digest()[:16])

    def encode(self, fingerprint: str, key: list) -> str:
        payload = json.dumps({"q": fingerprint, "k": key}, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{self._mac(payload)}"

    def decode(self, token: str, fingerprint: str, *, textual: bool) -> list:
        """[sort value, id]; `textual` says whether the sort value is a string (else a number)."""
        body, _, mac = token.partition(".")
        try:
            payload = _unb64(body)
        except ValueError as exc:
            raise BadCursor from exc
        if not mac or not hmac.compare_digest(mac, self._mac(payload)):
            raise BadCursor
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadCursor from exc
        if not isinstance(data, dict) or data.get("q") != fingerprint:
            raise BadCursor
        key = data.get("k")
        if not isinstance(key, list) or len(key) != 2 or not isinstance(key[1], str):
            raise BadCursor
        value = key[0]
        if textual:
            if not isinstance(value, str):
                raise BadCursor
        elif (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or abs(value) > MAX_NUMBER
        ):
            raise BadCursor
        return key
