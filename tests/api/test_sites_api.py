"""The REST API's happy paths, on both databases."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import HUE_CENTRE, load_hue, site_record, zone_record
from tourism_api.catalogue import calendars

HUE_LAT, HUE_LON = HUE_CENTRE[1], HUE_CENTRE[0]


def test_create_read_update_publish_archive(client, staff):
    created = client.post("/v1/sites", json=site_record(), headers=staff)
    assert created.status_code == 201, created.json
    site = created.json
    assert created.headers["Location"] == f"/v1/sites/{site['id']}"
    assert site["status"] == "draft" and site["created_by"] == "Nguyễn Thị Lan"

    # Drafts are invisible to the public, visible to staff.
    assert client.get(f"/v1/sites/{site['id']}").status_code == 404
    assert client.get(f"/v1/sites/{site['id']}", headers=staff).status_code == 200

    etag = client.get(f"/v1/sites/{site['id']}", headers=staff).headers["ETag"]
    patched = client.patch(
        f"/v1/sites/{site['id']}",
        json={
            "name": {"fr": "Pagode de la Dame céleste"},
            "short_description": {"en": "A pagoda."},
        },
        headers={**staff, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["version"] == 2
    assert patched.json["name"]["fr"] == "Pagode de la Dame céleste"
    assert patched.json["name"]["vi"] == "Chùa Thiên Mụ"

    stale = client.patch(
        f"/v1/sites/{site['id']}", json={"admin_area": "Huế"}, headers={**staff, "If-Match": etag}
    )
    assert stale.status_code == 412 and stale.json["errors"]["version"]

    current = {**staff, "If-Match": patched.headers["ETag"]}
    unsaid = client.post(f"/v1/sites/{site['id']}/publish", headers=staff)
    assert unsaid.status_code == 428 and "If-Match" in unsaid.json["errors"]
    unreviewed = client.post(f"/v1/sites/{site['id']}/publish", headers=current)
    assert unreviewed.status_code == 409 and "review" in unreviewed.json["message"]
    submitted = client.post(f"/v1/sites/{site['id']}/submit", headers=current)
    assert submitted.json["status"] == "in_review"
    current = {**staff, "If-Match": submitted.headers["ETag"]}
    published = client.post(f"/v1/sites/{site['id']}/publish", headers=current)
    assert published.status_code == 200 and published.json["status"] == "published"
    public = client.get("/v1/sites/chua-thien-mu")
    assert public.status_code == 200
    assert "created_by" not in public.json  # staff names are not public
    assert public.headers["Cache-Control"].startswith("public")

    revisions = client.get(f"/v1/sites/{site['id']}/revisions", headers=staff)
    assert [r["action"] for r in revisions.json["items"]] == [
        "create",
        "update",
        "submit",
        "publish",
    ]
    assert revisions.json["items"][1]["changes"]["name"]["new"]["fr"] == "Pagode de la Dame céleste"

    current = {**staff, "If-Match": published.headers["ETag"]}
    archived = client.delete(f"/v1/sites/{site['id']}", headers=current)
    assert archived.status_code == 200 and archived.json["status"] == "archived"
    assert client.get(f"/v1/sites/{site['id']}").status_code == 404
    current = {**staff, "If-Match": archived.headers["ETag"]}
    restored = client.post(f"/v1/sites/{site['id']}/unpublish", headers=current)
    assert restored.json["status"] == "draft"


def test_nearby_query_json_and_geojson(client, catalogue):
    load_hue(catalogue)
    response = client.get(f"/v1/sites?lat={HUE_LAT}&lon={HUE_LON}&radius=2000")
    assert response.status_code == 200
    items = response.json["items"]
    assert [i["slug"] for i in items] == [
        "cau-truong-tien",
        "cho-dong-ba",
        "dai-noi",
        "kinh-thanh-hue",
    ]
    assert all(a["distance_m"] <= b["distance_m"] for a, b in zip(items, items[1:], strict=False))
    assert "description" not in items[0]  # lists carry summaries
    assert response.headers["Content-Type"] == "application/json"

    geo = client.get(
        f"/v1/sites?lat={HUE_LAT}&lon={HUE_LON}&radius=2000",
        headers={"Accept": "application/geo+json"},
    )
    assert geo.headers["Content-Type"] == "application/geo+json"
    collection = geo.json
    assert collection["type"] == "FeatureCollection" and collection["numberReturned"] == 4
    first = collection["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [107.5887, 16.468]}
    assert first["properties"]["distance_m"] == items[0]["distance_m"]
    by_param = client.get(f"/v1/sites?lat={HUE_LAT}&lon={HUE_LON}&radius=2000&f=geojson").json
    assert by_param["features"] == collection["features"]


def test_pagination_with_cursor_and_link_header(client, catalogue):
    load_hue(catalogue)
    first = client.get("/v1/sites?limit=4&sort=name")
    assert len(first.json["items"]) == 4
    next_url = first.json["links"]["next"]
    assert first.headers["Link"] == f'<{next_url}>; rel="next"'
    second = client.get(next_url)
    third = client.get(second.json["links"]["next"])
    names = [i["slug"] for page in (first, second, third) for i in page.json["items"]]
    assert len(names) == len(set(names)) == 9
    assert third.json["next_cursor"] is None


def test_filters_kind_category_bbox(client, catalogue):
    load_hue(catalogue)
    tombs = client.get("/v1/sites?kind=tomb&sort=name").json["items"]
    assert [t["slug"] for t in tombs] == ["lang-khai-dinh", "lang-minh-mang", "lang-tu-duc"]
    royal = client.get("/v1/sites?category=royal").json["items"]
    assert [r["slug"] for r in royal] == ["kinh-thanh-hue"]
    boxed = client.get("/v1/sites?bbox=107.54,16.44,107.56,16.46").json["items"]
    assert [b["slug"] for b in boxed] == ["chua-thien-mu"]


def test_status_filter_needs_staff(client, catalogue, staff):
    catalogue.create_site(site_record(), "t")
    assert client.get("/v1/sites?status=draft").status_code == 401
    drafts = client.get("/v1/sites?status=draft", headers=staff)
    assert [d["slug"] for d in drafts.json["items"]] == ["chua-thien-mu"]
    assert drafts.headers["Cache-Control"] == "private, no-store"
    assert client.get("/v1/sites").json["items"] == []


def test_zones_and_sites_inside(client, catalogue):
    ids = load_hue(catalogue)
    zones = client.get("/v1/zones?f=geojson").json
    assert [f["id"] for f in zones["features"]] == [ids["kinh-thanh-hue"]]
    assert zones["features"][0]["geometry"]["type"] == "Polygon"
    zone = client.get("/v1/zones/kinh-thanh-hue").json
    assert zone["footprint"]["type"] == "Polygon" and zone["is_zone"] is True
    inside = client.get("/v1/zones/kinh-thanh-hue/sites?sort=name").json["items"]
    assert [s["slug"] for s in inside] == ["cau-truong-tien", "cho-dong-ba", "dai-noi"]
    assert client.get("/v1/zones/dai-noi").status_code == 404
    assert client.get("/v1/zones/nowhere/sites").status_code == 404


def test_language_selection(client, catalogue):
    catalogue.create_site(zone_record(), "t", status="published")
    french = client.get("/v1/sites/kinh-thanh-hue", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.json["display"] == {
        "lang": "fr",
        "name": "Citadelle de Huế",
        "short_description": None,
        "short_description_lang": None,
    }
    assert french.headers["Content-Language"] == "fr"
    # A language the record lacks falls back along the catalogue's chain (vi, en, fr).
    german = client.get("/v1/sites/kinh-thanh-hue?lang=de")
    assert german.json["display"]["lang"] == "vi"
    assert client.get("/v1/sites/kinh-thanh-hue?lang=en").json["display"]["name"] == "Huế Citadel"


def test_accept_language_q_values_order_the_fallback(client, catalogue):
    record = site_record()
    record["name"] = {"vi": "Chùa Thiên Mụ", "en": "Thien Mu Pagoda"}
    record["short_description"] = {"vi": "Ngôi chùa cổ.", "fr": "Une pagode ancienne."}
    catalogue.create_site(record, "t", status="published")

    def display(accept):
        answer = client.get("/v1/sites/chua-thien-mu", headers={"Accept-Language": accept})
        return answer.json["display"], answer.headers["Content-Language"]

    # French first, English next: the name has no French, so English, not Vietnamese.
    shown, language = display("fr, en;q=0.8")
    assert shown == {
        "lang": "en",
        "name": "Thien Mu Pagoda",
        "short_description": "Une pagode ancienne.",
        "short_description_lang": "fr",
    }
    assert language == "en"
    # Order by q, not by position; q=0 refuses a language.
    shown, _ = display("vi;q=0.2, en;q=0.9, fr;q=0.5")
    assert (shown["lang"], shown["short_description_lang"]) == ("en", "fr")
    shown, _ = display("en;q=0, vi")
    assert (shown["lang"], shown["short_description_lang"]) == ("vi", "vi")


def test_conditional_get(client, catalogue):
    catalogue.create_site(site_record(), "t", status="published")
    first = client.get("/v1/sites/chua-thien-mu")
    again = client.get("/v1/sites/chua-thien-mu", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_opening_hours_round_trip_and_open_now(client, staff):
    hours = {
        "timezone": "Asia/Ho_Chi_Minh",
        "weekly": {
            d: [{"opens": "00:00", "closes": "24:00"}]
            for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        },
        "closures": [{"start": "2027-02-16", "end": "2027-02-18", "reason": {"vi": "Tết"}}],
    }
    created = client.post("/v1/sites", json=site_record(opening_hours=hours), headers=staff)
    assert created.status_code == 201, created.json
    assert created.json["opening_hours"]["closures"][0]["start"] == "2027-02-16"
    assert created.json["open_now"] is True


def test_osm_hours_with_lunar_closures_say_today_s_state(client, staff):
    hours = {
        "timezone": "Asia/Ho_Chi_Minh",
        "osm": "24/7",
        "closures": [{"lunar_start": "01-01", "lunar_end": "01-03", "reason": {"vi": "Tết"}}],
    }
    created = client.post("/v1/sites", json=site_record(opening_hours=hours), headers=staff)
    assert created.status_code == 201, created.json
    site = client.get(f"/v1/sites/{created.json['id']}", headers=staff).json
    assert site["opening_hours"]["osm"] == "24/7"
    # Open now unless this test runs during Tết; either way the next change is Tết's edge.
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    tets = [calendars.lunar_to_solar(y, 1, 1) for y in (today.year, today.year + 1)]
    in_tet = any(t <= today <= t + timedelta(days=2) for t in tets)
    assert site["hours_now"]["open"] is (not in_tet)
    assert site["open_now"] is (not in_tet)
    if not in_tet:
        next_tet = min(t for t in tets if t > today)
        assert site["hours_now"] == {
            "open": True,
            "next_change": f"{next_tet.isoformat()}T00:00:00+07:00",
            "closed_for": None,
        }
    # Lists leave the per-moment details out.
    listed = client.get("/v1/sites?status=any", headers=staff).json["items"]
    assert "hours_now" not in listed[0]


@pytest.mark.parametrize(
    ("hours", "where"),
    [
        ({"osm": "Tu-Su 07:00-17:00; Mox off"}, "osm"),
        (
            {"osm": "24/7", "closures": [{"start": "2027-01-01", "lunar_start": "01-01"}]},
            "closures",
        ),
        ({"osm": "24/7", "closures": [{"lunar_start": "13-01"}]}, "closures"),
        ({"osm": "24/7", "closures": [{"reason": {"vi": "Tết"}}]}, "closures"),
    ],
)
def test_bad_hours_are_a_422_that_says_where(client, staff, hours, where):
    answer = client.post("/v1/sites", json=site_record(opening_hours=hours), headers=staff)
    assert answer.status_code == 422
    assert where in str(answer.json["errors"]["opening_hours"])


def test_vocabularies_and_landing(client):
    links = client.get("/").json["links"]
    assert any(link["href"].endswith("/v1/sites") for link in links)
    kinds = {k["code"] for k in client.get("/v1/kinds").json["kinds"]}
    assert {"pagoda", "tomb", "museum", "heritage_zone"} <= kinds
    categories = {c["code"]: c for c in client.get("/v1/categories").json["items"]}
    assert categories["religious"]["parent"] == "cultural-heritage"
    health = client.get("/health").json
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["search"] == {"backend": "embedded", "ok": True, "pending_changes": 0}


@pytest.mark.parametrize("path", ["/v1/sites", "/v1/zones"])
def test_bad_token_is_refused_even_on_public_reads(client, path):
    response = client.get(path, headers={"Authorization": "Bearer tht_not-a-real-token"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_sites_carry_their_2025_unit_and_filter_by_old_names(client, catalogue):
    load_hue(catalogue)
    den_tran = site_record(
        "dai-noi",
        slug="den-tran",
        name={"vi": "Đền Trần"},
        kind="temple",
        location={"type": "Point", "coordinates": [106.1797, 20.4347]},
        address={"province": "Nam Định"},
    )
    catalogue.create_site(den_tran, "t", status="published")
    site = client.get("/v1/sites/den-tran").json
    assert site["province"] == {
        "code": "37",
        "name": "Ninh Bình",
        "ward_code": None,
        "ward": None,
        "found_by": "address",
    }
    hue = client.get("/v1/sites/dai-noi").json["province"]
    assert (hue["code"], hue["name"], hue["found_by"]) == ("46", "Thành phố Huế", "town")

    def slugs(path):
        answer = client.get(path)
        assert answer.status_code == 200, answer.json
        return [
            f["properties"]["slug"] if "properties" in f else f["slug"]
            for f in answer.json.get("items") or answer.json.get("features")
        ]

    assert slugs("/v1/sites?province=Nam Định") == ["den-tran"]
    assert slugs("/v1/sites?province=37") == ["den-tran"]
    assert "den-tran" not in slugs("/v1/sites?province=Thừa Thiên Huế&limit=100")
    assert slugs("/collections/sites/items?province=Nam%20%C4%90%E1%BB%8Bnh") == ["den-tran"]
    assert slugs("/collections/sites/items?filter=province%3D%2737%27") == ["den-tran"]
    unknown = client.get("/v1/sites?province=Atlantis")
    assert unknown.status_code == 422 and "province" in unknown.json["errors"]
