"""schema.org JSON-LD for sites, checked by expanding it with pyld (the JSON-LD processor) and
reading the expanded graph, as a linked-data client would."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from pyld import jsonld

from tests.factories import site_record, zone_record
from tests.media.helpers import photo, post_photo
from tourism_api.catalogue import calendars

SDO = "https://schema.org/"


def _offline_loader(url, options=None):
    """schema.org's context, reduced to what the documents here rely on: every term is in the
    schema.org vocabulary (the real context says the same for these terms; the test machine is
    offline)."""
    assert url.rstrip("/") == "https://schema.org", url
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": SDO}},
    }


def expand(document: dict) -> dict:
    (node,) = jsonld.expand(document, {"documentLoader": _offline_loader})
    return node


def values(node: dict, term: str) -> list:
    return node.get(SDO + term, [])


@pytest.fixture
def pagoda(client, staff, catalogue):
    record = site_record(
        name={"vi": "Chùa Thiên Mụ", "en": "Thien Mu Pagoda", "fr": "Pagode de la Dame céleste"},
        aliases=["Linh Mụ"],
        short_description={
            "vi": "Ngôi chùa cổ bên sông Hương",
            "en": "Old pagoda on the Perfume River",
        },
        address={"street": "Kim Long", "province": "Huế", "country": "VN"},
        opening_hours={
            "timezone": "Asia/Ho_Chi_Minh",
            "weekly": {day: [{"opens": "07:00", "closes": "17:30"}] for day in ("mon", "sat")},
            "closures": [{"start": "2027-02-16", "end": "2027-02-18", "reason": {"en": "Tết"}}],
        },
        admission={"free": True},
        accessibility={"wheelchair": "limited"},
        contact={"phone": "+84 234 3521 000", "website": "https://thienmu.example.vn/"},
    )
    site = catalogue.create_site(record, "test", status="published")
    post_photo(
        client,
        staff,
        site.id,
        photo("landscape_3.jpg"),
        licence="CC-BY-SA-4.0",
        creator="Lê Thị Hoa",
        **{"caption.vi": "Tháp Phước Duyên"},
    )
    return site


def test_site_as_schema_org_expands_with_types_and_properties(client, pagoda):
    answer = client.get(f"/v1/sites/{pagoda.id}?f=jsonld")
    assert answer.status_code == 200 and answer.mimetype == "application/ld+json"
    assert set(answer.headers["Content-Language"].split(", ")) == {"vi", "en", "fr"}
    node = expand(answer.json)
    assert node["@id"].endswith(f"/v1/sites/{pagoda.id}")
    assert {SDO + "TouristAttraction", SDO + "BuddhistTemple"} <= set(node["@type"])
    names = {(v["@language"], v["@value"]) for v in values(node, "name")}
    assert names == {
        ("vi", "Chùa Thiên Mụ"),
        ("en", "Thien Mu Pagoda"),
        ("fr", "Pagode de la Dame céleste"),
    }
    (geo,) = values(node, "geo")
    assert values(geo, "latitude")[0]["@value"] == pytest.approx(16.4531)
    assert values(geo, "longitude")[0]["@value"] == pytest.approx(107.5446)
    (address,) = values(node, "address")
    assert values(address, "addressRegion")[0]["@value"] == "Huế"
    days = {values(h, "dayOfWeek")[0]["@value"] for h in values(node, "openingHoursSpecification")}
    assert days == {SDO + "Monday", SDO + "Saturday"}
    (closure,) = values(node, "specialOpeningHoursSpecification")
    assert values(closure, "validFrom")[0]["@value"] == "2027-02-16"
    assert (
        values(closure, "opens")[0]["@value"] == values(closure, "closes")[0]["@value"] == "00:00"
    )
    assert values(node, "isAccessibleForFree")[0]["@value"] is True
    (feature,) = values(node, "amenityFeature")
    assert values(feature, "value")[0]["@value"] == "limited"
    (image,) = values(node, "image")
    assert values(image, "license")[0]["@value"] == "http://creativecommons.org/licenses/by-sa/4.0/"
    (creator,) = values(image, "creator")
    assert values(creator, "name")[0]["@value"] == "Lê Thị Hoa"
    assert values(image, "caption")[0] == {"@value": "Tháp Phước Duyên", "@language": "vi"}
    assert values(node, "sameAs")[0]["@value"] == "https://thienmu.example.vn/"


def test_json_ld_by_accept_header_in_ogc_items_and_in_html(client, pagoda):
    by_accept = client.get(f"/v1/sites/{pagoda.id}", headers={"Accept": "application/ld+json"})
    assert by_accept.mimetype == "application/ld+json"
    ogc = client.get(f"/collections/sites/items/{pagoda.id}?f=jsonld")
    assert ogc.mimetype == "application/ld+json" and ogc.json == by_accept.json
    page = client.get(f"/collections/sites/items/{pagoda.id}?f=html").get_data(as_text=True)
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(embedded.group(1)) == by_accept.json
    # Lists have no JSON-LD form.
    assert client.get("/v1/sites?f=jsonld").status_code == 422


@pytest.mark.parametrize(
    ("kind", "specific"),
    [("museum", "Museum"), ("tomb", "LandmarksOrHistoricalBuildings"), ("protected_area", "Park")],
)
def test_each_kind_gets_its_schema_org_type(client, catalogue, kind, specific):
    site = catalogue.create_site(site_record("dai-noi", kind=kind), "test", status="published")
    node = expand(client.get(f"/v1/sites/{site.id}?f=jsonld").json)
    assert set(node["@type"]) == {SDO + "TouristAttraction", SDO + specific}


def test_a_zone_has_its_outline_as_a_geo_shape(client, catalogue):
    zone = catalogue.create_site(zone_record(), "test", status="published")
    node = expand(client.get(f"/v1/zones/{zone.id}?f=jsonld").json)
    shapes = [g for g in values(node, "geo") if SDO + "GeoShape" in g.get("@type", [])]
    polygon = values(shapes[0], "polygon")[0]["@value"].split()
    assert polygon[:2] == ["16.458", "107.565"]  # latitude first, as schema.org writes it
    assert len(polygon) == 10


def test_osm_hours_and_lunar_closures(client, catalogue):
    hours = {
        "timezone": "Asia/Ho_Chi_Minh",
        "osm": "Tu-Su 07:00-17:00; Mo off; PH off",
        "closures": [{"lunar_start": "01-01", "lunar_end": "01-03", "reason": {"vi": "Tết"}}],
    }
    site = catalogue.create_site(site_record(opening_hours=hours), "test", status="published")
    node = expand(client.get(f"/v1/sites/{site.id}?f=jsonld").json)
    assert values(node, "openingHours")[0]["@value"] == "Tu-Su 07:00-17:00; Mo off; PH off"
    specials = values(node, "specialOpeningHoursSpecification")
    today = date.today()
    tets = [calendars.lunar_to_solar(y, 1, 1) for y in (today.year, today.year + 1)]
    expected = [t.isoformat() for t in tets if t + timedelta(days=2) >= today]
    assert [values(s, "validFrom")[0]["@value"] for s in specials] == expected
    assert values(specials[0], "description")[0] == {"@value": "Tết", "@language": "vi"}


def test_upcoming_events_are_schema_org_events(client, catalogue):
    festival = {
        "id": "le-khai-an",
        "name": {"vi": "Lễ khai ấn", "en": "Seal-opening festival"},
        "calendar": "lunar",
        "recurrence": "yearly",
        "month": 1,
        "day": 14,
        "days": 2,
    }
    site = catalogue.create_site(site_record(events=[festival]), "test", status="published")
    node = expand(client.get(f"/v1/sites/{site.id}?f=jsonld").json)
    (event,) = values(node, "event")
    assert event["@type"] == [SDO + "Event"]
    start = date.fromisoformat(values(event, "startDate")[0]["@value"])
    lunar = calendars.solar_to_lunar(start)
    assert (lunar.month, lunar.day) == (1, 14) and start >= date.today() - timedelta(days=1)
    assert {"@value": "Lễ khai ấn", "@language": "vi"} in values(event, "name")
    assert values(event, "location")[0]["@id"] == node["@id"]
