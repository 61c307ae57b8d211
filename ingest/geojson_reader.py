"""GeoJSON FeatureCollections, streamed feature by feature (constant memory).

Coordinates are returned in GeoJSON's lon/lat order (WGS 84). The legacy `crs` member
is honoured: CRS84 and the short "EPSG:4326" are lon/lat as written; the OGC
URN "urn:ogc:def:crs:EPSG::4326" mandates lat/lon, so those positions are
swapped. Files exported by GIS software in VN-2000 (EPSG:4756, its UTM and TM-3
projections) or Web Mercator are reprojected from x/y order; without a `crs` member, the
profile's `crs` says what the coordinates are. Any other CRS is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

from tourism_api.catalogue import crs

from .raw import RawRecord, SourceError

_CRS_NAME = re.compile(r'"crs"\s*:\s*\{.*?"name"\s*:\s*"([^"]+)"', re.S)
LON_LAT = (
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "EPSG:4326",
    "CRS84",
    "OGC:CRS84",
)
LAT_LON = (
    "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG:6.6:4326",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
)


SWAP = "lat/lon"  # WGS 84 written latitude first


def _declared_crs(path: Path) -> str | None:
    """The file's own `crs` member: None (absent), CRS84, SWAP, or a CRS to reproject from."""
    with open(path, "rb") as handle:
        head = handle.read(65536).decode("utf-8", errors="ignore")
    features_at = head.find('"features"')
    match = _CRS_NAME.search(head)
    if not match or (features_at != -1 and match.start() > features_at):
        return None
    name = match.group(1)
    if name in LON_LAT:
        return crs.CRS84
    if name in LAT_LON:
        return SWAP
    if crs.is_supported(name):
        return crs.canonical(name)
    raise SourceError(
        f"Unsupported CRS {name!r}: reproject to WGS 84, VN-2000 (EPSG:4756) or one of its "
        "UTM or TM-3 projections first."
    )


def _swap(coords: Any) -> Any:
    if isinstance(coords, list) and coords and isinstance(coords[0], int | float):
        return [coords[1], coords[0], *coords[2:]]
    return [_swap(c) for c in coords] if isinstance(coords, list) else coords


def _finite(coords: Any) -> bool:
    if isinstance(coords, list):
        return all(_finite(c) for c in coords)
    return (
        isinstance(coords, int | float) and not isinstance(coords, bool) and math.isfinite(coords)
    )


def read_geojson(path: str | Path, *, default_crs: str | None = None) -> Iterator[RawRecord]:
    path = Path(path)
    source = _declared_crs(path) or default_crs or crs.CRS84
    index = -1
    with open(path, "rb") as handle:
        try:
            for index, feature in enumerate(ijson.items(handle, "features.item", use_float=True)):
                position = f"feature {index}"
                if not isinstance(feature, dict) or feature.get("type") != "Feature":
                    yield RawRecord(position=position, error="not a GeoJSON Feature")
                    continue
                geometry = feature.get("geometry")
                if geometry is not None:
                    coords = geometry.get("coordinates")
                    if not _finite(coords):
                        yield RawRecord(
                            position=position,
                            error="geometry has a NaN, infinite or non-numeric coordinate",
                        )
                        continue
                    if source == SWAP:
                        geometry = {**geometry, "coordinates": _swap(coords)}
                    elif source != crs.CRS84:
                        try:
                            geometry = crs.from_gis_order(geometry, source)
                        except crs.OutsideCRS as exc:
                            yield RawRecord(position=position, error=f"geometry: {exc}")
                            continue
                properties = feature.get("properties") or {}
                if feature.get("id") is not None:
                    properties = {"@id": feature["id"], **properties}
                yield RawRecord(position=position, fields=properties, geometry=geometry)
        except ijson.JSONError as exc:
            where = f"after feature {index}" if index >= 0 else "file"
            yield RawRecord(
                position=where,
                error=f"the JSON is broken or truncated ({exc}); the rest was not read",
            )
    if index < 0:
        _check_is_feature_collection(path)


def _check_is_feature_collection(path: Path) -> None:
    with open(path, "rb") as handle:
        try:
            kind = next(ijson.items(handle, "type"), None)
        except ijson.JSONError as exc:
            raise SourceError(f"Not valid JSON: {exc}") from exc
    if kind != "FeatureCollection":
        raise SourceError("Not a GeoJSON FeatureCollection.")
