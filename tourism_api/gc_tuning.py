"""Garbage collection for bulk jobs.

A rebuild or an import makes and drops millions of small dicts and lists, and with
the default threshold (a collection every 700 new objects) CPython kept scanning
the batch in hand: a third of an index rebuild's time. Nothing in such a batch
forms cycles worth collecting early, so jobs collect far less often while they run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 50_000


@contextmanager
def fewer_collections(threshold: int = BULK_THRESHOLD) -> Iterator[None]:
    """Raise the youngest generation's threshold for the duration (the setting is per
    process; the old one is put back after)."""
    old = gc.get_threshold()
    gc.set_threshold(max(threshold, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
