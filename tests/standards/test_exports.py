"""Bulk export and the daily snapshot on both databases: every published record once, in each
format, with its licence and attribution; filters; ETags; the snapshot job and its schedule."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import time
from datetime import datetime

from pyogrio import read_info
from pyogrio.raw import read

from tests.factories import HUE_SITES, load_hue, site_record
from tourism_api.app import create_app
from tourism_api.jobs.queue import Worker

SOURCE = {
    "source": "tth-relics",
    "source_id": "TTH-001",
    "licence": "CC-BY-4.0",
    "attribution": "Trung tâm Bảo tồn Di tích Cố đô Huế",
}


def hue_with_a_source(catalogue) -> dict:
    ids = load_hue(catalogue)
    pagoda = catalogue.get_site(ids["chua-thien-mu"])
    catalogue.update_site(pagoda.id, {"sources": [SOURCE]}, "import", expected_version=1)
    catalogue.create_site(site_record("dai-noi", slug="a-draft"), "lan")  # never exported
    return ids


def test_every_format_holds_every_published_record_once(client, catalogue, tmp_path):
    ids = hue_with_a_source(catalogue)
    published = sorted(ids.values())

    collection = client.get("/v1/export?format=geojson")
    assert collection.mimetype == "application/geo+json"
    assert 'filename="catalogue.geojson"' in collection.headers["Content-Disposition"]
    features = json.loads(collection.data)["features"]
    assert sorted(f["id"] for f in features) == published
    pagoda = next(f for f in features if f["id"] == ids["chua-thien-mu"])["properties"]
    assert pagoda["licence"] == "CC-BY-4.0"
    assert pagoda["attribution"] == "Trung tâm Bảo tồn Di tích Cố đô Huế"
    assert pagoda["name"]["vi"] == "Chùa Thiên Mụ"

    sequence = client.get("/v1/export?format=geojsonseq")
    assert sequence.mimetype == "application/geo+json-seq"
    records = sequence.data.split(b"\x1e")[1:]
    assert all(r.endswith(b"\n") for r in records)
    assert sorted(json.loads(r)["id"] for r in records) == published

    table = client.get("/v1/export?format=csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert sorted(r["id"] for r in rows) == published
    row = next(r for r in rows if r["id"] == ids["chua-thien-mu"])
    assert (row["name_vi"], row["licence"]) == ("Chùa Thiên Mụ", "CC-BY-4.0")
    assert (float(row["lon"]), float(row["lat"])) == (107.5446, 16.4531)

    package = tmp_path / "catalogue.gpkg"
    package.write_bytes(client.get("/v1/export?format=gpkg").data)
    info = read_info(package, layer="sites")
    assert info["features"] == len(published) and info["crs"] == "EPSG:4326"
    meta, _fids, geometry, fields = read(package, layer="sites")
    names = meta["fields"].tolist()
    assert sorted(fields[names.index("id")]) == published
    assert "Chùa Thiên Mụ" in fields[names.index("name_vi")].tolist()


def test_filters_and_etags(client, catalogue):
    ids = hue_with_a_source(catalogue)
    tombs = client.get("/v1/export?format=geojson&filter=kind%20%3D%20'tomb'").data
    assert len(json.loads(tombs)["features"]) == 3
    boxed = json.loads(client.get("/v1/export?bbox=108,15,109,16").data)["features"]
    assert [f["id"] for f in boxed] == [ids["pho-co-hoi-an"]]
    assert client.get("/v1/export?format=xml").status_code == 422
    past_the_pole = client.get("/v1/export?bbox=107,16,108,91")
    assert past_the_pole.status_code == 422 and "bbox" in past_the_pole.json["errors"]
    assert client.get("/v1/export?filter=kind%20%3D").status_code == 422
    assert client.get("/v1/export?colour=red").status_code == 400
    first = client.get("/v1/export?format=csv")
    etag = first.headers["ETag"]
    assert client.get("/v1/export?format=csv", headers={"If-None-Match": etag}).status_code == 304
    catalogue.update_site(ids["cho-dong-ba"], {"aliases": ["Đông Ba"]}, "lan", expected_version=1)
    again = client.get("/v1/export?format=csv", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_the_daily_snapshot_job_and_its_download(settings, tmp_path):
    settings = dataclasses.replace(settings, export_root=str(tmp_path / "exports"))
    app = create_app(settings)
    services = app.extensions["tourism"]
    client = app.test_client()
    hue_with_a_source(services.catalogue)
    assert client.get("/v1/export/snapshot").status_code == 404
    # Scheduled every day at TOURISM_SNAPSHOT_HOUR (02:00 UTC by default)...
    huey = services.jobs.queue.huey
    (task,) = huey.read_periodic(datetime(2026, 11, 26, 2, 0))
    assert task.name == "tourism.daily_snapshot"
    assert huey.read_periodic(datetime(2026, 11, 26, 3, 0)) == []
    # ...which queues a snapshot job that a worker runs.
    worker = Worker(services.jobs.queue)
    worker.start()
    try:
        huey.enqueue(task)
        deadline = time.monotonic() + 60
        while not (jobs := services.jobs.recent(None, 1)) or not jobs[0].finished_at:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        job = jobs[0]
    finally:
        worker.stop()
    assert job.kind == "snapshot" and job.status == "done", job.error
    assert job.result["records"] == len(HUE_SITES) + 1
    for fmt in ("geojson", "geojsonseq", "csv", "gpkg"):
        snapshot = client.get(f"/v1/export/snapshot?format={fmt}")
        assert snapshot.status_code == 200, fmt
        etag = snapshot.headers["ETag"]
        unchanged = client.get(f"/v1/export/snapshot?format={fmt}", headers={"If-None-Match": etag})
        assert unchanged.status_code == 304, fmt
    features = json.loads(client.get("/v1/export/snapshot").data)["features"]
    assert len(features) == len(HUE_SITES) + 1
    assert not list((tmp_path / "exports").glob(".*partial"))
