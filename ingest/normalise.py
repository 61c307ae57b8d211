"""Applying a profile to a raw record: the site record the catalogue schema will validate."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import shape

from search.text import slugify
from tourism_api.catalogue import crs
from tourism_api.catalogue.opening_hours import check_osm

from .opening_hours_osm import parse_osm_hours
from .profiles import Profile
from .raw import RawRecord

_TAG = re.compile(r"<[^>]+>")
_TEMPLATE = re.compile(r"\{([^}|]+)(?:\|(\w+))?\}")


@dataclass
class Normalised:
    record: dict
    source_id: str
    wikidata: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def source(self) -> dict:
        """The importing source's provenance entry, as the record carries it."""
        return self.record["sources"][0]


def _raw_value(fields: dict, spec: dict) -> Any:
    names = spec.get("fields") or [spec["field"]]
    for name in names:
        value = fields.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value not in (None, ""):
            return value
    return None


def _transform(value: Any, spec: dict) -> Any:
    """Apply a field spec's options to one value; None drops it."""
    if value is None:
        return None
    text = str(value)
    if spec.get("html"):
        text = html.unescape(_TAG.sub(" ", text))
    text = " ".join(text.split())
    if not text:
        return None
    if "map" in spec:
        mapped = spec["map"].get(text, spec["map"].get(text.lower()))
        if mapped is None:
            return None
        text = mapped
    if spec.get("upper"):
        text = text.upper()
    if spec.get("lower"):
        text = text.lower()
    if "pattern" in spec and not re.fullmatch(spec["pattern"], text):
        return None
    if "truncate" in spec and len(text) > spec["truncate"]:
        cut = text[: spec["truncate"]]
        end = cut.rfind(". ")
        text = (
            cut[: end + 1]
            if end > spec["truncate"] // 2
            else cut[: spec["truncate"] - 1].rstrip() + "…"
        )
    if spec.get("number"):
        return float(text)
    if spec.get("integer"):
        return int(float(text))
    return text


def render(template: str, fields: dict) -> str:
    def one(match: re.Match) -> str:
        value = fields.get(match.group(1))
        value = "" if value is None else str(value[0] if isinstance(value, list) else value)
        return slugify(value, 200) if match.group(2) == "slug" else value

    return _TEMPLATE.sub(one, template)


def _matches(fields: dict, when: dict) -> bool:
    for name, expected in when.items():
        value = fields.get(name)
        values = value if isinstance(value, list) else [value]
        values = [str(v) for v in values if v is not None]
        if isinstance(expected, dict) and "contains" in expected:
            if not any(expected["contains"].lower() in v.lower() for v in values):
                return False
        elif isinstance(expected, list):
            if not any(v in expected for v in values):
                return False
        elif expected is True:
            if not values:
                return False
        elif str(expected) not in values:
            return False
    return True


