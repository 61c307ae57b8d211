"""Bulk export benchmark: time and peak memory of the streamed GeoJSON export as the catalogue
grows, against a baseline measured in the same run (the same records collected into one list
and serialised at once, as a naive export would).

    .venv/bin/python bench/export_bench.py --sites 2000 8000

For each size, a fresh SpatiaLite catalogue gets that many published sites; then the export is
read chunk by chunk (as a client downloads it) under tracemalloc. The target: the streamed
export's peak stays flat (within 2x) when the catalogue grows 4x, while the baseline's grows
with it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(folder: Path, count: int):
    from tourism_api.config import Settings
    from tourism_api.container import Services
    from tourism_api.schema_admin import upgrade

    settings = Settings(
        database_url=f"sqlite:///{folder / 'catalogue.sqlite3'}",
        search_url=f"sqlite:///{folder / 'search.sqlite3'}",
        media_root=str(folder / "media"),
        jobs_url=f"sqlite:///{folder / 'jobs.sqlite3'}",
        export_root=str(folder / "exports"),
        index_inline=False,
    )
    services = Services.build(settings)
    upgrade(services.engine)
    items = [
        (
            {
                "slug": f"dinh-{i}",
                "kind": "temple",
                "name": {"vi": f"Đình làng số {i}", "en": f"Communal house {i}"},
                "short_description": {"vi": "Đình làng cổ, thờ Thành hoàng. " * 8},
                "location": {
                    "type": "Point",
                    "coordinates": [102.5 + (i % 70) * 0.1, 8.6 + (i // 70) * 0.01],
                },
            },
            "published",
        )
        for i in range(count)
    ]
    for start in range(0, count, 1000):
        with services.sessions.begin() as session:
            services.catalogue.create_many_in(session, items[start : start + 1000], "bench")
    return services


def measure(run) -> tuple[float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[2000, 8000])
    args = parser.parse_args()
    rows = []
    for count in args.sites:
        with tempfile.TemporaryDirectory() as tmp:
            services = build(Path(tmp), count)
            exports = services.exports

            sizes: list[int] = []

            def streamed(exports=exports, sizes=sizes):
                sizes.append(sum(len(chunk) for chunk in exports.stream("geojson", {})))

            def baseline(exports=exports):
                features = list(exports.views({}))
                json.dumps({"type": "FeatureCollection", "features": features}).encode()

            stream_s, stream_mb = measure(streamed)
            base_s, base_mb = measure(baseline)
            size = sizes[0]
            rows.append((count, size / 1e6, stream_s, stream_mb, base_s, base_mb))
            services.engine.dispose()
    print(
        f"{'sites':>7} {'MB out':>7} {'stream s':>9} {'stream MB':>10} {'list s':>7} {'list MB':>8}"
    )
    for count, out, stream_s, stream_mb, base_s, base_mb in rows:
        print(
            f"{count:>7} {out:>7.1f} {stream_s:>9.2f} {stream_mb:>10.1f} {base_s:>7.2f} {base_mb:>8.1f}"
        )
    if len(rows) > 1:
        growth = rows[-1][3] / rows[0][3]
        base_growth = rows[-1][5] / rows[0][5]
        print(
            f"peak memory x{growth:.2f} streamed, x{base_growth:.2f} as one list, for "
            f"x{rows[-1][0] / rows[0][0]:.0f} sites; streamed/list at the largest: "
            f"{rows[-1][3] / rows[-1][5]:.2f}"
        )
        print("target (streamed peak within 2x):", "met" if growth <= 2 else "NOT met")


if __name__ == "__main__":
    main()
