"""Applying a profile to a raw record: the site record the catalogue schema will validate."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import shape

from search.text import slugify

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


def normalise(raw: RawRecord, profile: Profile) -> Normalised:
    fields = raw.fields
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    record: dict[str, Any] = {}

    id_spec = profile.id
    source_id = (
        render(id_spec["template"], fields)
        if "template" in id_spec
        else str(fields.get(id_spec["field"]) or "")
    )
    source_id = source_id.strip()

    for target, spec in profile.fields.items():
        spec = {"field": spec} if isinstance(spec, str) else spec
        try:
            if spec.get("split"):
                raw_value = _raw_value(fields, spec)
                parts = [] if raw_value is None else str(raw_value).split(spec["split"])
                values = [v for v in (_transform(p, spec) for p in parts) if v]
                if values:
                    _set_path(record, target, values)
                continue
            if spec.get("osm_hours"):
                raw_value = _raw_value(fields, spec)
                if raw_value:
                    hours = parse_osm_hours(str(raw_value))
                    if hours is None:
                        warnings.append(f"opening_hours {raw_value!r} not understood; left out")
                    else:
                        _set_path(record, target, hours)
                continue
            value = _transform(_raw_value(fields, spec), spec)
        except ValueError as exc:
            errors.setdefault(target, []).append(f"{spec.get('field')}: {exc}")
            continue
        if value is not None:
            _set_path(record, target, value)

    geometry = None
    if raw.geometry is not None:
        try:
            geometry = shape(raw.geometry)
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            errors.setdefault("geometry", []).append(f"unreadable geometry: {exc}")

    loc = profile.location
    if loc.get("lon") and loc.get("lat"):
        raw_lon = str(fields.get(loc["lon"]) or "").strip()
        raw_lat = str(fields.get(loc["lat"]) or "").strip()
        try:
            if raw_lon or raw_lat:
                lon, lat = float(raw_lon.replace(",", ".")), float(raw_lat.replace(",", "."))
                record["location"] = {"type": "Point", "coordinates": [lon, lat]}
        except ValueError:
            errors["location"] = [
                f"{loc['lon']}/{loc['lat']}: not numbers ({raw_lon!r}, {raw_lat!r})"
            ]
    elif loc.get("from_geometry") and raw.geometry is not None:
        if raw.geometry.get("type") == "Point":
            record["location"] = raw.geometry
        elif geometry is not None and not geometry.is_empty:
            point = geometry.representative_point() if geometry.is_valid else geometry.centroid
            record["location"] = {
                "type": "Point",
                "coordinates": [round(point.x, 7), round(point.y, 7)],
            }
    if "location" not in record and "location" not in errors:
        errors["location"] = ["no coordinates in this record"]

    if (
        profile.footprint.get("from_geometry")
        and raw.geometry
        and raw.geometry.get("type") not in ("Point", "MultiPoint")
    ):
        record["footprint"] = raw.geometry

    kind = profile.kind.get("default", "other")
    for rule in profile.kind.get("rules", []):
        if _matches(fields, rule.get("when", {})):
            kind = rule["kind"]
            break
    record["kind"] = kind

    categories = list(profile.categories.get("always", []))
    for rule in profile.categories.get("rules", []):
        if _matches(fields, rule.get("when", {})):
            categories += rule["add"]
    if categories:
        record["categories"] = list(dict.fromkeys(categories))

    designations = []
    for spec in profile.designations:
        if not _matches(fields, spec.get("when", {})):
            continue
        item: dict[str, Any] = {"type": spec["type"]}
        year = fields.get(spec["year"]) if spec.get("year") else None
        if year not in (None, ""):
            try:
                item["year"] = int(float(str(year)[:4]))
            except ValueError:
                warnings.append(f"{spec['year']}: year {year!r} not understood")
        designations.append(item)
    if designations:
        record["designations"] = designations

    provenance: dict[str, Any] = {"source": profile.source, "source_id": source_id}
    if profile.licence:
        provenance["licence"] = profile.licence
    if profile.attribution:
        provenance["attribution"] = profile.attribution
    if profile.url:
        url = render(profile.url, fields)
        if url.startswith(("http://", "https://")) and len(url) <= 500:
            provenance["url"] = url
    record["sources"] = [provenance]
    if not source_id:
        errors.setdefault("id", []).append("empty source id")

    wikidata = None
    if profile.match.get("wikidata"):
        value = fields.get(profile.match["wikidata"])
        if isinstance(value, str) and re.fullmatch(r"Q[1-9][0-9]*", value.strip()):
            wikidata = value.strip()
    return Normalised(
        record=record, source_id=source_id, wikidata=wikidata, errors=errors, warnings=warnings
    )
