"""CQL2 filters in /v1/search, on the embedded index and on Elasticsearch: the same filters
select the same sites as OGC API items do on the databases."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.factories import load_hue
from tests.standards.test_ogc_features import CQL2_CASES


@pytest.fixture
def client(search_client, search_services):
    load_hue(search_services.catalogue)
    search_services.search.refresh()
    return search_client


def slugs(client, query: str) -> set[str]:
    answer = client.get(f"/v1/search?limit=100&{query}")
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == len(answer.json["items"])
    return {item["slug"] for item in answer.json["items"]}


@pytest.mark.parametrize(("text", "expected"), CQL2_CASES, ids=[c[0][:40] for c in CQL2_CASES])
def test_the_same_filters_as_the_ogc_api(client, text, expected):
    assert slugs(client, f"filter={quote(text)}") == expected


def test_filters_combine_with_text_json_and_paging(client):
    tombs_but_one = quote("kind = 'tomb' AND slug <> 'lang-tu-duc'")
    assert slugs(client, f"q=lang&filter={tombs_but_one}") == {
        "lang-minh-mang",
        "lang-khai-dinh",
    }
    expression = {"op": "in", "args": [{"property": "kind"}, ["market", "pagoda"]]}
    found = slugs(client, f"filter-lang=cql2-json&filter={quote(json.dumps(expression))}")
    assert found == {"cho-dong-ba", "chua-thien-mu"}
    tombs = quote("kind = 'tomb'")
    first = client.get(f"/v1/search?limit=2&filter={tombs}").json
    second = client.get(first["links"]["next"]).json
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert first["total"] == 3


def test_bad_filters_are_422(client):
    for query in ("filter=kind%20%3D", "filter=colour%3D1", "filter-lang=ecql&filter=x"):
        answer = client.get(f"/v1/search?{query}")
        assert answer.status_code == 422, query
