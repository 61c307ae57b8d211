"""open_now, open_at, wheelchair and free on the catalogue's side (both databases): OGC API
items, vector tiles, staff lists and exports, kept by writes and moved on by the calendar job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import delete, func, select

from tests.factories import site_record
from tests.standards.test_tiles import decode, tile_of
from tourism_api.catalogue import table_rows
from tourism_api.catalogue.models import OpenInterval

ALWAYS = {"timezone": "Asia/Ho_Chi_Minh", "osm": "24/7"}
NEVER = {"timezone": "Asia/Ho_Chi_Minh", "osm": "off"}


@pytest.fixture
def two(catalogue):
    opened = catalogue.create_site(
        site_record(
            "dai-noi",
            slug="mo-cua",
            name={"vi": "Mở cửa"},
            opening_hours=ALWAYS,
            admission={"free": True},
            accessibility={"wheelchair": "limited"},
        ),
        "t",
        status="published",
    )
    closed = catalogue.create_site(
        site_record(
            "cau-truong-tien",
            slug="dong-cua",
            name={"vi": "Đóng cửa"},
            opening_hours=NEVER,
            admission={"free": False},
        ),
        "t",
        status="published",
    )
    return opened, closed


def slugs(client, path, **headers):
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, answer.json
    body = answer.json
    rows = body.get("features") or body.get("items") or []
    return sorted(r["properties"]["slug"] if "properties" in r else r["slug"] for r in rows)


def test_ogc_items_and_staff_lists_filter_in_sql(client, staff, two):
    items = "/collections/sites/items"
    assert slugs(client, f"{items}?open_now=true") == ["mo-cua"]
    later = quote((datetime.now(UTC) + timedelta(days=3)).isoformat())
    assert slugs(client, f"{items}?open_at={later}") == ["mo-cua"]
    assert slugs(client, f"{items}?wheelchair=true") == ["mo-cua"]
    assert slugs(client, f"{items}?free=false") == ["dong-cua"]
    assert slugs(client, "/v1/sites?open_now=true&status=any", **staff) == ["mo-cua"]
    assert slugs(client, "/v1/sites?free=true") == ["mo-cua"]
    for bad in ("open_now=perhaps", "open_at=tomorrow", "open_at=2027-01-01T08:00:00"):
        answer = client.get(f"{items}?{bad}")
        assert answer.status_code == 400 and answer.json["errors"], bad
    far = quote((datetime.now(UTC) + timedelta(days=40)).isoformat())
    assert client.get(f"{items}?open_at={far}").status_code == 400  # OGC: always 400


def test_tiles_show_only_what_is_open(client, two):
    opened, closed = two
    x, y = tile_of(107.5783, 16.4698, 13)
    every = {f["properties"]["id"] for f in decode(client, "sites", 13, x, y)["sites"]["features"]}
    assert {opened.id, closed.id} <= every
    open_now = decode(client, "sites", 13, x, y, open_now="true")["sites"]["features"]
    assert {f["properties"]["id"] for f in open_now} == {opened.id}
    answer = client.get(f"/collections/sites/tiles/WebMercatorQuad/13/{y}/{x}?open_now=true")
    assert answer.headers["Cache-Control"] == "public, max-age=60"


def test_writes_keep_intervals_and_the_calendar_job_rebuilds_them(
    client, staff, services, two, monkeypatch
):
    opened, closed = two
    # The job writes its rows in chunks while it reads the sites: a chunk per site here.
    monkeypatch.setattr(table_rows, "CHUNK_ROWS", 1)
    etag = client.get(f"/v1/sites/{closed.id}", headers=staff).headers["ETag"]
    answer = client.patch(
        f"/v1/sites/{closed.id}",
        json={"opening_hours": ALWAYS},
        headers={**staff, "If-Match": etag},
    )
    assert answer.status_code == 200
    assert slugs(client, "/collections/sites/items?open_now=true") == ["dong-cua", "mo-cua"]
    with services.sessions() as session, session.begin():
        session.execute(delete(OpenInterval))
    # Deleted behind every service's back: public answers kept in memory do not know yet,
    # staff ones are always computed.
    assert slugs(client, "/collections/sites/items?open_now=true", **staff) == []
    done = services.calendar.run()
    assert done["sites_with_hours"] == 2
    assert slugs(client, "/collections/sites/items?open_now=true") == ["dong-cua", "mo-cua"]
    with services.sessions() as session:
        pieces = session.scalars(select(func.max(OpenInterval.closes - OpenInterval.opens)))
        assert pieces.one() <= 24 * 60  # never longer than a day