def _set_path(record: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    target = record
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def normalise(raw: RawRecord, profile: Profile, *, timezone: str) -> Normalised:
    """The site record a raw record becomes under `profile`, with what went wrong.

    `timezone` is the zone of opening hours the source does not name (the
    profile's `timezone`, else TOURISM_DEFAULT_TIMEZONE)."""
    item = Normalised(record={}, source_id=_source_id(raw.fields, profile.id))
    _mapped_fields(raw.fields, profile, item, timezone)
    geometry = _geometry(raw, item)
    _location(raw, profile, geometry, item)
    _footprint(raw, profile, item)
    item.record["kind"] = _kind(raw.fields, profile)
    categories = _categories(raw.fields, profile)
    if categories:
        item.record["categories"] = categories
    designations = _designations(raw.fields, profile, item)
    if designations:
        item.record["designations"] = designations
    item.record["sources"] = [_provenance(raw.fields, profile, item.source_id)]
    if not item.source_id:
        item.errors.setdefault("id", []).append("empty source id")
    item.wikidata = _wikidata(raw.fields, profile)
    return item


def _source_id(fields: dict, spec: dict) -> str:
    if "template" in spec:
        return render(spec["template"], fields).strip()
    return str(fields.get(spec["field"]) or "").strip()


def _mapped_fields(fields: dict, profile: Profile, item: Normalised, timezone: str) -> None:
    """The profile's [fields] section: each target path from its source field(s)."""
    for target, spec in profile.fields.items():
        spec = {"field": spec} if isinstance(spec, str) else spec
        try:
            value = _field_value(fields, spec, item, timezone)
        except ValueError as exc:
            item.errors.setdefault(target, []).append(f"{spec.get('field')}: {exc}")
            continue
        if value is not None:
            _set_path(item.record, target, value)


def _field_value(fields: dict, spec: dict, item: Normalised, timezone: str) -> Any:
    raw_value = _raw_value(fields, spec)
    if spec.get("split"):
        parts = [] if raw_value is None else str(raw_value).split(spec["split"])
        return [v for v in (_transform(p, spec) for p in parts) if v] or None
    if spec.get("osm_hours"):
        if not raw_value:
            return None
        zone = spec.get("timezone") or timezone
        hours = parse_osm_hours(str(raw_value), zone)
        if hours is not None:
            return hours
        # Holidays, months, sunrise...: kept as OSM text, which the catalogue evaluates.
        try:
            check_osm(str(raw_value).strip())
        except ValueError as exc:
            item.warnings.append(f"opening_hours {raw_value!r} left out: {exc}")
            return None
        return {"timezone": zone, "osm": str(raw_value).strip()}
    return _transform(raw_value, spec)


def _geometry(raw: RawRecord, item: Normalised):
    """The source geometry as Shapely, for what is derived from it (a point inside an
    area); a well-formed point is used as it is and needs none."""
    if raw.geometry is None or _plain_point(raw.geometry):
        return None
    try:
        return shape(raw.geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        item.errors.setdefault("geometry", []).append(f"unreadable geometry: {exc}")
        return None


def _plain_point(geometry: dict) -> bool:
    if geometry.get("type") != "Point":
        return False
    coordinates = geometry.get("coordinates")
    return (
        type(coordinates) is list
        and len(coordinates) in (2, 3)
        and all(type(v) is float or type(v) is int for v in coordinates)
    )


def _location(raw: RawRecord, profile: Profile, geometry, item: Normalised) -> None:
    """The site's point: from lon/lat columns, or from the source geometry."""
    loc, record, fields = profile.location, item.record, raw.fields
    # lon/lat columns, or x/y (easting/northing) for a projected profile crs.
    x_column, y_column = loc.get("lon") or loc.get("x"), loc.get("lat") or loc.get("y")
    if x_column and y_column:
        raw_x = str(fields.get(x_column) or "").strip()
        raw_y = str(fields.get(y_column) or "").strip()
        try:
            if raw_x or raw_y:
                x, y = float(raw_x.replace(",", ".")), float(raw_y.replace(",", "."))
                point = {"type": "Point", "coordinates": [x, y]}
                if profile.crs:
                    point = crs.from_gis_order(point, profile.crs)
                    point["coordinates"] = [round(v, 8) for v in point["coordinates"]]
                record["location"] = point
        except crs.OutsideCRS as exc:
            item.errors["location"] = [f"{x_column}/{y_column} ({raw_x}, {raw_y}): {exc}"]
        except ValueError:
            item.errors["location"] = [f"{x_column}/{y_column}: not numbers ({raw_x!r}, {raw_y!r})"]
    elif loc.get("from_geometry") and raw.geometry is not None:
        if raw.geometry.get("type") == "Point":
            record["location"] = raw.geometry
        elif geometry is not None and not geometry.is_empty:
            point = geometry.representative_point() if geometry.is_valid else geometry.centroid
            record["location"] = {
                "type": "Point",
                "coordinates": [round(point.x, 7), round(point.y, 7)],
            }
    if "location" not in record and "location" not in item.errors:
        item.errors["location"] = ["no coordinates in this record"]


def _footprint(raw: RawRecord, profile: Profile, item: Normalised) -> None:
    if (
        profile.footprint.get("from_geometry")
        and raw.geometry
        and raw.geometry.get("type") not in ("Point", "MultiPoint")
    ):
        item.record["footprint"] = raw.geometry


def _kind(fields: dict, profile: Profile) -> str:
    for rule in profile.kind.get("rules", []):
        if _matches(fields, rule.get("when", {})):
            return rule["kind"]
    return profile.kind.get("default", "other")


def _categories(fields: dict, profile: Profile) -> list[str]:
    categories = list(profile.categories.get("always", []))
    for rule in profile.categories.get("rules", []):
        if _matches(fields, rule.get("when", {})):
            categories += rule["add"]
    return list(dict.fromkeys(categories))


def _designations(fields: dict, profile: Profile, item: Normalised) -> list[dict]:
    designations = []
    for spec in profile.designations:
        if not _matches(fields, spec.get("when", {})):
            continue
        designation: dict[str, Any] = {"type": spec["type"]}
        year = fields.get(spec["year"]) if spec.get("year") else None
        if year not in (None, ""):
            try:
                designation["year"] = int(float(str(year)[:4]))
            except ValueError:
                item.warnings.append(f"{spec['year']}: year {year!r} not understood")
        designations.append(designation)
    return designations


def _provenance(fields: dict, profile: Profile, source_id: str) -> dict[str, Any]:
    provenance: dict[str, Any] = {"source": profile.source, "source_id": source_id}
    if profile.licence:
        provenance["licence"] = profile.licence
    if profile.attribution:
        provenance["attribution"] = profile.attribution
    if profile.url:
        url = render(profile.url, fields)
        if url.startswith(("http://", "https://")) and len(url) <= 500:
            provenance["url"] = url
    return provenance


def _wikidata(fields: dict, profile: Profile) -> str | None:
    if not profile.match.get("wikidata"):
        return None
    value = fields.get(profile.match["wikidata"])
    if isinstance(value, str) and re.fullmatch(r"Q[1-9][0-9]*", value.strip()):
        return value.strip()
    return None
