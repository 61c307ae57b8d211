"""Conversions between a validated site record, table columns and public views."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shapely.geometry.base import BaseGeometry

from search.text import fold

from .admin_units import find_unit, province_name, ward_name
from .geometry import ZONE_TYPES, from_db, geojson_from_db, to_element, to_geojson
from .models import SRID, Site
from .opening_hours import hours_now, is_open
from .site_records import SiteRecord
from .taxonomy import VISIT_MINUTES

# Fields stored as plain JSON columns, with their empty value.
JSON_FIELDS: dict[str, Any] = {
    "aliases": [],
    "short_description": {},
    "description": {},
    "address": {},
    "opening_hours": None,
    "accessibility": {},
    "contact": {},
    "admission": {},
    "designations": [],
    "events": [],
}
SIMPLE_FIELDS = ("slug", "kind", "name", "admin_area")


def primary_text(texts: dict[str, str], languages: tuple[str, ...]) -> str:
    """The text in the first available language of the catalogue's fallback chain."""
    for lang in languages:
        if texts.get(lang):
            return texts[lang]
    return next(iter(texts.values()), "")


def pick_language(
    texts: dict[str, str] | None, preferred: tuple[str, ...], fallback: tuple[str, ...]
) -> tuple[str | None, str | None]:
    if not texts:
        return None, None
    for lang in (*preferred, *fallback):
        if texts.get(lang):
            return lang, texts[lang]
    lang = next(iter(texts))
    return lang, texts[lang]


def record_columns(record: dict, languages: tuple[str, ...]) -> dict[str, Any]:
    """A validated record (from `load_site`) as the values of a site's columns: one
    mapping for an ORM site being changed and for the rows a bulk creation inserts."""
    columns: dict[str, Any] = {field: record[field] for field in SIMPLE_FIELDS if field in record}
    for field, empty in JSON_FIELDS.items():
        columns[field] = record.get(field, empty)
    columns["admin_area"] = record.get("admin_area")
    columns["visit_minutes"] = record.get("visit_minutes")
    location: BaseGeometry = record["location"]
    columns["location"] = to_element(location, SRID)
    unit = find_unit(record.get("address"), columns["admin_area"], location.x, location.y)
    columns["province_code"], columns["ward_code"] = unit.province_code, unit.ward_code
    columns["unit_found_by"] = unit.found_by
    footprint: BaseGeometry | None = record.get("footprint")
    columns["footprint"] = to_element(footprint, SRID) if footprint is not None else None
    columns["is_zone"] = footprint is not None and footprint.geom_type in ZONE_TYPES
    columns["sort_name"] = fold(primary_text(record["name"], languages))[:300]
    return columns


def apply_record(site: Site, record: dict, languages: tuple[str, ...]) -> None:
    """Copy a validated record (from `load_site`) onto a site's columns."""
    for column, value in record_columns(record, languages).items():
        setattr(site, column, value)


def record_view(site: Site) -> dict:
    """The site as a client would send it: the base JSON Merge Patch applies to,
    and what revisions compare."""
    view: dict[str, Any] = {
        "slug": site.slug,
        "kind": site.kind,
        "name": site.name,
        "location": geojson_from_db(site.location),
    }
    footprint = from_db(site.footprint)
    if footprint is not None:
        view["footprint"] = to_geojson(footprint)
    if site.admin_area:
        view["admin_area"] = site.admin_area
    if site.visit_minutes is not None:
        view["visit_minutes"] = site.visit_minutes
    for field, empty in JSON_FIELDS.items():
        value = getattr(site, field)
        if value not in (None, empty, {}, []):
            view[field] = value
    if site.category_codes:
        view["categories"] = site.category_codes
    if site.sources:
        view["sources"] = [source_view(s) for s in site.sources]
    return view


def image_ref(media) -> dict | None:
    """The primary photo as lists and search hits show it: small, cacheable URLs."""
    if media is None:
        return None
    return {
        "id": media.id,
        "thumbnail": f"/v1/media/{media.id}/thumb.webp",
        "thumbnail_jpeg": f"/v1/media/{media.id}/thumb.jpg",
        "iiif": f"/iiif/3/{media.id}",
        "width": media.width,
        "height": media.height,
        "caption": media.caption or {},
        "licence": media.licence,
        "attribution": media.attribution,
    }


def source_view(source) -> dict:
    return {
        k: v
        for k, v in (
            ("source", source.source),
            ("source_id", source.source_id),
            ("licence", source.licence),
            ("attribution", source.attribution),
            ("url", source.url),
        )
        if v is not None
    }


def unit_view(site: Site) -> dict | None:
    """The 2025 province and ward, by code and name, and how they were found."""
    if not site.province_code:
        return None
    return {
        "code": site.province_code,
        "name": province_name(site.province_code),
        "ward_code": site.ward_code,
        "ward": ward_name(site.ward_code),
        "found_by": site.unit_found_by,
    }


