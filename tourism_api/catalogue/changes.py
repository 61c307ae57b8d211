"""What every change to a site leaves behind: a new version, a revision and an outbox row.

They are written in the caller's transaction, so a failed write leaves none of
them and the search index can never miss a committed change. After the commit,
the after-write hooks run (on the embedded default: index the change at once).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict
from .event_store import occurrence_rows, replace_occurrences
from .hours_store import interval_rows, replace_intervals
from .models import EventOccurrence, OpenInterval, OutboxEvent, Revision, Site
from .site_records import SiteRecord
from .table_rows import TableRows

# The account a person acts as during this request (set by the HTTP layer); None for
# imports, the CLI and tokens made before accounts. Revisions record it for four-eyes review.
acting_account: ContextVar[int | None] = ContextVar("acting_account", default=None)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ChangeLog:
    def __init__(self, hours_days: int = 14) -> None:
        self.clock: Callable[[], datetime] = utcnow
        # How many days ahead each site's open intervals are kept (TOURISM_OPEN_AT_DAYS).
        self.hours_days = hours_days
        # Called after every committed write (e.g. to index it at once).
        self.after_write: list[Callable[[], None]] = []
        self._deferring = False

    def record(
        self,
        session: Session,
        site: Site,
        action: str,
        actor: str,
        changes: dict,
        comment: str | None = None,
    ) -> None:
        """The revision and the outbox row of an existing site's current version (and its
        occurrences and open intervals again, when its events or hours changed)."""
        now = self.clock()
        if "events" in changes:
            replace_occurrences(session, site.id, site.events, now.date())
        if "opening_hours" in changes:
            replace_intervals(session, site.id, site.opening_hours, now, self.hours_days)
        revision, outbox = self._rows(session, site, action, actor, changes, comment, now)
        session.add(Revision(**revision))
        session.add(OutboxEvent(**outbox))

    def creation_rows(
        self, session: Session, site: Site | SiteRecord, actor: str, changes: dict, rows: TableRows
    ) -> None:
        """Add a new site's revision, outbox row, occurrences and open intervals to `rows`,
        which the caller inserts after the site's own row."""
        now = self.clock()
        revision, outbox = self._rows(session, site, "create", actor, changes, None, now)
        rows.add(Revision.__table__, revision)
        rows.add(OutboxEvent.__table__, outbox)
        if "events" in changes:
            rows.extend(
                EventOccurrence.__table__, occurrence_rows(site.id, site.events, now.date())
            )
        if "opening_hours" in changes:
            rows.extend(
                OpenInterval.__table__,
                interval_rows(site.id, site.opening_hours, now, self.hours_days),
            )

    def _rows(
        self,
        session: Session,
        site: Site | SiteRecord,
        action: str,
        actor: str,
        changes: dict,
        comment: str | None,
        now: datetime,
    ) -> tuple[dict, dict]:
        new = action == "create"
        revision = {
            "site_id": site.id,
            "version": site.version,
            "action": action,
            "actor": actor,
            "actor_id": acting_account.get(),
            "at": now,
            "changes": changes,
            "comment": comment,
        }
        public = "upsert" if site.status == "published" else "delete"
        outbox = {
            "site_id": site.id,
            "version": site.version,
            "action": public,
            "created_at": now,
            "change": public_change(session, site.id, public, new=new),
            "txid": transaction_id(session),
            "processed_at": None,
        }
        return revision, outbox

    def bump(self, site: Site, actor: str) -> None:
        """A new version of an existing site, stamped with who and when."""
        site.version += 1
        site.updated_at = self.clock()
        site.updated_by = actor

    def touch(self, session: Session, site: Site, action: str, actor: str, changes: dict) -> None:
        """Record a change made beside the site's own fields (its photos), so that its
        version, history and search document follow."""
        self.bump(site, actor)
        self.record(session, site, action, actor, changes)
        flush(session)

    def notify(self) -> None:
        """Run the after-write hooks; every service calls this after its commit."""
        if not self._deferring:
            for hook in self.after_write:
                hook()

    @contextmanager
    def deferred_hooks(self) -> Iterator[None]:
        """Run the after-write hooks once at the end of a bulk load instead of per record."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
            for hook in self.after_write:
                hook()


def public_change(session: Session, site_id: str, action: str, *, new: bool = False) -> str | None:
    """created, updated or deleted as the public saw it, from the site's previous outbox row
    (writes to one site take turns: they hold its row lock). Rows this session wrote are
    remembered rather than flushed for the query: a bulk insert flushes once, at its end.
    A `new` site has no previous row to ask for: an import creating thousands would
    otherwise pay a query each."""
    written = session.info.setdefault("outbox_actions", {})
    if new:
        previous = None
    elif site_id in written:
        previous = written[site_id]
    else:
        with session.no_autoflush:
            previous = session.scalar(
                select(OutboxEvent.action)
                .where(OutboxEvent.site_id == site_id)
                .order_by(OutboxEvent.id.desc())
                .limit(1)
            )
    written[site_id] = action
    was_public = previous == "upsert"
    if action == "upsert":
        return "updated" if was_public else "created"
    return "deleted" if was_public else None


@event.listens_for(Session, "after_soft_rollback")
def _forget_outbox_actions(session: Session, previous_transaction) -> None:
    """Rows a rolled-back transaction or savepoint wrote were never written."""
    session.info.pop("outbox_actions", None)


def transaction_id(session: Session) -> int:
    """The writing transaction's id on PostgreSQL (0 elsewhere), asked once per transaction.

    A value rather than SQL evaluated in each INSERT: an SQL expression in a row makes the
    ORM write outbox rows one statement each, where plain values go in batches.
    """
    if session.get_bind().dialect.name != "postgresql":
        return 0
    root = session.get_transaction()
    known = session.info.get("txid")
    if known is not None and known[0] is root:
        return known[1]
    with session.no_autoflush:
        txid = session.scalar(text("SELECT pg_current_xact_id()::text::bigint"))
    session.info["txid"] = (root, txid)
    return txid


def flush(session: Session) -> None:
    """Flush, turning a uniqueness clash with a concurrent writer into a Conflict."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "The change conflicts with another record (duplicate slug or source)."
        ) from exc


def notifies(method):
    """Run the owner's after-write hooks once the method's transaction has committed."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        self.changes.notify()
        return result

    return wrapper
