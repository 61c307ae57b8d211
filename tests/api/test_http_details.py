"""HTTP details app developers rely on: compression, cacheable API document, the language of
each record, and polygons wound as RFC 7946 says."""

from __future__ import annotations

import gzip
import json

import brotli
from shapely.geometry import shape

from tests.factories import load_hue, zone_record


def test_lists_are_compressed_with_brotli_or_gzip_and_stay_cacheable(client, catalogue):
    load_hue(catalogue)
    plain = client.get("/v1/sites?limit=20")
    assert "Content-Encoding" not in plain.headers
    br = client.get("/v1/sites?limit=20", headers={"Accept-Encoding": "br, gzip"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.data) == plain.data
    assert len(br.data) < len(plain.data) / 3
    assert "Accept-Encoding" in br.headers["Vary"]
    gz = client.get("/collections/sites/items", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(gz.data))["type"] == "FeatureCollection"
    again = client.get(
        "/v1/sites?limit=20",
        headers={"Accept-Encoding": "br, gzip", "If-None-Match": br.headers["ETag"]},
    )
    assert again.status_code == 304


def test_openapi_document_has_an_etag_and_is_public(client):
    first = client.get("/openapi.json")
    assert first.headers["ETag"] and first.headers["Cache-Control"].startswith("public")
    assert (
        client.get("/openapi.json", headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )


def test_every_single_record_answer_says_its_language(client, catalogue):
    ids = load_hue(catalogue)
    site, zone = ids["chua-thien-mu"], ids["kinh-thanh-hue"]
    for url, expected in (
        (f"/v1/sites/{site}", "vi"),
        (f"/v1/sites/{site}?lang=en", "en"),
        (f"/v1/zones/{zone}?lang=fr", "fr"),
        (f"/collections/sites/items/{site}?lang=en", "en"),
        (f"/collections/zones/items/{zone}?lang=fr", "fr"),
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["Content-Language"] == expected, url
    assert (
        client.get(f"/v1/sites/{site}", headers={"Accept-Language": "fr, en;q=0.5"}).headers[
            "Content-Language"
        ]
        == "en"
    )  # Thiên Mụ has no French name: English is the next choice


def test_polygons_are_counter_clockwise_on_output(client, catalogue):
    clockwise = {
        "type": "Polygon",
        "coordinates": [
            [
                [107.565, 16.458],
                [107.565, 16.482],
                [107.592, 16.482],
                [107.592, 16.458],
                [107.565, 16.458],
            ],
            # a hole wound counter-clockwise, which must come out clockwise
            [
                [107.57, 16.46],
                [107.575, 16.46],
                [107.575, 16.465],
                [107.57, 16.465],
                [107.57, 16.46],
            ],
        ],
    }
    assert not shape(clockwise).exterior.is_ccw
    zone = catalogue.create_site(zone_record(footprint=clockwise), "test", status="published")
    for url, path in (
        (f"/v1/zones/{zone.id}", ("footprint",)),
        (f"/v1/zones/{zone.id}?f=geojson", ("geometry",)),
        (f"/collections/zones/items/{zone.id}", ("geometry",)),
    ):
        geometry = client.get(url).json
        for key in path:
            geometry = geometry[key]
        polygon = shape(geometry)
        assert polygon.exterior.is_ccw, url
        assert not polygon.interiors[0].is_ccw, url
        assert polygon.equals(shape(clockwise)), url


def test_web_maps_on_other_sites_may_read_the_ogc_api_and_tiles(client, catalogue):
    load_hue(catalogue)
    origin = {"Origin": "https://app.example.vn"}
    for url in (
        "/",
        "/collections/sites/items?limit=1",
        "/collections/sites/tiles/WebMercatorQuad/tilejson.json",
        "/collections/sites/tiles/WebMercatorQuad/0/0/0",
        "/v1/changes",
        "/v1/export?format=csv",
    ):
        answer = client.get(url, headers=origin)
        assert answer.headers.get("Access-Control-Allow-Origin") == "*", url
    items = client.get("/collections/sites/items?limit=1", headers=origin)
    assert "Content-Crs" in items.headers["Access-Control-Expose-Headers"]
