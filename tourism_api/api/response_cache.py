"""Public list and search answers kept in memory while the index stays the same.

On a festival day in Huế thousands of phones ask for the same few searches ("what is
near the Citadel", "chùa"): each is answered once per change of the catalogue and
then from memory, with no database or engine work beyond one indexed read of the
outbox (`Indexer.settled_mark`), until something is published, edited or withdrawn.

An entry is keyed by that mark, the full URL (host and query string: the links in the
body are absolute) and the headers the answer is negotiated on (Accept,
Accept-Language). It is kept until the clock would change the answer (`Policy.until`:
the first of its sites to open or close, the next minute for `open_now`, at most the
next full hour). Only anonymous and API-key callers share entries; a signed-in
person or a staff token may see drafts, so their requests never touch the cache.
Entries are stored only while the index has applied, and searches already see, every
committed change: an answer computed while the indexer catches up is never kept.

It sits after the credential check and the rate limits (a cached answer still counts
against the caller's limit) and before the view; the hooks that follow a view (ETag,
Cache-Control, CORS, compression, security headers) run on a cached answer as on a
fresh one. An index rebuild and the daily refresh of opening intervals, which bypass the
outbox, move the mark through an index-wide one (`IndexMark`); rows changed behind every
service's back (SQL typed by hand) show within the hour. When the mark cannot be read
(the database is down: searches still answer from the index), answers are computed,
not cached.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import LRUCache
from flask import Flask, Response, g, request
from sqlalchemy.exc import SQLAlchemyError

from search.indexer import changes_applied_here

from .auth import caller
from .caching import Policy
from .context import EXTENSION

log = logging.getLogger(__name__)

# Answers that depend only on the published catalogue, its index and the request.
ENDPOINTS = frozenset({"search.search", "search.suggest", "sites.Sites", "features.items"})
# How long a process goes on using the mark it read (a round trip to the database saved
# per answer). A change another process indexes reaches this one's answers at most this
# much later (Elasticsearch's own refresh already takes up to a second); one this process
# indexed, at once.
MARK_HOLD_S = 0.2
# How long an answer whose view said nothing of its clock is kept.
DEFAULT_KEEP_S = 3600
# What an entry costs beyond its body and headers (key, tuple, dict overheads).
_OVERHEAD_BYTES = 600


@dataclass(frozen=True)
class _Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]  # the view's own, Content-Type among them
    policy: Policy  # what the view passed to caching.cache()
    until: float  # epoch seconds


def _size(entry: _Entry) -> int:
    return len(entry.body) + sum(len(k) + len(v) for k, v in entry.headers) + _OVERHEAD_BYTES


def _now() -> float:
    return time.time()


class ResponseCache:
    """An LRU bounded by bytes, shared by a process's threads, and the index mark the
    entries are keyed by."""

    def __init__(
        self,
        max_bytes: int,
        read_mark: Callable[[], object | None],
        local_changes: Callable[[], int] = changes_applied_here,
    ) -> None:
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=_size)
        self._lock = threading.Lock()
        self._read_mark = read_mark
        self._local_changes = local_changes
        self._mark: object | None = None
        self._mark_read_at = -math.inf
        self._mark_local_changes = -1
        self.hits = 0
        self.misses = 0

    def mark(self) -> object | None:
        """The index's settled mark, read again once MARK_HOLD_S has passed or this
        process changed the index."""
        now = time.monotonic()
        local = self._local_changes()
        if now - self._mark_read_at >= MARK_HOLD_S or local != self._mark_local_changes:
            try:
                mark = self._read_mark()
            except SQLAlchemyError as exc:
                log.warning("response cache bypassed: %s", exc.__class__.__name__)
                mark = None
            # Noted only once read: another thread meanwhile reads it for itself rather
            # than take the mark from before this process's change.
            self._mark, self._mark_read_at, self._mark_local_changes = mark, now, local
            return mark
        return self._mark

    def get(self, key: tuple) -> _Entry | None:
        """The entry, unless the clock has changed its answer since."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and _now() >= entry.until:
                entry = None  # replaced by the answer computed now
            if entry is None:
                self.misses += 1
            else:
                self.hits += 1
            return entry

    def put(self, key: tuple, entry: _Entry) -> None:
        # An answer larger than the whole cache is a ValueError: served, not kept.
        with self._lock, contextlib.suppress(ValueError):
            self._entries[key] = entry

    def __len__(self) -> int:
        return len(self._entries)


def _key(cache: ResponseCache) -> tuple | None:
    """The entry this request may be answered from; None when it must be computed."""
    if request.method != "GET" or request.endpoint not in ENDPOINTS:
        return None
    if caller().principal is not None:
        return None  # staff see drafts and authors
    mark = cache.mark()
    if mark is None:
        return None
    return (
        mark,
        request.url,
        request.headers.get("Accept", ""),
        request.headers.get("Accept-Language", ""),
    )


def register(app: Flask, max_bytes: int) -> ResponseCache | None:
    """Install the cache's two hooks; call it after the rate limits are registered (the
    lookup must run after them) and after every other after-request hook (the copy must
    be taken before they add their headers)."""
    if max_bytes <= 0:
        return None
    cache = ResponseCache(max_bytes, app.extensions[EXTENSION].indexer.settled_mark)
    app.extensions["tourism_response_cache"] = cache

    @app.before_request
    def _answer_from_memory() -> Response | None:
        key = _key(cache)
        if key is None:
            return None
        entry = cache.get(key)
        if entry is None:
            g.tourism_response_key = key
            return None
        g.tourism_cache = entry.policy
        return Response(entry.body, status=200, headers=list(entry.headers))

    @app.after_request
    def _keep(response: Response) -> Response:
        key = g.pop("tourism_response_key", None)
        policy = g.get("tourism_cache")
        if (
            key is None
            or response.status_code != 200
            or response.is_streamed
            or policy is None
            or not policy.public
        ):
            return response
        until = policy.until.timestamp() if policy.until else _now() + DEFAULT_KEEP_S
        headers = tuple((k, v) for k, v in response.headers.items() if k != "Content-Length")
        cache.put(key, _Entry(response.get_data(), headers, policy, until))
        return response

    return cache
