"""Every operation of /openapi.json, called for real, answers what the document says.

A scripted tour calls each documented operation (with real ids, with and without
a staff token, in every content type it offers, and with the usual mistakes),
and every response is validated by openapi-core against the live document:
status, content type, headers and body. The tour must cover every operation, so
an operation added without being exercised here fails the test too.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

from tests.factories import site_record, zone_record
from tests.media.helpers import generated_jpeg

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
METHODS = ("get", "post", "put", "patch", "delete")


class _AnsweredRequest(WerkzeugOpenAPIRequest):
    """The request a response answered; its body was read by the app already and
    is not needed to check the response."""

    @property
    def body(self) -> bytes | None:
        return None


class CheckedClient:
    """A test client that validates each response against the document and notes
    which operation it answered."""

    def __init__(self, client, spec: dict) -> None:
        self.client = client
        # GeoJSON, JSON-LD and JSON Schema are JSON: read them as such (openapi-core knows only application/json).
        json_types = {
            "application/geo+json": json.loads,
            "application/ld+json": json.loads,
            "application/schema+json": json.loads,
        }
        self.openapi = OpenAPI.from_dict(
            spec, config=Config(extra_media_type_deserializers=json_types)
        )
        self.templates = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
            for path in spec["paths"]
        ]
        self.covered: set[tuple[str, str]] = set()
        self.statuses: dict[tuple[str, str], set[int]] = {}

    def operation(self, method: str, path: str) -> tuple[str, str]:
        # The literal path wins over a template ("/v1/sites" before "/v1/sites/{ref}").
        matches = [t for regex, t in self.templates if regex.match(path)]
        assert matches, f"{method.upper()} {path} is not in the OpenAPI document"
        return method, min(matches, key=lambda t: t.count("{"))

    def call(self, method: str, url: str, expect: int, **kwargs):
        response = self.client.open(url, method=method.upper(), **kwargs)
        assert response.status_code == expect, (url, response.status_code, response.data[:500])
        self.openapi.validate_response(
            _AnsweredRequest(response.request), WerkzeugOpenAPIResponse(response)
        )
        key = self.operation(method, response.request.path)
        self.covered.add(key)
        self.statuses.setdefault(key, set()).add(response.status_code)
        return response


@pytest.fixture
def api(client):
    return CheckedClient(client, client.get("/openapi.json").json)


def _multipart(**fields):
    return {"data": fields, "content_type": "multipart/form-data"}


def test_every_operation_answers_as_documented(api, staff, services):
    call = api.call

    def edit(ref: str) -> dict[str, str]:
        """Staff headers naming the version just read, as every write must."""
        etag = api.client.get(f"/v1/sites/{ref}", headers=staff).headers["ETag"]
        return {**staff, "If-Match": etag}

    # Service information and vocabularies.
    call("get", "/", 200)
    call("get", "/health", 200)
    call("get", "/v1/kinds", 200)
    call("get", "/v1/categories", 200)

    # Writing sites: create, edit with If-Match, review, publish.
    created = call("post", "/v1/sites", 201, json=site_record(), headers=staff)
    site_id = created.json["id"]
    zone = call("post", "/v1/sites", 201, json=zone_record(), headers=staff).json["id"]
    call("post", "/v1/sites", 401, json=site_record("dai-noi"))
    call("post", "/v1/sites", 422, json={"name": "x"}, headers=staff)
    call("post", "/v1/sites", 415, data="x", content_type="text/plain", headers=staff)
    etag = created.headers["ETag"]
    patch = {"short_description": {"en": "Seven-storey pagoda"}, "aliases": ["Linh Mụ"]}
    merge = {"content_type": "application/merge-patch+json"}
    call("patch", f"/v1/sites/{site_id}", 200, json=patch, headers={**staff, "If-Match": etag})
    call("patch", f"/v1/sites/{site_id}", 412, json=patch, headers={**staff, "If-Match": etag})
    call("patch", f"/v1/sites/{site_id}", 428, json={"aliases": None}, headers=staff, **merge)
    call(
        "patch", f"/v1/sites/{site_id}", 200, json={"aliases": None}, headers=edit(site_id), **merge
    )
    call("post", f"/v1/sites/{site_id}/submit", 200, headers=edit(site_id))
    call("post", f"/v1/sites/{site_id}/publish", 200, headers=edit(site_id))
    call("post", f"/v1/sites/{zone}/publish", 409, headers=edit(zone))  # not reviewed yet
    call("post", f"/v1/sites/{zone}/submit", 200, headers=edit(zone))
    queue = call("get", "/v1/reviews", 200, headers=staff).json["items"]
    assert [item["site_id"] for item in queue] == [zone]
    call("get", "/v1/reviews", 401)
    call("post", f"/v1/reviews/{zone}/approve", 428, json={"comment": "ok"}, headers=staff)
    call("post", f"/v1/reviews/{zone}/approve", 200, json={"comment": "ok"}, headers=edit(zone))
    other = call("post", "/v1/sites", 201, json=site_record("dai-noi"), headers=staff).json["id"]
    call("post", f"/v1/sites/{other}/submit", 200, headers=edit(other))
    call("post", f"/v1/reviews/{other}/reject", 422, json={}, headers=edit(other))
    why = {"comment": "Thiếu ảnh và giờ mở cửa"}
    call("post", f"/v1/reviews/{other}/reject", 200, json=why, headers=edit(other))
    call("post", f"/v1/reviews/{other}/reject", 409, json=why, headers=edit(other))
    call("get", f"/v1/sites/{site_id}/revisions", 200, headers=staff)
    call("get", f"/v1/sites/{site_id}/revisions", 401)

    # Reading sites: JSON and GeoJSON, public and staff, from the catalogue and the index.
    call("get", "/v1/sites", 200)
    call("get", "/v1/sites?f=geojson&limit=1", 200)
    call("get", "/v1/sites", 200, headers={"Accept": "application/geo+json"})
    call("get", "/v1/sites?status=any", 200, headers=staff)
    call("get", "/v1/sites?status=draft", 401)
    call("get", "/v1/sites?lat=16.4637&lon=107.5909&radius=5000", 200)
    call("get", "/v1/sites?bbox=1,2,3", 422)
    call("get", f"/v1/sites/{site_id}", 200)
    call("get", f"/v1/sites/{site_id}?f=geojson&lang=en", 200)
    call("get", f"/v1/sites/{site_id}", 200, headers=staff)
    call("get", "/v1/sites/no-such-site", 404)
    call("get", "/v1/zones", 200)
    call("get", "/v1/zones?f=geojson", 200)
    call("get", f"/v1/zones/{zone}", 200)
    call("get", f"/v1/zones/{zone}?f=geojson", 200)
    call("get", f"/v1/zones/{site_id}", 404)
    call("get", f"/v1/zones/{zone}/sites", 200)
    call("get", f"/v1/zones/{zone}/sites?f=geojson", 200)
    call("get", "/v1/zones/no-such-zone/sites", 404)
    # Events: the pagoda's full-moon rites, by date and place, and the site's own.
    rites = {
        "id": "le-ram",
        "name": {"vi": "Lễ rằm"},
        "calendar": "lunar",
        "recurrence": "monthly",
        "days_of_month": [15],
        "start_time": "19:00",
    }
    call("patch", f"/v1/sites/{site_id}", 200, json={"events": [rites]}, headers=edit(site_id))
    call("get", "/v1/events?lat=16.45&lon=107.55&radius=5000&limit=1", 200)
    call("get", f"/v1/sites/{site_id}/events?to=2099-01-01", 422)
    call("get", f"/v1/sites/{site_id}/events", 200)
    call("get", "/v1/sites/nowhere/events", 404)
    call("get", "/v1/events?from=2027-02-10&to=2027-02-01", 422)
    # A visitor's report and its review.
    sent = call("post", f"/v1/sites/{site_id}/reports", 202, json={"category": "hours"})
    call("post", "/v1/sites/nowhere/reports", 404, json={"category": "hours"})
    call("post", f"/v1/sites/{site_id}/reports", 422, json={"category": "rude"})
    call("get", "/v1/reviews/reports", 200, headers=staff)
    call("get", "/v1/reviews/reports", 401)
    call("get", f"/v1/reviews/reports/{sent.json['id']}/photo", 404, headers=staff)
    call("post", f"/v1/reviews/reports/{sent.json['id']}/resolve", 200, json={}, headers=staff)
    call("post", f"/v1/reviews/reports/{sent.json['id']}/dismiss", 409, headers=staff)
    day = {"start": {"lat": 16.4637, "lon": 107.5909}, "mode": "car"}
    call("post", "/v1/itineraries", 200, json={**day, "sites": [site_id]})
    call("post", "/v1/itineraries", 422, json={**day, "sites": ["nowhere"]})
    call("get", "/v1/search?q=chua%20thien%20mu&facets=true", 200)
    call("get", "/v1/search?q=hue&f=geojson", 200)
    call("get", "/v1/search?sort=distance", 422)
    call("get", "/v1/suggest?q=thien%20m&lang=en", 200)
    call("get", "/v1/suggest", 422)

    # OGC API - Features: the published records (the site has no area: not a zone).
    tm3 = "http://www.opengis.net/def/crs/EPSG/0/9214"
    call("get", "/conformance", 200)
    call("get", "/conformance?f=html", 200)
    call("get", "/collections", 200)
    call("get", "/collections?f=xml", 400)
    call("get", "/collections/zones", 200)
    call("get", "/collections/nope", 404)
    call("get", "/collections/sites/queryables", 200)
    call("get", "/collections/sites/items?limit=1", 200)
    call("get", f"/collections/sites/items?crs={tm3}&filter=kind%20%3D%20'pagoda'", 200)
    call("get", "/collections/sites/items?f=html", 200)
    call("get", "/collections/sites/items?filter=kind%20%3D", 400)
    call("get", "/collections/nope/items", 404)
    call("get", f"/collections/sites/items/{site_id}?crs={tm3}", 200)
    call("get", f"/collections/sites/items/{site_id}?f=html", 200)
    call("get", f"/collections/sites/items/{site_id}?f=jsonld", 200)
    call("get", "/collections/sites/tiles", 200)
    call("get", "/collections/sites/tiles/WebMercatorQuad", 200)
    call("get", "/collections/zones/tiles/WebMercatorQuad/tilejson.json", 200)
    call("get", "/collections/sites/tiles/WebMercatorQuad/0/0/0?lang=en", 200)
    call("get", "/collections/sites/tiles/WebMercatorQuad/14/0/0", 204)
    call("get", "/collections/sites/tiles/WebMercatorQuad/1/5/5", 404)
    call("get", "/v1/export?format=csv&kind=pagoda", 200)
    call("get", "/v1/export?format=xml", 422)
    call("get", "/v1/export/snapshot?format=gpkg", 404)
    call("get", "/tileMatrixSets", 200)
    call("get", "/tileMatrixSets/WebMercatorQuad", 200)
    feed = call("get", "/v1/changes?limit=2", 200).json
    call("get", f"/v1/changes?since={feed['next']}", 200)
    call("get", "/v1/changes?since=nonsense", 400)
    _key_record, app_key = services.api_keys.create("Tour app")
    app = {"X-API-Key": app_key}
    hook = call("post", "/v1/webhooks", 201, json={"url": "https://93.184.215.14/h"}, headers=app)
    call("post", "/v1/webhooks", 401, json={"url": "https://93.184.215.14/h"})
    call("post", "/v1/webhooks", 422, json={"url": "http://127.0.0.1/h"}, headers=app)
    call("get", "/v1/webhooks", 200, headers=app)
    call("get", f"/v1/webhooks/{hook.json['id']}/deliveries", 200, headers=app)
    call("delete", f"/v1/webhooks/{hook.json['id']}", 204, headers=app)
    call("delete", f"/v1/webhooks/{hook.json['id']}", 404, headers=app)
    call("get", f"/v1/sites/{site_id}?f=jsonld", 200)
    call("get", f"/v1/zones/{zone}", 200, headers={"Accept": "application/ld+json"})
    call("get", f"/collections/zones/items/{zone}", 200)
    call("get", f"/collections/zones/items/{site_id}", 404)

    # Photos: upload, describe, derivatives, IIIF, remove.
    photo = {
        "file": (io.BytesIO(generated_jpeg()), "thien-mu.jpg"),
        "caption.vi": "Tháp Phước Duyên",
    }
    media = call("post", f"/v1/sites/{site_id}/media", 201, headers=staff, **_multipart(**photo))
    media_id = media.json["id"]
    svg = {"file": (io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), "x.svg")}
    call("post", f"/v1/sites/{site_id}/media", 415, headers=staff, **_multipart(**svg))
    call("get", f"/v1/sites/{site_id}/media", 200)
    call("get", f"/v1/sites/{site_id}/media", 200, headers=staff)
    call("get", f"/v1/media/{media_id}", 200)
    call("get", f"/v1/media/{media_id}", 200, headers=staff)
    call("patch", f"/v1/media/{media_id}", 200, json={"licence": "CC-BY-4.0"}, headers=staff)
    call("patch", f"/v1/media/{media_id}", 422, json={"licence": "no such licence"}, headers=staff)
    call("get", f"/v1/media/{media_id}/thumb.webp", 200)
    call("get", f"/v1/media/{media_id}/medium.jpg", 200)
    call("get", f"/v1/media/{media_id}/huge.gif", 422)
    call("get", f"/iiif/3/{media_id}", 303)
    call("get", f"/iiif/3/{media_id}/info.json", 200)
    call("get", f"/iiif/3/{media_id}/info.json", 200, headers={"Accept": "application/ld+json"})
    call("get", f"/iiif/3/{media_id}/full/max/0/default.jpg", 200)
    call("get", f"/iiif/3/{media_id}/full/200,/0/gray.png", 200)
    call("get", f"/iiif/3/{media_id}/0,0,100,100/50,/90/default.webp", 200)
    call("get", f"/iiif/3/{media_id}/full/max/45/default.jpg", 400)
    call("get", "/iiif/3/no-such-photo/info.json", 404)
    call("get", f"/iiif/3/sites/{site_id}/manifest", 200)
    call("get", "/iiif/3/sites/no-such-site/manifest", 404)
    call("delete", f"/v1/media/{media_id}", 204, headers=staff)

    # Imports.
    sheet = {
        "file": (io.BytesIO((FIXTURES / "whc-2021-excerpt.csv").read_bytes()), "whc.csv"),
        "profile": "unesco-whc-2021",
    }
    imported = call("post", "/v1/imports", 201, headers=staff, **_multipart(**sheet))
    bad = {"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv"), "profile": "no-such-profile"}
    call("post", "/v1/imports", 422, headers=staff, **_multipart(**bad))
    call("get", "/v1/imports", 200, headers=staff)
    call("get", f"/v1/imports/{imported.json['id']}", 200, headers=staff)
    call("get", "/v1/imports/999999", 404, headers=staff)
    later = {**sheet, "file": (io.BytesIO(b"name_en,longitude,latitude\nX,107.5,16.4\n"), "x.csv")}
    queued = call(
        "post", "/v1/imports", 202, headers=staff, **_multipart(**later, background="true")
    )
    call("get", f"/v1/jobs/{queued.json['id']}", 200, headers=staff)
    call("get", "/v1/jobs/no-such-job", 404, headers=staff)
    # The same file with two places moved: updates to published sites wait for review.
    moved = (FIXTURES / "whc-2021-excerpt.csv").read_text(encoding="utf-8")
    moved = moved.replace("107.1,20.9,", "107.08,20.91,").replace(
        "107.57778,16.46944", "107.578,16.47"
    )
    again = {"file": (io.BytesIO(moved.encode()), "whc.csv"), "profile": "unesco-whc-2021"}
    assert (
        call("post", "/v1/imports", 201, headers=staff, **_multipart(**again)).json["summary"][
            "queued"
        ]
        == 2
    )
    first, second = call("get", "/v1/reviews/proposals", 200, headers=staff).json["items"]
    call("get", f"/v1/sites/{first['site_id']}/provenance", 200, headers=staff)
    call("get", f"/v1/sites/{first['site_id']}/provenance", 401)
    accept = f"/v1/reviews/proposals/{first['id']}/accept"
    call("post", accept, 428, headers=staff)
    call("post", accept, 200, json={"comment": "Đúng"}, headers=edit(first["site_id"]))
    call("post", accept, 409, headers=edit(first["site_id"]))
    call("post", f"/v1/reviews/proposals/{second['id']}/dismiss", 200, headers=staff)
    call("post", "/v1/reviews/proposals/999999/dismiss", 404, headers=staff)
    relics = (FIXTURES / "hue-relics.toml").read_text(encoding="utf-8")
    call("put", "/v1/profiles/hue-relics", 200, json={"toml": relics}, headers=staff)
    call("put", "/v1/profiles/hue-relics", 422, json={"toml": "[source"}, headers=staff)
    call("put", "/v1/profiles/osm", 409, json={"toml": relics}, headers=staff)
    call("get", "/v1/profiles", 200, headers=staff)
    call("get", "/v1/profiles/hue-relics", 200, headers=staff)
    call("get", "/v1/profiles/osm", 200, headers=staff)
    call("get", "/v1/profiles/nothing", 422, headers=staff)

    # Taking a site back and archiving it.
    call("post", f"/v1/sites/{site_id}/restore", 200, json={"version": 1}, headers=edit(site_id))
    call("post", f"/v1/sites/{site_id}/restore", 422, json={"version": 0}, headers=edit(site_id))
    call("post", f"/v1/sites/{site_id}/restore", 428, json={"version": 1}, headers=staff)
    call("post", f"/v1/sites/{site_id}/submit", 409, headers=edit(site_id))  # published already
    call("post", f"/v1/sites/{site_id}/unpublish", 412, headers={**staff, "If-Match": '"v1.x"'})
    call("post", f"/v1/sites/{site_id}/unpublish", 428, headers=staff)
    call("post", f"/v1/sites/{site_id}/unpublish", 200, headers=edit(site_id))
    call("delete", f"/v1/sites/{site_id}", 200, headers=edit(site_id))

    # People signing in (last: the client keeps the cookie from here on).
    # Administration (the staff token of this test is an administrator's).
    org = {"code": "hue", "name": "Trung tâm Bảo tồn Di tích Cố đô Huế"}
    call("post", "/v1/admin/organisations", 201, json=org, headers=staff)
    call("post", "/v1/admin/organisations", 409, json=org, headers=staff)
    call("post", "/v1/admin/organisations", 401, json=org)
    call("get", "/v1/admin/organisations", 200, headers=staff)
    lan = {
        "username": "lan",
        "display_name": "Nguyễn Thị Lan",
        "organisation": "hue",
        "role": "editor",
        "password": "một mật khẩu dài đủ",
    }
    call("post", "/v1/admin/accounts", 201, json=lan, headers=staff)
    call("post", "/v1/admin/accounts", 422, json={**lan, "role": "owner"}, headers=staff)
    call("get", "/v1/admin/accounts", 200, headers=staff)
    call("patch", "/v1/admin/accounts/lan", 200, json={"role": "editor"}, headers=staff)
    call("patch", "/v1/admin/accounts/nobody", 404, json={}, headers=staff)
    key = call("post", "/v1/admin/api-keys", 201, json={"name": "Huế Guide"}, headers=staff)
    call("get", "/v1/admin/api-keys", 200, headers=staff)
    call("delete", f"/v1/admin/api-keys/{key.json['id']}", 200, headers=staff)
    call("delete", "/v1/admin/api-keys/999999", 404, headers=staff)
    call("post", "/v1/admin/reindex", 202, headers=staff)
    category = {"code": "test-communal-house", "label": {"vi": "Đình làng"}}
    call("post", "/v1/admin/categories", 201, json=category, headers=staff)
    call("post", "/v1/admin/categories", 409, json=category, headers=staff)
    call("post", "/v1/session", 401, json={"username": "lan", "password": "wrong"})
    call("post", "/v1/session", 422, json={"username": "lan"})
    call("get", "/v1/session", 401)
    call("post", "/v1/session", 200, json={"username": "lan", "password": "một mật khẩu dài đủ"})
    call("get", "/v1/session", 200)
    call("delete", "/v1/session", 204)

    spec = api.client.get("/openapi.json").json
    operations = {(m, p) for p, item in spec["paths"].items() for m in item if m in METHODS}
    assert operations - api.covered == set(), "operations the tour never called"
