"""The search contract: the same assertions on the embedded backend and on Elasticsearch."""

import dataclasses
import threading
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from search.base import SearchError, SearchQuery, SearchUnavailable
from search.cursors import BadCursor
from search.documents import site_document
from search.geo import arc_distance_m
from search.indexer import Indexer
from tests.factories import HUE_CENTRE, HUE_SITES, load_hue, site_record, zone_record
from tourism_api.catalogue import calendars
from tourism_api.catalogue.models import Site
from tourism_api.catalogue.opening_hours import DAYS

HUE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def publish(services, record):
    return services.catalogue.create_site(record, "test", status="published")


def search(services, **kwargs):
    services.search.refresh()
    return services.search.search(SearchQuery(**kwargs))


def ids(result):
    return [hit.view["slug"] for hit in result.hits]


@pytest.fixture
def hue(search_services):
    load_hue(search_services.catalogue)
    extra = [
        ("lang-hue", {"vi": "Làng nghề Huế"}),
        ("lang-hue-circumflex", {"vi": "Làng nghề Huê"}),
        ("chua-khanh-hoa", {"vi": "Chùa Khánh Hòa", "en": "Khanh Hoa Pagoda"}),
    ]
    for slug, name in extra:
        publish(search_services, site_record("dai-noi", slug=slug, name=name, kind="craft_village"))
    publish(
        search_services,
        site_record(
            "dai-noi",
            slug="ngo-mon",
            name={"vi": "Ngọ Môn", "fr": "Porte du Midi"},
            kind="monument",
            short_description={"en": "The main gate of the Imperial City of Huế."},
            categories=["royal"],
            designations=[{"type": "unesco_world_heritage", "year": 1993}],
        ),
    )
    return search_services


@pytest.mark.parametrize(
    "typed", ["chua thien mu", "Chùa Thiên Mụ", "CHUA THIEN MU", "chùa thiên mụ!"]
)
def test_every_spelling_finds_thien_mu_first(hue, typed):
    result = search(hue, text=typed)
    assert ids(result)[0] == "chua-thien-mu"


def test_hue_without_diacritics_finds_hue(hue):
    found = set(ids(search(hue, text="hue", limit=50)))
    assert {"dai-noi", "kinh-thanh-hue", "lang-hue", "lang-hue-circumflex", "ngo-mon"} <= found


def test_matching_diacritics_rank_first(hue):
    assert ids(search(hue, text="Làng nghề Huế"))[:2] == ["lang-hue", "lang-hue-circumflex"]
    assert ids(search(hue, text="Làng nghề Huê"))[:2] == ["lang-hue-circumflex", "lang-hue"]


def test_old_and_new_tone_placement_are_the_same_word(hue):
    for typed in ("Khánh Hòa", "Khánh Hoà", "khanh hoa"):
        assert ids(search(hue, text=typed))[0] == "chua-khanh-hoa"


def test_aliases_are_searched_and_suggested(hue):
    dai_noi = hue.catalogue.get_site("dai-noi")
    hue.catalogue.update_site(dai_noi.id, {"aliases": ["Hoàng thành Huế", "Tử Cấm Thành"]}, "t")
    assert ids(search(hue, text="hoang thanh"))[0] == "dai-noi"
    assert ids(search(hue, text="Tử Cấm Thành")) == ["dai-noi"]
    assert [s.view["slug"] for s in hue.search.suggest("tu cam")] == ["dai-noi"]


def test_text_in_descriptions_and_other_languages(hue):
    assert ids(search(hue, text="porte du midi")) == ["ngo-mon"]
    assert ids(search(hue, text="main gate")) == ["ngo-mon"]
    assert "ngo-mon" in ids(search(hue, text="unesco world heritage"))


def test_highlight_marks_the_matched_words(hue):
    hit = search(hue, text="hue", kinds=("citadel",)).hits[0]
    assert "<em>Huế</em>" in " ".join(hit.highlight["name"])


def test_nearby_with_distances_nearest_first(hue):
    result = search(hue, near=HUE_CENTRE, radius_m=2000, kinds=("citadel", "monument", "market"))
    lon0, lat0 = HUE_CENTRE
    expected = sorted(
        (arc_distance_m(lon0, lat0, lon, lat), slug)
        for slug, _vi, _en, kind, lon, lat in HUE_SITES
        if kind in ("citadel", "monument", "market")
        and arc_distance_m(lon0, lat0, lon, lat) <= 2000
    )
    got = [
        (hit.view["slug"], hit.distance_m) for hit in result.hits if hit.view["slug"] != "ngo-mon"
    ]
    assert [slug for slug, _ in got] == [slug for _, slug in expected]
    for (_, distance), (reference, _) in zip(got, expected, strict=True):
        assert distance == pytest.approx(reference, abs=0.5)
    assert all(
        a.distance_m <= b.distance_m for a, b in zip(result.hits, result.hits[1:], strict=False)
    )


def test_text_and_near_together(hue):
    result = search(hue, text="lang", near=HUE_CENTRE, radius_m=12_000, sort="distance")
    assert ids(result) == [
        "lang-hue",
        "lang-hue-circumflex",
        "lang-tu-duc",
        "lang-khai-dinh",
        "lang-minh-mang",
    ]
    distances = [hit.distance_m for hit in result.hits]
    assert distances == sorted(distances) and distances[-1] <= 12_000
    assert "lang-minh-mang" not in ids(search(hue, text="lang", near=HUE_CENTRE, radius_m=5_000))


def test_bbox_zone_and_antimeridian(hue):
    assert set(ids(search(hue, bbox=(107.54, 16.44, 107.56, 16.46)))) == {"chua-thien-mu"}
    zone = zone_record()["footprint"]
    inside = set(
        ids(search(hue, zone=zone, zone_id="kinh-thanh-hue", kinds=("market", "monument")))
    )
    assert inside == {"cho-dong-ba", "cau-truong-tien", "ngo-mon"}
    for slug, lon in (("taveuni-east", 179.95), ("taveuni-west", -179.95), ("suva", 178.44)):
        publish(
            hue,
            site_record(
                slug=slug,
                name={"en": slug},
                location={"type": "Point", "coordinates": [lon, -16.9]},
            ),
        )
    assert set(ids(search(hue, bbox=(179.9, -17.0, -179.9, -16.8)))) == {
        "taveuni-east",
        "taveuni-west",
    }


def test_filters(hue):
    assert ids(search(hue, kinds=("tomb",), sort="name")) == [
        "lang-khai-dinh",
        "lang-minh-mang",
        "lang-tu-duc",
    ]
    assert set(ids(search(hue, categories=("royal",)))) == {"kinh-thanh-hue", "ngo-mon"}
    assert ids(search(hue, designations=("unesco_world_heritage",))) == ["ngo-mon"]
    assert set(ids(search(hue, languages=("fr",)))) == {"kinh-thanh-hue", "ngo-mon"}


def test_facets_count_the_current_query(hue):
    result = search(hue, text="lang", facets=True)
    assert result.facets["kind"] == {"tomb": 3, "craft_village": 2}
    assert result.total == 5
    everything = search(hue, facets=True)
    assert everything.facets["categories"] == {"royal": 2}
    assert everything.facets["kind"]["tomb"] == 3


@pytest.mark.parametrize("sort", ["relevance", "distance", "name"])
def test_cursor_pages_cover_everything_once(hue, sort):
    kwargs = {"near": HUE_CENTRE} if sort == "distance" else {}
    text = "lang" if sort == "relevance" else ""
    whole = ids(search(hue, text=text, sort=sort, limit=100, **kwargs))
    assert len(whole) >= 5
    seen, cursor = [], None
    while True:
        page = search(hue, text=text, sort=sort, limit=2, cursor=cursor, **kwargs)
        seen += ids(page)
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == whole


