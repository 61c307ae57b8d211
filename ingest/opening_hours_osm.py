"""The common forms of OpenStreetMap's opening_hours syntax, as structured hours.

"24/7", "Mo-Su 07:00-17:30", "Mo-Fr 08:00-11:30,13:30-17:00; Sa 08:00-12:00" become a
weekly table staff can edit in the workspace's form. Anything more elaborate (public
holidays, months, sunrise) returns None: the pipeline keeps such text as OSM syntax, which
the catalogue evaluates with opening-hours-py.
"""

from __future__ import annotations

import re

DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
CATALOGUE_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RULE = re.compile(
    r"^(?P<days>[A-Za-z,\- ]+?)\s+(?P<times>\d{1,2}:\d{2}-\d{1,2}:\d{2}(?:\s*,\s*\d{1,2}:\d{2}-\d{1,2}:\d{2})*)$"
)
_SPAN = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")


def _days(text: str) -> list[str] | None:
    found: list[str] = []
    for part in text.lower().replace(" ", "").split(","):
        if "-" in part:
            start, _, end = part.partition("-")
            if start not in DAYS or end not in DAYS:
                return None
            i, j = DAYS.index(start), DAYS.index(end)
            span = range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)]
            found += [CATALOGUE_DAYS[k] for k in span]
        elif part in DAYS:
            found.append(CATALOGUE_DAYS[DAYS.index(part)])
        else:
            return None
    return found


def parse_osm_hours(text: str, timezone: str) -> dict | None:
    text = text.strip()
    if text == "24/7":
        return {
            "timezone": timezone,
            "weekly": {d: [{"opens": "00:00", "closes": "24:00"}] for d in CATALOGUE_DAYS},
        }
    weekly: dict[str, list[dict]] = {}
    for rule in (r.strip() for r in text.split(";")):
        if not rule:
            continue
        match = _RULE.match(rule)
        if not match:
            return None
        days = _days(match.group("days"))
        if days is None:
            return None
        spans = []
        for h1, m1, h2, m2 in _SPAN.findall(match.group("times")):
            opens, closes = f"{int(h1):02d}:{m1}", f"{int(h2):02d}:{m2}"
            if int(h1) > 24 or int(h2) > 24 or int(m1) > 59 or int(m2) > 59:
                return None
            spans.append({"opens": opens, "closes": closes})
        for day in days:
            weekly[day] = spans  # a later rule overrides an earlier one, as in OSM
    return {"timezone": timezone, "weekly": weekly} if weekly else None
