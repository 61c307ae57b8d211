"""Public catalogue lists: the catalogue picks the sites and their order, the search index
gives their views; a view the index does not have at the same version comes from the
catalogue instead, on both search backends."""

from datetime import UTC, datetime

import pytest

from search.base import SearchUnavailable
from tests.factories import load_hue
from tourism_api.catalogue.queries import SiteQuery
from tourism_api.catalogue.records import present, stored_view

HUE_BOX = (107.5, 16.4, 107.7, 16.5)


@pytest.fixture
def hue(search_services):
    load_hue(search_services.catalogue)
    search_services.search.refresh()
    return search_services


def loaded_page(services, query):
    """The same page the way it was made before: every site loaded from the catalogue."""
    page = services.lister.list(query)
    now = datetime.now(UTC)
    languages = services.settings.languages
    return [
        present(
            stored_view(site, summary=True),
            preferred=("en",),
            languages=languages,
            now=now,
            distance_m=distance,
        )
        for site, distance in page.items
    ]


def listing_page(services, query):
    return services.listing.catalogue_page(query, preferred=("en",), staff=False)


def without_clock(views):
    return [{k: v for k, v in view.items() if k != "open_now"} for view in views]


@pytest.mark.parametrize("sort", ["id", "name"])
def test_index_views_equal_loaded_ones(hue, sort, monkeypatch):
    query = SiteQuery(bbox=HUE_BOX, sort=sort, limit=50)
    calls = []
    views = hue.search.views
    monkeypatch.setattr(hue.search, "views", lambda ids: calls.append(ids) or views(ids))
    page = listing_page(hue, query)
    assert calls and len(page.items) > 3
    assert without_clock(page.items) == without_clock(loaded_page(hue, query))


def test_a_version_the_index_has_not_seen_comes_from_the_catalogue(hue, monkeypatch):
    query = SiteQuery(bbox=HUE_BOX, limit=50)
    first = listing_page(hue, query).items[0]
    real = hue.search.views

    def lagging(ids):
        found = real(ids)
        found[first["id"]] = {**found[first["id"]], "version": 0, "name": {"en": "stale"}}
        return found

    monkeypatch.setattr(hue.search, "views", lagging)
    again = listing_page(hue, query).items
    assert again[0]["id"] == first["id"] and again[0]["name"] == first["name"]


def test_lists_go_on_when_the_index_cannot_answer(hue, monkeypatch):
    query = SiteQuery(bbox=HUE_BOX, limit=50)
    expected = [view["id"] for view in listing_page(hue, query).items]

    def down(ids):
        raise SearchUnavailable("index down")

    monkeypatch.setattr(hue.search, "views", down)
    assert [view["id"] for view in listing_page(hue, query).items] == expected


def test_views_of_unknown_ids_are_left_out(hue):
    some = [view["id"] for view in listing_page(hue, SiteQuery(limit=2)).items]
    found = hue.search.views([*some, "no-such-site"])
    assert set(found) == set(some)
    assert hue.search.views([]) == {}
