"""API keys, plans and rate limits (in memory and in a real Redis shared by processes),
and CORS for browser apps."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from tourism_api.app import create_app
from tourism_api.container import Services


@pytest.fixture
def limited(settings, ratelimit_storage):
    return dataclasses.replace(
        settings,
        rate_anonymous="3/minute",
        rate_free="5/minute",
        rate_partner="8/minute",
        ratelimit_storage_url=ratelimit_storage,
        ratelimit_exempt=(),
        ratelimit_prefix=f"test-{uuid.uuid4().hex[:10]}",
    )


def test_each_plan_gets_its_rate_and_excess_is_a_429_in_the_error_shape(limited):
    services = Services.build(limited)
    _free, free_key = services.api_keys.create("Huế Guide app", "free")
    _partner, partner_key = services.api_keys.create("VietTravel", "partner")
    client = create_app(limited).test_client()
    for headers, allowed in (
        ({}, 3),
        ({"X-API-Key": free_key}, 5),
        ({"Authorization": f"Bearer {partner_key}"}, 8),
    ):
        for i in range(allowed):
            response = client.get("/v1/kinds", headers=headers)
            assert response.status_code == 200, (headers, i)
            assert response.headers["X-RateLimit-Limit"] == str(allowed)
            assert response.headers["X-RateLimit-Remaining"] == str(allowed - i - 1)
        refused = client.get("/v1/kinds", headers=headers)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json["code"] == 429 and f"{allowed} per 1 minute" in refused.json["message"]
    # Monitoring is never limited.
    assert client.get("/health").status_code == 200


def test_keys_are_checked_stored_hashed_and_revocable(limited):
    services = Services.build(limited)
    record, key = services.api_keys.create("Huế Guide app", "free", contact="dev@example.vn")
    assert key.startswith("tk_") and record.prefix == key[:10]
    assert all(key not in str(value) for value in vars(record).values())
    client = create_app(limited).test_client()
    assert client.get("/v1/kinds", headers={"X-API-Key": key}).status_code == 200
    wrong = client.get("/v1/kinds", headers={"X-API-Key": key[:-2] + "xx"})
    assert wrong.status_code == 401 and wrong.json["code"] == 401
    assert "WWW-Authenticate" not in wrong.headers  # a key is not a bearer challenge
    bad_token = client.get("/v1/kinds", headers={"Authorization": "Bearer tht_nothing"})
    assert bad_token.status_code == 401 and bad_token.headers["WWW-Authenticate"].startswith(
        "Bearer"
    )
    services.api_keys.revoke(record.id)
    assert client.get("/v1/kinds", headers={"X-API-Key": key}).status_code == 401
    # A key reads; it is not a staff token.
    assert client.post("/v1/sites", json={}, headers={"X-API-Key": "tk_x"}).status_code == 401


def test_exempt_networks_are_not_counted(limited):
    exempt = dataclasses.replace(limited, ratelimit_exempt=("127.0.0.0/8",))
    client = create_app(exempt).test_client()
    for _ in range(10):
        assert client.get("/v1/kinds").status_code == 200


@pytest.mark.parametrize("ratelimit_storage", ["redis"], indirect=True)
def test_limits_hold_across_processes_sharing_redis(limited):
    # Two application instances, as two gunicorn workers or two hosts would run.
    first, second = create_app(limited).test_client(), create_app(limited).test_client()
    assert [first.get("/v1/kinds").status_code for _ in range(2)] == [200, 200]
    assert second.get("/v1/kinds").status_code == 200
    assert second.get("/v1/kinds").status_code == 429
    assert first.get("/v1/kinds").status_code == 429


def test_iiif_renders_have_their_own_lower_limit(limited, staff_token):

    from tests.factories import site_record
    from tests.media.helpers import generated_jpeg

    settings = dataclasses.replace(limited, rate_iiif_render="2/minute", rate_anonymous="50/minute")
    services = Services.build(settings)
    site = services.catalogue.create_site(site_record(), "lan", status="published")
    media = services.media.add(
        site.id, generated_jpeg(600, 400), filename="x.jpg", details={}, actor="lan"
    )
    client = create_app(settings).test_client()
    urls = [f"/iiif/3/{media.id}/full/{w},/0/default.jpg" for w in (100, 110, 120)]
    assert [client.get(url).status_code for url in urls] == [200, 200, 429]
    assert client.get(f"/iiif/3/{media.id}/info.json").status_code == 200


def test_cors_preflight_and_exposed_headers(settings):
    client = create_app(settings).test_client()
    preflight = client.options(
        "/v1/sites",
        headers={
            "Origin": "https://guide.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-API-Key, If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-API-Key" in preflight.headers["Access-Control-Allow-Headers"]
    answer = client.get("/v1/kinds", headers={"Origin": "https://guide.example"})
    exposed = answer.headers["Access-Control-Expose-Headers"]
    for header in ("ETag", "Link", "X-RateLimit-Remaining", "Retry-After"):
        assert header in exposed
    assert "Access-Control-Allow-Credentials" not in answer.headers


def test_cors_credentials_only_for_listed_origins(settings):
    listed = dataclasses.replace(settings, cors_origins=("https://staff.hue.gov.vn",))
    client = create_app(listed).test_client()
    ok = client.get("/v1/kinds", headers={"Origin": "https://staff.hue.gov.vn"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://staff.hue.gov.vn"
    assert ok.headers["Access-Control-Allow-Credentials"] == "true"
    other = client.get("/v1/kinds", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_reports_are_limited_per_address(limited):
    from tests.factories import site_record

    settings = dataclasses.replace(limited, rate_reports="2/hour", rate_anonymous="50/minute")
    services = Services.build(settings)
    services.catalogue.create_site(site_record(), "lan", status="published")
    client = create_app(settings).test_client()

    def report(text: str, address: str = "127.0.0.1") -> int:
        body = {"category": "hours", "text": text}
        answer = client.post(
            "/v1/sites/chua-thien-mu/reports", json=body, environ_base={"REMOTE_ADDR": address}
        )
        return answer.status_code

    assert [report("một"), report("hai"), report("ba")] == [202, 202, 429]
    # The tourist app's form shares the allowance, and says so in a page.
    form = client.post(
        "/explore/sites/chua-thien-mu/report?lang=en",
        data={"category": "hours", "text": "sáu"},
    )
    assert form.status_code == 429 and form.mimetype == "text/html"
    assert "Too many reports from here" in form.get_data(as_text=True)
    # Another address has its own allowance.
    assert report("bốn", address="203.0.113.9") == 202
