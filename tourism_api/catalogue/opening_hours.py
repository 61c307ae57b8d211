"""Structured opening hours: checking them, and answering "is it open at this moment?".

Shape:
    {"timezone": "Asia/Ho_Chi_Minh",
     "weekly": {"mon": [{"opens": "07:00", "closes": "17:30"}], ...},
     "closures": [{"start": "2027-02-16", "end": "2027-02-18", "reason": {"en": "Tết"}}],
     "notes": {"vi": "..."}}
A day missing from "weekly" is closed; "closes" earlier than "opens" runs past midnight.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def parse_hhmm(value: str) -> time:
    if value == "24:00":
        return time.max
    try:
        parsed = datetime.strptime(value, "%H:%M")
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a time in HH:MM") from exc
    return parsed.time()


def _in_interval(moment: time, opens: time, closes: time, *, after_midnight: bool) -> bool:
    if opens <= closes:
        return not after_midnight and opens <= moment < closes
    # An overnight interval: the evening part today, the early part tomorrow.
    return moment < closes if after_midnight else moment >= opens


def _closed_on(hours: dict, day: date) -> bool:
    for closure in hours.get("closures", []):
        start = date.fromisoformat(closure["start"])
        end = date.fromisoformat(closure.get("end") or closure["start"])
        if start <= day <= end:
            return True
    return False


def is_open(hours: dict | None, at: datetime) -> bool | None:
    """True or False at an aware moment; None when the hours are unknown.

    Stored hours always name their time zone (loading fills in TOURISM_DEFAULT_TIMEZONE);
    hours without one cannot say what "now" is there, so they count as unknown."""
    if not hours or "weekly" not in hours or not hours.get("timezone"):
        return None
    local = at.astimezone(ZoneInfo(hours["timezone"]))
    today, now = local.date(), local.time()
    yesterday = today - timedelta(days=1)
    weekly = hours["weekly"]
    for day, after_midnight in ((today, False), (yesterday, True)):
        if _closed_on(hours, day):
            continue
        for interval in weekly.get(DAYS[day.weekday()], []):
            opens, closes = parse_hhmm(interval["opens"]), parse_hhmm(interval["closes"])
            if _in_interval(now, opens, closes, after_midnight=after_midnight):
                return True
    return False
