"""How long it takes to go from one place to another, by a travel mode.

Without a routing engine, from the great-circle distance: streets are not straight, so the
distance is stretched by a detour factor (1.3, the usual ratio of network to straight-line
distance in towns) and covered at a typical speed for the mode in a Vietnamese town.
"""

from __future__ import annotations

import math

from search.geo import arc_distance_m

# km/h in town, including waits at crossings; car: traffic in Huế's centre at midday.
SPEED_KMH = {"walk": 4.5, "bicycle": 12.0, "car": 25.0}
DETOUR = 1.3
MODES = tuple(SPEED_KMH)


def travel_minutes(
    points: list[tuple[float, float]], mode: str
) -> tuple[list[list[int]], list[list[int]]]:
    """Minutes and metres between every pair of (lon, lat) points (whole minutes, rounded
    up: a plan never promises an arrival it cannot keep)."""
    speed_m_per_min = SPEED_KMH[mode] * 1000 / 60
    minutes, metres = [], []
    for a in points:
        row_min, row_m = [], []
        for b in points:
            distance = arc_distance_m(a[0], a[1], b[0], b[1]) * DETOUR
            row_m.append(int(round(distance)))
            row_min.append(int(math.ceil(distance / speed_m_per_min)) if distance else 0)
        minutes.append(row_min)
        metres.append(row_m)
    return minutes, metres
