"""Vector tile benchmark: a tile rendered, then served again, over HTTP.

    .venv/bin/python bench/tiles_bench.py --sites 100000 [--postgres URL]

N synthetic published sites (GeoNames places, as the other benchmarks) go into a fresh
SpatiaLite catalogue, and into the PostGIS database given with --postgres (its table is
refilled when it holds another number of sites). The API is served by waitress on
loopback. Tiles are the ones a map shows around 100 places at zooms 6, 10, 13 and 15,
asked with the catalogue's version as TileJSON hands them out:

- rendered: each tile the first time the server is asked for it;
- served again: the same tiles asked again, whole (a client without a cache: every other
  visitor of the same place on a festival day);
- revalidated: asked with the ETag the client holds (304).

Prints medians and p99 in milliseconds, and the ratio of rendered to served again.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import math
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures import geonames_places, latency, load_catalogue  # noqa: E402

ZOOMS = (6, 10, 13, 15)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    lat_r = math.radians(max(-85.05, min(85.05, lat)))
    y = int((1 - math.asinh(math.tan(lat_r)) / math.pi) / 2 * n)
    return min(x, n - 1), min(y, n - 1)


def measure(database_url: str, search_url: str, sites: int, places: int) -> dict:
    from waitress.server import create_server

    from tourism_api.app import create_app
    from tourism_api.config import Settings

    load_catalogue(database_url, sites)
    settings = Settings(
        database_url=database_url,
        search_url=search_url,
        ratelimit_exempt=("127.0.0.1/32",),
    )
    app = create_app(settings)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.effective_port)

    def get(path: str, etag: str | None = None) -> tuple[float, int, str, int]:
        begin = time.perf_counter()
        conn.request("GET", path, headers={"If-None-Match": etag} if etag else {})
        response = conn.getresponse()
        body = response.read()
        took = (time.perf_counter() - begin) * 1000
        if response.status not in (200, 204, 304):
            raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
        return took, response.status, response.getheader("ETag") or "", len(body)

    conn.request("GET", "/collections/sites/tiles/WebMercatorQuad/tilejson.json")
    tilejson = json.loads(conn.getresponse().read())
    template = tilejson["tiles"][0]
    query = template.split("?", 1)[1] if "?" in template else ""
    paths = []
    for place in geonames_places(places, seed=11):
        for z in ZOOMS:
            x, y = tile_of(place["lon"], place["lat"], z)
            paths.append(f"/collections/sites/tiles/WebMercatorQuad/{z}/{y}/{x}?{query}")
    paths = list(dict.fromkeys(paths))
    rendered, again, revalidated, sizes = [], [], [], []
    etags = {}
    for path in paths:
        took, status, etag, size = get(path)
        rendered.append(took)
        etags[path] = etag
        sizes.append(size)
    for path in paths:
        took, _, _, size = get(path)
        again.append(took)
    for path in paths:
        took, status, _, _ = get(path, etags[path])
        if status != 304:
            raise RuntimeError(f"{path}: {status} to its own ETag")
        revalidated.append(took)
    conn.close()
    logging.getLogger("waitress").setLevel(logging.CRITICAL)
    server.close()
    return {
        "tiles": len(paths),
        "median_bytes": int(statistics.median(sizes)),
        **latency("rendered_", rendered),
        **latency("again_", again),
        **latency("revalidated_", revalidated),
        "rendered_over_again": round(statistics.median(rendered) / statistics.median(again), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--places", type=int, default=100, help="places whose tiles are asked")
    parser.add_argument(
        "--postgres", help="a PostGIS database to measure too (its sites table is refilled)"
    )
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["embedded"] = measure(
            f"sqlite:///{tmp}/catalogue.sqlite3",
            f"sqlite:///{tmp}/search.sqlite3",
            args.sites,
            args.places,
        )
        print("embedded", json.dumps(results["embedded"]), flush=True)
        if args.postgres:
            results["postgis"] = measure(
                args.postgres, f"sqlite:///{tmp}/search-pg.sqlite3", args.sites, args.places
            )
            print("postgis", json.dumps(results["postgis"]), flush=True)
    print(json.dumps({"sites": args.sites, **results}, indent=2))


if __name__ == "__main__":
    main()
