"""A day's plan for a visitor: chosen sites, or suggestions near the start, ordered and timed
around their opening hours, closures and visit durations, with what was left out and why."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from search.base import SearchBackend, SearchQuery

from ..catalogue.events import moments, occurrences
from ..catalogue.geometry import from_db
from ..catalogue.itinerary import Candidate, plan_route
from ..catalogue.models import Site
from ..catalogue.opening_hours import hours_now, open_intervals
from ..catalogue.records import pick_language, site_reference
from ..catalogue.sites import Catalogue
from ..catalogue.taxonomy import VISIT_MINUTES
from ..catalogue.travel import DETOUR, SPEED_KMH
from ..config import Settings
from ..errors import InvalidInput, NotFound

# How far from the start suggestions may be, by mode (metres), and how many are weighed.
SUGGEST_RADIUS_M = {"walk": 3_000, "bicycle": 10_000, "car": 40_000}
MAX_SUGGESTIONS = 15
# Designations make a suggestion weigh more (kept first when time is short).
WEIGHTS = {"unesco_world_heritage": 5, "special_national_relic": 4, "national_relic": 3}


class Itineraries:
    def __init__(self, settings: Settings, catalogue: Catalogue, search: SearchBackend) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.search = search

    def plan(self, request: dict, *, preferred: tuple[str, ...]) -> dict:
        # Times are answered in the zone they were asked in; by default, local time.
        start_time: datetime = request.get("start_time") or datetime.now(
            ZoneInfo(self.settings.default_timezone)
        ).replace(second=0, microsecond=0)
        budget = request["budget_minutes"]
        mode = request["mode"]
        start = (request["start"]["lon"], request["start"]["lat"])
        end = (request["end"]["lon"], request["end"]["lat"]) if request.get("end") else start
        sites, chosen = self._sites(request, start, mode)
        candidates = [self._candidate(s, start_time, budget, s.id in chosen) for s in sites]
        plan = plan_route(start, end, candidates, budget, mode)
        by_id = {s.id: s for s in sites}
        at = lambda minutes: (start_time + timedelta(minutes=minutes)).isoformat()  # noqa: E731
        stops = []
        for stop in plan.stops:
            site = by_id[stop.id]
            stops.append(
                {
                    "site": self._site(site, preferred),
                    "arrive": at(stop.arrive),
                    "depart": at(stop.depart),
                    "visit_minutes": stop.depart - stop.arrive,
                    "travel_minutes": stop.travel_minutes,
                    "distance_m": stop.distance_m,
                    "hours_known": site.opening_hours is not None,
                    "events": self._events_that_day(site, start_time, budget, preferred),
                }
            )
        line = [
            list(start),
            *(stop["site"]["location"]["coordinates"] for stop in stops),
            list(end),
        ]
        return {
            "mode": mode,
            "start_time": start_time.isoformat(),
            "budget_minutes": budget,
            "travel_times": (
                f"straight-line distance x {DETOUR} at {SPEED_KMH[mode]:g} km/h "
                "(no routing engine configured)"
            ),
            "stops": stops,
            "end": {
                "location": {"type": "Point", "coordinates": list(end)},
                "arrive": at(plan.end_arrive),
                "travel_minutes": plan.end_travel_minutes,
                "distance_m": plan.end_distance_m,
            },
            "left_out": [
                self._left_out(by_id[site_id], reason, start_time, budget, preferred)
                for site_id, reason in plan.left_out.items()
            ],
            "route": {"type": "LineString", "coordinates": line},
        }

    # -- candidates ------------------------------------------------------------------

    def _sites(self, request: dict, start, mode: str) -> tuple[list[Site], set[str]]:
        if request.get("sites"):
            sites, problems = [], {}
            for i, ref in enumerate(request["sites"]):
                try:
                    sites.append(self.catalogue.get_site(ref))
                except NotFound:
                    problems[str(i)] = [f"No published site {ref!r}."]
            if problems:
                raise InvalidInput("Some sites are not published sites.", {"sites": problems})
            unique = list({s.id: s for s in sites}.values())
            return unique, {s.id for s in unique}
        radius = request.get("radius") or SUGGEST_RADIUS_M[mode]
        result = self.search.search(
            SearchQuery(
                near=start,
                radius_m=radius,
                categories=tuple(request.get("categories") or ()),
                kinds=tuple(request.get("kinds") or ()),
                sort="distance",
                limit=MAX_SUGGESTIONS,
            )
        )
        ids = [hit.id for hit in result.hits]
        found = {s.id: s for s in self.catalogue.load_many(ids)}
        return [found[i] for i in ids if i in found], set()

    def _candidate(self, site: Site, start_time: datetime, budget: int, chosen: bool):
        point = from_db(site.location)
        windows = None
        spans = open_intervals(
            site.opening_hours, start_time, start_time + timedelta(minutes=budget)
        )
        if spans is not None:
            windows = [
                (
                    max(0, math.ceil((a - start_time).total_seconds() / 60)),
                    math.floor((b - start_time).total_seconds() / 60),
                )
                for a, b in spans
            ]
        weight = 1 + max(
            (WEIGHTS.get(d.get("type"), 0) for d in site.designations or []), default=0
        )
        return Candidate(
            id=site.id,
            point=(point.x, point.y),
            visit_minutes=site.visit_minutes or VISIT_MINUTES.get(site.kind, 45),
            windows=windows,
            chosen=chosen,
            weight=weight,
        )

    # -- presenting ------------------------------------------------------------------

    def _site(self, site: Site, preferred: tuple[str, ...]) -> dict:
        return site_reference(site, preferred, self.settings.languages)

    def _local(self, site: Site, moment: datetime) -> datetime:
        zone = (site.opening_hours or {}).get("timezone") or self.settings.default_timezone
        return moment.astimezone(ZoneInfo(zone))

    def _left_out(self, site, reason, start_time, budget, preferred) -> dict:
        name = pick_language(site.name, preferred, self.settings.languages)[1]
        end_time = start_time + timedelta(minutes=budget)
        visit = site.visit_minutes or VISIT_MINUTES.get(site.kind, 45)
        closed_for = None
        if reason == "closed":
            state = hours_now(site.opening_hours, start_time)
            closed_for = state.closed_for if state.open is False else None
            if closed_for:
                why = pick_language(closed_for, preferred, self.settings.languages)[1]
                message = f"{name} is closed that day ({why})."
            else:
                message = f"{name} is not open for a {visit}-minute visit during the plan."
        elif reason == "unreachable":
            spans = open_intervals(site.opening_hours, start_time, end_time) or []
            if spans:
                closes = self._local(site, spans[-1][1]).strftime("%H:%M")
                message = f"{name} closes at {closes}: too late to reach it and visit."
            else:
                message = f"{name} is too far to reach, visit and come back in time."
        else:
            message = f"{name} was left out so the others fit in the time."
        answer = {"site": self._site(site, preferred), "reason": reason, "message": message}
        if closed_for:
            answer["closed_for"] = closed_for
        return answer

    def _events_that_day(self, site, start_time, budget, preferred) -> list[dict]:
        first = self._local(site, start_time).date()
        last = self._local(site, start_time + timedelta(minutes=budget)).date()
        found = []
        for event in site.events or []:
            for occurrence in occurrences(event, first, last):
                starts, ends = moments(event, occurrence, self.settings.default_timezone)
                lang, name = pick_language(event.get("name"), preferred, self.settings.languages)
                found.append(
                    {"id": event["id"], "name": name, "lang": lang, "starts": starts, "ends": ends}
                )
        return found
