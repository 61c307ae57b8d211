"""Coordinate reference systems the catalogue speaks besides WGS 84, through pyproj (PROJ).

The catalogue stores WGS 84 longitude/latitude. Provincial GIS offices work in the national
system VN-2000 (EPSG:4756) and its projections: UTM zones 48N/49N, the TM-3 zones of
EPSG:5896-5899 and the provincial TM-3 meridians of EPSG:9205-9218 (Huế: TM-3 107-00,
EPSG:9214). Web maps want Web Mercator. Coordinates follow each CRS's own axis order (EPSG:4326
and EPSG:4756 are latitude first), as OGC API - Features Part 2 requires; only CRS84 is
longitude first by definition. PROJ picks the EPSG Helmert transformation "VN-2000 to WGS 84",
so datum shifts are the published ones, not a ballpark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry import mapping, shape

from ..errors import InvalidInput

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84H = "http://www.opengis.net/def/crs/OGC/0/CRS84h"
_EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"

# WGS 84, Web Mercator, VN-2000 and its projections (UTM, TM-3 zones, provincial TM-3).
EPSG_CODES = (4326, 3857, 4756, 3405, 3406, *range(5896, 5900), *range(9205, 9219))
SUPPORTED = (CRS84, *(_EPSG_URI.format(code) for code in EPSG_CODES))

_SHORT = re.compile(r"^(?:EPSG:|urn:ogc:def:crs:EPSG::?)(\d+)$", re.IGNORECASE)
_URI = re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/0/(\d+)$")
_CRS84_NAMES = {
    CRS84,
    "https://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "OGC:CRS84",
    "CRS84",
}


def canonical(name: str) -> str:
    """The OGC URI of a CRS given as a URI, a URN or `EPSG:n` (what profiles and GDAL write)."""
    text = name.strip().strip("<>")
    if text in _CRS84_NAMES:
        return CRS84
    match = _URI.match(text) or _SHORT.match(text)
    if match:
        return _EPSG_URI.format(int(match.group(1)))
    return text


def is_supported(name: str) -> bool:
    return canonical(name) in SUPPORTED


def require(name: str | None, parameter: str, offered: tuple[str, ...] = SUPPORTED) -> str:
    """The canonical URI of an offered CRS, or a 400 naming the parameter."""
    if name is None or name == "":
        return CRS84
    uri = canonical(name)
    if uri not in offered:
        raise InvalidInput(
            f"{parameter} {name!r} is not a supported CRS; see the collection's crs list.",
            {parameter: [f"Unsupported CRS {name!r}."]},
        )
    return uri


def _pyproj(uri: str) -> CRS:
    if uri == CRS84:
        return CRS.from_user_input("OGC:CRS84")
    match = _URI.match(uri)
    if not match:
        raise CRSError(uri)
    return CRS.from_epsg(int(match.group(1)))


@lru_cache(maxsize=64)
def _is_geographic(uri: str) -> bool:
    return bool(_pyproj(uri).is_geographic)


@lru_cache(maxsize=64)
def _transformer(source: str, target: str) -> Transformer:
    # always_xy=False: each CRS keeps its own axis order (EPSG:4326 is latitude first).
    return Transformer.from_crs(_pyproj(source), _pyproj(target), always_xy=False)


def transformer(source: str, target: str) -> Callable[[np.ndarray], np.ndarray]:
    """A function mapping an (n, 2) array of coordinates from one CRS to another."""
    source, target = canonical(source), canonical(target)
    if source == target:
        return lambda coords: coords
    proj = _transformer(source, target)

    def apply(coords: np.ndarray) -> np.ndarray:
        if len(coords) == 0:
            return coords
        x, y = proj.transform(coords[:, 0], coords[:, 1], errcheck=True)
        return np.column_stack([x, y])

    return apply


def _geojson(geometry) -> dict:
    """shapely's mapping() with lists, as GeoJSON parsed from text has (tuples fail checks)."""

    def lists(value):
        return [lists(v) for v in value] if isinstance(value, list | tuple) else value

    data = mapping(geometry)
    return {**data, "coordinates": lists(data["coordinates"])} if "coordinates" in data else data


