"""Festivals, rites, night tours and exhibitions at a site: when they happen.

An event is part of its site's record (so it has the site's history, review, change feed
and office), shaped as:
    {"id": "le-khai-an", "name": {"vi": "Lễ khai ấn"}, "kind": "festival",
     "calendar": "lunar", "recurrence": "yearly", "month": 1, "day": 14, "days": 2}
one-off events give "start" (and "end") dates instead; monthly ones "days_of_month"
([1, 15]: the first and the full moon of every lunar month). Times of day are optional.
Their occurrences are materialised (`EventOccurrence`) for a window around today, so
"what is on near me next week" is a query, not a calendar computation per site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import calendars

KINDS = ("festival", "ceremony", "night_tour", "exhibition", "performance", "market", "other")
CALENDARS = ("solar", "lunar")
RECURRENCES = ("yearly", "monthly")
# Occurrences kept from this long ago to this far ahead (the daily job moves them on).
PAST = timedelta(days=31)
AHEAD = timedelta(days=400)


@dataclass(frozen=True)
class Occurrence:
    event_id: str
    kind: str
    starts_on: date
    ends_on: date


def _solar(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 29 February in a common year: that year has none
        return None


def _yearly(event: dict, start: date, end: date) -> list[tuple[date, date]]:
    length = timedelta(days=event.get("days", 1) - 1)
    found = []
    for year in range(start.year - 1, end.year + 1):
        if event["calendar"] == "lunar":
            first = calendars.lunar_to_solar(year, event["month"], event["day"])
        else:
            first = _solar(year, event["month"], event["day"])
        if first is not None and first <= end and first + length >= start:
            found.append((first, first + length))
    return found


def _monthly(event: dict, start: date, end: date) -> list[tuple[date, date]]:
    length = timedelta(days=event.get("days", 1) - 1)
    days: list[date] = []
    for day in event["days_of_month"]:
        if event["calendar"] == "lunar":
            days += calendars.lunar_dates_between(start - length, end, None, day)
        else:
            month = date(start.year, start.month, 1)
            while month <= end:
                found = _solar(month.year, month.month, day)
                if found and start - length <= found <= end:
                    days.append(found)
                month = (month + timedelta(days=32)).replace(day=1)
    return [(d, d + length) for d in sorted(set(days))]


def occurrences(event: dict, start: date, end: date) -> list[Occurrence]:
    """The event's occurrences that overlap start..end (inclusive), in order."""
    if event.get("recurrence") == "yearly":
        spans = _yearly(event, start, end)
    elif event.get("recurrence") == "monthly":
        spans = _monthly(event, start, end)
    else:
        first = date.fromisoformat(event["start"])
        last = date.fromisoformat(event.get("end") or event["start"])
        spans = [(first, last)] if first <= end and last >= start else []
    kind = event.get("kind", "festival")
    return [Occurrence(event["id"], kind, a, b) for a, b in spans]


def site_occurrences(events: list[dict] | None, today: date) -> list[Occurrence]:
    """Every occurrence of a site's events in the window the catalogue keeps."""
    found: list[Occurrence] = []
    for event in events or []:
        found += occurrences(event, today - PAST, today + AHEAD)
    return found


def moments(event: dict, occurrence: Occurrence, default_zone: str) -> tuple[str, str]:
    """Start and end as ISO text: dates, or date-times in the event's zone when it gives
    times (an end time before the start time runs past midnight)."""
    if not event.get("start_time"):
        return occurrence.starts_on.isoformat(), occurrence.ends_on.isoformat()
    zone = ZoneInfo(event.get("timezone") or default_zone)
    opens = time.fromisoformat(event["start_time"])
    closes = time.fromisoformat(event.get("end_time") or "23:59")
    last_day = occurrence.ends_on + timedelta(days=1 if closes <= opens else 0)
    begin = datetime.combine(occurrence.starts_on, opens, zone)
    finish = datetime.combine(last_day, closes, zone)
    return begin.isoformat(), finish.isoformat()


def describe_schedule(event: dict) -> str:
    """The schedule as a short English phrase, for people reading an API answer."""
    calendar = "lunar " if event.get("calendar") == "lunar" else ""
    days = event.get("days", 1)
    span = f" for {days} days" if days > 1 else ""
    if event.get("recurrence") == "yearly":
        return f"every year on {calendar}month {event['month']}, day {event['day']}{span}"
    if event.get("recurrence") == "monthly":
        listed = ", ".join(str(d) for d in event["days_of_month"])
        return f"every {calendar}month on day {listed}{span}"
    end = event.get("end")
    return f"from {event['start']} to {end}" if end else f"on {event['start']}"
