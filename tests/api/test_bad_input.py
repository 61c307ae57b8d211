"""Bad input gets a 4xx naming the field and the reason, and writes nothing."""

import json

import pytest
from sqlalchemy import func, select

from tests.factories import site_record
from tourism_api.catalogue.models import OutboxEvent, Revision, Site


def nothing_written(services):
    with services.sessions() as session:
        return all(
            session.scalar(select(func.count()).select_from(m)) == 0
            for m in (Site, Revision, OutboxEvent)
        )


def point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


def square(ring):
    return {"type": "Polygon", "coordinates": [ring]}


BAD_RECORDS = [
    ("lat over 90", {"location": point(107.59, 91)}, "location", "latitude 91"),
    ("swapped", {"location": point(16.4637, 107.5909)}, "location", "swapped"),
    ("lon over 180", {"location": point(181, 16)}, "location", "longitude"),
    ("string coordinate", {"location": point("107", 16)}, "location", "numbers"),
    (
        "not a point",
        {"location": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}},
        "location",
        "Point",
    ),
    (
        "self-intersecting polygon",
        {
            "footprint": square(
                [
                    [107.56, 16.45],
                    [107.59, 16.48],
                    [107.59, 16.45],
                    [107.56, 16.48],
                    [107.56, 16.45],
                ]
            )
        },
        "footprint",
        "Self-intersection",
    ),
    (
        "unclosed ring",
        {"footprint": square([[107.56, 16.45], [107.59, 16.45], [107.59, 16.48], [107.56, 16.48]])},
        "footprint",
        "not closed",
    ),
    ("unknown language", {"name": {"vi": "Chùa", "de": "Pagode"}}, "name", "Unknown language"),
    ("not a language", {"name": {"Vietnamese": "Chùa"}}, "name", "language tag"),
    ("empty name", {"name": {}}, "name", "at least one language"),
    ("oversized name", {"name": {"vi": "Chùa " * 100}}, "name", "Longer than 300"),
    (
        "oversized description",
        {"description": {"en": "x" * 20_001}},
        "description",
        "Longer than 20000",
    ),
    ("unknown field", {"colour": "red"}, "colour", "Unknown field"),
    ("unknown kind", {"kind": "castle"}, "kind", "Must be one of"),
    ("bad slug", {"slug": "Chùa Thiên Mụ"}, "slug", "hyphens"),
    ("unknown category", {"categories": ["nope"]}, "categories", "Unknown category"),
    (
        "bad time zone",
        {"opening_hours": {"timezone": "Mars/Olympus", "weekly": {}}},
        "opening_hours",
        "time zone",
    ),
    (
        "bad hours",
        {"opening_hours": {"weekly": {"mon": [{"opens": "25:00", "closes": "17:00"}]}}},
        "opening_hours",
        "HH:MM",
    ),
    ("bad website", {"contact": {"website": "javascript:alert(1)"}}, "contact", "URL"),
    (
        "bad designation",
        {"designations": [{"type": "world_wonder"}]},
        "designations",
        "Must be one of",
    ),
]


@pytest.mark.parametrize(
    ("label", "change", "field", "reason"), BAD_RECORDS, ids=[b[0] for b in BAD_RECORDS]
)
def test_bad_record_is_refused_with_field_and_reason(
    client, staff, services, label, change, field, reason
):
    response = client.post("/v1/sites", json=site_record(**change), headers=staff)
    assert response.status_code == 422, response.json
    body = response.json
    assert body["code"] == 422 and body["status"] == "Unprocessable Entity" and body["message"]
    assert field in body["errors"]
    assert reason in json.dumps(body["errors"][field], ensure_ascii=False)
    assert nothing_written(services)


def test_missing_required_fields(client, staff, services):
    response = client.post("/v1/sites", json={"kind": "pagoda"}, headers=staff)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"name", "location"}
    assert nothing_written(services)


def test_nan_in_json_is_refused(client, staff, services):
    body = json.dumps(site_record()).replace("107.5446", "NaN")
    response = client.post(
        "/v1/sites", data=body, headers={**staff, "Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.json["code"] == response.status_code
    assert nothing_written(services)


def test_malformed_json(client, staff, services):
    response = client.post(
        "/v1/sites",
        data='{"kind": "pagoda", ',
        headers={**staff, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json["errors"] == {"body": ["Malformed JSON or empty body."]}
    assert nothing_written(services)


@pytest.mark.parametrize("body", ["[1, 2]", '"a string"'])
def test_json_that_is_not_an_object(client, staff, body):
    response = client.post(
        "/v1/sites", data=body, headers={**staff, "Content-Type": "application/json"}
    )
    assert response.status_code == 422 and "body" in response.json["errors"]


def test_wrong_content_type(client, staff, services):
    response = client.post(
        "/v1/sites",
        data="kind=pagoda",
        headers={**staff, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert "Content-Type" in response.json["errors"]
    assert nothing_written(services)


def test_oversized_body(client, staff, services):
    body = json.dumps(site_record(description={"en": "x" * 3_000_000}))
    response = client.post(
        "/v1/sites", data=body, headers={**staff, "Content-Type": "application/json"}
    )
    assert response.status_code == 413 and response.json["code"] == 413
    assert nothing_written(services)


def test_writes_need_a_staff_token(client, services):
    assert client.post("/v1/sites", json=site_record()).status_code == 401
    assert client.patch("/v1/sites/x", json={}).status_code == 401
    assert client.delete("/v1/sites/x").status_code == 401
    assert client.post("/v1/sites/x/publish").status_code == 401
    assert client.get("/v1/sites/x/revisions").status_code == 401
    assert nothing_written(services)


def test_bad_patch_changes_nothing(client, staff, catalogue, services):
    site = catalogue.create_site(site_record(), "t")
    staff = {**staff, "If-Match": client.get(f"/v1/sites/{site.id}", headers=staff).headers["ETag"]}
    response = client.patch(
        f"/v1/sites/{site.id}", json={"location": {"coordinates": [107.59, 95]}}, headers=staff
    )
    assert response.status_code == 422 and "location" in response.json["errors"]
    unchanged = catalogue.get_site(site.id, include_unpublished=True)
    assert unchanged.version == 1
    assert [r.version for r in catalogue.revisions(site.id)] == [1]
    removed = client.patch(f"/v1/sites/{site.id}", json={"name": None}, headers=staff)
    assert removed.status_code == 422 and "name" in removed.json["errors"]


BAD_QUERIES = [
    ("lat=91&lon=107", "lat"),
    ("lat=nan&lon=107", "lat"),
    ("lat=16&lon=-200", "lon"),
    ("lat=16", "lon"),
    ("radius=500", "radius"),
    ("lat=16.46&lon=107.59&radius=0", "radius"),
    ("lat=16.46&lon=107.59&radius=10000000", "radius"),
    ("lat=16.46&lon=107.59&radius=-5", "radius"),
    ("limit=101", "limit"),
    ("limit=0", "limit"),
    ("limit=ten", "limit"),
    ("bbox=1,2,3", "bbox"),
    ("bbox=107,17,108,16", "bbox"),
    ("bbox=a,b,c,d", "bbox"),
    ("kind=castle", "kind"),
    ("sort=distance", "sort"),
    ("sort=random", "sort"),
    ("f=xml", "f"),
    ("cursor=garbage", "cursor"),
    ("lng=107", "lng"),
]


@pytest.mark.parametrize(("query", "field"), BAD_QUERIES, ids=[q for q, _ in BAD_QUERIES])
def test_bad_query_parameters(client, query, field):
    response = client.get(f"/v1/sites?{query}")
    assert 400 <= response.status_code < 500, response.json
    assert response.json["code"] == response.status_code
    assert field in response.json["errors"], response.json


def test_unknown_site_and_method(client):
    missing = client.get("/v1/sites/does-not-exist")
    assert missing.status_code == 404 and missing.json["status"] == "Not Found"
    wrong = client.put("/v1/sites", json={})
    assert wrong.status_code == 405 and wrong.json["code"] == 405
    assert client.get("/v2/sites").json["code"] == 404
