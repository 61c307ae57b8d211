"""Opaque page cursors: the last row's sort key, bound to the query that made it.

Used by the catalogue's lists and by every search backend. A cursor carries the
sort value and id to continue after, plus a fingerprint of the query's filters,
so a cursor reused with other filters, or edited, is refused instead of
silently returning the wrong page.
"""

from __future__ import annotations

import base64
import json
import math


class BadCursor(ValueError):
    """The cursor was tampered with, is malformed, or belongs to another query."""


def encode(fingerprint: str, key: list) -> str:
    payload = json.dumps({"q": fingerprint, "k": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode(token: str, fingerprint: str, *, textual: bool) -> list:
    """[sort value, id]; `textual` says whether the sort value is a string (else a finite number)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor from exc
    if not isinstance(payload, dict) or payload.get("q") != fingerprint:
        raise BadCursor
    key = payload.get("k")
    if not isinstance(key, list) or len(key) != 2 or not isinstance(key[1], str):
        raise BadCursor
    value = key[0]
    if textual:
        if not isinstance(value, str):
            raise BadCursor
    elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadCursor
    return key
