"""Event occurrences in the catalogue: kept in step with the sites, and queried by date
and place (the API's "what is on" lists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.orm import Session, sessionmaker

from search.geo import Envelope, radius_envelopes, split_envelope

from ..db import transaction
from .events import site_occurrences
from .models import EventOccurrence, Site
from .spatial import SpatialSQL
from .table_rows import ChunkedInsert


def occurrence_rows(site_id: str, events: list[dict] | None, today: date) -> list[dict]:
    """A site's event occurrences in the window around `today`, as rows to insert."""
    return [
        {
            "site_id": site_id,
            "event_id": found.event_id,
            "kind": found.kind,
            "starts_on": found.starts_on,
            "ends_on": found.ends_on,
        }
        for found in site_occurrences(events, today)
    ]


def replace_occurrences(
    session: Session, site_id: str, events: list[dict] | None, today: date
) -> None:
    """An existing site's occurrences after a write that changed its events (same
    transaction)."""
    session.execute(delete(EventOccurrence).where(EventOccurrence.site_id == site_id))
    rows = occurrence_rows(site_id, events, today)
    if rows:
        session.execute(insert(EventOccurrence.__table__), rows)


def refresh_occurrences(sessions: sessionmaker[Session], today: date) -> int:
    """Recompute every site's occurrences for the window around `today` (a daily job)."""
    count = 0
    with transaction(sessions) as session:
        session.execute(delete(EventOccurrence))
        query = select(Site.id, Site.events).where(Site.events.is_not(None))
        with ChunkedInsert(session, EventOccurrence.__table__) as rows:
            for site_id, events in session.execute(query):
                if events:
                    rows.extend(occurrence_rows(site_id, events, today))
                    count += 1
    return count


@dataclass(frozen=True)
class EventQuery:
    start: date
    end: date
    near: tuple[float, float] | None = None  # (lon, lat)
    radius_m: float | None = None
    bbox: Envelope | None = None
    site_id: str | None = None
    kinds: tuple[str, ...] = ()
    limit: int = 50


def find_occurrences(
    session: Session, query: EventQuery, *, after: tuple[str, str, str] | None = None
) -> list[tuple[EventOccurrence, Site, float | None]]:
    """Occurrences overlapping start..end at published sites, soonest first; `after` is the
    (start date, site id, event id) of the previous page's last one."""
    spatial = SpatialSQL(session.get_bind().dialect.name)
    distance = spatial.distance_m(*query.near) if query.near else None
    columns = [EventOccurrence, Site] + (
        [distance.label("distance")] if distance is not None else []
    )
    statement = (
        select(*columns)
        .join(Site, Site.id == EventOccurrence.site_id)
        .where(
            Site.status == "published",
            EventOccurrence.ends_on >= query.start,
            EventOccurrence.starts_on <= query.end,
        )
    )
    if query.site_id:
        statement = statement.where(Site.id == query.site_id)
    if query.kinds:
        statement = statement.where(EventOccurrence.kind.in_(query.kinds))
    if query.bbox:
        statement = statement.where(spatial.location_in(split_envelope(query.bbox)))
    if query.near and query.radius_m is not None:
        statement = statement.where(
            spatial.location_in(radius_envelopes(*query.near, query.radius_m)),
            distance <= query.radius_m,
        )
    if after is not None:
        day, site_id, event_id = date.fromisoformat(after[0]), after[1], after[2]
        statement = statement.where(
            or_(
                EventOccurrence.starts_on > day,
                and_(EventOccurrence.starts_on == day, EventOccurrence.site_id > site_id),
                and_(
                    EventOccurrence.starts_on == day,
                    EventOccurrence.site_id == site_id,
                    EventOccurrence.event_id > event_id,
                ),
            )
        )
    statement = statement.order_by(
        EventOccurrence.starts_on, EventOccurrence.site_id, EventOccurrence.event_id
    )
    rows = session.execute(statement.limit(query.limit))
    return [(row[0], row[1], row[2] if distance is not None else None) for row in rows]


def event_of(site: Site, event_id: str) -> dict | None:
    return next((e for e in site.events or [] if e["id"] == event_id), None)