def transform_geometry(geometry: dict | None, source: str, target: str) -> dict | None:
    """A GeoJSON geometry from one CRS to another (the identity when they are the same).

    None where the target cannot express it: a projection has a domain (a transverse Mercator
    zone ends about 90 degrees from its meridian), and a feature outside it is answered
    unlocated, as GeoJSON allows, rather than failing the whole page it is on."""
    if geometry is None or canonical(source) == canonical(target):
        return geometry
    try:
        moved = shapely.transform(shape(geometry), transformer(source, target))
    except ProjError:
        return None
    return _geojson(moved)


@lru_cache(maxsize=64)
def _gis_transformer(source: str) -> Transformer:
    return Transformer.from_crs(_pyproj(source), _pyproj(CRS84), always_xy=True)


class OutsideCRS(ValueError):
    """Coordinates PROJ cannot move: outside the area the CRS is defined for."""


def from_gis_order(geometry: dict, source: str) -> dict:
    """A geometry from a GIS file (shapefile export, GeoJSON, CSV columns) to CRS84. Such files
    write x first whatever the CRS says (easting, or longitude), so this reads them that way."""
    uri = canonical(source)
    if uri == CRS84:
        return geometry
    proj = _gis_transformer(uri)

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = proj.transform(coords[:, 0], coords[:, 1], errcheck=True)
        return np.column_stack([x, y])

    try:
        return _geojson(shapely.transform(shape(geometry), apply))
    except ProjError as exc:
        raise OutsideCRS(f"coordinates outside the area of {uri}") from exc


def transform_point(x: float, y: float, source: str, target: str) -> tuple[float, float]:
    out = transformer(source, target)(np.array([[x, y]], dtype=float))
    return float(out[0, 0]), float(out[0, 1])


def bbox_to_crs84(
    bbox: tuple[float, float, float, float], source: str
) -> tuple[float, float, float, float]:
    """A box given in another CRS, as the CRS84 box that covers it (edges densified, since a
    projected box's edges are curves in longitude/latitude). A geographic box is checked here,
    once for every route, so a box past the poles is an error whatever bbox-crs names."""
    uri = canonical(source)
    geographic = uri == CRS84 or _is_geographic(uri)
    # CRS84 is longitude first; EPSG's geographic CRSs are latitude first.
    low, high = (bbox[1], bbox[3]) if uri == CRS84 else (bbox[0], bbox[2])
    if geographic and low > high:
        # PROJ would sort the corners silently; a west edge east of the east one is allowed
        # (a box across the antimeridian).
        raise InvalidInput(
            "bbox: the lower latitude is above the upper one.",
            {"bbox": ["Lower latitude above the upper one."]},
        )
    if uri == CRS84:
        box = bbox
    else:
        proj = _transformer(uri, CRS84)
        try:
            box = tuple(
                float(v) for v in proj.transform_bounds(*bbox, densify_pts=21, errcheck=True)
            )
        except Exception as exc:  # PROJ refuses coordinates outside the CRS's domain
            raise InvalidInput(
                "bbox lies outside the area bbox-crs is defined for.",
                {"bbox": ["Outside the CRS's area of use."]},
            ) from exc
    west, south, east, north = box
    if geographic and not (
        all(-180 <= v <= 180 for v in (west, east)) and all(-90 <= v <= 90 for v in (south, north))
    ):
        # For a latitude-first CRS PROJ swaps the axes without checking them, so a box
        # written longitude first comes back as latitudes past the pole.
        order = "longitude first" if uri == CRS84 else "latitude first"
        raise InvalidInput(
            f"bbox is outside -180..180 (longitude) or -90..90 (latitude) in {uri}, "
            f"whose axis order is {order}.",
            {"bbox": ["Out of range for the axis order of bbox-crs."]},
        )
    return box
