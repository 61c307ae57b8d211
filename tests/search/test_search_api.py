"""/v1/search, /v1/suggest and search-backed lists, on both search backends."""

from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from tests.factories import HUE_CENTRE, load_hue, site_record

LAT, LON = HUE_CENTRE[1], HUE_CENTRE[0]


@pytest.fixture
def client(search_client, search_services):
    load_hue(search_services.catalogue)
    search_services.search.refresh()
    return search_client


def test_search_text_with_facets_and_highlight(client):
    response = client.get("/v1/search?q=CHUA%20THIEN%20MU&facets=true")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["items"][0]["slug"] == "chua-thien-mu"
    assert body["items"][0]["highlight"]["name"][0] == "<em>Chùa</em> <em>Thiên</em> <em>Mụ</em>"
    assert body["facets"]["kind"] == {"pagoda": 1} and body["total"] == 1
    assert body["items"][0]["display"]["name"] == "Chùa Thiên Mụ"


def test_search_near_with_geojson(client):
    response = client.get(f"/v1/search?lat={LAT}&lon={LON}&radius=2000&f=geojson")
    assert response.headers["Content-Type"] == "application/geo+json"
    features = response.json["features"]
    assert [f["properties"]["slug"] for f in features] == [
        "cau-truong-tien",
        "cho-dong-ba",
        "dai-noi",
        "kinh-thanh-hue",
    ]
    assert all(f["properties"]["distance_m"] <= 2000 for f in features)


def test_search_inside_a_zone(client):
    inside = client.get("/v1/search?zone=kinh-thanh-hue&sort=name").json["items"]
    assert [s["slug"] for s in inside] == [
        "cau-truong-tien",
        "cho-dong-ba",
        "dai-noi",
        "kinh-thanh-hue",
    ]
    assert client.get("/v1/search?zone=dai-noi").status_code == 422


def test_public_list_with_text_or_distance_uses_the_index(client, search_services):
    by_text = client.get("/v1/sites?q=lang&sort=name").json
    assert [s["slug"] for s in by_text["items"]] == [
        "lang-khai-dinh",
        "lang-minh-mang",
        "lang-tu-duc",
    ]
    assert by_text["total"] == 3
    near = client.get(f"/v1/sites?lat={LAT}&lon={LON}&radius=5000").json
    assert near["items"][0]["slug"] == "cau-truong-tien" and "distance_m" in near["items"][0]


def test_search_pagination_links(client):
    first = client.get("/v1/search?sort=name&limit=4")
    second = client.get(first.json["links"]["next"])
    third = client.get(second.json["links"]["next"])
    slugs = [s["slug"] for page in (first, second, third) for s in page.json["items"]]
    assert len(slugs) == len(set(slugs)) == 9 and third.json["next_cursor"] is None


def test_suggest(client):
    response = client.get("/v1/suggest?q=thien%20m&lang=en")
    assert response.json["items"][0]["slug"] == "chua-thien-mu"
    assert response.json["items"][0]["name"] == "Thien Mu Pagoda"
    assert client.get("/v1/suggest?q=lang").json["items"][0]["kind"] == "tomb"


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 10_000,
        "radius=100",
        "sort=distance",
        "bbox=107,17,108,16",
        "cursor=%22%27%3B--",
        "limit=500",
        "designation=world_wonder",
        "facets=maybe",
    ],
)
def test_bad_search_parameters_get_a_4xx(client, query):
    response = client.get(f"/v1/search?{query}")
    assert 400 <= response.status_code < 500
    assert response.json["errors"]


@pytest.mark.parametrize(
    "q", ['"', "*", ":", "(", "\\", "OR", '"unbalanced', "🏯🏯", "Huế 寺 🏯", "", "  "]
)
def test_syntax_characters_never_cause_a_500(client, q):
    response = client.get("/v1/search", query_string={"q": q})
    assert response.status_code == 200
    assert "items" in response.json


def test_bbox_across_the_antimeridian_is_answered(client):
    assert client.get("/v1/search?bbox=170,-20,-170,-10").json["items"] == []


def test_open_now_open_at_wheelchair_and_free(client, search_services, staff_headers_for):
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    always = {"timezone": "Asia/Ho_Chi_Minh", "osm": "24/7"}
    never = {"timezone": "Asia/Ho_Chi_Minh", "osm": "off"}
    for slug, hours, free in (("mo-cua", always, True), ("dong-cua", never, False)):
        search_services.catalogue.create_site(
            site_record(
                "dai-noi",
                slug=slug,
                name={"vi": slug},
                opening_hours=hours,
                admission={"free": free},
                accessibility={"wheelchair": "yes"},
            ),
            "t",
            status="published",
        )
    search_services.search.refresh()

    def slugs(path):
        answer = client.get(path)
        assert answer.status_code == 200, answer.json
        return [s["slug"] for s in answer.json["items"]]

    assert slugs("/v1/sites?open_now=true") == ["mo-cua"]
    assert slugs("/v1/search?open_now=true&q=mo cua") == ["mo-cua"]
    tomorrow = (datetime.now(zone) + timedelta(days=1)).replace(microsecond=0).isoformat()
    assert slugs(f"/v1/sites?open_at={quote(tomorrow)}") == ["mo-cua"]
    assert slugs("/v1/sites?wheelchair=true&sort=name") == ["dong-cua", "mo-cua"]
    assert slugs("/v1/sites?free=false") == ["dong-cua"]
    # Beyond the days the index knows, without a zone, or with open_now: a 422 that says so.
    far = (datetime.now(zone) + timedelta(days=30)).isoformat()
    for bad, field in (
        (f"open_at={quote(far)}", "open_at"),
        ("open_at=2027-02-06T10:00:00", "open_at"),
        (f"open_now=true&open_at={quote(tomorrow)}", "open_at"),
    ):
        answer = client.get(f"/v1/sites?{bad}")
        assert answer.status_code in (400, 422) and field in answer.json["errors"], bad
    # Staff lists read the catalogue, which keeps the same intervals.
    staff = staff_headers_for(search_services)
    answer = client.get("/v1/sites?open_now=true&status=any", headers=staff)
    assert [s["slug"] for s in answer.json["items"]] == ["mo-cua"]
