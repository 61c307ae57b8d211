"""How the embedded backend plans a search with words and a place: in the rowid ranges of
the place's Z-order cells, scored in Python; or through the whole full-text index. Both
must give the same answer, and indexes made before Z-order rowids must still work."""

import random

import pytest

import search.embedded as embedded
from search.base import SearchQuery
from search.embedded import EmbeddedBackend
from search.geo import arc_distance_m
from search.text import exact_tokens, fold, word_suffixes, words
from search.zorder import SEQ_BITS, first_rowid, rowid_ranges

WORDS = ["pagoda", "temple", "tomb", "market", "garden", "river", "royal", "gate"]


def document(i: int, rng: random.Random) -> dict:
    lon, lat = 107.58 + rng.uniform(-0.4, 0.4), 16.46 + rng.uniform(-0.4, 0.4)
    name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}"
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))
    view = {"id": f"s{i}", "slug": f"s{i}", "name": {"en": name}, "kind": "monument"}
    return {
        "id": f"s{i}",
        "version": 1,
        "kind": "monument" if i % 3 else "pagoda",
        "categories": ["royal"] if i % 2 else [],
        "designations": [],
        "languages": ["en"],
        "location": {"lon": lon, "lat": lat},
        "sort_name": fold(name),
        "name_exact": " ".join(exact_tokens(name)),
        "name_folded": fold(name),
        "text_folded": fold(text),
        "suggest": word_suffixes(name),
        "view": view,
    }


@pytest.fixture
def backend(tmp_path):
    rng = random.Random(3)
    made = EmbeddedBackend(tmp_path / "search.sqlite3")
    made.rebuild(document(i, rng) for i in range(600))
    yield made
    made.close()


QUERIES = [
    SearchQuery(text="pagoda", near=(107.58, 16.46), radius_m=15_000, limit=10),
    SearchQuery(text="royal gate", near=(107.5, 16.4), radius_m=25_000, limit=10),
    SearchQuery(text="tomb", bbox=(107.4, 16.3, 107.7, 16.6), limit=10, sort="name"),
    SearchQuery(text="river", near=(107.6, 16.5), radius_m=20_000, limit=10, sort="distance"),
    SearchQuery(text="garden", near=(107.6, 16.5), radius_m=30_000, kinds=["pagoda"], limit=5),
]


def every_page(backend, query):
    pages, cursor = [], None
    while True:
        page = backend.search(
            SearchQuery(**{**query.__dict__, "cursor": cursor}) if cursor else query
        )
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return pages


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.text)
def test_ranges_and_the_whole_index_give_the_same_answer(backend, monkeypatch, query):
    ranged = every_page(backend, query)
    monkeypatch.setattr(embedded, "_RANGED_MAX", -1)  # every place is "large"
    whole = every_page(backend, query)
    assert ranged[0].total == whole[0].total > 0
    ranged_hits = [hit for page in ranged for hit in page.hits]
    whole_hits = [hit for page in whole for hit in page.hits]
    assert [h.id for h in ranged_hits] == [h.id for h in whole_hits]
    assert len(ranged_hits) == ranged[0].total
    for a, b in zip(ranged_hits, whole_hits, strict=True):
        assert a.score == pytest.approx(b.score, rel=1e-6)
        assert a.distance_m == b.distance_m


def test_facets_count_the_same_candidates_in_both_plans(backend, monkeypatch):
    query = SearchQuery(text="temple", near=(107.58, 16.46), radius_m=20_000, facets=True)
    ranged = backend.search(query).facets
    monkeypatch.setattr(embedded, "_RANGED_MAX", -1)
    assert backend.search(query).facets == ranged
    assert sum(ranged["kind"].values()) == backend.search(query).total


def test_results_are_exactly_those_in_the_radius(backend):
    query = SearchQuery(text="market", near=(107.58, 16.46), radius_m=12_000, limit=100)
    found = backend.search(query)
    with backend._read() as conn:
        g = backend._generation(conn)
        rows = conn.execute(
            f"SELECT d.id, d.lon, d.lat FROM docs_{g} d JOIN fts_{g} f ON f.rowid = d.rowid "
            f"WHERE fts_{g} MATCH 'market'"
        ).fetchall()
    expected = {i for i, lon, lat in rows if arc_distance_m(107.58, 16.46, lon, lat) <= 12_000}
    assert expected and {h.id for h in found.hits} == expected


