"""A rebuild's documents, read and built in several processes.

Reading a site and building its document takes ~100 µs of Python: one process builds a
million documents in more than twice the time the engine takes to index them, and
threads do not help (the GIL). So a large rebuild splits the published sites into ranges of ids,
each read and built by a process of its own; this process only forwards the documents
to the backend. The workers are started fresh ("spawn"): a fork would copy the parent's
open database connections and locks.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from collections.abc import Iterator
from queue import Empty

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from tourism_api.catalogue.models import Site
from tourism_api.catalogue.site_records import iter_sites
from tourism_api.config import Settings
from tourism_api.process_memory import peak_resident_mb

from .base import EncodedDocument

# Batches (of iter_sites's 1,000 documents) waiting per worker: memory stays flat when
# the backend is slower than the workers.
_QUEUED_PER_WORKER = 2


def id_ranges(session: Session, where: ColumnElement[bool], parts: int) -> list[tuple[str, str]]:
    """`parts` ranges (after, up_to] of ids splitting the sites `where` selects evenly;
    "" is open at that end."""
    total = session.scalar(select(func.count()).select_from(Site).where(where)) or 0
    bounds = [""]
    for k in range(1, parts):
        bound = session.scalar(
            select(Site.id).where(where).order_by(Site.id).offset(total * k // parts).limit(1)
        )
        if bound is not None and bound > bounds[-1]:
            bounds.append(bound)
    bounds.append("")
    return list(zip(bounds, bounds[1:], strict=False))


def published_documents(
    settings: Settings, hours_days: int, ranges: list[tuple[str, str]], peaks: list[float]
) -> Iterator[EncodedDocument]:
    """Documents of the published sites in `ranges`, one worker process per range, in no
    particular order, as the JSON the workers wrote. A worker's error is raised here;
    closing early stops the workers. Each worker's peak memory (MB) is appended to
    `peaks` as it finishes."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=_QUEUED_PER_WORKER * len(ranges))
    workers = [
        context.Process(
            target=_work,
            args=(settings, hours_days, after, up_to, queue),
            name=f"index-documents-{n}",
            daemon=True,
        )
        for n, (after, up_to) in enumerate(ranges)
    ]
    for worker in workers:
        worker.start()
    running = len(workers)
    try:
        while running:
            try:
                kind, payload = queue.get(timeout=1.0)
            except Empty:
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(
                        f"{dead[0].name} stopped (exit code {dead[0].exitcode})"
                    ) from None
                continue
            if kind == "documents":
                for site_id, version, body in payload:
                    yield EncodedDocument(site_id, version, body)
            elif kind == "done":
                running -= 1
                peaks.append(payload)
            else:
                raise RuntimeError(f"building documents failed:\n{payload}")
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        for worker in workers:
            worker.join()
        queue.close()
        queue.join_thread()


def _work(settings: Settings, hours_days: int, after: str, up_to: str, queue) -> None:
    """One worker: its range's documents, a batch per message, then its peak memory."""
    try:
        from tourism_api import jsonio
        from tourism_api.db import get_engine, session_factory
        from tourism_api.gc_tuning import fewer_collections

        from .documents import site_document

        where = (Site.status == "published") & (Site.id > after)
        if up_to:
            where = where & (Site.id <= up_to)
        sessions = session_factory(get_engine(settings))
        with fewer_collections(), sessions() as session:
            for batch in iter_sites(session, where):
                session.rollback()  # no snapshot held while the parent catches up
                encoded = []
                for site in batch:
                    doc = site_document(site, hours_days=hours_days)
                    encoded.append((doc["id"], doc["version"], jsonio.dumps_bytes(doc)))
                queue.put(("documents", encoded))
        queue.put(("done", peak_resident_mb() or 0.0))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        with contextlib.suppress(Exception):
            queue.put(("error", traceback.format_exc()))
        raise SystemExit(1) from None
