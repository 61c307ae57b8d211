"""What probing the running demo found, each closed: forged cursors, unbounded bodies,
cacheable drafts, reflected hosts, missing security headers."""

from __future__ import annotations

import base64
import json

import pytest

from tests.factories import HUE_CENTRE, load_hue, site_record


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _forge(cursor: str, value) -> str:
    body, _, mac = cursor.partition(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["k"][0] = value
    return f"{_b64(json.dumps(payload).encode())}.{mac}"


@pytest.mark.parametrize(
    "listing",
    [
        "/v1/sites?limit=2&sort=name",  # the catalogue, by name
        "/v1/sites?limit=2&lat={lat}&lon={lon}&status=published",  # the catalogue, by distance
        "/v1/sites?limit=2&lat={lat}&lon={lon}",  # the search index (public nearby list)
        "/v1/search?q=hue&limit=1",
        "/v1/zones/kinh-thanh-hue/sites?limit=1",
    ],
)
def test_forged_cursors_are_a_400_naming_the_cursor(client, catalogue, listing):
    load_hue(catalogue)
    url = listing.format(lon=HUE_CENTRE[0], lat=HUE_CENTRE[1])
    first = client.get(url)
    cursor = first.json["next_cursor"]
    assert cursor, first.json
    assert client.get(f"{url}&cursor={cursor}").status_code == 200
    payload = json.loads(base64.urlsafe_b64decode(cursor.split(".")[0] + "=="))
    forged = [
        _forge(cursor, 10**20),
        _forge(cursor, "x" * 50),
        cursor.split(".")[0],  # unsigned, as cursors were before
        _b64(json.dumps({"q": payload["q"], "k": [10**20, "z"]}).encode()) + ".AAAA",
        cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),
    ]
    for bad in forged:
        response = client.get(f"{url}&cursor={bad}")
        assert response.status_code == 400, (bad, response.json)
        assert response.json["errors"] == {"cursor": ["Invalid cursor."]}


def test_cursors_survive_a_restart_and_work_in_every_process(settings, catalogue):
    from tourism_api.app import create_app

    load_hue(catalogue)
    cursor = create_app(settings).test_client().get("/v1/sites?limit=2").json["next_cursor"]
    # Another process (a second worker, or after a restart) checks it with the same key.
    again = create_app(settings).test_client().get(f"/v1/sites?limit=2&cursor={cursor}")
    assert again.status_code == 200 and again.json["items"]


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(client, staff, services, depth):
    body = '{"a":' * depth + "1" + "}" * depth
    response = client.post(
        "/v1/sites", data=body, headers={**staff, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.json["errors"] == {
        "body": ["Nested too deeply."]
    }


@pytest.mark.parametrize("if_match", [None, "*"])
def test_writes_without_a_version_are_refused_with_428(client, staff, catalogue, if_match):
    site = catalogue.create_site(site_record(), "lan")
    headers = {**staff, **({"If-Match": if_match} if if_match else {})}
    for method, url, body in (
        ("PATCH", f"/v1/sites/{site.id}", {"admin_area": "Huế"}),
        ("POST", f"/v1/sites/{site.id}/submit", None),
        ("DELETE", f"/v1/sites/{site.id}", None),
    ):
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 428, (method, url, response.json)
        assert "If-Match" in response.json["errors"]
    assert catalogue.get_site(site.id, include_unpublished=True).version == 1


def test_a_drafts_photos_are_never_cached_publicly(client, staff, catalogue):

    from tests.media.helpers import generated_jpeg, post_photo

    site = catalogue.create_site(site_record(), "lan")
    media = post_photo(client, staff, site.id, generated_jpeg(600, 400), "draft.jpg").json["id"]
    urls = [
        f"/v1/media/{media}/thumb.webp",
        f"/iiif/3/{media}/full/max/0/default.jpg",
        f"/iiif/3/{media}/info.json",
        f"/v1/media/{media}",
    ]
    for url in urls:
        assert client.get(url).status_code == 404  # the public cannot see it at all
        response = client.get(url, headers=staff)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store", url
        assert "Authorization" in response.headers["Vary"], url
    for step in ("submit", "publish"):
        etag = client.get(f"/v1/sites/{site.id}", headers=staff).headers["ETag"]
        client.post(f"/v1/sites/{site.id}/{step}", headers={**staff, "If-Match": etag})
    for url in urls[:2]:
        assert client.get(url).headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "slug", ["hue\n", "hue\r\nx", "h\tue", "01a21296-a545-73fc-a06c-efe0e03a4d27"]
)
def test_slugs_with_control_characters_or_the_shape_of_an_id_are_refused(client, staff, slug):
    response = client.post("/v1/sites", json=site_record(slug=slug), headers=staff)
    assert response.status_code == 422 and "slug" in response.json["errors"], response.json


def test_removing_a_slug_keeps_the_one_the_site_has(client, staff):
    created = client.post("/v1/sites", json=site_record(), headers=staff)
    headers = {**staff, "If-Match": created.headers["ETag"]}
    patched = client.patch(f"/v1/sites/{created.json['id']}", json={"slug": None}, headers=headers)
    assert patched.status_code == 200 and patched.json["slug"] == created.json["slug"]


def test_changes_left_in_the_outbox_are_indexed_when_the_app_starts(settings):
    import dataclasses

    from tourism_api.app import create_app
    from tourism_api.container import Services

    quiet = Services.build(dataclasses.replace(settings, index_inline=False))
    quiet.catalogue.create_site(site_record(), "lan", status="published")
    assert quiet.indexer.pending() == 1
    client = create_app(settings).test_client()
    assert client.get("/health").json["search"]["pending_changes"] == 0
    assert [s["slug"] for s in client.get("/v1/search?q=thien mu").json["items"]] == [
        "chua-thien-mu"
    ]


def test_the_host_header_is_never_reflected_into_links(settings, catalogue):
    import dataclasses

    from tourism_api.app import create_app

    load_hue(catalogue)
    client = create_app(settings).test_client()
    refused = client.get("/v1/sites?limit=2", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and refused.json["code"] == 400
    forwarded = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    page = client.get("/v1/sites?limit=2&f=geojson", headers=forwarded)
    assert "evil" not in page.headers["Link"] and "evil" not in json.dumps(page.json["links"])

    public = dataclasses.replace(settings, public_url="https://api.heritage.example")
    client = create_app(public).test_client()
    page = client.get("/v1/sites?limit=2&f=geojson", headers=forwarded)
    assert page.headers["Link"].startswith("<https://api.heritage.example/v1/sites?")
    assert {link["href"].split("?")[0] for link in page.json["links"]} == {
        "https://api.heritage.example/v1/sites"
    }


def test_forwarded_headers_count_only_from_configured_proxies(settings, catalogue):
    import dataclasses

    from tourism_api.app import create_app

    load_hue(catalogue)
    behind = dataclasses.replace(
        settings, trusted_proxies=1, allowed_hosts=("localhost", "tourism.example")
    )
    client = create_app(behind).test_client()
    forwarded = {"X-Forwarded-Host": "tourism.example", "X-Forwarded-Proto": "https"}
    page = client.get("/v1/sites?limit=2", headers=forwarded)
    assert page.headers["Link"].startswith("<https://tourism.example/v1/sites?")
    spoofed = client.get("/v1/sites?limit=2", headers={"X-Forwarded-Host": "evil.example"})
    assert spoofed.status_code == 400
