"""Public search and list answers kept in memory until the index changes (both search
backends for the answers, both databases for the mark they are keyed by)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import OperationalError

from tests.factories import HUE_CENTRE, load_hue, site_record
from tourism_api.api import response_cache
from tourism_api.api.response_cache import ResponseCache
from tourism_api.app import create_app
from tourism_api.catalogue.records import stable_until

LAT, LON = HUE_CENTRE[1], HUE_CENTRE[0]
PUBLIC_URLS = (
    "/v1/search?q=hue",
    f"/v1/search?lat={LAT}&lon={LON}&radius=3000&sort=distance",
    "/v1/sites?bbox=107.5,16.4,107.7,16.5&limit=5",
    "/collections/sites/items?bbox=107.5,16.4,107.7,16.5&limit=5",
    "/v1/suggest?q=thien%20m",
)


class EngineCalls:
    """Counts what the search backend is asked, whatever the answer needed."""

    def __init__(self, backend, monkeypatch) -> None:
        self.count = 0
        for name in ("search", "suggest", "views"):
            original = getattr(backend, name)
            monkeypatch.setattr(backend, name, self._counted(original))

    def _counted(self, original):
        def call(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        return call


def settle(services) -> None:
    """Make searches see every change now (Elasticsearch would within a second or two)."""
    services.search.refresh()
    services.search.visibility_delay_s = 0


@pytest.fixture
def hue(search_client, monkeypatch):
    services = search_client.application.extensions["tourism"]
    ids = load_hue(services.catalogue)
    settle(services)
    return search_client, services, ids, EngineCalls(services.search, monkeypatch)


def test_a_repeated_public_answer_comes_from_memory(hue):
    client, _services, _ids, calls = hue
    for url in PUBLIC_URLS:
        first = client.get(url)
        assert first.status_code == 200, (url, first.json)
        asked = calls.count
        assert asked > 0, url
        again = client.get(url)
        assert again.status_code == 200
        assert calls.count == asked, f"{url} was computed again"
        assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Content-Type"] == first.headers["Content-Type"]
        assert again.headers["Cache-Control"] == "public, max-age=60"
        assert again.headers.get("Link") == first.headers.get("Link")
        # The conditional GET a phone sends back is answered from memory too.
        unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert unchanged.status_code == 304 and calls.count == asked


def test_a_change_is_in_the_next_answer(hue):
    client, services, ids, calls = hue
    url = "/v1/search?q=thien%20mu&lang=vi"
    assert client.get(url).json["items"][0]["display"]["name"] == "Chùa Thiên Mụ"
    services.catalogue.update_site(ids["chua-thien-mu"], {"name": {"vi": "Chùa Linh Mụ"}}, "test")
    settle(services)
    asked = calls.count
    assert client.get(url).json["items"][0]["display"]["name"] == "Chùa Linh Mụ"
    assert calls.count > asked
    # Withdrawn: gone from the very next answer, not a minute later.
    services.lifecycle.change_status(ids["chua-thien-mu"], "draft", "test")
    settle(services)
    assert client.get(url).json["items"] == []


def test_staff_answers_are_always_computed(hue, staff_headers_for):
    client, services, _ids, _calls = hue
    staff = staff_headers_for(services)
    cache = client.application.extensions["tourism_response_cache"]
    url = "/v1/sites?bbox=107.5,16.4,107.7,16.5&limit=50"
    public = {s["slug"] for s in client.get(url).json["items"]}
    client.get(url)
    assert cache.hits == 1
    draft = site_record(slug="nha-vuon-an-hien", name={"vi": "Nhà vườn An Hiên"})
    services.catalogue.create_site(draft, "test", status="draft")
    seen = {s["slug"] for s in client.get(url + "&status=any", headers=staff).json["items"]}
    assert seen == public | {"nha-vuon-an-hien"}
    assert client.get(url, headers=staff).status_code == 200
    assert cache.hits == 1  # neither staff request looked in the cache


def test_each_language_has_its_own_answer(hue):
    client, _services, _ids, calls = hue
    url = "/v1/search?q=thien%20mu"
    names = {}
    for language in ("en", "vi", "en"):
        answer = client.get(url, headers={"Accept-Language": language})
        names[language] = answer.json["items"][0]["display"]["name"]
    assert names == {"en": "Thien Mu Pagoda", "vi": "Chùa Thiên Mụ"}
    assert calls.count == 2


def test_an_answer_is_computed_again_when_one_of_its_sites_opens_or_closes(hue, monkeypatch):
    client, services, ids, calls = hue
    local = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    # Opens at the next whole minute (the one after when that is seconds away), for 2 hours.
    opens = local.replace(second=0, microsecond=0) + timedelta(
        minutes=2 if local.second > 50 else 1
    )
    osm = f"Mo-Su {opens:%H:%M}-{opens + timedelta(hours=2):%H:%M}"
    hours = {"timezone": "Asia/Ho_Chi_Minh", "osm": osm}
    services.catalogue.update_site(ids["chua-thien-mu"], {"opening_hours": hours}, "test")
    settle(services)
    url = "/v1/search?q=thien%20mu"
    assert client.get(url).json["items"][0]["open_now"] is False
    asked = calls.count
    monkeypatch.setattr(response_cache, "_now", lambda: opens.timestamp() - 1)
    assert client.get(url).json["items"][0]["open_now"] is False
    assert calls.count == asked  # still closed: from memory
    monkeypatch.setattr(response_cache, "_now", lambda: opens.timestamp())
    client.get(url)
    assert calls.count == asked + 1  # it opens now: computed again


def test_answers_are_stable_until_a_site_opens_or_closes_or_the_hour_turns():
    now = datetime(2026, 12, 7, 8, 20, 30, tzinfo=UTC)  # 15:20 in Viet Nam
    closes = {"timezone": "Asia/Ho_Chi_Minh", "osm": "Mo-Su 07:00-15:45"}
    always = {"timezone": "Asia/Ho_Chi_Minh", "osm": "24/7"}
    hour = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert stable_until([{"opening_hours": None}, {}], now) == hour
    assert stable_until([{"opening_hours": always}], now) == hour
    assert stable_until([{"opening_hours": always}, {"opening_hours": closes}], now) == datetime(
        2026, 12, 7, 8, 45, tzinfo=UTC
    )
    minute = datetime(2026, 12, 7, 8, 21, tzinfo=UTC)
    assert stable_until([{"opening_hours": closes}], now, per_minute=True) == minute


@pytest.fixture
def unindexed(settings):
    """The production shape: writes leave outbox rows for a separate indexer."""
    app = create_app(dataclasses.replace(settings, index_inline=False))
    return app.test_client(), app.extensions["tourism"]


def test_nothing_is_kept_while_the_index_catches_up(unindexed, monkeypatch):
    client, services = unindexed
    load_hue(services.catalogue)
    assert services.indexer.settled_mark() is None
    calls = EngineCalls(services.search, monkeypatch)
    url = "/v1/sites?bbox=107.5,16.4,107.7,16.5&limit=5"
    for _ in range(2):
        client.get(url)
    assert calls.count == 2
    services.indexer.drain()
    # The drain ran in this process: its answers use the new mark at once.
    first = client.get(url)
    assert client.get(url).data == first.data and calls.count == 3


def test_the_mark_moves_with_every_kind_of_index_change(services, monkeypatch):
    indexer = services.indexer
    empty = indexer.settled_mark()
    assert empty is not None  # nothing was ever written: settled
    services.catalogue.create_site(site_record(), "test", status="published")
    indexer.drain()
    after_write = indexer.settled_mark()
    assert after_write is not None and after_write != empty
    monkeypatch.setattr(indexer.backend, "visibility_delay_s", 3600)
    assert indexer.settled_mark() is None  # searches may not see it yet
    monkeypatch.setattr(indexer.backend, "visibility_delay_s", 0)
    indexer.mark_index_changed("calendar")
    after_calendar = indexer.settled_mark()
    assert after_calendar is not None and after_calendar != after_write
    services.calendar.run()
    assert indexer.settled_mark() != after_calendar
    before_rebuild = indexer.settled_mark()
    indexer.rebuild()
    assert indexer.settled_mark() != before_rebuild


def test_a_cached_answer_still_counts_against_the_rate_limit(settings):
    limited = dataclasses.replace(settings, rate_anonymous="3/minute", ratelimit_exempt=())
    client = create_app(limited).test_client()
    statuses = [client.get("/v1/search?q=hue").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    cache = client.application.extensions["tourism_response_cache"]
    assert cache.hits == 2


def test_off_when_given_no_memory(settings, monkeypatch):
    client = create_app(dataclasses.replace(settings, response_cache_bytes=0)).test_client()
    services = client.application.extensions["tourism"]
    calls = EngineCalls(services.search, monkeypatch)
    for _ in range(3):
        client.get("/v1/search?q=hue")
    assert calls.count == 3
    assert "tourism_response_cache" not in client.application.extensions


def test_the_mark_is_read_again_after_the_hold_or_a_change_here(monkeypatch):
    reads, local = [], [0]
    clock = [100.0]
    monkeypatch.setattr(response_cache.time, "monotonic", lambda: clock[0])
    cache = ResponseCache(1 << 20, lambda: reads.append(1) or len(reads), lambda: local[0])
    assert cache.mark() == cache.mark() == 1  # held
    clock[0] += response_cache.MARK_HOLD_S
    assert cache.mark() == 2  # another process may have changed the index
    local[0] += 1
    assert cache.mark() == 3  # this process did
    assert cache.mark() == 3


def test_a_mark_that_cannot_be_read_means_computing(monkeypatch):
    def database_down():
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    cache = ResponseCache(1 << 20, database_down, lambda: 0)
    assert cache.mark() is None


def test_an_answer_larger_than_the_cache_is_served_not_kept(search_settings, search_services):
    """(`search_services` drops the test's index afterwards.)"""
    tiny = dataclasses.replace(search_settings, response_cache_bytes=1)
    client = create_app(tiny).test_client()
    services = client.application.extensions["tourism"]
    load_hue(services.catalogue)
    settle(services)
    assert client.get("/v1/search?q=hue").json["items"]
    assert client.get("/v1/search?q=hue").json["items"]
    cache = client.application.extensions["tourism_response_cache"]
    assert len(cache) == 0 and cache.hits == 0
