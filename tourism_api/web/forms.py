"""A site as the edit form shows it, and the form's fields back to a site record.

The form covers what staff edit most; whatever it does not show (prices, closures,
notes, provenance) is carried over from the stored record unchanged, so saving the
form never loses a field. Validation is the API's own: the record goes through the
same service, and its errors are shown next to the fields they name."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ingest.report import flatten_errors

from ..catalogue.opening_hours import DAYS
from .event_lines import event_line, events_from_lines

TEXT_FIELDS = ("name", "short_description", "description")
ADDRESS_PARTS = ("street", "ward", "province", "country")
CONTACT_PARTS = ("phone", "email", "website")
INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


class FormProblem(ValueError):
    """A field the form could not even turn into a record value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def form_values(record: Mapping[str, Any], languages: Iterable[str]) -> dict[str, str]:
    """The form's fields for a stored record view (or {} for a new site)."""
    values: dict[str, str] = {"kind": record.get("kind", ""), "slug": record.get("slug", "")}
    for field in TEXT_FIELDS:
        texts = record.get(field) or {}
        for lang in languages:
            values[f"{field}.{lang}"] = texts.get(lang, "")
    values["aliases"] = "\n".join(record.get("aliases") or [])
    location = record.get("location")
    if location:
        lon, lat = location["coordinates"][:2]
        values["lon"], values["lat"] = f"{lon:.6f}", f"{lat:.6f}"
    footprint = record.get("footprint")
    values["footprint"] = json.dumps(footprint) if footprint else ""
    for part in ADDRESS_PARTS:
        values[f"address.{part}"] = (record.get("address") or {}).get(part, "")
    for part in CONTACT_PARTS:
        values[f"contact.{part}"] = (record.get("contact") or {}).get(part, "")
    values["wheelchair"] = (record.get("accessibility") or {}).get("wheelchair", "")
    values["admin_area"] = record.get("admin_area") or ""
    weekly = (record.get("opening_hours") or {}).get("weekly") or {}
    for day in DAYS:
        values[f"hours.{day}"] = ", ".join(
            f"{i['opens']}-{i['closes']}" for i in weekly.get(day, [])
        )
    first = next(iter(languages), "vi")
    closures = (record.get("opening_hours") or {}).get("closures") or []
    values["hours.osm"] = (record.get("opening_hours") or {}).get("osm", "")
    values["closures"] = "\n".join(
        _closure_line(c) + _reason(c.get("reason"), first) for c in closures
    )
    admission = record.get("admission") or {}
    values["admission.free"] = "1" if admission.get("free") else ""
    values["prices"] = "\n".join(
        f"{_text_in(p.get('label'), first)} = {_amount(p['amount'])} {p.get('currency', 'VND')}"
        for p in admission.get("prices") or []
    )
    values["designations"] = "\n".join(
        " ".join(filter(None, (d["type"], str(d.get("year") or ""))))
        for d in record.get("designations") or []
    )
    values["categories"] = ",".join(record.get("categories") or [])
    values["events"] = "\n".join(event_line(e, first) for e in record.get("events") or [])
    return values


