"""GeoJSON geometry in and out of the catalogue, checked strictly.

Shapely is forgiving (it closes open rings, accepts latitudes of 107), but a
heritage register must not be: a swapped lon/lat pair or a self-intersecting
zone is a data error the sender has to see, with where it is.
"""

from __future__ import annotations

import contextlib
import math
import struct
from typing import Any

import shapely
from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

FOOTPRINT_TYPES = ("Polygon", "MultiPolygon", "LineString", "MultiLineString")
ZONE_TYPES = ("Polygon", "MultiPolygon")
MAX_POSITIONS = 100_000


class GeometryError(ValueError):
    """A geometry is unusable; `path` says where (e.g. "coordinates[0][3]")."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def check_position(position: Any, path: str = "coordinates") -> tuple[float, float]:
    if not isinstance(position, list | tuple) or len(position) not in (2, 3):
        raise GeometryError("a position is [lon, lat] or [lon, lat, elevation]", path)
    for value in position:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise GeometryError("coordinates must be numbers", path)
        if not math.isfinite(value):
            raise GeometryError("coordinates must be finite numbers (no NaN or Infinity)", path)
    lon, lat = float(position[0]), float(position[1])
    if not -90 <= lat <= 90:
        hint = (
            "; GeoJSON order is [lon, lat]: these look swapped"
            if -90 <= lon <= 90 and -180 <= lat <= 180
            else ""
        )
        raise GeometryError(f"latitude {lat} is outside -90..90{hint}", path)
    if not -180 <= lon <= 180:
        raise GeometryError(f"longitude {lon} is outside -180..180", path)
    return lon, lat


def _check_line(positions: Any, path: str, min_positions: int) -> int:
    if not isinstance(positions, list) or len(positions) < min_positions:
        raise GeometryError(f"needs at least {min_positions} positions", path)
    for i, position in enumerate(positions):
        check_position(position, f"{path}[{i}]")
    return len(positions)


def _check_polygon(rings: Any, path: str) -> int:
    if not isinstance(rings, list) or not rings:
        raise GeometryError("a polygon is a list of linear rings", path)
    count = 0
    for i, ring in enumerate(rings):
        count += _check_line(ring, f"{path}[{i}]", 4)
        if list(ring[0][:2]) != list(ring[-1][:2]):
            raise GeometryError(
                "linear ring is not closed: its first and last positions differ", f"{path}[{i}]"
            )
    return count


def _check_coordinates(kind: str, coordinates: Any) -> int:
    path = "coordinates"
    if kind == "Point":
        check_position(coordinates, path)
        return 1
    if kind == "LineString":
        return _check_line(coordinates, path, 2)
    if kind == "Polygon":
        return _check_polygon(coordinates, path)
    if not isinstance(coordinates, list) or not coordinates:
        raise GeometryError(f"a {kind} needs at least one member", path)
    if kind == "MultiPoint":
        return _check_line(coordinates, path, 1)
    if kind == "MultiLineString":
        return sum(_check_line(part, f"{path}[{i}]", 2) for i, part in enumerate(coordinates))
    if kind == "MultiPolygon":
        return sum(_check_polygon(part, f"{path}[{i}]") for i, part in enumerate(coordinates))
    raise GeometryError(f"unsupported geometry type {kind!r}", "type")


def parse_geojson(value: Any, allowed: tuple[str, ...]) -> BaseGeometry:
    """A checked Shapely geometry from a GeoJSON geometry object."""
    if not isinstance(value, dict):
        raise GeometryError("must be a GeoJSON geometry object")
    kind = value.get("type")
    if kind not in allowed:
        raise GeometryError(f"type must be one of {', '.join(allowed)}", "type")
    unknown = set(value) - {"type", "coordinates", "bbox"}
    if unknown:
        raise GeometryError(f"unknown members: {', '.join(sorted(unknown))}")
    if "coordinates" not in value:
        raise GeometryError("missing", "coordinates")
    if _check_coordinates(kind, value["coordinates"]) > MAX_POSITIONS:
        raise GeometryError(f"more than {MAX_POSITIONS} positions", "coordinates")
    if kind == "Point":
        # Checked finite and in range above, so never empty or invalid; built directly,
        # as every site's location is, without shape()'s general path.
        return shapely.Point(value["coordinates"])
    geometry = shape(value)
    if geometry.is_empty:
        raise GeometryError("geometry is empty", "coordinates")
    if not geometry.is_valid:
        raise GeometryError(f"invalid geometry: {explain_validity(geometry)}", "coordinates")
    return geometry


def to_geojson(geometry: BaseGeometry | None) -> dict | None:
    """GeoJSON with polygons' outer rings counter-clockwise and holes clockwise (RFC 7946
    §3.1.6), however they were drawn or imported."""
    if geometry is None:
        return None
    if geometry.geom_type == "Point" and not (geometry.has_z or geometry.is_empty):
        return {"type": "Point", "coordinates": [round(geometry.x, 7), round(geometry.y, 7)]}
    if geometry.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    return _round_coordinates(mapping(geometry))


def _round_coordinates(obj: Any) -> Any:
    # Seven decimals is ~1 cm; more is noise from floating point.
    if isinstance(obj, dict):
        return {k: _round_coordinates(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_round_coordinates(v) for v in obj]
    if isinstance(obj, float):
        return round(obj, 7)
    return obj


def from_db(value: Any) -> BaseGeometry | None:
    """A Shapely geometry from what either database returns for a geometry column."""
    return None if value is None else to_shape(value)


_XY = struct.Struct("<dd")
# Little-endian (E)WKB of a 2D point: type 1, with or without the EWKB SRID flag.
_POINT_HEADERS = {
    b"\x01\x01\x00\x00\x00": 5,  # WKB
    b"\x01\x01\x00\x00\x20": 9,  # EWKB with a 4-byte SRID after the type
}


_EWKB_SRID_FLAG = 0x20000000


_POINT_WKB = struct.Struct("<BIdd")  # little-endian WKB of a 2D point


def to_element(geometry: BaseGeometry, srid: int) -> WKBElement:
    """What geoalchemy2's `from_shape` makes (WKB, not extended), without its per-call
    check that Shapely is installed: a bulk creation makes one or two per site. A site's
    location, a 2D point, is packed here (0.6 µs where Shapely's writer took 4.5)."""
    if geometry.geom_type == "Point" and not (geometry.has_z or geometry.is_empty):
        return WKBElement(_POINT_WKB.pack(1, 1, geometry.x, geometry.y), srid=srid)
    return WKBElement(shapely.to_wkb(geometry, byte_order=1), srid=srid)


def ewkb_hex(element: Any) -> str:
    """A geometry element (`to_element`) as hex EWKB with its SRID: what PostgreSQL reads
    for a geometry column in COPY, where no ST_GeomFromEWKB can wrap the value."""
    data = bytes(element.data)
    srid = element.srid
    if getattr(element, "extended", False) or srid is None or srid < 0:
        return data.hex()
    order = "little" if data[0] == 1 else "big"
    kind = int.from_bytes(data[1:5], order) | _EWKB_SRID_FLAG
    return (data[:1] + kind.to_bytes(4, order) + srid.to_bytes(4, order) + data[5:]).hex()


def geojson_from_db(value: Any) -> dict | None:
    """`to_geojson(from_db(value))`: the GeoJSON of a geometry column's value.

    A site's location is a point, read for every site of a list or an index rebuild;
    through Shapely that took a fifth of building a search document. A 2D point's
    little-endian (E)WKB (bytes from PostGIS, hex from SpatiaLite) is read here directly,
    giving the same numbers; any other geometry or encoding goes the general way.
    """
    data = getattr(value, "data", None)
    if type(data) is str and len(data) in (42, 50):  # SpatiaLite's answer, in hex
        with contextlib.suppress(ValueError):
            data = bytes.fromhex(data)
    if type(data) is bytes:
        offset = _POINT_HEADERS.get(data[:5])
        if offset is not None and len(data) == offset + 16:
            x, y = _XY.unpack_from(data, offset)
            if not (math.isnan(x) or math.isnan(y)):  # NaN: an empty point
                return {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]}
    return to_geojson(from_db(value))
