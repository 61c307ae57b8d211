"""Spatial queries give the same, correct answers on SpatiaLite and PostGIS."""

import pytest

from search.cursors import BadCursor
from tests.factories import HUE_CENTRE, HUE_SITES, load_hue, site_record
from tests.geodesy import vincenty_m
from tourism_api.catalogue.queries import SiteQuery
from tourism_api.errors import NotFound


def slugs(page):
    return [site.slug for site, _ in page.items]


def expected_within(radius_m):
    lon0, lat0 = HUE_CENTRE
    found = sorted(
        (vincenty_m(lon0, lat0, lon, lat), slug) for slug, _vi, _en, _k, lon, lat in HUE_SITES
    )
    return [(slug, d) for d, slug in found if d <= radius_m]


@pytest.mark.parametrize("radius", [1_000, 5_000, 12_000])
def test_radius_query_returns_sites_nearest_first_with_ellipsoidal_distance(services, radius):
    load_hue(services.catalogue)
    page = services.lister.list(SiteQuery(near=HUE_CENTRE, radius_m=radius, limit=100))
    got = [(site.slug, d) for site, d in page.items if site.slug != "kinh-thanh-hue"]
    expected = expected_within(radius)
    assert [s for s, _ in got] == [s for s, _ in expected]
    for (_, d_got), (_, d_ref) in zip(got, expected, strict=True):
        assert d_got == pytest.approx(d_ref, abs=0.05)


def test_bbox_query_includes_edges(services):
    load_hue(services.catalogue)
    # The east edge is exactly Đông Ba market's longitude.
    page = services.lister.list(SiteQuery(bbox=(107.57, 16.46, 107.5884, 16.48), limit=100))
    assert set(slugs(page)) == {"dai-noi", "cho-dong-ba", "kinh-thanh-hue"}


def test_sites_inside_a_zone(services):
    ids = load_hue(services.catalogue)
    on_edge = services.catalogue.create_site(
        site_record(
            "cau-truong-tien",
            slug="cua-ngan",
            name={"vi": "Cửa Ngăn"},
            location={"type": "Point", "coordinates": [107.592, 16.47]},
        ),
        "test",
        status="published",
    )
    page = services.lister.list(SiteQuery(zone=ids["kinh-thanh-hue"], sort="name", limit=100))
    assert slugs(page) == ["cau-truong-tien", "cho-dong-ba", "cua-ngan", "dai-noi"]
    assert on_edge.id in {s.id for s, _ in page.items}
    with pytest.raises(NotFound):
        services.lister.list(SiteQuery(zone=ids["dai-noi"]))


def test_zones_only(services):
    load_hue(services.catalogue)
    assert slugs(services.lister.list(SiteQuery(zones_only=True))) == ["kinh-thanh-hue"]


def test_bbox_across_the_antimeridian(services):
    for slug, lon in (("taveuni-east", 179.95), ("taveuni-west", -179.95), ("suva", 178.44)):
        services.catalogue.create_site(
            site_record(
                slug=slug,
                name={"en": slug},
                location={"type": "Point", "coordinates": [lon, -16.9]},
            ),
            "test",
            status="published",
        )
    page = services.lister.list(SiteQuery(bbox=(179.9, -17.0, -179.9, -16.8)))
    assert set(slugs(page)) == {"taveuni-east", "taveuni-west"}
    near = services.lister.list(SiteQuery(near=(179.99, -16.9), radius_m=10_000))
    assert slugs(near) == ["taveuni-east", "taveuni-west"]
    assert near.items[0][1] == pytest.approx(vincenty_m(179.99, -16.9, 179.95, -16.9), abs=0.05)


def test_filters_by_kind_category_and_status(services):
    load_hue(services.catalogue)
    draft = services.catalogue.create_site(
        site_record("dai-noi", slug="draft-tomb", kind="tomb"), "t"
    )
    tombs = services.lister.list(SiteQuery(kinds=("tomb",), sort="name"))
    assert slugs(tombs) == ["lang-khai-dinh", "lang-minh-mang", "lang-tu-duc"]
    assert slugs(services.lister.list(SiteQuery(categories=("royal",)))) == ["kinh-thanh-hue"]
    drafts = services.lister.list(SiteQuery(statuses=("draft",)))
    assert [s.id for s, _ in drafts.items] == [draft.id]


@pytest.mark.parametrize("sort", ["id", "name", "distance"])
def test_cursor_pages_cover_everything_once_in_order(services, sort):
    load_hue(services.catalogue)
    near = HUE_CENTRE if sort == "distance" else None
    whole = slugs(services.lister.list(SiteQuery(near=near, sort=sort, limit=100)))
    assert len(whole) == 9
    seen, cursor = [], None
    while True:
        page = services.lister.list(SiteQuery(near=near, sort=sort, limit=2, cursor=cursor))
        seen += slugs(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == whole
    if sort == "name":
        assert whole == sorted(whole, key=lambda s: services.catalogue.get_site(s).sort_name)


def test_tampered_or_foreign_cursor_is_refused(services):
    load_hue(services.catalogue)
    page = services.lister.list(SiteQuery(near=HUE_CENTRE, limit=2))
    for cursor in (page.next_cursor[:-3] + "AAA", "not-base64!!", "eyJxIjoxfQ"):
        with pytest.raises(BadCursor):
            services.lister.list(SiteQuery(near=HUE_CENTRE, limit=2, cursor=cursor))
    with pytest.raises(BadCursor):  # a cursor from another query
        services.lister.list(SiteQuery(near=(107.0, 16.0), limit=2, cursor=page.next_cursor))
