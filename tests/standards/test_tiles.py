"""Vector tiles (OGC API - Tiles, WebMercatorQuad) on both databases: ST_AsMVT on PostGIS and
mapbox-vector-tile on SpatiaLite give the same features, thinned at low zoom, cached by the
catalogue's version."""

from __future__ import annotations

import dataclasses
import math
import re

import mapbox_vector_tile
import pytest
from shapely.geometry import shape
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.factories import load_hue, site_record
from tourism_api.app import create_app
from tourism_api.catalogue.tiles import Tile, TileRenderer
from tourism_api.db import transaction

TILES = "/collections/{}/tiles/WebMercatorQuad"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def decode(client, collection: str, z: int, x: int, y: int, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    answer = client.get(f"{TILES.format(collection)}/{z}/{y}/{x}?{query}")
    assert answer.status_code in (200, 204), answer.data[:300]
    if answer.status_code == 204:
        return {}
    assert answer.mimetype == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(answer.data)


def test_sites_and_zones_in_a_street_level_tile(client, catalogue):
    ids = load_hue(catalogue)
    x, y = tile_of(107.5783, 16.4698, 14)  # Đại Nội
    sites = decode(client, "sites", 14, x, y, lang="en")["sites"]["features"]
    by_id = {f["properties"]["id"]: f for f in sites}
    dai_noi = by_id[ids["dai-noi"]]["properties"]
    assert dai_noi["name"] == "Imperial City of Huế" and dai_noi["kind"] == "citadel"
    assert dai_noi["count"] == 1 and dai_noi["image"] == ""
    assert by_id[ids["cau-truong-tien"]]["properties"]["name"] == "Truong Tien Bridge"
    assert ids["pho-co-hoi-an"] not in by_id  # 80 km away
    # Vietnamese by default (the records' first language).
    default = decode(client, "sites", 14, x, y)["sites"]["features"]
    assert {f["properties"]["name"] for f in default} >= {"Đại Nội Huế", "Cầu Trường Tiền"}
    (zone,) = decode(client, "zones", 14, x, y)["zones"]["features"]
    assert zone["properties"]["id"] == ids["kinh-thanh-hue"]
    assert zone["geometry"]["type"] == "Polygon"
    # The citadel (about 2.9 x 2.7 km) covers a large part of a 2.4 km tile.
    assert shape(zone["geometry"]).area > 0.3 * 4096 * 4096
    # Nothing published in the middle of the Pacific: an empty tile.
    assert decode(client, "sites", 14, 0, 8000) == {}


def test_low_zoom_tiles_are_thinned_and_count_what_they_stand_for(client, catalogue, services):
    load_hue(catalogue)
    items = [
        (
            site_record(
                "dai-noi",
                slug=f"dinh-{i}",
                name={"vi": f"Đình làng {i}"},
                location={
                    "type": "Point",
                    "coordinates": [102.5 + (i % 40) * 0.15, 9 + (i // 40) * 0.9],
                },
            ),
            "published",
        )
        for i in range(600)
    ]
    with services.sessions.begin() as session:
        catalogue.create_many_in(session, items, "test")
    total = 600 + 9
    world = decode(client, "sites", 0, 0, 0)["sites"]["features"]
    assert sum(f["properties"]["count"] for f in world) == total
    assert len(world) <= 256
    answer = client.get(f"{TILES.format('sites')}/0/0/0")
    assert len(answer.data) < 20_000  # a world tile stays small whatever the catalogue holds
    x, y = tile_of(105.5, 16, 5)
    z5 = decode(client, "sites", 5, x, y)["sites"]["features"]
    assert len(z5) < 256 and max(f["properties"]["count"] for f in z5) > 1
    # At street level every site is its own feature.
    x, y = tile_of(107.5783, 16.4698, 13)
    street = decode(client, "sites", 13, x, y)["sites"]["features"]
    assert {f["properties"]["count"] for f in street} == {1}


def test_tiles_are_cached_by_the_catalogue_version(client, catalogue):
    ids = load_hue(catalogue)
    tilejson = client.get(f"{TILES.format('sites')}/tilejson.json?lang=en").json
    assert tilejson["tilejson"] == "3.0.0"
    assert tilejson["vector_layers"][0]["id"] == "sites"
    url = tilejson["tiles"][0].replace("{z}", "14").replace("{y}", "{y}").split("localhost")[-1]
    x, y = tile_of(107.5783, 16.4698, 14)
    url = url.replace("{y}", str(y)).replace("{x}", str(x))
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    catalogue.update_site(
        ids["dai-noi"], {"name": {"en": "Hue Imperial City"}}, "lan", expected_version=1
    )
    # The old URL still answers, but no longer as current; TileJSON hands out a new one.
    stale = client.get(url, headers={"If-None-Match": etag})
    assert stale.status_code == 200 and stale.headers["ETag"] != etag
    assert stale.headers["Cache-Control"].startswith("public, max-age=60")
    fresh = client.get(f"{TILES.format('sites')}/tilejson.json?lang=en").json["tiles"][0]
    assert fresh != tilejson["tiles"][0]
    names = {
        f["properties"]["name"] for f in mapbox_vector_tile.decode(stale.data)["sites"]["features"]
    }
    assert "Hue Imperial City" in names


@pytest.mark.parametrize("path", ["/0/1/0", "/23/0/0", "/3/8/0", "/abc/0/0"])
def test_tiles_outside_the_matrix_are_404(client, path):
    assert client.get(TILES.format("sites") + path).status_code == 404
    assert client.get(TILES.format("nope") + "/0/0/0").status_code == 404


def test_tileset_metadata_links_the_tiles(client):
    tilesets = client.get("/collections/zones/tiles").json["tilesets"]
    links = {link["rel"]: link for link in tilesets[0]["links"]}
    assert links["item"]["href"].endswith(
        "/collections/zones/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"
    )
    assert links["item"]["type"] == "application/vnd.mapbox-vector-tile"
    matrices = client.get("/tileMatrixSets/WebMercatorQuad").json["tileMatrices"]
    assert matrices[1]["matrixWidth"] == 2
    collection = client.get("/collections/sites").json
    assert any(link["href"].endswith("/collections/sites/tiles") for link in collection["links"])


def _tile_url(client, z: int, lon: float, lat: float) -> str:
    template = client.get(f"{TILES.format('sites')}/tilejson.json?lang=en").json["tiles"][0]
    x, y = tile_of(lon, lat, z)
    path = template.split("localhost", 1)[-1]
    return path.replace("{z}", str(z)).replace("{y}", str(y)).replace("{x}", str(x))


def _statements_of(client, url: str) -> tuple[bytes, list[str]]:
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        answer = client.get(url)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert answer.status_code == 200
    return answer.data, seen


def _reads_sites(statements: list[str]) -> bool:
    return any(re.search(r"\bFROM sites\b", s) for s in statements)


def test_a_tile_asked_again_comes_from_memory_until_the_catalogue_changes(client, catalogue):
    ids = load_hue(catalogue)
    url = _tile_url(client, 14, 107.5783, 16.4698)
    first, statements = _statements_of(client, url)
    assert _reads_sites(statements)
    again, statements = _statements_of(client, url)
    assert again == first and not _reads_sites(statements)
    # Another language is another tile.
    _, statements = _statements_of(client, url.replace("lang=en", "lang=fr"))
    assert _reads_sites(statements)
    catalogue.update_site(
        ids["dai-noi"], {"name": {"en": "Hue Imperial City"}}, "lan", expected_version=1
    )
    changed, statements = _statements_of(client, url)
    assert _reads_sites(statements) and changed != first
    names = {
        f["properties"]["name"] for f in mapbox_vector_tile.decode(changed)["sites"]["features"]
    }
    assert "Hue Imperial City" in names


def test_without_a_cache_every_tile_is_rendered(settings, catalogue):
    load_hue(catalogue)
    client = create_app(dataclasses.replace(settings, tile_cache_bytes=0)).test_client()
    url = _tile_url(client, 14, 107.5783, 16.4698)
    first, _ = _statements_of(client, url)
    again, statements = _statements_of(client, url)
    assert again == first and _reads_sites(statements)


def test_a_tile_larger_than_the_cache_is_served_not_kept(services, catalogue):
    load_hue(catalogue)
    renderer = TileRenderer(services.sessions, services.settings.languages, cache_bytes=300)
    x, y = tile_of(107.5783, 16.4698, 14)
    tile = Tile(14, x, y)
    counted: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        counted.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        first = renderer.render("sites", tile, ("en",), version=1)
        renders = len(counted)
        second = renderer.render("sites", tile, ("en",), version=1)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert len(first) > 300 and second == first
    assert renders > 0 and len(counted) == 2 * renders


@pytest.mark.parametrize("backend", ["postgis"])
def test_the_version_moves_when_a_transaction_with_earlier_ids_commits_last(services):
    """PostgreSQL only: on SQLite writers take turns, so ids are taken in commit order."""
    feed = services.change_feed.feed
    before = feed.version()
    with transaction(services.sessions) as first:  # takes its outbox id first
        services.catalogue.create_many_in(first, [(site_record("dai-noi"), "published")], "a")
        with transaction(services.sessions) as second:  # commits meanwhile, with a later id
            services.catalogue.create_many_in(
                second, [(site_record("chua-thien-mu"), "published")], "b"
            )
        during = feed.version()
    after = feed.version()
    assert after not in (before, during)
