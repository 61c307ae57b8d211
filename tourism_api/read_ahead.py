"""Reading the next batch while this one is worked on.

A bulk job (an index rebuild) alternates between waiting for the database to send a
batch of sites and building documents from it; the database's part of each batch is
time the job's one Python thread spends idle. Reading in a thread of its own overlaps
the two: the database works while the documents of the previous batch are built.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from queue import Empty, Queue
from typing import TypeVar

T = TypeVar("T")

_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """`items`, produced in a thread that stays at most `depth` items ahead.

    `items` runs wholly in that thread (open its database session inside it). Its error
    is raised here; closing this iterator early stops it after the item it is on.
    """
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                queue.put(item)
                if stop.is_set():
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer to raise
            queue.put(_Failed(exc))
        else:
            queue.put(_END)
        finally:
            # Closed here, in its own thread: a generator holding a database session
            # releases it where it was opened.
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a producer blocked on a full queue finish its put
            with contextlib.suppress(Empty):
                queue.get(timeout=0.05)
        thread.join()