def record_from_form(
    form: Mapping[str, str],
    categories: list[str],
    stored: Mapping[str, Any],
    languages: Iterable[str],
) -> dict[str, Any]:
    """The record the form describes, on top of the stored one (what it does not show
    stays). Raises FormProblem for a field that is not even shaped right."""
    record = {k: v for k, v in stored.items() if k != "sources"}
    record["kind"] = form.get("kind", "").strip()
    slug = form.get("slug", "").strip()
    if slug:
        record["slug"] = slug  # left empty: a new site's is made from its name
    for field in TEXT_FIELDS:
        texts = {
            lang: form.get(f"{field}.{lang}", "").strip()
            for lang in languages
            if form.get(f"{field}.{lang}", "").strip()
        }
        _set(record, field, texts)
    _set(record, "aliases", [a.strip() for a in form.get("aliases", "").splitlines() if a.strip()])
    record["location"] = _point(form.get("lon", ""), form.get("lat", ""))
    footprint = form.get("footprint", "").strip()
    if footprint:
        try:
            record["footprint"] = json.loads(footprint)
        except json.JSONDecodeError as exc:
            raise FormProblem("footprint", "The drawn area could not be read.") from exc
    else:
        record.pop("footprint", None)
    _set(record, "address", _parts(form, "address", ADDRESS_PARTS, stored.get("address")))
    _set(record, "contact", _parts(form, "contact", CONTACT_PARTS, stored.get("contact")))
    accessibility = dict(stored.get("accessibility") or {})
    if form.get("wheelchair"):
        accessibility["wheelchair"] = form["wheelchair"]
    else:
        accessibility.pop("wheelchair", None)
    _set(record, "accessibility", accessibility)
    _set(record, "admin_area", form.get("admin_area", "").strip())
    first = next(iter(languages), "vi")
    hours = _hours(form, stored.get("opening_hours"))
    closures = _closures(form.get("closures", ""), (stored.get("opening_hours") or {}), first)
    if closures:
        hours = {**(hours or {}), "closures": closures}
    elif hours:
        hours.pop("closures", None)
        hours = hours if set(hours) - {"timezone"} else None
    _set(record, "opening_hours", hours)
    _set(record, "admission", _admission(form, stored.get("admission") or {}, first))
    _set(record, "designations", _designations(form.get("designations", ""), stored, first))
    _set(record, "categories", categories)
    if "events" in form:
        try:
            events = events_from_lines(form["events"], stored.get("events") or [], first)
        except ValueError as exc:
            raise FormProblem("events", str(exc)) from exc
        _set(record, "events", events)
    return record


def error_fields(errors: Any) -> dict[str, str]:
    """The API's nested error messages as {"name.en": "message"} for the form."""
    shown: dict[str, str] = {}
    for path, message in flatten_errors(errors):
        if path.startswith("opening_hours.closures"):
            key = "closures"
        elif path.startswith("opening_hours.osm"):
            key = "hours.osm"
        elif path.startswith("opening_hours"):
            key = "hours"
        elif path.startswith("events"):
            key = "events"
        elif path.startswith("admission"):
            key = "prices"
        elif path.startswith(("location", "designations")):
            key = path.split(".")[0]
        else:
            key = path
        shown.setdefault(key, message)
    return shown


def _set(record: dict, field: str, value: Any) -> None:
    if value in (None, "", [], {}):
        record.pop(field, None)
    else:
        record[field] = value


def _parts(form: Mapping[str, str], field: str, parts: tuple[str, ...], stored: Any) -> dict:
    values = dict(stored or {})
    for part in parts:
        text = form.get(f"{field}.{part}", "").strip()
        if text:
            values[part] = text
        else:
            values.pop(part, None)
    return values


def _point(lon: str, lat: str) -> dict:
    try:
        coordinates = [float(lon.replace(",", ".")), float(lat.replace(",", "."))]
    except ValueError as exc:
        raise FormProblem(
            "location", "Pick the place on the map or type its latitude and longitude."
        ) from exc
    return {"type": "Point", "coordinates": coordinates}


def _hours(form: Mapping[str, str], stored: Any) -> dict | None:
    """The weekly table ("07:00-11:30, 13:30-17:00" per day) over the stored hours, whose
    closures, notes and zone stay as they are."""
    hours = dict(stored or {})
    weekly: dict[str, list[dict[str, str]]] = {}
    for day in DAYS:
        text = form.get(f"hours.{day}", "").strip()
        if not text:
            continue
        intervals = []
        for piece in text.split(","):
            match = INTERVAL.match(piece)
            if not match:
                raise FormProblem(
                    f"hours.{day}", "Write opening times as 07:00-11:30, 13:30-17:00."
                )
            opens, closes = (t.zfill(5) for t in match.groups())
            intervals.append({"opens": opens, "closes": closes})
        weekly[day] = intervals
    if weekly:
        hours["weekly"] = weekly
    else:
        hours.pop("weekly", None)
    osm = form.get("hours.osm", "").strip()
    if osm:
        hours["osm"] = osm
    else:
        hours.pop("osm", None)
    # A zone alone says nothing: no hours.
    return hours if set(hours) - {"timezone"} else None


def _text_in(texts: Any, lang: str) -> str:
    texts = texts or {}
    return texts.get(lang) or next(iter(texts.values()), "")


