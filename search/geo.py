"""Plain-Python geometry helpers shared by the catalogue's SQL and the search backends."""

from __future__ import annotations

import math

Envelope = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat

# Elasticsearch's `arc` distance: haversine on a sphere of the mean Earth radius.
# The embedded backend uses the same formula so both give the same distances.
EARTH_MEAN_RADIUS_M = 6_371_008.7714
# Metres per degree of latitude is at least this anywhere on the ellipsoid.
_MIN_METRES_PER_DEGREE = 110_574.0


def arc_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def split_envelope(envelope: Envelope) -> list[Envelope]:
    """One or two boxes within -180..180; a box with min_lon > max_lon crosses the antimeridian."""
    min_lon, min_lat, max_lon, max_lat = envelope
    if min_lon > max_lon:
        return [(min_lon, min_lat, 180.0, max_lat), (-180.0, min_lat, max_lon, max_lat)]
    boxes = []
    if min_lon < -180:
        boxes.append((min_lon + 360, min_lat, 180.0, max_lat))
    if max_lon > 180:
        boxes.append((-180.0, min_lat, max_lon - 360, max_lat))
    boxes.append((max(min_lon, -180.0), min_lat, min(max_lon, 180.0), max_lat))
    return boxes


def radius_envelopes(lon: float, lat: float, radius_m: float) -> list[Envelope]:
    """Boxes that certainly contain every point within `radius_m`, split at the antimeridian."""
    dlat = radius_m / _MIN_METRES_PER_DEGREE * 1.01
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    widest = max(abs(min_lat), abs(max_lat))
    if widest >= 89.9:
        return [(-180.0, min_lat, 180.0, max_lat)]
    dlon = dlat / math.cos(math.radians(widest))
    if dlon >= 180:
        return [(-180.0, min_lat, 180.0, max_lat)]
    return split_envelope((lon - dlon, min_lat, lon + dlon, max_lat))