def test_tampered_cursor_is_a_clear_error(hue):
    page = search(hue, sort="name", limit=2)
    for cursor in (page.next_cursor[:-2] + "xx", "%%%", "eyJxIjoiYWJjIiwiYSI6WzEsMl19"):
        with pytest.raises(BadCursor):
            search(hue, sort="name", limit=2, cursor=cursor)
    with pytest.raises(BadCursor):
        search(hue, sort="name", limit=2, cursor=page.next_cursor, kinds=("tomb",))


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        "*",
        ":",
        "(",
        "\\",
        "OR",
        '"chua thien',
        "AND OR NOT",
        "name_folded:hue",
        "🏯",
        "Huế 🏯 寺",
        "-",
        "^",
    ],
)
def test_query_syntax_is_never_passed_to_the_engine(hue, typed):
    result = search(hue, text=typed)
    assert result.total == len(result.hits) or result.total >= len(result.hits)


def test_bad_queries_are_refused_before_the_engine(hue):
    with pytest.raises(SearchError):
        SearchQuery(text="x" * 10_000)
    with pytest.raises(SearchError):
        SearchQuery(radius_m=100)
    with pytest.raises(SearchError):
        SearchQuery(sort="distance")
    assert search(hue, text="   ").total == search(hue).total


def test_suggest_by_folded_prefix(hue):
    hue.search.refresh()
    assert [s.view["slug"] for s in hue.search.suggest("thien m")] == ["chua-thien-mu"]
    assert hue.search.suggest("Chùa Th")[0].view["slug"] == "chua-thien-mu"
    assert "dai-noi" in [s.view["slug"] for s in hue.search.suggest("dai")]
    assert hue.search.suggest("zzz") == []
    assert hue.search.suggest("!!") == []


def test_only_published_sites_are_searchable(search_services):
    draft = search_services.catalogue.create_site(site_record(), "t")
    assert search(search_services, text="thien mu").total == 0
    search_services.lifecycle.change_status(draft.id, "in_review", "t")
    assert search(search_services, text="thien mu").total == 0
    search_services.lifecycle.change_status(draft.id, "published", "t")
    assert ids(search(search_services, text="thien mu")) == ["chua-thien-mu"]
    search_services.catalogue.update_site(
        draft.id, {"name": {"fr": "Pagode de la Dame céleste"}}, "t"
    )
    assert ids(search(search_services, text="dame celeste")) == ["chua-thien-mu"]
    search_services.lifecycle.change_status(draft.id, "archived", "t")
    assert search(search_services, text="thien mu").total == 0
    assert search_services.indexer.pending() == 0


def test_an_older_version_never_replaces_a_newer_one(search_services):
    site = publish(search_services, site_record())
    newer = search_services.catalogue.update_site(site.id, {"name": {"fr": "Pagode"}}, "t")
    stale = site_document(site)  # version 1
    assert newer.version == 2
    search_services.search.apply([stale], [])
    assert ids(search(search_services, text="pagode")) == ["chua-thien-mu"]
    search_services.search.apply([], [(site.id, 1)])  # a stale delete
    assert search(search_services, text="pagode").total == 1


# Elasticsearch only: the embedded index stores whatever the catalogue built.
@pytest.mark.parametrize("search_backend_name", ["elasticsearch"], indirect=True)
def test_a_document_elasticsearch_refuses_is_an_error_not_dropped(search_services):
    assert search_services.search.name == "elasticsearch"
    site = publish(search_services, site_record())
    broken = {**site_document(site), "version": site.version + 1, "location": "not a point"}
    # The bulk answer carries only "errors" and each action's status (filter_path): a
    # refusal must still be seen, while a stale version (409) is not one.
    with pytest.raises(SearchUnavailable, match="refused a document"):
        search_services.search.apply([broken], [])
    assert ids(search(search_services, text="thien mu")) == ["chua-thien-mu"]


@pytest.mark.parametrize("typed", ["L'Abbaye", "l’abbaye", "abbaye", "L Abbaye"])
def test_names_with_an_apostrophe_are_found_however_typed(search_services, typed):
    publish(
        search_services,
        site_record("dai-noi", slug="abbaye", name={"fr": "L’Abbaye de la Trinh"}),
    )
    assert ids(search(search_services, text=typed)) == ["abbaye"]