def iso_utc(moment: datetime | None) -> str | None:
    """A stored UTC moment as the API writes it: ISO 8601 with Z."""
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def stored_view(site: Site | SiteRecord, *, summary: bool = False) -> dict:
    """The public record of a site, independent of who asks, when and in which language.

    Search index documents keep this (summary) view, so search hits are served
    from the index alone; `present` adds the per-request parts.
    """
    view: dict[str, Any] = {
        "id": site.id,
        "slug": site.slug,
        "kind": site.kind,
        "status": site.status,
        "name": site.name,
        "aliases": site.aliases or [],
        "short_description": site.short_description or {},
        "location": geojson_from_db(site.location),
        "is_zone": site.is_zone,
        "categories": site.category_codes,
        "designations": site.designations or [],
        "address": site.address or {},
        "admin_area": site.admin_area,
        "province": unit_view(site),
        "visit_minutes": site.visit_minutes or VISIT_MINUTES.get(site.kind, 45),
        "opening_hours": site.opening_hours,
        "accessibility": site.accessibility or {},
        "contact": site.contact or {},
        "admission": site.admission or {},
        "provenance": [source_view(s) for s in site.sources],
        "image": image_ref(site.primary_media),
        "version": site.version,
        "created_at": iso_utc(site.created_at),
        "updated_at": iso_utc(site.updated_at),
        "published_at": iso_utc(site.published_at),
        "links": {"self": f"/v1/sites/{site.id}"},
    }
    if not summary:
        view["description"] = site.description or {}
        view["footprint"] = geojson_from_db(site.footprint)
        view["events"] = site.events or []
    return view


def present(
    view: dict,
    *,
    preferred: tuple[str, ...],
    languages: tuple[str, ...],
    now: datetime,
    distance_m: float | None = None,
) -> dict:
    """A stored view with what depends on the request: `display` texts, `open_now`, distance."""
    lang, name = pick_language(view["name"], preferred, languages)
    # The visitor's order first for every text: a French visitor who also reads English
    # gets the English description before the Vietnamese one when French has none.
    short_lang, short = pick_language(view.get("short_description"), preferred, languages)
    result = dict(view)
    result["display"] = {
        "lang": lang,
        "name": name,
        "short_description": short,
        "short_description_lang": short_lang,
    }
    result["open_now"] = is_open(view.get("opening_hours"), now)
    if distance_m is not None:
        result["distance_m"] = round(distance_m, 1)
    return result


def stable_until(views: list[dict], now: datetime, *, per_minute: bool = False) -> datetime:
    """Until when presenting these views again would give the same answer: the first moment
    one of them opens or closes, and at most the next full hour (Viet Nam's days and
    years turn on one, and a rule the next-change search misses is then bounded).
    `per_minute` for an answer chosen by the minute it was asked (`open_now`)."""
    until = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if per_minute:
        until = min(until, now.replace(second=0, microsecond=0) + timedelta(minutes=1))
    for view in views:
        hours = view.get("opening_hours")
        if hours:
            change = hours_now(hours, now).next_change
            if change is not None and change < until:
                until = change
    return until


def site_reference(site: Site, preferred: tuple[str, ...], languages: tuple[str, ...]) -> dict:
    """A site as other answers point to it (an event's place, an itinerary's stop): its
    name in the preferred language, kind, place and link."""
    lang, name = pick_language(site.name, preferred, languages)
    return {
        "id": site.id,
        "slug": site.slug,
        "kind": site.kind,
        "name": name,
        "lang": lang,
        "location": geojson_from_db(site.location),
        "links": {"self": f"/v1/sites/{site.id}"},
    }


def hours_now_view(hours: dict | None, now: datetime) -> dict:
    """Today's state for a visitor: open or not, the next change in local time, and why it
    is closed when a closure or a public holiday closes it ("closed for Tết")."""
    state = hours_now(hours, now)
    return {
        "open": state.open,
        "next_change": state.next_change.isoformat() if state.next_change else None,
        "closed_for": state.closed_for,
    }


def public_view(
    site: Site,
    *,
    preferred: tuple[str, ...],
    languages: tuple[str, ...],
    now: datetime,
    staff: bool,
    summary: bool = False,
    distance_m: float | None = None,
    with_hours_now: bool = False,
) -> dict:
    """What the API returns for a site; `summary` leaves out long texts and footprints,
    `with_hours_now` adds today's state (single records: lists and feeds stay cacheable)."""
    view = present(
        stored_view(site, summary=summary),
        preferred=preferred,
        languages=languages,
        now=now,
        distance_m=distance_m,
    )
    if with_hours_now:
        view["hours_now"] = hours_now_view(view.get("opening_hours"), now)
    if staff:
        view["created_by"] = site.created_by
        view["updated_by"] = site.updated_by
    return view