def _reason(reason: Any, lang: str) -> str:
    text = _text_in(reason, lang)
    return f" | {text}" if text else ""


def _amount(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LUNAR_DAY = re.compile(r"^\d{2}-\d{2}$")
# "lunar 01-01 | Tết" in any of the workspace's languages.
LUNAR_WORDS = {"lunar", "âm", "am", "lunaire"}


def _closure_line(closure: dict) -> str:
    if "lunar_start" in closure:
        return " ".join(filter(None, ("lunar", closure["lunar_start"], closure.get("lunar_end"))))
    return " ".join(filter(None, (closure["start"], closure.get("end"))))


def _closures(text: str, stored_hours: dict, lang: str) -> list[dict]:
    """Lines "2027-02-06 2027-02-08 | Tết" or, every year on lunar dates, "lunar 01-01 01-03 |
    Tết" (the reason in the first language); a line as it was keeps the reason's other
    languages."""
    stored = {
        (_closure_line(c), _text_in(c.get("reason"), lang)): c
        for c in stored_hours.get("closures") or []
    }
    closures = []
    for number, line in enumerate(filter(None, (x.strip() for x in text.splitlines())), 1):
        dates, _, reason = (part.strip() for part in line.partition("|"))
        parts = dates.split()
        lunar = bool(parts) and parts[0].lower() in LUNAR_WORDS
        if lunar:
            parts = parts[1:]
        pattern = LUNAR_DAY if lunar else DATE
        if not 1 <= len(parts) <= 2 or not all(pattern.match(p) for p in parts):
            raise FormProblem(
                "closures",
                f"Line {number}: write 2027-02-06 2027-02-08 | Tết (dates as YYYY-MM-DD), "
                "or lunar 01-01 01-03 | Tết (every year, lunar month-day).",
            )
        start, end = parts[0], parts[1] if len(parts) == 2 else None
        closure = {"lunar_start": start} if lunar else {"start": start}
        if end:
            closure["lunar_end" if lunar else "end"] = end
        kept = stored.get((_closure_line(closure), reason))
        if kept is not None:
            closures.append(kept)
            continue
        if reason:
            closure["reason"] = {lang: reason}
        closures.append(closure)
    return closures


PRICE = re.compile(r"^(?P<label>.+?)\s*=\s*(?P<amount>[0-9][0-9.,]*)\s*(?P<currency>[A-Za-z]{3})?$")


def _admission(form: Mapping[str, str], stored: dict, lang: str) -> dict:
    """The free box and lines "Người lớn = 200000 VND"; notes stay as they were."""
    admission = {k: v for k, v in stored.items() if k not in ("free", "prices")}
    if form.get("admission.free"):
        admission["free"] = True
    elif "free" in stored:
        admission["free"] = False
    kept = {
        (_text_in(p.get("label"), lang), float(p["amount"]), p.get("currency", "VND")): p
        for p in stored.get("prices") or []
    }
    prices = []
    lines = filter(None, (x.strip() for x in form.get("prices", "").splitlines()))
    for number, line in enumerate(lines, 1):
        match = PRICE.match(line)
        if not match:
            raise FormProblem("prices", f"Line {number}: write Người lớn = 200000 VND.")
        amount = float(match["amount"].replace(",", "").replace(".", ""))
        currency = (match["currency"] or "VND").upper()
        label = match["label"].strip()
        prices.append(
            kept.get((label, amount, currency))
            or {"label": {lang: label}, "amount": amount, "currency": currency}
        )
    if prices:
        admission["prices"] = prices
    return admission


def _designations(text: str, stored: Mapping[str, Any], lang: str) -> list[dict]:
    """Lines "special_national_relic 2014"; a line as it was keeps its reference and label."""
    kept = {(d["type"], d.get("year")): d for d in stored.get("designations") or []}
    designations = []
    for number, line in enumerate(filter(None, (x.strip() for x in text.splitlines())), 1):
        parts = line.split()
        year = None
        if len(parts) == 2 and parts[1].isdigit():
            year = int(parts[1])
        elif len(parts) != 1:
            raise FormProblem("designations", f"Line {number}: write national_relic 1993.")
        entry = kept.get((parts[0], year)) or {"type": parts[0], **({"year": year} if year else {})}
        designations.append(entry)
    return designations
