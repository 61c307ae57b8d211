"""Mapping profiles: declarative TOML files that say how a source's fields become a site.

Staff describe a new spreadsheet layout in a profile instead of code; see
`ingest/profiles/README.md` for the format and the shipped profiles.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from tourism_api.errors import InvalidInput

FORMATS = ("csv", "geojson", "osm", "wikidata")


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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    source = data.get("source") or {}
    for key in ("name", "format"):
        if not source.get(key):
            raise ProfileError(f"{path}: [source] needs {key}")
    if source["format"] not in FORMATS:
        raise ProfileError(f"{path}: [source] format must be one of {', '.join(FORMATS)}")
    if source.get("status", "draft") not in ("draft", "published"):
        raise ProfileError(f"{path}: [source] status is draft or published")
    if not (data.get("id") or {}).get("field") and not (data.get("id") or {}).get("template"):
        raise ProfileError(
            f"{path}: [id] needs field or template (what identifies a record in the source)"
        )
    unknown = set(data) - {
        "source",
        "id",
        "fields",
        "location",
        "footprint",
        "kind",
        "categories",
        "designations",
        "match",
    }
    if unknown:
        raise ProfileError(f"{path}: unknown sections {', '.join(sorted(unknown))}")
    return Profile(
        name=path.stem,
        source=source["name"],
        format=source["format"],
        licence=source.get("licence"),
        attribution=source.get("attribution"),
        url=source.get("url"),
        country=source.get("country"),
        status=source.get("status", "draft"),
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
        path=str(path),
    )