def test_an_index_from_before_zorder_rowids_still_answers(tmp_path):
    rng = random.Random(5)
    old = EmbeddedBackend(tmp_path / "old.sqlite3")
    with old._write() as conn:  # what an older version left: rowids counted up
        conn.execute("DELETE FROM meta WHERE key LIKE 'zorder_%'")
    old.apply([document(i, rng) for i in range(200)], [])
    with old._read() as conn:
        rowids = [r[0] for r in conn.execute("SELECT rowid FROM docs_1 ORDER BY rowid")]
    assert rowids == list(range(1, 201))
    query = SearchQuery(text="pagoda", near=(107.58, 16.46), radius_m=20_000, limit=100)
    hits = old.search(query).hits
    assert hits and all(h.distance_m <= 20_000 for h in hits)
    old.close()


def test_new_documents_get_rowids_of_their_cell(backend):
    rng = random.Random(9)
    a, b = document(1000, rng), document(1001, rng)
    b["location"] = dict(a["location"])  # the same spot: the same cell, the next rowid
    backend.apply([a, b], [])
    with backend._read() as conn:
        g = backend._generation(conn)
        got = dict(conn.execute(f"SELECT id, rowid FROM docs_{g} WHERE id IN ('s1000', 's1001')"))
    first = first_rowid(a["location"]["lon"], a["location"]["lat"])
    assert first <= got["s1000"] < got["s1001"] < first + (1 << SEQ_BITS)


def test_ranges_cover_every_point_of_their_envelopes():
    rng = random.Random(1)
    for _ in range(200):
        lon, lat = rng.uniform(-179, 170), rng.uniform(-89, 80)
        envelope = (lon, lat, lon + rng.uniform(0, 9), lat + rng.uniform(0, 9))
        ranges = rowid_ranges([envelope])
        assert len(ranges) <= 16
        for _ in range(20):
            x = rng.uniform(envelope[0], envelope[2])
            y = rng.uniform(envelope[1], envelope[3])
            rowid = first_rowid(x, y)
            assert any(low <= rowid and rowid + 5 <= high for low, high in ranges)


def test_ranges_of_a_small_place_leave_out_the_rest_of_the_world():
    ranges = rowid_ranges([(107.5, 16.4, 107.7, 16.6)])
    far = [first_rowid(2.35, 48.85), first_rowid(-74.0, 40.7), first_rowid(105.85, 21.03)]
    assert not any(low <= r <= high for r in far for low, high in ranges)
    assert sum(high - low + 1 for low, high in ranges) < (1 << (2 * 20 + SEQ_BITS)) / 10**6


def test_the_corpus_figures_are_fts5s_own_after_changes(tmp_path):
    """Documents and mean length come from FTS5's record, and follow updates and deletions
    (past the 2,000 documents a sample used to stop at)."""
    rng = random.Random(9)
    made = EmbeddedBackend(tmp_path / "search.sqlite3")
    made.rebuild(document(i, rng) for i in range(2500))
    changed = [{**document(i, rng), "version": 2} for i in range(100)]
    made.apply(changed, [(f"s{i}", 5) for i in range(100, 150)])
    with made._read() as conn:
        g = made._generation(conn)
        documents, mean_length = embedded.fts_averages(conn, g)
        rows = conn.execute(f"SELECT name_exact, name_folded, text_folded FROM fts_{g}").fetchall()
    made.close()
    assert documents == len(rows) == 2450
    counted = sum(len(words(column or "")) for row in rows for column in row) / len(rows)
    assert mean_length == pytest.approx(counted, rel=1e-12)


def test_an_empty_index_has_no_corpus_figures(tmp_path):
    made = EmbeddedBackend(tmp_path / "search.sqlite3")
    made.rebuild(iter(()))
    with made._read() as conn:
        assert embedded.fts_averages(conn, made._generation(conn)) == (0, 1.0)
    made.close()
