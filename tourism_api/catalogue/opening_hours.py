"""Opening hours: checking them, and answering "open at this moment?" and "until when?".

Shape:
    {"timezone": "Asia/Ho_Chi_Minh",
     "osm": "Tu-Su 07:00-17:00; Mo off; PH off",         # OpenStreetMap syntax, optional
     "weekly": {"mon": [{"opens": "07:00", "closes": "17:30"}], ...},
     "country": "VN",                                     # whose public holidays PH means
     "closures": [{"start": "2027-02-16", "end": "2027-02-18", "reason": {"en": "Tết"}},
                  {"lunar_start": "01-01", "lunar_end": "01-03", "reason": {"vi": "Tết"}}],
     "notes": {"vi": "..."}}
`osm`, when given, rules the week; otherwise `weekly` does (a day missing from it is closed;
"closes" earlier than "opens" runs past midnight). Closures close whole days, every year on
the same lunar dates for `lunar_start`/`lunar_end` (month-day in the Vietnamese calendar).

Everything is evaluated by opening-hours-py (the Rust port of the OSM opening_hours
grammar): weekly tables are written as OSM rules, closures become trailing "off" rules. Its
built-in Vietnamese calendar knows only the solar holidays (not Tết nor the Hùng Kings' day),
so `PH` is rewritten into the dates `holidays` gives for the hours' country.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import opening_hours as osm

from . import calendars

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DEFAULT_COUNTRY = "VN"
# Opening intervals kept for "open at t" queries are cut into pieces no longer than this, so
# a query looks only at pieces opening in the day before t (an index range).
MAX_OPEN_SPAN = timedelta(days=1)
MAX_OPEN_MINUTES = int(MAX_OPEN_SPAN.total_seconds() // 60)


def epoch_minutes(moment: datetime) -> int:
    """Minutes since 1970 (UTC): how indexes store opening intervals."""
    return int(moment.timestamp() // 60)


# A rule that starts with a list of weekdays and holidays: "Mo-Fr,PH 08:00-12:00".
_LEADING_DAYS = re.compile(
    r"^(?P<lead>\s*)(?P<days>(?:[A-Z][a-z](?:-[A-Z][a-z])?|PH|SH)"
    r"(?:\s*,\s*(?:[A-Z][a-z](?:-[A-Z][a-z])?|PH|SH))*)(?P<rest>(?:\s.*)?)$",
    re.S,
)


def check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def check_osm(expression: str) -> None:
    """Raise ValueError saying where an OSM opening_hours expression stops making sense."""
    try:
        osm.OpeningHours(expression)
    except (osm.ParserError, SyntaxError) as exc:
        raise ValueError(_parser_message(str(exc))) from exc


def _parser_message(text: str) -> str:
    # The parser's message draws an arrow under the expression; keep its position and hint.
    position = re.search(r"--> (\d+):(\d+)", text)
    expected = re.search(r"= (.*)", text)
    where = f" at character {position.group(2)}" if position else ""
    what = f": {expected.group(1).strip()}" if expected else ""
    return f"not OSM opening_hours syntax{where}{what}"


def parse_hhmm(value: str) -> time:
    if value == "24:00":
        return time.max
    try:
        parsed = datetime.strptime(value, "%H:%M")
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a time in HH:MM") from exc
    return parsed.time()


def weekly_as_osm(weekly: dict) -> str:
    """A weekly table in OSM syntax; an empty table is "off" (closed every day)."""
    rules = []
    for day, name in zip(DAYS, _OSM_DAYS, strict=True):
        spans = weekly.get(day) or []
        if spans:
            rules.append(f"{name} " + ",".join(f"{s['opens']}-{s['closes']}" for s in spans))
    return "; ".join(rules) or "off"


def _osm_date(day: date) -> str:
    return f"{day.year} {_MONTHS[day.month - 1]} {day.day:02d}"


def _date_list(spans: list[tuple[date, date]]) -> str:
    return ",".join(_osm_date(a) if a == b else f"{_osm_date(a)}-{_osm_date(b)}" for a, b in spans)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _split_rules(expression: str) -> list[tuple[str, str]]:
    """(rule, separator after it) for ";" and "||" outside quoted comments."""
    parts: list[tuple[str, str]] = []
    current, quoted, i = [], False, 0
    while i < len(expression):
        char = expression[i]
        if char == '"':
            quoted = not quoted
        if not quoted and char == ";":
            parts.append(("".join(current), "; "))
            current, i = [], i + 1
            continue
        if not quoted and expression.startswith("||", i):
            parts.append(("".join(current), " || "))
            current, i = [], i + 2
            continue
        current.append(char)
        i += 1
    parts.append(("".join(current), ""))
    return parts


def _with_holidays(expression: str, holiday_dates: str) -> str:
    """PH as the dates of the public holidays: `PH off` becomes `2027 Feb 05-... off`, and
    `Mo-Fr,PH 08:00-12:00` two rules with the same times. PH elsewhere in a rule (after a
    month, with an offset) is left to the parser's own, solar-only calendar."""
    if "PH" not in expression:
        return expression
    out: list[str] = []
    for rule, separator in _split_rules(expression):
        match = _LEADING_DAYS.match(rule)
        days = [d.strip() for d in match.group("days").split(",")] if match else []
        if "PH" not in days:
            out.append(rule + separator)
            continue
        rest, others = match.group("rest"), [d for d in days if d != "PH"]
        if others:
            out.append(f"{match.group('lead')}{','.join(others)}{rest}; ")
        out.append(f"{match.group('lead')}{holiday_dates}{rest}{separator}")
    return "".join(out)


