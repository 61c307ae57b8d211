"""OGC API - Features (Parts 1-3) on both databases: discovery, paging, bbox, datetime,
CRS (WGS 84, Web Mercator, VN-2000 TM-3) and CQL2, read by our client and by OWSLib and GDAL."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import quote

import numpy as np
import pytest
from pyproj import Transformer

from tourism_api.app import create_app
from tourism_api.catalogue import crs

from ..factories import HUE_SITES, load_hue
from ..http_server import serving

EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
TM3_HUE = EPSG.format(9214)  # VN-2000 / TM-3 107-00, the projection Huế's GIS office uses


@pytest.fixture
def hue(catalogue):
    ids = load_hue(catalogue)
    # One draft, which no OGC answer may show.
    draft = catalogue.create_site(
        {
            "slug": "nha-vuon-an-hien",
            "kind": "other",
            "name": {"vi": "Nhà vườn An Hiên"},
            "location": {"type": "Point", "coordinates": [107.57, 16.46]},
        },
        "test",
    )
    return {**ids, "draft": draft.id}


def all_features(client, url: str) -> tuple[list[dict], dict]:
    """Every feature behind url, following next links; and the first page."""
    first = page = client.get(url).json
    features = list(page["features"])
    while next_link := next((x for x in page["links"] if x["rel"] == "next"), None):
        page = client.get(next_link["href"].split("127.0.0.1", 1)[-1].split("localhost", 1)[-1])
        assert page.status_code == 200, page.json
        page = page.json
        features += page["features"]
    return features, first


def test_landing_conformance_and_collections(client, hue):
    landing = client.get("/").json
    rels = {link["rel"]: link for link in landing["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["href"].endswith("/openapi.json")
    conformance = client.get("/conformance").json["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    collections = client.get("/collections").json["collections"]
    assert [c["id"] for c in collections] == ["sites", "zones"]
    zones = client.get("/collections/zones").json
    assert zones["storageCrs"] == crs.CRS84 and TM3_HUE in zones["crs"]
    # The extent covers the published Huế records, zone included.
    min_lon, min_lat, max_lon, max_lat = zones["extent"]["spatial"]["bbox"][0]
    assert (min_lon, min_lat, max_lon, max_lat) == pytest.approx((107.565, 16.458, 107.592, 16.482))
    assert client.get("/collections/museums").status_code == 404
    html = client.get("/collections", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and "Heritage zones" in html.get_data(as_text=True)


def test_items_page_through_every_published_record(client, hue):
    features, first = all_features(client, "/collections/sites/items?limit=3")
    assert first["numberMatched"] == len(HUE_SITES) + 1  # the zone is a site too
    assert first["numberReturned"] == 3
    ids = [f["id"] for f in features]
    assert sorted(ids) == sorted(v for k, v in hue.items() if k != "draft")
    assert len(set(ids)) == len(ids)
    zones, first = all_features(client, "/collections/zones/items")
    assert [z["id"] for z in zones] == [hue["kinh-thanh-hue"]]
    assert zones[0]["geometry"]["type"] == "Polygon"
    one = client.get(f"/collections/sites/items/{hue['chua-thien-mu']}")
    assert one.status_code == 200 and one.mimetype == "application/geo+json"
    assert one.headers["Content-Crs"] == f"<{crs.CRS84}>"
    assert one.headers["Content-Language"] == "vi"
    assert {"self", "collection"} <= {link["rel"] for link in one.json["links"]}
    assert client.get(f"/collections/sites/items/{hue['draft']}").status_code == 404
    assert client.get(f"/collections/zones/items/{hue['dai-noi']}").status_code == 404


def test_prev_links_walk_back_through_the_same_pages(client, hue):
    def get(href):
        return client.get(href.split("localhost", 1)[-1]).json

    pages = [client.get("/collections/sites/items?limit=2").json]
    assert "prev" not in {link["rel"] for link in pages[0]["links"]}
    while nxt := next((x for x in pages[-1]["links"] if x["rel"] == "next"), None):
        pages.append(get(nxt["href"]))
    assert len(pages) == 5  # 9 sites, 2 a page
    back = [pages[-1]]
    while prev := next((x for x in back[-1]["links"] if x["rel"] == "prev"), None):
        back.append(get(prev["href"]))
    ids = [[f["id"] for f in page["features"]] for page in pages]
    assert [[f["id"] for f in page["features"]] for page in reversed(back)] == ids
    # Forward again from a page reached backward.
    middle = get(next(x for x in back[2]["links"] if x["rel"] == "next")["href"])
    assert [f["id"] for f in middle["features"]] == ids[3]


def test_unknown_and_invalid_parameters_are_400(client, hue):
    for query in (
        "foo=1",
        "limit=0",
        "limit=ten",
        "bbox=1,2,3",
        "bbox=0,100,1,101",
        "bbox=0,20,1,10",
        # An explicit CRS84 bbox-crs is checked like the default.
        "bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84&bbox=0,100,1,101",
        "bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84&bbox=200,0,201,1",
        "datetime=yesterday",
        "datetime=2025-02-01/2025-01-01",
        "crs=EPSG:2154",
        "bbox-crs=http://www.opengis.net/def/crs/EPSG/0/27700&bbox=1,2,3,4",
        "filter-lang=ecql&filter=kind='museum'",
    ):
        answer = client.get(f"/collections/sites/items?{query}")
        assert answer.status_code == 400, query
        assert answer.json["message"], query
    # limit above the maximum is clamped, not refused
    assert client.get("/collections/sites/items?limit=100000").status_code == 200


def test_bbox_in_crs84_epsg4326_and_vn2000_tm3_select_the_same_sites(client, hue):
    box = (107.56, 16.44, 107.60, 16.48)  # the citadel and Trường Tiền, not the tombs
    expected = {hue[s] for s in ("dai-noi", "cau-truong-tien", "cho-dong-ba", "kinh-thanh-hue")}

    def ids(query):
        return {f["id"] for f in all_features(client, f"/collections/sites/items?{query}")[0]}

    assert ids("bbox=" + ",".join(map(str, box))) == expected
    # EPSG:4326 is latitude first.
    lat_first = (box[1], box[0], box[3], box[2])
    assert ids(f"bbox-crs={EPSG.format(4326)}&bbox=" + ",".join(map(str, lat_first))) == expected
    to_tm3 = Transformer.from_crs("OGC:CRS84", "EPSG:9214", always_xy=False)
    west, south = to_tm3.transform(box[0], box[1])
    east, north = to_tm3.transform(box[2], box[3])
    # A slightly smaller box in TM-3 metres, so the curved edges cannot pick up a neighbour.
    tm3 = f"{west + 5},{south + 5},{east - 5},{north - 5}"
    assert ids(f"bbox-crs={quote(TM3_HUE)}&bbox={tm3}") == expected


def test_a_box_written_longitude_first_for_epsg4326_is_a_400(client, hue):
    # The Huế box in CRS84 order read as EPSG:4326 would put latitude at 107 degrees.
    answer = client.get(
        f"/collections/sites/items?bbox-crs={EPSG.format(4326)}&bbox=107.56,16.44,107.6,16.48"
    )
    assert answer.status_code == 400
    assert "bbox" in answer.json["errors"] and "latitude first" in answer.json["message"]
    upside_down = client.get(
        f"/collections/sites/items?bbox-crs={EPSG.format(4326)}&bbox=16.48,107.56,16.44,107.6"
    )
    assert upside_down.status_code == 400 and "lower latitude" in upside_down.json["message"]


def test_a_feature_a_projection_cannot_express_is_unlocated_not_a_failed_page(
    client, catalogue, hue
):
    # Near the equator 90 degrees west of UTM 48N's meridian: outside what the zone can map.
    far = catalogue.create_site(
        {
            "slug": "dja-faunal-reserve",
            "kind": "heritage_site",
            "name": {"en": "Dja Faunal Reserve"},
            "location": {"type": "Point", "coordinates": [13.0, 3.0]},
        },
        "test",
        status="published",
    ).id
    utm48 = EPSG.format(3405)
    features, _ = all_features(client, f"/collections/sites/items?crs={quote(utm48)}")
    by_id = {f["id"]: f for f in features}
    assert by_id[far]["geometry"] is None
    assert by_id[far]["properties"]["slug"] == "dja-faunal-reserve"
    easting, northing = by_id[hue["chua-thien-mu"]]["geometry"]["coordinates"]
    expected = Transformer.from_crs("OGC:CRS84", "EPSG:3405", always_xy=True).transform(
        *client.get(f"/collections/sites/items/{hue['chua-thien-mu']}").json["geometry"][
            "coordinates"
        ]
    )
    assert (easting, northing) == pytest.approx(expected, abs=0.01)
    one = client.get(f"/collections/sites/items/{far}?crs={quote(utm48)}")
    assert one.status_code == 200 and one.json["geometry"] is None


def test_crs_output_in_vn2000_tm3_round_trips_to_a_centimetre(client, hue):
    wgs84 = client.get(f"/collections/sites/items/{hue['chua-thien-mu']}").json["geometry"]
    tm3 = client.get(f"/collections/sites/items/{hue['chua-thien-mu']}?crs={quote(TM3_HUE)}")
    assert tm3.headers["Content-Crs"] == f"<{TM3_HUE}>"
    easting, northing = tm3.json["geometry"]["coordinates"]
    # An independent PROJ pipeline: WGS 84 -> VN-2000 (EPSG Helmert) -> TM-3 107-00.
    expected = Transformer.from_crs("EPSG:4326", "EPSG:9214", always_xy=True).transform(
        *wgs84["coordinates"]
    )
    assert (easting, northing) == pytest.approx(expected, abs=0.01)
    assert 540_000 < easting < 560_000 and 1_810_000 < northing < 1_830_000  # west of 107°E CM
    back = crs.transform_point(easting, northing, TM3_HUE, crs.CRS84)
    assert np.allclose(back, wgs84["coordinates"], atol=1e-7)  # 1e-7° is about a centimetre
    # The projection itself: VN-2000's origin on the central meridian maps to 500 000 m E.
    assert crs.transform_point(0.0, 107.0, EPSG.format(4756), TM3_HUE) == pytest.approx(
        (500_000.0, 0.0), abs=1e-6
    )
    lat_first = client.get(
        f"/collections/sites/items/{hue['chua-thien-mu']}?crs={quote(EPSG.format(4326))}"
    ).json["geometry"]["coordinates"]
    assert lat_first == pytest.approx(wgs84["coordinates"][::-1])


def test_datetime_selects_by_last_change(client, catalogue, hue):
    everything, first = all_features(client, "/collections/sites/items")
    stamp = max(f["properties"]["updated_at"] for f in everything)
    site = catalogue.get_site(hue["lang-tu-duc"])
    catalogue.update_site(
        site.id, {"aliases": ["Khiêm Lăng"]}, "test", expected_version=site.version
    )
    after = all_features(client, f"/collections/sites/items?datetime={stamp}/..")[0]
    assert hue["lang-tu-duc"] in {f["id"] for f in after}
    before = all_features(client, f"/collections/sites/items?datetime=../{stamp}")[0]
    assert hue["lang-tu-duc"] not in {f["id"] for f in before}
    assert len(before) == len(everything) - 1


CQL2_CASES = [
    # (cql2-text, slugs expected)
    ("kind = 'tomb'", {"lang-tu-duc", "lang-minh-mang", "lang-khai-dinh"}),
    ("name = 'chua thien mu'", {"chua-thien-mu"}),  # folded, as a tourist types it
    (
        "name LIKE 'Lăng%' AND NOT kind = 'pagoda'",
        {"lang-tu-duc", "lang-minh-mang", "lang-khai-dinh"},
    ),
    ("kind IN ('market', 'monument')", {"cau-truong-tien", "cho-dong-ba"}),
    ("category = 'royal'", {"kinh-thanh-hue"}),
    (
        "S_INTERSECTS(geometry, POLYGON((107.57 16.46, 107.585 16.46, 107.585 16.48, "
        "107.57 16.48, 107.57 16.46)))",
        {"dai-noi", "kinh-thanh-hue"},
    ),
    ("S_INTERSECTS(geometry, BBOX(108, 15, 109, 16))", {"pho-co-hoi-an"}),
    ("updated_at > TIMESTAMP('2000-01-01T00:00:00Z') AND slug = 'dai-noi'", {"dai-noi"}),
]


@pytest.mark.parametrize(("text", "slugs"), CQL2_CASES, ids=[c[0][:40] for c in CQL2_CASES])
def test_cql2_text_filters(client, hue, text, slugs):
    found = all_features(client, f"/collections/sites/items?filter={quote(text)}")[0]
    assert {f["properties"]["slug"] for f in found} == slugs


def test_cql2_json_and_filter_crs(client, hue):
    expression = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "kind"}, "tomb"]},
            {"op": "<", "args": [{"property": "slug"}, "lang-m"]},
        ],
    }
    found = all_features(
        client,
        f"/collections/sites/items?filter-lang=cql2-json&filter={quote(json.dumps(expression))}",
    )[0]
    assert {f["properties"]["slug"] for f in found} == {"lang-khai-dinh"}
    # A polygon in TM-3 metres around Đại Nội only (the citadel zone is located there too).
    to_tm3 = Transformer.from_crs("OGC:CRS84", "EPSG:9214", always_xy=True)
    corners = [to_tm3.transform(x, y) for x, y in ((107.575, 16.466), (107.582, 16.473))]
    (x0, y0), (x1, y1) = corners
    polygon = f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"
    found = all_features(
        client,
        f"/collections/sites/items?filter-crs={quote(TM3_HUE)}"
        f"&filter={quote(f'S_WITHIN(geometry, {polygon})')}",
    )[0]
    assert {f["properties"]["slug"] for f in found} == {"dai-noi", "kinh-thanh-hue"}


def test_bad_cql2_is_a_400_that_says_where(client, hue):
    answer = client.get("/collections/sites/items?filter=" + quote("kind = 'tomb' AND"))
    assert answer.status_code == 400
    assert "column 18" in answer.json["message"]
    unknown = client.get("/collections/sites/items?filter=" + quote("colour = 'red'"))
    assert unknown.status_code == 400 and "colour" in unknown.json["message"]
    broken_json = client.get("/collections/sites/items?filter-lang=cql2-json&filter=%7B%22op%22")
    assert broken_json.status_code == 400 and "column" in broken_json.json["message"]
    queryables = client.get("/collections/sites/queryables")
    assert queryables.mimetype == "application/schema+json"
    assert {"kind", "name", "geometry", "updated_at"} <= set(queryables.json["properties"])


@pytest.fixture
def served(settings, hue):
    with serving(create_app(settings)) as url:
        yield url


def test_owslib_reads_every_collection(served, hue):
    from owslib.ogcapi.features import Features

    service = Features(served)
    assert {c["id"] for c in service.collections()["collections"]} == {"sites", "zones"}
    sites = service.collection_items("sites", limit=1000)
    assert sites["numberMatched"] == len(sites["features"]) == len(HUE_SITES) + 1
    zones = service.collection_items("zones")
    assert [f["id"] for f in zones["features"]] == [hue["kinh-thanh-hue"]]
    boxed = service.collection_items("sites", bbox=[108, 15, 109, 16])
    assert [f["properties"]["slug"] for f in boxed["features"]] == ["pho-co-hoi-an"]
    filtered = service.collection_items("sites", filter="kind = 'tomb'")
    assert filtered["numberMatched"] == 3


GDAL_READ = """
import json, sys
from pyogrio.raw import read
url, layer, bbox, where = sys.argv[1:]
meta, _fids, geometry, fields = read(
    url, layer=layer, bbox=tuple(json.loads(bbox)) or None, where=where or None
)
names = meta["fields"].tolist()
print(json.dumps({"count": len(geometry), "slugs": sorted(fields[names.index("slug")].tolist())}))
"""


def gdal_read(url: str, layer: str, bbox=None, where: str = "") -> dict:
    """GDAL's OAPIF driver in a child process: pyogrio holds the GIL while it reads, which
    would starve the server thread answering it."""
    done = subprocess.run(
        [sys.executable, "-c", GDAL_READ, f"OAPIF:{url}", layer, json.dumps(bbox or []), where],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_gdal_reads_every_collection(served, hue):
    sites = gdal_read(served, "sites")
    assert sites["slugs"] == sorted([s[0] for s in HUE_SITES] + ["kinh-thanh-hue"])
    assert gdal_read(served, "zones")["slugs"] == ["kinh-thanh-hue"]
    assert gdal_read(served, "sites", bbox=[108, 15, 109, 16])["slugs"] == ["pho-co-hoi-an"]
    # GDAL turns its attribute filter into CQL2 for the server.
    assert gdal_read(served, "sites", where="kind = 'tomb'")["count"] == 3
