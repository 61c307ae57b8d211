"""JSON through orjson where it gives exactly what the standard library gives.

Bulk work decodes and encodes JSON per site (an index rebuild: a dozen JSON columns
read, a document written), and the standard library took a fifth of such a run.
orjson differs on a few inputs (integers beyond 64 bits, NaN, non-string keys); those
go to the standard library, so no value changes on the way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import orjson

# 19 digits in a row may be an integer beyond 64 bits, which orjson reads as a float.
_LONG_NUMBER = re.compile(r"[0-9]{19}")
_LONG_NUMBER_BYTES = re.compile(rb"[0-9]{19}")


def loads(text: str | bytes) -> Any:
    # Most of a site's JSON columns are empty objects and lists (no contact, no
    # accessibility details yet): answered without a call into the decoder.
    if text == "{}" or text == b"{}":
        return {}
    if text == "[]" or text == b"[]":
        return []
    long_number = _LONG_NUMBER if isinstance(text, str) else _LONG_NUMBER_BYTES
    if len(text) < 19 or long_number.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:  # NaN and Infinity, which Python's json writes
            pass
    return json.loads(text)


def dumps_bytes(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """Compact UTF-8 JSON, as json.dumps(..., ensure_ascii=False, separators=(",", ":"))."""
    try:
        return orjson.dumps(value, default=default)
    except TypeError:  # integers beyond 64 bits, keys that are not strings
        return json.dumps(
            value, default=default, ensure_ascii=False, separators=(",", ":")
        ).encode()
