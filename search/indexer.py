"""Keeping the search index in step with the catalogue, through the outbox.

Every catalogue change commits an outbox row with it. The indexer reads
pending rows in batches, indexes the *current* state of each site they name
(published: its document; anything else: a deletion), and marks the rows done
only after the backend accepted the batch. If the engine is down, the rows
stay pending and the next run catches up; nothing is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tourism_api.catalogue.models import IndexMark, OutboxEvent, Site
from tourism_api.catalogue.site_records import SiteRecord, iter_sites, read_sites
from tourism_api.config import Settings
from tourism_api.db import transaction
from tourism_api.gc_tuning import fewer_collections
from tourism_api.read_ahead import read_ahead

from .base import EncodedDocument, SearchBackend, SearchUnavailable
from .document_processes import id_ranges, published_documents
from .documents import DEFAULT_HOURS_DAYS, site_document

log = logging.getLogger(__name__)

# Index changes this process made (drains that applied something, index-wide changes):
# the response cache reads the mark again at once after its own process's changes.
_applied_here = 0


def changes_applied_here() -> int:
    return _applied_here


def _count_applied() -> None:
    global _applied_here
    _applied_here += 1


@dataclass
class DrainReport:
    events: int = 0
    indexed: int = 0
    deleted: int = 0
    pending: int = 0
    error: str | None = None


class Indexer:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        backend: SearchBackend,
        batch_size: int = 500,
        hours_days: int = DEFAULT_HOURS_DAYS,
        *,
        settings: Settings | None = None,
        workers: int = 1,
        sites_per_worker: int = 50_000,
        reads: sessionmaker[Session] | None = None,
    ) -> None:
        """`workers` processes (with `settings` to open the database) build a rebuild's
        documents, one per `sites_per_worker` published sites at most: starting one takes
        a second or two, which a small catalogue would not earn back."""
        self.sessions = sessions
        # One-statement reads (autocommit on PostgreSQL): settled_mark runs per request.
        self.reads = reads or sessions
        self.backend = backend
        self.batch_size = batch_size
        self.hours_days = hours_days
        self.settings = settings
        self.workers = workers
        self.sites_per_worker = sites_per_worker
        # Peak memory (MB) of each worker process of the last rebuild, for benchmarks.
        self.worker_peaks_mb: list[float] = []
        self._lock = threading.Lock()

    def document(self, site: Site | SiteRecord) -> dict:
        return site_document(site, hours_days=self.hours_days)

    def _apply_current_state(
        self, session: Session, site_ids: set[str], fallback_versions: dict[str, int]
    ):
        sites = {s.id: s for s in read_sites(session, list(site_ids))}
        upserts, deletes = [], []
        for site_id in sorted(site_ids):
            site = sites.get(site_id)
            if site is not None and site.status == "published":
                upserts.append(self.document(site))
            else:
                deletes.append((site_id, site.version if site else fallback_versions[site_id]))
        self.backend.apply(upserts, deletes)
        return len(upserts), len(deletes)

    def drain(self, max_batches: int | None = None) -> DrainReport:
        """Apply pending outbox rows; on an engine failure, stop and leave them pending."""
        report = DrainReport()
        with self._lock:
            batches = 0
            while max_batches is None or batches < max_batches:
                with self.sessions() as session:
                    events = session.scalars(
                        select(OutboxEvent)
                        .where(OutboxEvent.processed_at.is_(None))
                        .order_by(OutboxEvent.id)
                        .limit(self.batch_size)
                    ).all()
                    if not events:
                        break
                    versions: dict[str, int] = {}
                    for event in events:
                        versions[event.site_id] = max(event.version, versions.get(event.site_id, 0))
                    try:
                        indexed, deleted = self._apply_current_state(
                            session, set(versions), versions
                        )
                    except SearchUnavailable as exc:
                        report.error = str(exc)
                        break
                with transaction(self.sessions) as session:
                    session.execute(
                        update(OutboxEvent)
                        .where(OutboxEvent.id.in_([e.id for e in events]))
                        .values(processed_at=datetime.now(UTC))
                    )
                report.events += len(events)
                report.indexed += indexed
                report.deleted += deleted
                batches += 1
        if report.events:
            _count_applied()
        report.pending = self.pending()
        return report

    def drain_quietly(self) -> None:
        """After a write on the embedded default: index now, but never fail the write."""
        try:
            report = self.drain()
        except DBAPIError as exc:  # e.g. a database not upgraded yet: one line, no traceback
            log.warning("search index not updated: %s", exc.orig)
            return
        except Exception:  # the write is committed; the outbox keeps the change
            log.exception("indexing after a write failed; the outbox keeps the change")
            return
        if report.error:
            log.warning(
                "search index not updated (%s); %d changes pending", report.error, report.pending
            )

    def pending(self) -> int:
        with self.sessions() as session:
            return session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.processed_at.is_(None))
            )

    def settled_mark(self) -> tuple[datetime | None, datetime | None] | None:
        """When the index last took a change (site by site, and index-wide), if it has
        taken every committed one and searches already see them; None while it catches up.

        An answer computed from the index while this mark holds stays right until the
        mark moves: every later change is applied, and so marked, after it. Answers
        computed while the index catches up may already be out of date, so the response
        cache keeps none of them."""
        with self.reads() as session:
            last, pending, index_wide = session.execute(
                select(
                    func.max(OutboxEvent.processed_at),
                    exists().where(OutboxEvent.processed_at.is_(None)),
                    select(func.max(IndexMark.changed_at)).scalar_subquery(),
                )
            ).one()
        if pending:
            return None
        latest = max((t for t in (last, index_wide) if t is not None), default=None)
        delay = timedelta(seconds=self.backend.visibility_delay_s)
        if latest is not None and datetime.now(UTC) - latest < delay:
            return None
        return last, index_wide

    def mark_index_changed(self, name: str) -> None:
        """Record a change to the index that bypassed the outbox (`name`: what made it)."""
        with transaction(self.sessions) as session:
            session.merge(IndexMark(name=name, changed_at=datetime.now(UTC)))
        _count_applied()

    def follow(
        self, interval: float = 1.0, should_stop: Callable[[], bool] = lambda: False
    ) -> None:
        """Drain forever (the production worker); an engine outage only delays."""
        while not should_stop():
            report = self.drain()
            if report.error:
                log.warning(
                    "search engine unavailable (%s); %d pending; retrying",
                    report.error,
                    report.pending,
                )
            if report.events == 0 or report.error:
                time.sleep(interval)

    def _published_documents(self) -> Iterator[dict | EncodedDocument]:
        published = Site.status == "published"
        parts = 1
        if self.settings is not None and self.workers > 1:
            parts = min(self.workers, self.count_published() // self.sites_per_worker)
        if parts > 1:
            with self.sessions() as session:
                ranges = id_ranges(session, published, parts)
            self.worker_peaks_mb = []
            yield from published_documents(
                self.settings, self.hours_days, ranges, self.worker_peaks_mb
            )
            return
        # One process: the next batch is read while this one's documents are built.
        for batch in read_ahead(self._published_batches()):
            for site in batch:
                yield self.document(site)

    def _published_batches(self) -> Iterator[list[SiteRecord]]:
        with self.sessions() as session:
            for batch in iter_sites(session, Site.status == "published"):
                session.rollback()  # end the read transaction between batches
                yield batch

    def refresh_hours(self, progress: Callable[[int], None] | None = None) -> int:
        """Re-index every published site with opening hours, so the open intervals their
        documents carry reach TOURISM_OPEN_AT_DAYS ahead again (a daily job)."""
        count = 0
        with self._lock, fewer_collections(), self.sessions() as session:
            with_hours = (Site.status == "published") & Site.opening_hours.is_not(None)
            for batch in iter_sites(session, with_hours, self.batch_size):
                session.rollback()  # no transaction held while the engine works
                self.backend.apply([self.document(site) for site in batch], ())
                count += len(batch)
                if progress:
                    progress(len(batch))
        return count

    def count_published(self, *, with_hours: bool = False) -> int:
        query = select(func.count()).select_from(Site).where(Site.status == "published")
        if with_hours:
            query = query.where(Site.opening_hours.is_not(None))
        with self.sessions() as session:
            return session.scalar(query)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Build a fresh index from the catalogue and switch to it; then replay what changed meanwhile."""
        with self.sessions() as session:
            mark = session.scalar(select(func.max(OutboxEvent.id))) or 0
        with fewer_collections():
            count = self.backend.rebuild(self._published_documents(), progress)
        with self.sessions() as session:
            changed = session.execute(
                select(OutboxEvent.site_id, func.max(OutboxEvent.version))
                .where(OutboxEvent.id > mark)
                .group_by(OutboxEvent.site_id)
            ).all()
            if changed:
                versions = {site_id: version for site_id, version in changed}
                self._apply_current_state(session, set(versions), versions)
        self.mark_index_changed("rebuild")
        self.drain()
        return count