def test_rebuild_switches_to_a_fresh_index(hue):
    before = search(hue).total
    # An index that drifted (a document removed behind the catalogue's back) is healed.
    hue.search.apply([], [(search(hue, text="thien mu").hits[0].id, 10**6)])
    assert search(hue, text="thien mu").total == 0
    count = hue.indexer.rebuild()
    assert count == before == hue.indexer.count_published()
    assert ids(search(hue, text="thien mu")) == ["chua-thien-mu"]
    assert search(hue).total == before


def test_searches_keep_working_during_a_rebuild(hue):
    with hue.sessions() as session:
        documents = [site_document(s) for s in session.scalars(select(Site))]

    def slowly():
        for doc in documents:
            time.sleep(0.02)
            yield doc

    builder = threading.Thread(target=hue.search.rebuild, args=(slowly(),))
    builder.start()
    answers = []
    while builder.is_alive():
        answers.append(ids(search(hue, text="thien mu")))
    builder.join()
    answers.append(ids(search(hue, text="thien mu")))
    assert len(answers) > 3
    assert all(answer == ["chua-thien-mu"] for answer in answers)
    assert search(hue).total == len(documents)


def test_a_failed_rebuild_leaves_the_index_as_it_was(hue):
    before = search(hue).total
    with hue.sessions() as session:
        documents = [site_document(s) for s in session.scalars(select(Site))]

    def breaking():
        yield from documents[:3]
        raise RuntimeError("the catalogue went away")

    with pytest.raises(RuntimeError):
        hue.search.rebuild(breaking())
    assert search(hue).total == before
    assert ids(search(hue, text="thien mu")) == ["chua-thien-mu"]
    if hue.search.name == "elasticsearch":  # nothing half-built is left on the node
        assert len(hue.search.client.indices.get(index=f"{hue.search.alias}-*")) == 1
    assert hue.indexer.rebuild() == before


def _with_workers(services, settings, **changes) -> Indexer:
    """An indexer whose rebuild reads and builds in three worker processes, however small
    the catalogue."""
    return Indexer(
        services.sessions,
        services.search,
        hours_days=settings.open_at_days,
        settings=dataclasses.replace(settings, **changes),
        workers=3,
        sites_per_worker=1,
    )


@pytest.mark.slow
def test_a_rebuild_by_worker_processes_indexes_what_one_process_does(hue, search_settings):
    with hue.sessions() as session:
        published = list(session.scalars(select(Site.id).where(Site.status == "published")))
    hue.indexer.rebuild()
    views = hue.search.views(published)
    near = search(hue, text="hue", near=HUE_CENTRE, radius_m=20_000, limit=50)
    # An index that drifted is healed by the workers' documents as by one process's.
    hue.search.apply([], [(search(hue, text="thien mu").hits[0].id, 10**6)])
    parallel = _with_workers(hue, search_settings)
    assert parallel.rebuild() == len(published)
    assert len(parallel.worker_peaks_mb) == 3  # it did take three processes
    assert hue.search.views(published) == views
    again = search(hue, text="hue", near=HUE_CENTRE, radius_m=20_000, limit=50)
    assert [(h.id, h.view) for h in again.hits] == [(h.id, h.view) for h in near.hits]
    assert ids(search(hue, text="thien mu")) == ["chua-thien-mu"]
    assert search(hue).total == len(published)


@pytest.mark.slow
def test_a_worker_that_fails_leaves_the_index_as_it_was(hue, search_settings, tmp_path):
    before = search(hue).total
    # The workers open a database with no catalogue in it.
    broken = _with_workers(hue, search_settings, database_url=f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(RuntimeError, match="building documents failed"):
        broken.rebuild()
    assert search(hue).total == before
    assert ids(search(hue, text="thien mu")) == ["chua-thien-mu"]
    if hue.search.name == "elasticsearch":  # nothing half-built is left on the node
        assert len(hue.search.client.indices.get(index=f"{hue.search.alias}-*")) == 1


def _next_ordinary(weekday: int) -> date:
    """The next such weekday at least two days ahead that is no public holiday in Viet Nam."""
    day = datetime.now(HUE_TZ).date() + timedelta(days=2)
    while day.weekday() != weekday or day in calendars.public_holidays("VN", day.year):
        day += timedelta(days=1)
    return day


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock(hour), HUE_TZ)


