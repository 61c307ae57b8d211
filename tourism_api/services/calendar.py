"""The daily move of every time window onto the coming days: open intervals (in the search
index and in the catalogue) and event occurrences. The job queue runs it at midnight in
Viet Nam; `tourism calendar refresh` runs the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from search.indexer import Indexer

from ..catalogue.hours_store import refresh_intervals
from .events import EventService


class CalendarRefresh:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        indexer: Indexer,
        events: EventService,
        days: int,
    ) -> None:
        self.sessions = sessions
        self.indexer = indexer
        self.events = events
        self.days = days

    def sites_with_hours(self) -> int:
        return self.indexer.count_published(with_hours=True)

    def run(self, progress: Callable[[int], None] | None = None) -> dict:
        indexed = self.indexer.refresh_hours(progress)
        return {"indexed": indexed, **self.run_catalogue()}

    def run_catalogue(self) -> dict:
        """The catalogue's side only (no search engine needed): after a schema upgrade."""
        with_hours = refresh_intervals(self.sessions, datetime.now(UTC), self.days)
        with_events = self.events.refresh()
        # open_at and event filters answer differently now: cached answers must go.
        self.indexer.mark_index_changed("calendar")
        return {"sites_with_hours": with_hours, "sites_with_events": with_events}
