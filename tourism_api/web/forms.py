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
    values["categories"] = ",".join(record.get("categories") or [])
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
    _set(record, "opening_hours", _hours(form, stored.get("opening_hours")))
    _set(record, "categories", categories)
    return record


def error_fields(errors: Any) -> dict[str, str]:
    """The API's nested error messages as {"name.en": "message"} for the form."""
    shown: dict[str, str] = {}
    for path, message in flatten_errors(errors):
        key = "hours" if path.startswith("opening_hours") else path
        key = "location" if key.startswith("location") else key
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
    # A zone alone says nothing: no hours.
    return hours if set(hours) - {"timezone"} else None
