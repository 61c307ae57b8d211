"""An Elasticsearch outage loses nothing: writes succeed, and the index catches up."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.factories import site_record
from tourism_api.app import create_app

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "elasticsearch-node"


def node(*args: str) -> str:
    result = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"elasticsearch-node {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result.stdout.strip()


@pytest.fixture
def controllable_node(elasticsearch_url):
    try:
        ours = node("status")
    except RuntimeError:
        ours = None
    if ours != elasticsearch_url.rstrip("/"):
        message = f"{elasticsearch_url} is not the node scripts/elasticsearch-node controls"
        if os.environ.get("TOURISM_TEST_REQUIRE_ELASTICSEARCH") == "1":
            pytest.fail(message)
        pytest.skip(message)
    port = elasticsearch_url.rsplit(":", 1)[1].strip("/")
    yield port
    node("start", port)  # whatever happened, leave it running for the other tests


@pytest.mark.slow
@pytest.mark.parametrize("search_backend_name", ["elasticsearch"], indirect=True)
def test_outage_then_catch_up(
    controllable_node, search_settings, search_services, staff_headers_for
):
    services = search_services
    client = create_app(search_settings).test_client()
    headers = staff_headers_for(services)
    first = services.catalogue.create_site(site_record(), "t", status="published")
    services.search.refresh()
    assert services.search.search_text("thien mu") == [first.id]

    node("stop")
    assert not services.search.healthy()
    # Writes go on while search is down: through the service and through the API.
    during = services.catalogue.create_site(site_record("dai-noi"), "t", status="published")

    def version_of(site_id: str) -> dict[str, str]:
        return {
            **headers,
            "If-Match": client.get(f"/v1/sites/{site_id}", headers=headers).headers["ETag"],
        }

    patched = client.patch(
        f"/v1/sites/{first.id}",
        json={"name": {"fr": "Pagode de la Dame céleste"}},
        headers=version_of(first.id),
    )
    assert patched.status_code == 200
    unpublished = client.post(f"/v1/sites/{during.id}/unpublish", headers=version_of(during.id))
    assert unpublished.status_code == 200
    submitted = client.post(f"/v1/sites/{during.id}/submit", headers=version_of(during.id))
    assert submitted.status_code == 200
    republished = client.post(f"/v1/sites/{during.id}/publish", headers=version_of(during.id))
    assert republished.status_code == 200
    assert services.indexer.pending() == 5
    down = client.get("/v1/search?q=hue")
    assert down.status_code == 503 and down.json["code"] == 503
    assert (
        "Connection" not in down.json["message"] and "elastic" not in down.json["message"].lower()
    )
    assert client.get("/health").json["search"] == {
        "backend": "elasticsearch",
        "ok": False,
        "pending_changes": 5,
    }
    report = services.indexer.drain()
    assert report.error and report.pending == 5

    node("start", controllable_node)
    report = services.indexer.drain()
    assert (report.error, report.pending, report.events) == (None, 0, 5)
    services.search.refresh()
    assert services.search.search_text("dame celeste") == [first.id]
    assert services.search.search_text("dai noi") == [during.id]
    assert client.get("/v1/search?q=hue").status_code == 200
