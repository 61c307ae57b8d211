"""When each site is open, kept in the catalogue for the days ahead: the SQL side of
open_now/open_at (OGC API items, vector tiles, staff lists), as the search index's documents
are the other side. The same pieces (at most a day long, minutes since 1970) in both."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, insert, select
from sqlalchemy.orm import Session, sessionmaker

from ..db import transaction
from .models import OpenInterval, Site
from .opening_hours import MAX_OPEN_MINUTES, epoch_minutes, open_minutes_ahead
from .table_rows import ChunkedInsert


def interval_rows(site_id: str, hours: dict | None, now: datetime, days: int) -> list[dict]:
    """A site's open intervals for the days from now, as rows to insert."""
    return [
        {"site_id": site_id, "opens": opens, "closes": closes}
        for opens, closes in open_minutes_ahead(hours, now, days)
    ]


def replace_intervals(
    session: Session, site_id: str, hours: dict | None, now: datetime, days: int
) -> None:
    """An existing site's open intervals after a write that changed its hours (same
    transaction)."""
    session.execute(delete(OpenInterval).where(OpenInterval.site_id == site_id))
    rows = interval_rows(site_id, hours, now, days)
    if rows:
        session.execute(insert(OpenInterval.__table__), rows)


def refresh_intervals(sessions: sessionmaker[Session], now: datetime, days: int) -> int:
    """Recompute every site's intervals for the days from now (the daily calendar job)."""
    count = 0
    with transaction(sessions) as session:
        session.execute(delete(OpenInterval))
        query = select(Site.id, Site.opening_hours).where(Site.opening_hours.is_not(None))
        with ChunkedInsert(session, OpenInterval.__table__) as rows:
            for site_id, hours in session.execute(query):
                found = interval_rows(site_id, hours, now, days)
                if found:
                    rows.extend(found)
                    count += 1
    return count


def open_at(moment: datetime) -> ColumnElement:
    """Sites open at the moment: pieces are at most a day long, so only those opening in the
    day before can cover it (an index range on `opens`)."""
    minute = epoch_minutes(moment)
    return exists().where(
        OpenInterval.site_id == Site.id,
        OpenInterval.opens > minute - MAX_OPEN_MINUTES,
        OpenInterval.opens <= minute,
        OpenInterval.closes > minute,
    )
