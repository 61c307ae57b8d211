"""Background jobs on both queues (SQLite file, real Redis) and both databases: a large
import runs in a worker, its progress and result are read over the API."""

from __future__ import annotations

import dataclasses
import io
import time
import uuid

import pytest

from tests.ingest.test_pipeline import FIXTURES
from tourism_api.app import create_app
from tourism_api.jobs.queue import Worker
from tourism_api.services import jobs as jobs_module


@pytest.fixture
def queued(settings, jobs_url):
    """An app whose jobs go through `jobs_url`, with a worker taking them."""
    settings = dataclasses.replace(
        settings, jobs_url=jobs_url, jobs_queue_name=f"test-{uuid.uuid4().hex[:10]}"
    )
    app = create_app(settings)
    services = app.extensions["tourism"]
    worker = Worker(services.jobs.queue)
    worker.start()
    yield app, services
    worker.stop()


def finished(client, url: str, headers: dict, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(url, headers=headers).json
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job['status']} after {seconds} s")


def upload(client, headers, **form):
    sheet = (FIXTURES / "whc-2021-excerpt.csv").read_bytes()
    return client.post(
        "/v1/imports",
        data={"file": (io.BytesIO(sheet), "whc.csv"), "profile": "unesco-whc-2021", **form},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_background_import_is_run_by_a_worker_and_followed_over_the_api(queued, monkeypatch):
    # Every progress report is written: none may wait on the import's own transaction
    # (on SQLite that waited for the write lock its own thread held, then failed).
    monkeypatch.setattr(jobs_module, "PROGRESS_INTERVAL", 0)
    app, services = queued
    client = app.test_client()
    _record, secret = services.tokens.create("Nguyễn Thị Lan")
    staff = {"Authorization": f"Bearer {secret}"}
    dry = upload(client, staff, background="true", dry_run="true")
    assert dry.status_code == 202 and dry.headers["Location"] == f"/v1/jobs/{dry.json['id']}"
    assert dry.json["status"] in ("queued", "running", "done")
    job = finished(client, dry.headers["Location"], staff)
    assert job["status"] == "done", job["error"]
    # Done, the count is the records read (the total shown while running was an estimate).
    assert job["total"] == job["done"] == 8
    report = client.get(job["links"]["import"], headers=staff).json
    assert report["dry_run"] and report["summary"]["created"] > 0
    assert client.get("/v1/sites").json["items"] == []  # a dry run writes nothing

    committed = services.imports.commit(services.jobs.get(job["id"]), "Nguyễn Thị Lan")
    done = finished(client, f"/v1/jobs/{committed.id}", staff)
    assert done["status"] == "done" and done["result"]["summary"]["created"] > 0
    assert (
        len(client.get("/v1/sites?limit=100").json["items"]) == done["result"]["summary"]["created"]
    )
    # The committed file is gone; committing it again fails as a job, not a crash.
    again = services.imports.commit(services.jobs.get(job["id"]), "Nguyễn Thị Lan")
    failed = finished(client, f"/v1/jobs/{again.id}", staff)
    assert failed["status"] == "failed" and "upload it again" in failed["error"]
    strict = upload(client, staff, background="true", strict="true", dry_run="true")
    assert finished(client, strict.headers["Location"], staff)["status"] == "done"
    assert client.get("/v1/jobs/no-such-job", headers=staff).status_code == 404
    assert client.get(f"/v1/jobs/{job['id']}").status_code == 401


def test_an_upload_leaves_its_resized_copies_to_a_job(queued):
    from tests.factories import site_record
    from tests.media.helpers import generated_jpeg, post_photo

    app, services = queued
    client = app.test_client()
    _record, secret = services.tokens.create("Nguyễn Thị Lan")
    staff = {"Authorization": f"Bearer {secret}"}
    site = services.catalogue.create_site(site_record(), "lan")
    photo = post_photo(client, staff, site.id, generated_jpeg(1600, 1200)).json
    key = photo["sha256"]
    deadline = time.monotonic() + 30
    while services.storage.get_derivative(key, "thumb.webp") is None:
        assert time.monotonic() < deadline, "the derivatives job did not run"
        time.sleep(0.1)
    assert services.storage.get_derivative(key, "large.jpg") is not None
    (job,) = [j for j in services.jobs.recent(None) if j.kind == "derivatives"]
    assert job.payload == {"media_id": photo["id"]}
    done = finished(client, f"/v1/jobs/{job.id}", staff)
    assert done["status"] == "done" and done["result"]["made"] > 1


def test_an_administrator_rebuilds_the_search_index_as_a_job(queued):
    from tests.factories import site_record

    app, services = queued
    client = app.test_client()
    for base in ("chua-thien-mu", "lang-tu-duc"):
        services.catalogue.create_site(site_record(base), "lan", status="published")
    _record, secret = services.tokens.create("Quản trị")  # a token without account: admin
    admin = {"Authorization": f"Bearer {secret}"}
    answer = client.post("/v1/admin/reindex", headers=admin)
    assert answer.status_code == 202
    job = finished(client, answer.headers["Location"], admin)
    assert job["status"] == "done" and job["result"] == {"indexed": 2}
    hits = client.get("/v1/search", query_string={"q": "lang tu duc"}).json["items"]
    assert [h["slug"] for h in hits][:1] == ["lang-tu-duc"]
