"""What is on: events at published sites by date and place, and a site's own events."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from search.cursors import CursorCodec

from ..catalogue.event_store import EventQuery, event_of, find_occurrences, refresh_occurrences
from ..catalogue.events import describe_schedule, moments
from ..catalogue.records import pick_language, site_reference
from ..catalogue.sites import Catalogue
from ..config import Settings
from ..errors import InvalidInput
from .listing import page_size

# The widest window one request may ask about (the catalogue keeps ~400 days ahead).
MAX_DAYS = 366
DEFAULT_DAYS = 30


class EventService:
    def __init__(self, settings: Settings, catalogue: Catalogue, cursors: CursorCodec) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.cursors = cursors

    def today(self):
        return datetime.now(ZoneInfo(self.settings.default_timezone)).date()

    def refresh(self) -> int:
        """Recompute every site's occurrences around today (the daily calendar job)."""
        return refresh_occurrences(self.catalogue.sessions, self.today())

    def query(self, params: dict, site_id: str | None = None) -> EventQuery:
        start = params.get("from") or self.today()
        end = params.get("to") or start + timedelta(days=DEFAULT_DAYS)
        if end < start:
            raise InvalidInput("to is before from.", {"to": ["Not before from."]})
        if (end - start).days > MAX_DAYS:
            raise InvalidInput(
                f"Ask for at most {MAX_DAYS} days at a time.",
                {"to": [f"At most {MAX_DAYS} days after from."]},
            )
        limit = page_size(self.settings, params)
        return EventQuery(
            start=start,
            end=end,
            near=(params["lon"], params["lat"]) if "lat" in params else None,
            radius_m=params.get("radius"),
            bbox=params.get("bbox"),
            site_id=site_id,
            kinds=tuple(params.get("kind") or ()),
            limit=limit,
        )

    def find(self, params: dict, *, preferred: tuple[str, ...], site_ref: str | None = None):
        """A page of occurrences, soonest first, with the next page's cursor."""
        site_id = self.catalogue.get_site(site_ref).id if site_ref else None
        query = self.query(params, site_id)
        after = None
        if params.get("cursor"):
            value, key = self.cursors.decode(params["cursor"], _fingerprint(query), textual=True)
            site_part, _, event_part = key.partition("/")
            after = (value, site_part, event_part)
        with self.catalogue.sessions() as session:
            rows = find_occurrences(session, replace(query, limit=query.limit + 1), after=after)
            items = [self._item(o, s, d, preferred) for o, s, d in rows[: query.limit]]
        next_cursor = None
        if len(rows) > query.limit:
            last = rows[query.limit - 1][0]
            next_cursor = self.cursors.encode(
                _fingerprint(query),
                [last.starts_on.isoformat(), f"{last.site_id}/{last.event_id}"],
            )
        return items, next_cursor

    def _item(self, occurrence, site, distance, preferred) -> dict:
        event = event_of(site, occurrence.event_id) or {"id": occurrence.event_id, "name": {}}
        languages = self.settings.languages
        lang, name = pick_language(event.get("name"), preferred, languages)
        description_lang, description = pick_language(
            event.get("description"), preferred, languages
        )
        starts, ends = moments(event, occurrence, self.settings.default_timezone)
        item = {
            "event": event,
            "display": {
                "lang": lang,
                "name": name,
                "description": description,
                "description_lang": description_lang,
            },
            "starts": starts,
            "ends": ends,
            "schedule": describe_schedule(event),
            "site": site_reference(site, preferred, languages),
        }
        if distance is not None:
            item["distance_m"] = round(distance, 1)
        return item


def _fingerprint(query: EventQuery) -> str:
    return repr(replace(query, limit=0))
