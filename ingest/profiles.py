"""Mapping profiles: declarative TOML files that say how a source's fields become a site.

Staff describe a new spreadsheet layout in a profile instead of code; see
`ingest/profiles/README.md` for the format and the shipped profiles.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from tourism_api.catalogue import crs
from tourism_api.errors import InvalidInput

FORMATS = ("csv", "geojson", "osm", "wikidata")
UPDATES = ("review", "apply")


class ProfileError(InvalidInput):
    """The profile itself is wrong; the message names the key."""

    def __init__(self, message: str) -> None:
        super().__init__(message, {"profile": [message]})


@dataclass
class Profile:
    name: str
    source: str
    format: str
    licence: str | None = None
    attribution: str | None = None
    url: str | None = None
    country: str | None = None
    status: str = "draft"
    # What a re-import does to a published site: "review" queues its changes for a
    # reviewer, "apply" publishes them at once. Conflicts with people's edits always wait.
    updates: str = "review"
    # The coordinates' CRS when not WGS 84 (e.g. VN-2000 TM-3 "EPSG:9214"), written by GIS
    # software in x (easting or longitude), y order; a GeoJSON file's own `crs` member wins.
    crs: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    id: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    location: dict[str, Any] = field(default_factory=dict)
    footprint: dict[str, Any] = field(default_factory=dict)
    kind: dict[str, Any] = field(default_factory=dict)
    categories: dict[str, Any] = field(default_factory=dict)
    designations: list[dict[str, Any]] = field(default_factory=list)
    match: dict[str, Any] = field(default_factory=dict)
    path: str = ""


def shipped() -> dict[str, Path]:
    folder = files("ingest") / "profiles"
    return {
        p.name.removesuffix(".toml"): Path(str(p))
        for p in folder.iterdir()
        if p.name.endswith(".toml")
    }


def load_profile(name_or_path: str) -> Profile:
    """A shipped profile by name, or a profile file by path."""
    path = Path(name_or_path)
    if not path.exists():
        known = shipped()
        if name_or_path not in known:
            raise ProfileError(
                f"No profile {name_or_path!r}: give a .toml path or one of {', '.join(sorted(known))}."
            )
        path = known[name_or_path]
    return parse_profile(path.read_text(encoding="utf-8"), path.stem, str(path))


SECTIONS = {
    "source": dict,
    "id": dict,
    "fields": dict,
    "location": dict,
    "footprint": dict,
    "kind": dict,
    "categories": dict,
    "designations": list,
    "match": dict,
}
FIELD_OPTIONS = {
    "field",
    "fields",
    "html",
    "truncate",
    "upper",
    "lower",
    "map",
    "pattern",
    "split",
    "number",
    "integer",
    "osm_hours",
    "timezone",
}


def parse_profile(text: str, name: str, where: str | None = None) -> Profile:
    """A profile from its TOML text, checked so that a wrong one is refused here with the
    key at fault, never halfway through an import (profiles can come from staff uploads)."""
    where = where or name
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{where}: {exc}") from exc
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ProfileError(f"{where}: unknown sections {', '.join(sorted(unknown))}")
    for section, kind in SECTIONS.items():
        if section in data and not isinstance(data[section], kind):
            raise ProfileError(
                f"{where}: [{section}] must be a {'table' if kind is dict else 'list'}"
            )
    source = data.get("source") or {}
    for key in ("name", "format"):
        if not isinstance(source.get(key), str) or not source.get(key):
            raise ProfileError(f"{where}: [source] needs {key}")
    if source["format"] not in FORMATS:
        raise ProfileError(f"{where}: [source] format must be one of {', '.join(FORMATS)}")
    if source.get("status", "draft") not in ("draft", "published"):
        raise ProfileError(f"{where}: [source] status is draft or published")
    if source.get("updates", "review") not in UPDATES:
        raise ProfileError(f"{where}: [source] updates is review or apply")
    if source.get("crs") is not None and not (
        isinstance(source["crs"], str) and crs.is_supported(source["crs"])
    ):
        raise ProfileError(
            f"{where}: [source] crs {source['crs']!r} is not supported; use EPSG:4326, "
            "EPSG:4756 (VN-2000), its UTM (EPSG:3405, 3406) or TM-3 zones (EPSG:5896-5899, "
            "9205-9218), or EPSG:3857"
        )
    ident = data.get("id") or {}
    if not isinstance(ident.get("field") or ident.get("template"), str):
        raise ProfileError(
            f"{where}: [id] needs field or template (what identifies a record in the source)"
        )
    for target, spec in (data.get("fields") or {}).items():
        if isinstance(spec, str):
            continue
        if not isinstance(spec, dict) or not (
            isinstance(spec.get("field"), str) or isinstance(spec.get("fields"), list)
        ):
            raise ProfileError(f"{where}: [fields] {target} needs a field name")
        extra = set(spec) - FIELD_OPTIONS
        if extra:
            raise ProfileError(
                f"{where}: [fields] {target}: unknown options {', '.join(sorted(extra))}"
            )
        if "pattern" in spec:
            try:
                re.compile(spec["pattern"])
            except (re.error, TypeError) as exc:
                raise ProfileError(f"{where}: [fields] {target}: bad pattern ({exc})") from exc
    if not all(
        isinstance(item, dict) and isinstance(item.get("type"), str)
        for item in data.get("designations") or []
    ):
        raise ProfileError(f"{where}: [[designations]] each needs a type")
    for section in ("kind", "categories"):
        rules = (data.get(section) or {}).get("rules", [])
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
            raise ProfileError(f"{where}: [{section}] rules must be a list of tables")
    return Profile(
        name=name,
        source=source["name"],
        format=source["format"],
        licence=source.get("licence"),
        attribution=source.get("attribution"),
        url=source.get("url"),
        country=source.get("country"),
        status=source.get("status", "draft"),
        updates=source.get("updates", "review"),
        crs=crs.canonical(source["crs"]) if source.get("crs") else None,
        encoding=source.get("encoding"),
        delimiter=source.get("delimiter"),
        id=data["id"],
        fields=data.get("fields") or {},
        location=data.get("location") or {},
        footprint=data.get("footprint") or {},
        kind=data.get("kind") or {},
        categories=data.get("categories") or {},
        designations=data.get("designations") or [],
        match=data.get("match") or {},
        path=where,
    )
