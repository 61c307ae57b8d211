"""Choosing the reader for a profile's format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .csv_reader import read_csv
from .geojson_reader import read_geojson
from .osm_reader import read_osm
from .profiles import Profile
from .raw import RawRecord
from .wikidata_reader import read_wikidata


def read(path: str | Path, profile: Profile, *, encoding: str | None = None) -> Iterator[RawRecord]:
    if profile.format == "csv":
        return read_csv(path, encoding=encoding or profile.encoding, delimiter=profile.delimiter)
    if profile.format == "geojson":
        return read_geojson(path, default_crs=profile.crs)
    if profile.format == "osm":
        return read_osm(path)
    return read_wikidata(path)


def estimate_records(path: str | Path, profile: Profile) -> int:
    """A quick count for the progress bar's ETA: lines of a CSV, "Feature" members of GeoJSON,
    elements of OSM, results of Wikidata. One fast pass over the bytes; close, not exact."""
    needle = {
        "csv": b"\n",
        "geojson": b'"Feature"',
        "osm": b'"type"' if str(path).endswith(".json") else b"<node",
        "wikidata": b'"item"',
    }[profile.format]
    count = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(needle)
    return max(1, count - (1 if profile.format == "csv" else 0))