def _closure_spans(closures: list[dict], years: range) -> list[tuple[date, date, dict]]:
    spans = []
    for closure in closures:
        if "lunar_start" in closure:
            first_m, first_d = (int(x) for x in closure["lunar_start"].split("-"))
            last_m, last_d = (
                int(x) for x in (closure.get("lunar_end") or closure["lunar_start"]).split("-")
            )
            for year in years:
                start = calendars.lunar_to_solar(year, first_m, first_d)
                end = _last_existing(year + (last_m < first_m), last_m, last_d)
                if start and end and start <= end:
                    spans.append((start, end, closure.get("reason") or {}))
        else:
            span = _solar_span(closure)
            if span[0].year <= years[-1] and span[1].year >= years[0]:
                spans.append(span)
    return spans


def _solar_span(closure: dict) -> tuple[date, date, dict]:
    start = date.fromisoformat(closure["start"])
    end = date.fromisoformat(closure.get("end") or closure["start"])
    return start, end, closure.get("reason") or {}


def _last_existing(year: int, month: int, day: int) -> date | None:
    # "Until the 30th of the twelfth month" ends on the 29th in years that have no 30th.
    for candidate in range(day, max(day - 2, 0), -1):
        found = calendars.lunar_to_solar(year, month, candidate)
        if found:
            return found
    return None


def closure_dates(hours: dict, today: date) -> list[tuple[date, date, dict]]:
    """Solar closures as they are; lunar ones on their dates this year and next."""
    closures = hours.get("closures", [])
    solar = [_solar_span(c) for c in closures if "lunar_start" not in c]
    lunar = _closure_spans(
        [c for c in closures if "lunar_start" in c], range(today.year, today.year + 2)
    )
    return sorted(solar + [s for s in lunar if s[1] >= today], key=lambda s: s[0])


@dataclass(frozen=True)
class _Compiled:
    rules: osm.OpeningHours
    closures: tuple[tuple[date, date, str], ...]  # (start, end, reason as JSON)
    country: str
    zone: ZoneInfo

    def local(self, moment: datetime) -> datetime:
        # The parser reads only zoneinfo zones (it asks for their key), never UTC offsets.
        return moment.astimezone(self.zone)


@lru_cache(maxsize=8192)
def _compile(hours_json: str, year: int) -> _Compiled | None:
    hours = json.loads(hours_json)
    base = hours.get("osm")
    if not base:
        if "weekly" not in hours:
            return None
        base = weekly_as_osm(hours["weekly"])
    years = range(year - 1, year + 3)
    country = hours.get("country") or DEFAULT_COUNTRY
    holiday_days = [d for y in years for d in calendars.public_holidays(country, y)]
    expression = _with_holidays(base, _date_list(_runs(holiday_days)) or "1900 Jan 01")
    closures = _closure_spans(hours.get("closures", []), years)
    if closures:
        expression += "; " + _date_list([(a, b) for a, b, _ in closures]) + " off"
    zone = ZoneInfo(hours["timezone"])
    try:
        rules = osm.OpeningHours(expression, timezone=zone, country=country)
    except (osm.ParserError, SyntaxError, osm.UnknownCountryError):
        rules = osm.OpeningHours(expression, timezone=zone)
    frozen = tuple((a, b, json.dumps(reason, ensure_ascii=False)) for a, b, reason in closures)
    return _Compiled(rules, frozen, country, zone)


