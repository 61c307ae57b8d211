"""Z-order (Morton) keys that make nearby sites neighbours in rowid order.

SQLite's full-text index can only narrow a query by rowid range. When a document's rowid
starts with the Z-order key of its location, "these words within 20 km" becomes a handful
of rowid ranges searched in the full-text index, instead of every document in the world
that holds the words (Elasticsearch gets the same locality from its BKD trees).
"""

from __future__ import annotations

from collections.abc import Iterable

GRID_BITS = 20  # per axis: cells of 360°/2^20 ≈ 38 m of longitude at the equator
SEQ_BITS = 20  # rowids within one cell
_CELLS = 1 << GRID_BITS
Envelope = tuple[float, float, float, float]


def _spread(v: int) -> int:
    """The bits of v with a zero between each (v < 2^20)."""
    v &= 0xFFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    v = (v | (v << 1)) & 0x5555555555555555
    return v


def _cell(lon: float, lat: float) -> tuple[int, int]:
    x = int((min(max(lon, -180.0), 180.0) + 180.0) / 360.0 * _CELLS)
    y = int((min(max(lat, -90.0), 90.0) + 90.0) / 180.0 * _CELLS)
    return min(x, _CELLS - 1), min(y, _CELLS - 1)


def first_rowid(lon: float, lat: float) -> int:
    """The smallest rowid of the location's cell; documents in one cell follow it."""
    x, y = _cell(lon, lat)
    return (_spread(x) | (_spread(y) << 1)) << SEQ_BITS


def rowid_ranges(envelopes: Iterable[Envelope], max_cells: int = 16) -> list[tuple[int, int]]:
    """Inclusive rowid ranges holding every document inside the envelopes (and some
    around them: callers still test the exact place). Each envelope is covered by at most
    `max_cells` square cells of the finest level that allows it; touching ranges merge."""
    ranges = []
    for min_lon, min_lat, max_lon, max_lat in envelopes:
        x0, y0 = _cell(min_lon, min_lat)
        x1, y1 = _cell(max_lon, max_lat)
        shift = 0
        while ((x1 >> shift) - (x0 >> shift) + 1) * ((y1 >> shift) - (y0 >> shift) + 1) > max_cells:
            shift += 1
        span = 2 * shift + SEQ_BITS
        for cx in range(x0 >> shift, (x1 >> shift) + 1):
            for cy in range(y0 >> shift, (y1 >> shift) + 1):
                code = _spread(cx) | (_spread(cy) << 1)
                ranges.append((code << span, ((code + 1) << span) - 1))
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged
