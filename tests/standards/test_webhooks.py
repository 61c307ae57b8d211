"""Webhooks against a real receiver on loopback: signed deliveries, in feed order, retried
with backoff by the job queue while the receiver fails, listed with their status."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import site_record
from tourism_api.app import create_app
from tourism_api.jobs.queue import Worker
from tourism_api.services.webhooks import SIGNATURE_HEADER, verify


class Receiver:
    """An app's endpoint: answers 503 to the first `failures` POSTs, then 200."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict, bytes, int]] = []  # (headers, body, status answered)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 503 if receiver.failures > 0 else 200
                receiver.failures -= 1
                receiver.received.append((dict(self.headers), body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/tourism"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self) -> list[dict]:
        return [json.loads(body) for _headers, body, status in self.received if status == 200]

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted()) < count:
            assert time.monotonic() < deadline, f"{len(self.accepted())} of {count} deliveries"
            time.sleep(0.1)


@pytest.fixture
def hooked(settings):
    """The app with a job worker, allowed to call loopback, retrying after 1 s, 2 s..."""
    settings = dataclasses.replace(
        settings, webhook_private_targets=True, webhook_retry_seconds=1, webhook_attempts=4
    )
    app = create_app(settings)
    worker = Worker(app.extensions["tourism"].jobs.queue)
    worker.start()
    yield app
    worker.stop()


def app_key(app) -> dict[str, str]:
    _record, key = app.extensions["tourism"].api_keys.create("Huế offline guide")
    return {"X-API-Key": key}


@pytest.mark.slow
def test_signed_deliveries_in_order_with_retries(hooked):
    services = hooked.extensions["tourism"]
    client = hooked.test_client()
    catalogue = services.catalogue
    before = catalogue.create_site(site_record("dai-noi"), "lan", status="published")
    receiver = Receiver(failures=2)
    key = app_key(hooked)
    created = client.post("/v1/webhooks", json={"url": receiver.url}, headers=key)
    assert created.status_code == 201, created.json
    secret, hook = created.json["secret"], created.json["id"]
    assert "secret" not in client.get("/v1/webhooks", headers=key).json["items"][0]

    # Changes after registration only; the receiver fails twice, then accepts.
    pagoda = catalogue.create_site(site_record(), "lan", status="published")
    receiver.wait_for(1)
    tried = [status for _h, _b, status in receiver.received]
    assert tried == [503, 503, 200]
    for headers, body, _status in receiver.received:
        assert verify(secret, headers[SIGNATURE_HEADER], body)
        assert not verify("whsec_wrong", headers[SIGNATURE_HEADER], body)
    (first,) = receiver.accepted()
    assert [(c["change"], c["id"]) for c in first["changes"]] == [("created", pagoda.id)]
    assert before.id not in {c["id"] for c in first["changes"]}

    # Later changes follow in feed order, each batch after the previous one is accepted.
    catalogue.update_site(pagoda.id, {"aliases": ["Linh Mụ"]}, "lan", expected_version=1)
    services.lifecycle.change_status(pagoda.id, "archived", "minh", expected_version=2)
    deadline = time.monotonic() + 30
    while sum(len(b["changes"]) for b in receiver.accepted()) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    pushed = [(c["change"], c["version"]) for b in receiver.accepted() for c in b["changes"]]
    assert pushed == [("created", 1), ("updated", 2), ("deleted", 3)]
    # What was pushed is exactly what the feed says happened since registration.
    feed = client.get(f"/v1/changes?since={created.json['position']}").json["changes"]
    assert [(c["change"], c["id"], c["version"]) for c in feed] == [
        (c["change"], c["id"], c["version"]) for b in receiver.accepted() for c in b["changes"]
    ]

    listed = client.get(f"/v1/webhooks/{hook}/deliveries", headers=key).json["items"]
    oldest = listed[-1]
    assert oldest["status"] == "delivered" and oldest["attempts"] == 3
    assert oldest["response_status"] == 200 and oldest["changes"] == 1
    assert {d["status"] for d in listed} == {"delivered"}


@pytest.mark.slow
def test_a_receiver_that_never_recovers_is_given_up(hooked):
    services = hooked.extensions["tourism"]
    client = hooked.test_client()
    receiver = Receiver(failures=100)
    key = app_key(hooked)
    hook = client.post("/v1/webhooks", json={"url": receiver.url}, headers=key).json["id"]
    services.catalogue.create_site(site_record(), "lan", status="published")
    deadline = time.monotonic() + 30
    while True:
        (delivery,) = client.get(f"/v1/webhooks/{hook}/deliveries", headers=key).json["items"]
        if delivery["status"] == "failed":
            break
        assert time.monotonic() < deadline, delivery
        time.sleep(0.2)
    assert delivery["attempts"] == 4 and delivery["response_status"] == 503
    assert len(receiver.received) == 4


def test_webhooks_belong_to_a_key_and_refuse_private_targets(client, services):
    _record, key = services.api_keys.create("An app")
    _other, other_key = services.api_keys.create("Another app")
    headers, other = {"X-API-Key": key}, {"X-API-Key": other_key}
    assert client.post("/v1/webhooks", json={"url": "https://example.org/h"}).status_code == 401
    # By default the server calls no loopback or private address for an app.
    for url in ("http://127.0.0.1:9/h", "http://10.1.2.3/h", "http://[::1]/h"):
        refused = client.post("/v1/webhooks", json={"url": url}, headers=headers)
        assert refused.status_code == 422, url
        assert "url" in refused.json["errors"]
    bad = client.post("/v1/webhooks", json={"url": "ftp://example.org/"}, headers=headers)
    assert bad.status_code == 422
    # Another key sees none of this key's webhooks.
    assert client.get("/v1/webhooks", headers=other).json["items"] == []
    assert client.get("/v1/webhooks/1/deliveries", headers=other).status_code == 404
    assert client.delete("/v1/webhooks/1", headers=other).status_code == 404
