"""Media benchmark: upload-to-derivatives on 12-megapixel JPEGs, cached thumbnail and IIIF tile latency.

    .venv/bin/python bench/media_bench.py --photos 20

The photos are generated (4000x3000 JPEG, quality 90, with detail so they compress like
photographs). "Pipeline" is what a folder import does for each photo, in the request: inspect
(header checks and a full decode), EXIF, perceptual hash, then thumb/medium/large in WebP and
JPEG from that one decoded image, stored atomically. "Upload + job" is what an upload through
the API costs in all: the same checks in the request, then the background job that decodes
the original again and makes the copies. "Plain Pillow" is the naive loop on the same files:
open, thumbnail, save, once per derivative, no draft mode. Latencies are measured over HTTP
(waitress on loopback): a thumbnail already made, and IIIF tiles not rendered before.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import logging
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures import peak_resident_mb, percentile  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402


def make_photo(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.effect_noise((4000, 3000), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y = rng.randrange(4000), rng.randrange(3000)
        draw.ellipse(
            (x, y, x + rng.randrange(20, 400), y + rng.randrange(20, 400)),
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    image = image.filter(ImageFilter.GaussianBlur(1))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def plain_pillow(data: bytes) -> None:
    for longest in (2048, 1024, 320):
        for fmt in ("WEBP", "JPEG"):
            image = Image.open(io.BytesIO(data))
            image.thumbnail((longest, longest))
            image.save(io.BytesIO(), fmt, quality=85)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--photos", type=int, default=20)
    args = parser.parse_args()

    from waitress.server import create_server

    from tourism_api import schema_admin
    from tourism_api.app import create_app
    from tourism_api.config import Settings
    from tourism_api.container import Services

    photos = [make_photo(i) for i in range(args.photos)]
    print(
        f"{len(photos)} photos of 4000x3000, {statistics.mean(len(p) for p in photos) / 1e6:.1f} MB each",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/catalogue.sqlite3",
            search_url=f"sqlite:///{tmp}/search.sqlite3",
            media_root=f"{tmp}/media",
            # A benchmark from loopback, not a visitor: the anonymous limit would stop it.
            ratelimit_exempt=("127.0.0.1/32",),
        )
        services = Services.build(settings)
        schema_admin.upgrade(services.engine)

        def published_site(name: str, lon: float, lat: float):
            record = {
                "kind": "monument",
                "name": {"en": name},
                "location": {"type": "Point", "coordinates": [lon, lat]},
            }
            return services.catalogue.create_site(record, "bench", status="published")

        site = published_site("Benchmark site", 107.59, 16.46)
        start, cpu = time.perf_counter(), time.process_time()
        media = [
            services.media.add(
                site.id, data, filename=f"{i}.jpg", details={}, actor="bench", background=False
            )
            for i, data in enumerate(photos)
        ]
        pipeline_s, pipeline_cpu = time.perf_counter() - start, time.process_time() - cpu
        pipeline_peak = peak_resident_mb()
        # The API's way: checks in the request, copies by the job (run here, not by a worker,
        # so its time is counted). The site differs so the photos are new to it.
        other = published_site("Benchmark site, uploads", 107.6, 16.47)
        assert services.media.jobs is not None, "uploads would make their copies inline"
        start, cpu = time.perf_counter(), time.process_time()
        for i, data in enumerate(photos):
            uploaded = services.media.add(
                other.id, data, filename=f"{i}.jpg", details={}, actor="bench"
            )
            made = services.media.run_derivatives_job({"media_id": uploaded.id}, lambda *_: None)
            assert made["made"] == 6, made
        upload_job_s, upload_job_cpu = time.perf_counter() - start, time.process_time() - cpu

        start, cpu = time.perf_counter(), time.process_time()
        for data in photos:
            plain_pillow(data)
        plain_s, plain_cpu = time.perf_counter() - start, time.process_time() - cpu

        app = create_app(settings)
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port)

        def get(path: str) -> float:
            begin = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            return (time.perf_counter() - begin) * 1000

        thumbs = [get(f"/v1/media/{m.id}/thumb.webp") for m in media for _ in range(10)]
        tiles = []
        for m in media:
            for x, y in ((0, 0), (1024, 1024), (2048, 512)):
                tiles.append(get(f"/iiif/3/{m.id}/{x},{y},1024,1024/512,/0/default.jpg"))
        conn.close()
        # waitress logs a harmless error when its trigger is closed under a live thread.
        logging.getLogger("waitress").setLevel(logging.CRITICAL)
        server.close()
    result = {
        "photos": len(photos),
        "pipeline_images_per_s": round(len(photos) / pipeline_s, 2),
        "plain_pillow_images_per_s": round(len(photos) / plain_s, 2),
        "speedup_vs_plain": round(plain_s / pipeline_s, 2),
        "upload_and_job_images_per_s": round(len(photos) / upload_job_s, 2),
        "upload_and_job_speedup_vs_plain": round(plain_s / upload_job_s, 2),
        # The copies use a second core; per CPU second (what a busy server has) the gain is:
        "cpu_speedup_vs_plain": round(plain_cpu / pipeline_cpu, 2),
        "upload_and_job_cpu_speedup_vs_plain": round(plain_cpu / upload_job_cpu, 2),
        "pipeline_peak_mb": round(pipeline_peak),
        "cached_thumb_median_ms": round(statistics.median(thumbs), 2),
        "cached_thumb_p99_ms": round(percentile(thumbs, 99), 2),
        "uncached_tile_median_ms": round(statistics.median(tiles), 1),
        "uncached_tile_p99_ms": round(percentile(tiles, 99), 1),
        "peak_mb_after_serving": round(peak_resident_mb()),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
