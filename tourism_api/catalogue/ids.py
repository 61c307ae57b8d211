"""Time-ordered identifiers (UUID version 7), so ids sort by creation time."""

from __future__ import annotations

import os
import time
import uuid


def new_id() -> str:
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= (rand >> 68 & 0xFFF) << 64  # 12 random bits
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def is_row_id(value: int) -> bool:
    """Whether a number can be a table's integer key: anything beyond a BIGINT names no
    row, and asking the database for it would be a driver error instead of a 404."""
    return 0 < value < 2**63
