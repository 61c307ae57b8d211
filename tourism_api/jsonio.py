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
# On long texts (a search engine's answer, a site's view) the regex costs several times the
# parse itself; mapping every byte to "0" (an ASCII digit) or " " and looking for 19 zeros
# finds the same runs an order of magnitude faster. UTF-8 keeps ASCII digits as they are.
_DIGITS_AS_ZERO = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_NINETEEN_DIGITS = b"0" * 19
_SHORT = 256


def _has_long_number(text: str | bytes) -> bool:
    if len(text) < _SHORT:
        pattern = _LONG_NUMBER if isinstance(text, str) else _LONG_NUMBER_BYTES
        return pattern.search(text) is not None
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return _NINETEEN_DIGITS in data.translate(_DIGITS_AS_ZERO)


def loads(text: str | bytes) -> Any:
    # Most of a site's JSON columns are empty objects and lists (no contact, no
    # accessibility details yet): answered without a call into the decoder.
    if text == "{}" or text == b"{}":
        return {}
    if text == "[]" or text == b"[]":
        return []
    if len(text) < 19 or not _has_long_number(text):
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
