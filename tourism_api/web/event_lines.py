"""A site's events as lines staff can read and type, one event a line:

    le-khai-an | lunar yearly 01-14 2 days | Lễ khai ấn
    le-ram | lunar monthly 1,15 19:00-21:00 | Lễ rằm
    festival-hue-2026 | 2026-06-01 2026-06-08 | Festival Huế

id | when | name (in the workspace's first language). A line left as it was keeps what
the line does not show (other languages, description, kind, link).
"""

from __future__ import annotations

import re

from ..catalogue.events import RECURRENCES

LUNAR_WORDS = {"lunar", "âm", "am", "lunaire"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
DAY_LIST = re.compile(r"^\d{1,2}(,\d{1,2})*$")
TIMES = re.compile(r"^(\d{2}:\d{2})-(\d{2}:\d{2})$")
DAYS = re.compile(r"^(\d{1,2})$")
EXAMPLE = "le-khai-an | lunar yearly 01-14 2 days | Lễ khai ấn"


def when_text(event: dict) -> str:
    parts = ["lunar"] if event.get("calendar") == "lunar" else []
    recurrence = event.get("recurrence")
    if recurrence == "yearly":
        parts += ["yearly", f"{event['month']:02d}-{event['day']:02d}"]
    elif recurrence == "monthly":
        parts += ["monthly", ",".join(str(d) for d in event["days_of_month"])]
    else:
        parts += [event["start"]] + ([event["end"]] if event.get("end") else [])
    if event.get("days", 1) > 1:
        parts += [str(event["days"]), "days"]
    if event.get("start_time"):
        parts.append(f"{event['start_time']}-{event.get('end_time') or '23:59'}")
    return " ".join(parts)


def event_line(event: dict, lang: str) -> str:
    names = event.get("name") or {}
    name = names.get(lang) or next(iter(names.values()), "")
    return f"{event['id']} | {when_text(event)} | {name}"


def parse_when(text: str) -> dict:
    """The schedule part of a line; ValueError saying what is wrong."""
    words = [w for w in text.replace(" days", "").replace(" day", "").split() if w]
    schedule: dict = {"calendar": "solar"}
    if words and words[0].lower() in LUNAR_WORDS:
        schedule["calendar"] = "lunar"
        words = words[1:]
    if words and TIMES.match(words[-1]):
        schedule["start_time"], schedule["end_time"] = TIMES.match(words[-1]).groups()
        words = words[:-1]
    if len(words) == 3 and DAYS.match(words[-1]) and words[0] in RECURRENCES:
        schedule["days"] = int(words[-1])
        words = words[:-1]
    if words and words[0] in RECURRENCES:
        schedule["recurrence"] = words[0]
        if len(words) != 2:
            raise ValueError("say which days after yearly or monthly")
        if words[0] == "yearly":
            match = MONTH_DAY.match(words[1])
            if not match:
                raise ValueError("yearly takes a month and day as MM-DD")
            schedule["month"], schedule["day"] = (int(x) for x in match.groups())
        else:
            if not DAY_LIST.match(words[1]):
                raise ValueError("monthly takes days of the month: 1,15")
            schedule["days_of_month"] = [int(x) for x in words[1].split(",")]
        return schedule
    if not 1 <= len(words) <= 2 or not all(DATE.match(w) for w in words):
        raise ValueError("give dates as YYYY-MM-DD, or yearly MM-DD, or monthly 1,15")
    schedule["start"] = words[0]
    if len(words) == 2:
        schedule["end"] = words[1]
    return schedule


def events_from_lines(text: str, stored: list[dict], lang: str) -> list[dict]:
    """The events the lines describe; ValueError("Line n: ...") for one that is not."""
    kept = {event_line(e, lang): e for e in stored}
    by_id = {e["id"]: e for e in stored}
    events = []
    for number, line in enumerate(filter(None, (x.strip() for x in text.splitlines())), 1):
        if line in kept:
            events.append(kept[line])
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"Line {number}: write {EXAMPLE}")
        event_id, when, name = parts
        try:
            schedule = parse_when(when)
        except ValueError as exc:
            raise ValueError(f"Line {number}: {exc}") from exc
        before = by_id.get(event_id, {})
        # What the line does not show stays: other languages, description, kind, link.
        event = {k: v for k, v in before.items() if k in ("description", "kind", "url", "timezone")}
        event.update(id=event_id, name={**(before.get("name") or {}), lang: name}, **schedule)
        events.append(event)
    return events
