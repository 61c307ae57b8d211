"""Workspace benchmark: how long each staff page takes on the demo catalogue.

    .venv/bin/python bench/workspace_bench.py --rounds 30

Loads the demo catalogue (1,168 sites) into a fresh SpatiaLite database, signs in an
administrator (who sees every office's records: the largest pages), and serves the app
with waitress on loopback. Each page is fetched `rounds` times over HTTP with the session
cookie; the figures are the median and 95th percentile, against a baseline measured in
the same run: the public `GET /v1/sites?limit=20`, the cheapest list the API answers from
the catalogue. The target is every page under 300 ms.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 300.0
PASSWORD = "một mật khẩu dài đủ cho bench"


def fetch(port: int, path: str, cookie: str = "") -> tuple[float, int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    answer = connection.getresponse()
    body = answer.read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    return elapsed, answer.status, body.decode("utf-8", "replace")


def sign_in(port: int, username: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = f"username={username}&password={PASSWORD.replace(' ', '+')}"
    connection.request(
        "POST",
        "/staff/sign-in",
        body=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    answer = connection.getresponse()
    answer.read()
    cookie = answer.getheader("Set-Cookie") or ""
    assert answer.status == 303, f"sign-in failed: {answer.status}"
    return cookie.split(";")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    from waitress.server import create_server

    from tourism_api import schema_admin
    from tourism_api.app import create_app
    from tourism_api.config import Settings
    from tourism_api.container import Services
    from tourism_api.services.demo import load_demo

    folder = Path(tempfile.mkdtemp(prefix="workspace-bench-"))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'catalogue.sqlite3'}",
        search_url=f"sqlite:///{folder / 'search.sqlite3'}",
        media_root=str(folder / "media"),
        jobs_url=f"sqlite:///{folder / 'jobs.sqlite3'}",
        upload_root=str(folder / "uploads"),
        ratelimit_exempt=("127.0.0.0/8",),
    )
    services = Services.build(settings)
    schema_admin.upgrade(services.engine)
    services.taxonomy.seed()
    started = time.perf_counter()
    load_demo(services.imports)
    print(f"demo catalogue loaded in {time.perf_counter() - started:.1f} s")
    services.accounts.create_organisation("hue", "Trung tâm Bảo tồn Di tích Cố đô Huế")
    services.accounts.create("bench", "Bench", "hue", "admin", PASSWORD)

    app = create_app(settings)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.effective_port
    threading.Thread(target=server.run, daemon=True).start()
    cookie = sign_in(port, "bench")
    _ms, _status, page = fetch(port, "/staff/sites?q=hue", cookie)
    site = re.search(r'href="/staff/sites/([0-9a-f-]{36})"', page).group(1)

    pages = {
        "baseline GET /v1/sites?limit=20": ("/v1/sites?limit=20", ""),
        "dashboard": ("/staff/", cookie),
        "find (100 records)": ("/staff/sites", cookie),
        "find by name": ("/staff/sites?q=chua", cookie),
        "find missing a French name": ("/staff/sites?missing=fr", cookie),
        "edit a site": (f"/staff/sites/{site}", cookie),
        "history": (f"/staff/sites/{site}/history", cookie),
        "review queue": ("/staff/reviews", cookie),
        "imports": ("/staff/imports", cookie),
        "administration": ("/staff/admin", cookie),
    }
    results = {}
    for label, (path, with_cookie) in pages.items():
        fetch(port, path, with_cookie)  # warm up
        times = []
        for _ in range(args.rounds):
            ms, status, _body = fetch(port, path, with_cookie)
            assert status == 200, f"{path}: {status}"
            times.append(ms)
        times.sort()
        results[label] = (statistics.median(times), times[int(0.95 * (len(times) - 1))])
    base = results["baseline GET /v1/sites?limit=20"][0]
    print(
        f"\n{'page':34} {'median ms':>10} {'p95 ms':>8} {'x baseline':>11}  under {TARGET_MS:.0f} ms"
    )
    for label, (median, p95) in results.items():
        verdict = "yes" if p95 < TARGET_MS else "NO"
        print(f"{label:34} {median:10.1f} {p95:8.1f} {median / base:11.2f}  {verdict}")
    server.close()


if __name__ == "__main__":
    main()