def _compiled(hours: dict | None, at: datetime) -> _Compiled | None:
    """Stored hours always name their time zone (loading fills in TOURISM_DEFAULT_TIMEZONE);
    hours without one cannot say what "now" is there, so they count as unknown."""
    if not hours or not hours.get("timezone") or not ("weekly" in hours or hours.get("osm")):
        return None
    local_year = at.astimezone(ZoneInfo(hours["timezone"])).year
    try:
        return _compile(json.dumps(hours, sort_keys=True, ensure_ascii=False), local_year)
    except (osm.ParserError, SyntaxError, ValueError, KeyError):
        return None  # hours stored before their checks existed: unknown, never a 500


def is_open(hours: dict | None, at: datetime) -> bool | None:
    """True or False at an aware moment; None when the hours are unknown."""
    compiled = _compiled(hours, at)
    if compiled is None:
        return None
    state = compiled.rules.state(compiled.local(at))[0]
    if state == osm.State.UNKNOWN:
        return None
    return state == osm.State.OPEN


@dataclass(frozen=True)
class HoursNow:
    """What a visitor wants to know at a moment: open or not, until when, and why closed."""

    open: bool | None
    next_change: datetime | None
    closed_for: dict | None  # {"vi": "Tết", ...} when a closure or a public holiday closes it


def hours_now(hours: dict | None, at: datetime) -> HoursNow:
    compiled = _compiled(hours, at)
    if compiled is None:
        return HoursNow(None, None, None)
    open_ = is_open(hours, at)
    at = compiled.local(at)
    try:
        upcoming = compiled.rules.next_change(at)
    except (ValueError, OverflowError):
        upcoming = None
    # "Until next year or later" is no answer a visitor can use.
    if upcoming is not None and upcoming - at > timedelta(days=366):
        upcoming = None
    reason = None
    if open_ is False:
        local_day = at.date()
        reason = _closure_reason(compiled, local_day) or _holiday_reason(compiled, local_day)
    return HoursNow(open_, upcoming, reason)


def _closure_reason(compiled: _Compiled, day: date) -> dict | None:
    for start, end, reason in compiled.closures:
        if start <= day <= end:
            return json.loads(reason) or {"en": "closed"}
    return None


def _holiday_reason(compiled: _Compiled, day: date) -> dict | None:
    name = calendars.public_holidays(compiled.country, day.year).get(day)
    return {"en": name} if name else None


def open_intervals(
    hours: dict | None, start: datetime, end: datetime, *, max_span: timedelta | None = None
) -> list[tuple[datetime, datetime]] | None:
    """The moments the place is open between start and end (aware, UTC); None if unknown.

    Indexes hold these so "open at" is a lookup, not a computation per site. With
    `max_span`, no piece is longer: a stabbing query then only looks at pieces that start
    within max_span before the moment (an index range, even for places open 24/7)."""
    compiled = _compiled(hours, start)
    if compiled is None:
        return None
    found: list[tuple[datetime, datetime]] = []
    spans = compiled.rules.intervals(compiled.local(start), compiled.local(end))
    for opens, closes, state, _comment in spans:
        if state != osm.State.OPEN:
            continue
        opens, closes = opens.astimezone(UTC), closes.astimezone(UTC)
        if found and found[-1][1] >= opens:
            found[-1] = (found[-1][0], max(found[-1][1], closes))
        else:
            found.append((opens, closes))
    if max_span is None:
        return found
    pieces = []
    for opens, closes in found:
        while closes - opens > max_span:
            pieces.append((opens, opens + max_span))
            opens += max_span
        pieces.append((opens, closes))
    return pieces


def open_minutes_ahead(hours: dict | None, now: datetime, days: int) -> list[tuple[int, int]]:
    """What "open at t" lookups store, the same for the search index and the catalogue:
    (opens, closes) in minutes since 1970, pieces of at most a day, from a day ago to `days`
    ahead (and a day's margin, for the daily refresh running late)."""
    start = now.replace(second=0, microsecond=0) - timedelta(days=1)
    spans = open_intervals(hours, start, start + timedelta(days=days + 2), max_span=MAX_OPEN_SPAN)
    return [(epoch_minutes(a), epoch_minutes(b)) for a, b in spans or []]
