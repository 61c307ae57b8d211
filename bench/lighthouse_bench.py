"""Lighthouse on the tourist app, mobile profile (simulated slow 4G, 4x slower CPU, a
mid-range phone's screen), with the system Chromium; the staff workspace's sign-in page is
measured in the same run as the baseline.

    (cd bench/lighthouse && npm ci)      # Lighthouse 12.2.3, pinned by its package-lock.json
    .venv/bin/python bench/lighthouse_bench.py

A demo catalogue is loaded into a temporary folder and served by `tourism serve` (waitress,
compressed answers). The base map is off (TOURISM_MAP_TILES_URL=none): this machine has no
internet, and failed tile loads would be counted as console errors. Targets (issue 12):
performance >= 90, accessibility >= 95, best practices >= 95, and under 200 KB of script on
a first visit (transferred, as Lighthouse counts it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
from fixtures import free_port  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
SCRIPT_BUDGET = 200 * 1024


def audit(url: str, out: Path) -> dict:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": chromium},
    )
    report = json.loads(out.read_text())
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    items = report["audits"]["resource-summary"]["details"]["items"]
    scripts = next((i["transferSize"] for i in items if i["resourceType"] == "script"), 0)
    total = next((i["transferSize"] for i in items if i["resourceType"] == "total"), 0)
    metrics = {
        "FCP s": report["audits"]["first-contentful-paint"]["numericValue"] / 1000,
        "LCP s": report["audits"]["largest-contentful-paint"]["numericValue"] / 1000,
        "TBT ms": report["audits"]["total-blocking-time"]["numericValue"],
        "CLS": report["audits"]["cumulative-layout-shift"]["numericValue"],
    }
    failed = [
        a["id"]
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"
    ]
    return {
        "scores": scores,
        "script": scripts,
        "total": total,
        "metrics": metrics,
        "failed": failed,
    }


def main() -> None:
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: (cd bench/lighthouse && npm ci)")
    work = Path(tempfile.mkdtemp(prefix="tourism-lighthouse-"))
    port = free_port()
    env = {
        **os.environ,
        "TOURISM_DATABASE_URL": f"sqlite:///{work / 'catalogue.sqlite3'}",
        "TOURISM_SEARCH_URL": f"sqlite:///{work / 'search.sqlite3'}",
        "TOURISM_MEDIA_ROOT": str(work / "media"),
        "TOURISM_JOBS_URL": f"sqlite:///{work / 'jobs.sqlite3'}",
        "TOURISM_UPLOAD_ROOT": str(work / "uploads"),
        "TOURISM_MAP_TILES_URL": "none",
        "TOURISM_RATELIMIT_EXEMPT": "127.0.0.1/32",
    }
    tourism = str(ROOT / ".venv" / "bin" / "tourism")
    subprocess.run([tourism, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([tourism, "demo", "load"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [tourism, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        nearest = json.load(
            urllib.request.urlopen(f"{base}/v1/sites?lat=16.4637&lon=107.5909&radius=20000&limit=1")
        )["items"][0]["slug"]
        pages = {
            "tourist app /explore/": f"{base}/explore/?lang=en",
            f"site page ({nearest})": f"{base}/explore/sites/{nearest}?lang=en",
            "baseline: staff sign-in": f"{base}/staff/sign-in",
        }
        results = {
            name: audit(url, work / f"{i}.json") for i, (name, url) in enumerate(pages.items())
        }
    finally:
        server.terminate()
        server.wait(10)
    baseline = results["baseline: staff sign-in"]
    print(
        f"{'page':<34} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5} {'script KB':>10} {'total KB':>9}"
        f" {'FCP s':>6} {'LCP s':>6} {'TBT ms':>7} {'CLS':>6}"
    )
    for name, r in results.items():
        s, m = r["scores"], r["metrics"]
        print(
            f"{name:<34} {s['performance']:>5} {s['accessibility']:>5} {s['best-practices']:>5}"
            f" {s['seo']:>5} {r['script'] / 1024:>10.1f} {r['total'] / 1024:>9.1f}"
            f" {m['FCP s']:>6.2f} {m['LCP s']:>6.2f} {m['TBT ms']:>7.0f} {m['CLS']:>6.3f}"
        )
    for name, r in results.items():
        if name.startswith("baseline"):
            continue
        ratio = r["metrics"]["LCP s"] / max(baseline["metrics"]["LCP s"], 0.001)
        verdicts = [
            f"{c} {'met' if r['scores'][c] >= t else 'NOT met'}" for c, t in TARGETS.items()
        ]
        verdicts.append(f"script {'met' if r['script'] < SCRIPT_BUDGET else 'NOT met'}")
        print(f"{name}: LCP {ratio:.2f}x the baseline's; " + ", ".join(verdicts))
        if r["failed"]:
            print(f"  audits not passed: {', '.join(sorted(r['failed']))}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