@pytest.fixture
def hours(search_services):
    zone = "Asia/Ho_Chi_Minh"
    for slug, hours_, extra in [
        (
            "bao-tang",
            {"timezone": zone, "osm": "Tu-Su 07:00-17:00; Mo off; PH off"},
            {"accessibility": {"wheelchair": "yes"}, "admission": {"free": False}},
        ),
        (
            "cho-dem",
            {
                "timezone": zone,
                "weekly": {d: [{"opens": "18:00", "closes": "23:30"}] for d in DAYS},
            },
            {"accessibility": {"wheelchair": "limited"}, "admission": {"free": True}},
        ),
        ("cau-truong-tien", {"timezone": zone, "osm": "24/7"}, {"admission": {"free": True}}),
        ("lang-co", None, {"accessibility": {"wheelchair": "no"}}),
    ]:
        publish(
            search_services,
            site_record("dai-noi", slug=slug, name={"vi": slug}, opening_hours=hours_, **extra),
        )
    return search_services


def test_open_at_a_moment(hours):
    tuesday, monday = _next_ordinary(1), _next_ordinary(0)

    def open_at(moment):
        return set(ids(search(hours, open_at=moment, limit=50)))

    assert open_at(at(tuesday, 10)) == {"bao-tang", "cau-truong-tien"}
    assert open_at(at(monday, 10)) == {"cau-truong-tien"}  # the museum closes on Mondays
    assert open_at(at(tuesday, 20)) == {"cho-dem", "cau-truong-tien"}
    assert open_at(at(tuesday, 17)) == {"cau-truong-tien"}  # closing time is closed
    # The same moment in UTC is the same moment.
    assert open_at(at(tuesday, 10).astimezone(UTC)) == {"bao-tang", "cau-truong-tien"}
    # Combined with text and place like any filter.
    assert ids(search(hours, text="bao tang", open_at=at(tuesday, 10))) == ["bao-tang"]
    assert ids(search(hours, text="bao tang", open_at=at(monday, 10))) == []


def test_wheelchair_and_free_entry(hours):
    assert set(ids(search(hours, wheelchair=True))) == {"bao-tang", "cho-dem"}
    assert set(ids(search(hours, free=True))) == {"cho-dem", "cau-truong-tien"}
    assert ids(search(hours, free=False)) == ["bao-tang"]
    assert ids(search(hours, free=True, wheelchair=True)) == ["cho-dem"]


def test_the_daily_refresh_moves_the_open_window_on(hours):
    now = datetime.now(UTC)
    with hours.sessions() as session:
        sites = session.scalars(select(Site).where(Site.opening_hours.is_not(None))).all()
        # Documents as a server left them three weeks ago: their window has run out.
        stale = [site_document(s, now=now - timedelta(days=21)) for s in sites]
    hours.search.apply(stale, ())
    assert ids(search(hours, open_at=now)) == []
    assert hours.indexer.refresh_hours() == hours.indexer.count_published(with_hours=True) >= 3
    assert "cau-truong-tien" in ids(search(hours, open_at=now))


def test_provinces_by_2025_code_old_names_in_text_and_facets(hue):
    publish(
        hue,
        site_record(
            "dai-noi",
            slug="den-tran",
            name={"vi": "Đền Trần", "en": "Tran Temple"},
            kind="temple",
            location={"type": "Point", "coordinates": [106.1797, 20.4347]},
            address={"ward": "Phường Nam Định", "province": "Nam Định"},
        ),
    )
    assert ids(search(hue, provinces=("37",))) == ["den-tran"]
    assert "den-tran" not in ids(search(hue, provinces=("46",), limit=50))
    # The old province's name is in the address, the new one is indexed with the site.
    assert ids(search(hue, text="Nam Định"))[0] == "den-tran"
    assert ids(search(hue, text="ninh binh")) == ["den-tran"]
    facets = search(hue, facets=True, limit=1).facets["province"]
    assert facets["37"] == 1 and facets["46"] >= 5
