"""The embedded search backend: SQLite FTS5 for text, an R*Tree for places.

It needs no server, so it is the default. It keeps its own SQLite file (the
catalogue may be on PostgreSQL). A rebuild fills tables of a new generation
and then switches the `active` pointer in one transaction, the way an alias
is switched in Elasticsearch, so searches never see a half-built index.
Deleted documents are kept as tombstones with their version, so a late,
older update cannot bring a deleted site back.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pygeofilter.backends.native.evaluate import NativeEvaluator
from shapely import prepared
from shapely.geometry import Point, shape

from tourism_api.catalogue import cql2
from tourism_api.catalogue.opening_hours import MAX_OPEN_MINUTES, epoch_minutes

from .base import (
    FACET_FIELDS,
    EncodedDocument,
    SearchBackend,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    Suggestion,
    decode_cursor,
    encode_cursor,
    highlights_for,
)
from .cursors import CursorCodec
from .geo import arc_distance_m, radius_envelopes, split_envelope
from .text import exact_tokens, folded_tokens, words
from .zorder import SEQ_BITS, first_rowid, rowid_ranges

# Added to the score of a hit whose name also matches with its diacritics.
_EXACT_BOOST = 1000.0
_BATCH = 500
# Up to this many sites in the searched place, words are looked up only in its Z-order
# ranges and the matches scored in Python; beyond it, the full-text index drives.
_RANGED_MAX = 5000


def _schema(g: int) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS docs_{g} (
            rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0, kind TEXT, sort_name TEXT,
            lon REAL, lat REAL, view TEXT, suggest TEXT)""",
        f"CREATE INDEX IF NOT EXISTS docs_{g}_sort ON docs_{g} (sort_name, id)",
        f"""CREATE TABLE IF NOT EXISTS terms_{g} (
            rowid INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL)""",
        f"CREATE INDEX IF NOT EXISTS terms_{g}_value ON terms_{g} (field, value, rowid)",
        f"CREATE INDEX IF NOT EXISTS terms_{g}_row ON terms_{g} (rowid)",
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS fts_{g} USING fts5(
            name_exact, name_folded, text_folded, tokenize = 'unicode61 remove_diacritics 0')""",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS geo_{g} USING rtree(rowid, min_lon, max_lon, min_lat, max_lat)",
        # When each site is open, in pieces of at most a day (minutes since 1970, UTC).
        f"""CREATE TABLE IF NOT EXISTS hours_{g} (
            rowid INTEGER NOT NULL, opens INTEGER NOT NULL, closes INTEGER NOT NULL)""",
        f"CREATE INDEX IF NOT EXISTS hours_{g}_opens ON hours_{g} (opens, closes, rowid)",
        f"CREATE INDEX IF NOT EXISTS hours_{g}_row ON hours_{g} (rowid)",
    ]


def _drop(g: int) -> list[str]:
    return [f"DROP TABLE IF EXISTS {t}_{g}" for t in ("docs", "terms", "fts", "geo", "hours")] + [
        f"DELETE FROM meta WHERE key = 'zorder_{g}'"
    ]


def _mark_zorder(g: int) -> str:
    """A generation made by this version: its rowids start with the Z-order key of the
    place. Older generations keep counting rowids up and are searched the older way."""
    return f"INSERT OR REPLACE INTO meta VALUES ('zorder_{g}', '1')"


class _AnyOf(list):
    """A list that equals each of its values: `category = 'royal'` on a site's categories."""

    def __eq__(self, other):
        return other in list(self) if isinstance(other, str) else list.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None


def _queryable_values(view: dict, sort_name: str) -> dict:
    """The queryables of an indexed site, from its stored view."""

    def moment(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None

    lon, lat = view["location"]["coordinates"][:2]
    return {
        "id": view["id"],
        "slug": view["slug"],
        "kind": view["kind"],
        "name": sort_name,
        "admin_area": view.get("admin_area"),
        "province": (view.get("province") or {}).get("code"),
        "category": _AnyOf(view.get("categories") or []),
        "is_zone": bool(view.get("is_zone")),
        "updated_at": moment(view.get("updated_at")),
        "published_at": moment(view.get("published_at")),
        "geometry": Point(lon, lat),
    }


def native_filter(parsed) -> Callable[[str, str], bool]:
    """A CQL2 filter as a function of a row's stored view, by pygeofilter's native evaluator
    (SQLite calls it for each candidate, so pages and totals stay right)."""
    test = NativeEvaluator(use_getattr=False).evaluate(cql2.for_search(parsed))

    def matches(view_json: str, sort_name: str) -> bool:
        try:
            return bool(test(_queryable_values(json.loads(view_json), sort_name or "")))
        except (TypeError, ValueError):  # a comparison the values do not support: no match
            return False

    return matches


def _fts_and(tokens: list[str], column: str) -> str:
    # Tokens are \w+ runs, so quoting them is enough to neutralise FTS5 syntax.
    return f"{column} : (" + " AND ".join(f'"{t}"' for t in tokens) + ")"


# FTS5's "averages" record: in its %_data table at this rowid, varints of the number of
# rows and then the tokens of each column, as fts5_index.c and fts5_storage.c write it.
_AVERAGES_ROWID = 1


def fts_averages(conn: sqlite3.Connection, g: int) -> tuple[int, float]:
    """(documents, mean length in words over every column) of generation `g`'s full-text
    index: what FTS5's bm25() uses, read from one small record."""
    row = conn.execute(
        f"SELECT block FROM fts_{g}_data WHERE id = ?", (_AVERAGES_ROWID,)
    ).fetchone()
    values = _varints(row[0]) if row and row[0] else []
    if not values or not values[0]:
        return 0, 1.0
    return values[0], sum(values[1:]) / values[0]


def _varints(data: bytes) -> list[int]:
    """SQLite's varints: 7 bits a byte, high bit set when more follow; a ninth byte
    gives all its 8 bits."""
    values, i = [], 0
    while i < len(data):
        value = 0
        for k in range(9):
            byte = data[i]
            i += 1
            if k == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


class _Scorer:
    """BM25 the way FTS5's bm25() computes it (k1 1.2, b 0.75, column weights 10/6/1, the
    words counted in the two folded columns), for the few matches of a small place.

    How many documents hold each word would cost a pass over every document holding it;
    those counts are kept for a few minutes, which moves a score by a hair when the index
    changes meanwhile. The documents and their mean length are read from the record FTS5
    keeps for its own bm25() (counting them read the whole index: 0.23 s at a million
    documents warm, tens of seconds from a cold disk, on each process's first search)."""

    TTL_S = 300.0
    K1, B = 1.2, 0.75

    def __init__(self) -> None:
        self._cache: dict[tuple, tuple[float, float]] = {}

    def _cached(self, key: tuple, compute: Callable[[], float]) -> float:
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        if len(self._cache) > 10_000:
            self._cache.clear()
        value = compute()
        self._cache[key] = (now + self.TTL_S, value)
        return value

    def stats(self, conn: sqlite3.Connection, g: int, tokens: list[str]) -> dict:
        holding = {
            t: self._cached(
                (g, "df", t),
                lambda t=t: conn.execute(
                    f"SELECT count(*) FROM fts_{g} WHERE fts_{g} MATCH ?",
                    (f'{{name_folded text_folded}} : "{t}"',),
                ).fetchone()[0],
            )
            for t in set(tokens)
        }
        documents, mean_length = fts_averages(conn, g)
        return {"documents": documents, "mean_length": mean_length or 1.0, "holding": holding}

    def score(self, stats: dict, tokens: list[str], name_exact, name_folded, text_folded) -> float:
        name_words = words(name_folded or "")
        text_words = words(text_folded or "")
        length = len(words(name_exact or "")) + len(name_words) + len(text_words)
        norm = self.K1 * (1 - self.B + self.B * length / stats["mean_length"])
        total = 0.0
        n = stats["documents"]
        for token in tokens:
            held = stats["holding"][token]
            idf = math.log((n - held + 0.5) / (held + 0.5))
            idf = idf if idf > 0 else 1e-6
            freq = 6.0 * name_words.count(token) + 1.0 * text_words.count(token)
            total += idf * freq * (self.K1 + 1) / (freq + norm)
        return total


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, path: str | Path, cursors: CursorCodec | None = None) -> None:
        self.path = str(path)
        self.cursors = cursors or CursorCodec()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._scorer = _Scorer()
        self._zorder_of: dict[int, bool] = {}
        with self._write() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            if self._generation(conn) is None:
                for statement in _schema(1):
                    conn.execute(statement)
                conn.execute(_mark_zorder(1))
                conn.execute("INSERT INTO meta VALUES ('active', '1')")
            else:
                # An index made by an older version gains the tables it lacks (empty until
                # the daily hours refresh or a rebuild fills them).
                for statement in _schema(self._generation(conn)):
                    conn.execute(statement)

    # -- connections -----------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.create_function("arc_m", 4, arc_distance_m, deterministic=True)
            self._local.conn = conn
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one snapshot, so a rebuild that switches generations and
        drops the old tables meanwhile cannot pull them from under the query."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def _generation(conn: sqlite3.Connection) -> int | None:
        row = conn.execute("SELECT value FROM meta WHERE key = 'active'").fetchone()
        return int(row[0]) if row else None

    def _zorder(self, conn: sqlite3.Connection, g: int) -> bool:
        # A generation's rowid scheme is fixed when it is made: asked once per process.
        known = self._zorder_of.get(g)
        if known is None:
            row = conn.execute(f"SELECT 1 FROM meta WHERE key = 'zorder_{g}'").fetchone()
            known = self._zorder_of[g] = row is not None
        return known

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def healthy(self) -> bool:
        try:
            self._conn().execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    # -- writing ---------------------------------------------------------------

    def _put(self, conn: sqlite3.Connection, g: int, doc: dict, *, check_version: bool) -> None:
        row = conn.execute(
            f"SELECT rowid, version FROM docs_{g} WHERE id = ?", (doc["id"],)
        ).fetchone()
        if row and check_version and row[1] > doc["version"]:
            return
        if row:
            self._remove_row(conn, g, row[0])
        loc = doc["location"]
        rowid = None
        if self._zorder(conn, g):
            first = first_rowid(loc["lon"], loc["lat"])
            last = conn.execute(
                f"SELECT max(rowid) FROM docs_{g} WHERE rowid BETWEEN ? AND ?",
                (first, first + (1 << SEQ_BITS) - 1),
            ).fetchone()[0]
            rowid = first if last is None else last + 1
        cur = conn.execute(
            f"""INSERT INTO docs_{g} (rowid, id, version, deleted, kind, sort_name, lon, lat, view,
                suggest) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)""",
            (
                rowid,
                doc["id"],
                doc["version"],
                doc["kind"],
                doc["sort_name"],
                loc["lon"],
                loc["lat"],
                json.dumps(doc["view"], ensure_ascii=False),
                json.dumps(doc["suggest"], ensure_ascii=False),
            ),
        )
        rowid = cur.lastrowid
        conn.execute(
            f"INSERT INTO fts_{g} (rowid, name_exact, name_folded, text_folded) VALUES (?, ?, ?, ?)",
            (rowid, doc["name_exact"], doc["name_folded"], doc["text_folded"]),
        )
        conn.execute(
            f"INSERT INTO geo_{g} VALUES (?, ?, ?, ?, ?)",
            (rowid, loc["lon"], loc["lon"], loc["lat"], loc["lat"]),
        )
        terms = [("kind", doc["kind"])]
        for field_name in ("categories", "designations", "languages"):
            terms += [(field_name, value) for value in doc.get(field_name, [])]
        if doc.get("province"):
            terms.append(("province", doc["province"]))
        if doc.get("wheelchair"):
            terms.append(("wheelchair", doc["wheelchair"]))
        if doc.get("free") is not None:
            terms.append(("free", "true" if doc["free"] else "false"))
        conn.executemany(
            f"INSERT INTO terms_{g} VALUES (?, ?, ?)", [(rowid, f, v) for f, v in terms]
        )
        conn.executemany(
            f"INSERT INTO hours_{g} VALUES (?, ?, ?)",
            [(rowid, span["gte"], span["lt"]) for span in doc.get("open_intervals", [])],
        )

    @staticmethod
    def _remove_row(conn: sqlite3.Connection, g: int, rowid: int) -> None:
        conn.execute(f"DELETE FROM fts_{g} WHERE rowid = ?", (rowid,))
        conn.execute(f"DELETE FROM geo_{g} WHERE rowid = ?", (rowid,))
        conn.execute(f"DELETE FROM terms_{g} WHERE rowid = ?", (rowid,))
        conn.execute(f"DELETE FROM hours_{g} WHERE rowid = ?", (rowid,))
        conn.execute(f"DELETE FROM docs_{g} WHERE rowid = ?", (rowid,))

    def apply(self, upserts: Iterable[dict], deletes: Iterable[tuple[str, int]]) -> None:
        try:
            with self._write() as conn:
                g = self._generation(conn)
                for doc in upserts:
                    self._put(conn, g, doc, check_version=True)
                for site_id, version in deletes:
                    row = conn.execute(
                        f"SELECT rowid, version FROM docs_{g} WHERE id = ?", (site_id,)
                    ).fetchone()
                    if row and row[1] > version:
                        continue
                    if row:
                        self._remove_row(conn, g, row[0])
                    conn.execute(
                        f"INSERT INTO docs_{g} (id, version, deleted) VALUES (?, ?, 1)",
                        (site_id, version),
                    )
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"embedded index: {exc}") from exc

    def rebuild(
        self,
        documents: Iterable[dict | EncodedDocument],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        conn = self._conn()
        old = self._generation(conn)
        new = old + 1
        for statement in [*_drop(new), *_schema(new), _mark_zorder(new)]:
            conn.execute(statement)
        count = 0
        batch: list[dict] = []

        def flush() -> None:
            with self._write() as tx:
                for doc in batch:
                    self._put(tx, new, doc, check_version=False)
            if progress:
                progress(len(batch))
            batch.clear()

        try:
            for doc in documents:
                batch.append(doc.decoded() if isinstance(doc, EncodedDocument) else doc)
                count += 1
                if len(batch) >= _BATCH:
                    flush()
            if batch:
                flush()
        except BaseException:
            # The active generation still serves; the half-filled one would only take space.
            for statement in _drop(new):
                conn.execute(statement)
            raise
        with self._write() as tx:
            # Keep newer tombstones and documents written while we were building.
            tx.execute(
                f"""INSERT INTO docs_{new} (id, version, deleted)
                    SELECT id, version, 1 FROM docs_{old} o WHERE o.deleted = 1
                    AND NOT EXISTS (SELECT 1 FROM docs_{new} n WHERE n.id = o.id)"""
            )
            tx.execute("UPDATE meta SET value = ? WHERE key = 'active'", (str(new),))
        for statement in _drop(old):
            conn.execute(statement)
        return count

    # -- reading ---------------------------------------------------------------

    def views(self, ids: list[str]) -> dict[str, dict]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        try:
            with self._read() as conn:
                g = self._generation(conn)
                rows = conn.execute(
                    f"SELECT id, view FROM docs_{g} WHERE deleted = 0 AND id IN ({marks})", ids
                ).fetchall()
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"embedded index: {exc}") from exc
        return {site_id: json.loads(view) for site_id, view in rows}

    def count(self) -> int:
        with self._read() as conn:
            g = self._generation(conn)
            return conn.execute(f"SELECT count(*) FROM docs_{g} WHERE deleted = 0").fetchone()[0]

    def _where(self, conn: sqlite3.Connection, g: int, query: SearchQuery):
        """SQL conditions on `d` (docs) for every filter but the text and the place; the
        places as groups of envelopes (one R*Tree test each; the radius, the most selective
        usually, first); and the exact tests of place and CQL2, which call Python."""
        clauses = ["d.deleted = 0"]
        params: list = []
        for field_name, values in (
            ("kind", query.kinds),
            ("categories", query.categories),
            ("designations", query.designations),
            ("province", query.provinces),
        ):
            if values:
                marks = ", ".join("?" * len(values))
                clauses.append(
                    f"d.rowid IN (SELECT rowid FROM terms_{g} WHERE field = ? AND value IN ({marks}))"
                )
                params += [field_name, *values]
        for lang in query.languages:
            clauses.append(
                f"d.rowid IN (SELECT rowid FROM terms_{g} WHERE field = 'languages' AND value = ?)"
            )
            params.append(lang)
        if query.wheelchair:
            clauses.append(
                f"d.rowid IN (SELECT rowid FROM terms_{g} WHERE field = 'wheelchair' "
                "AND value IN ('yes', 'limited'))"
            )
        if query.free is not None:
            clauses.append(
                f"d.rowid IN (SELECT rowid FROM terms_{g} WHERE field = 'free' AND value = ?)"
            )
            params.append("true" if query.free else "false")
        if query.open_at is not None:
            # Pieces are at most a day long: only those opening in the day before can cover t.
            moment = epoch_minutes(query.open_at)
            clauses.append(
                f"d.rowid IN (SELECT rowid FROM hours_{g} "
                "WHERE opens > ? AND opens <= ? AND closes > ?)"
            )
            params += [moment - MAX_OPEN_MINUTES, moment, moment]
        boxes = []
        exact_tests: list[tuple[str, list]] = []
        if query.near and query.radius_m is not None:
            boxes.append(radius_envelopes(*query.near, query.radius_m))
            exact_tests.append(
                ("arc_m(?, ?, d.lon, d.lat) <= ?", [query.near[0], query.near[1], query.radius_m])
            )
        if query.bbox:
            boxes.append(split_envelope(query.bbox))
        if query.zone:
            zone = shape(query.zone)
            test = prepared.prep(zone)
            conn.create_function("in_zone", 2, lambda lon, lat: test.intersects(Point(lon, lat)))
            boxes.append([zone.bounds])
            exact_tests.append(("in_zone(d.lon, d.lat)", []))
        if query.cql2 is not None:
            matches = native_filter(query.cql2)
            conn.create_function("cql2_match", 2, matches, deterministic=True)
            exact_tests.append(("cql2_match(d.view, d.sort_name)", []))
        return clauses, params, boxes, exact_tests

    @staticmethod
    def _envelope_sql(envelopes, alias: str = "") -> tuple[str, list]:
        prefix = f"{alias}." if alias else ""
        ors = " OR ".join(
            f"({prefix}min_lon <= ? AND {prefix}max_lon >= ? "
            f"AND {prefix}min_lat <= ? AND {prefix}max_lat >= ?)"
            for _ in envelopes
        )
        params: list = []
        for min_lon, min_lat, max_lon, max_lat in envelopes:
            params += [max_lon, min_lon, max_lat, min_lat]
        return f"({ors})", params

    def _few_places(self, conn: sqlite3.Connection, g: int, envelopes) -> bool:
        """Whether the place holds few enough sites to score its matches in Python."""
        test, params = self._envelope_sql(envelopes)
        found = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM geo_{g} WHERE {test} LIMIT ?)",
            [*params, _RANGED_MAX + 1],
        ).fetchone()[0]
        return found <= _RANGED_MAX

    def _candidates(self, conn: sqlite3.Connection, g: int, query: SearchQuery, tokens: list[str]):
        """A SELECT of (rowid, id, sort_name, score, distance) for every match, and its params;
        in a small place with words, three more columns (the indexed texts) and no score.

        Cheap tests come first and the exact ones (distance, zone, CQL2, which call Python)
        last. Without words, the R*Tree drives. With words and a place, the full-text index
        is read only in the rowid ranges of the place's Z-order cells, so a word found in a
        quarter of the world's sites costs what the place holds, not what the world does."""
        clauses, params, boxes, exact_tests = self._where(conn, g, query)
        distance_sql, distance_params = "NULL", []
        if query.near:
            distance_sql, distance_params = "arc_m(?, ?, d.lon, d.lat)", [*query.near]
        ranges = None
        driving = boxes.pop(0) if boxes else None
        if (
            driving is not None
            and tokens
            and self._zorder(conn, g)
            and self._few_places(conn, g, driving)
        ):
            ranges = rowid_ranges(driving)
            tests = " OR ".join(
                "(d.lon BETWEEN ? AND ? AND d.lat BETWEEN ? AND ?)" for _ in driving
            )
            clauses.append(f"({tests})")
            for min_lon, min_lat, max_lon, max_lat in driving:
                params += [min_lon, max_lon, min_lat, max_lat]
            driving = None
        elif driving is not None and tokens:
            boxes.insert(0, driving)
            driving = None
        for envelopes in boxes:
            test, box_params = self._envelope_sql(envelopes)
            clauses.append(f"d.rowid IN (SELECT rowid FROM geo_{g} WHERE {test})")
            params += box_params
        for sql, test_params in exact_tests:
            clauses.append(sql)
            params += test_params
        where = " AND ".join(clauses)
        if not tokens:
            sources, source_params = f"docs_{g} d", []
            if driving is not None:
                test, source_params = self._envelope_sql(driving, "s")
                # CROSS JOIN keeps the R*Tree as the outer loop.
                sources = f"geo_{g} s CROSS JOIN docs_{g} d"
                where = f"{test} AND d.rowid = s.rowid AND {where}"
            sql = (
                f"SELECT d.rowid, d.id, d.sort_name, NULL AS score, {distance_sql} AS distance "
                f"FROM {sources} WHERE {where}"
            )
            return sql, [*distance_params, *source_params, *params], False
        exact = _fts_and(exact_tokens(query.text), "name_exact")
        text_match = "{name_folded text_folded} : (" + " AND ".join(f'"{t}"' for t in tokens) + ")"
        if ranges is None:
            sql = (
                f"SELECT d.rowid, d.id, d.sort_name, "
                f"-bm25(fts_{g}, 10.0, 6.0, 1.0) + CASE WHEN d.rowid IN "
                f"(SELECT rowid FROM fts_{g} WHERE fts_{g} MATCH ?) THEN {_EXACT_BOOST} ELSE 0 END "
                f"AS score, {distance_sql} AS distance "
                f"FROM fts_{g} JOIN docs_{g} d ON d.rowid = fts_{g}.rowid "
                f"WHERE fts_{g} MATCH ? AND {where}"
            )
            return sql, [exact, *distance_params, text_match, *params], False
        # FTS5's bm25() would count, for every range, each document in the world holding the
        # words (its IDF); the few candidates are scored in Python instead (_Scorer).
        ranged = " UNION ALL ".join(
            f"SELECT rowid FROM fts_{g} WHERE fts_{g} MATCH ? AND rowid BETWEEN ? AND ?"
            for _ in ranges
        )
        sql = (
            f"SELECT d.rowid, d.id, d.sort_name, NULL AS score, {distance_sql} AS distance, "
            f"f.name_exact, f.name_folded, f.text_folded "
            f"FROM ({ranged}) m CROSS JOIN docs_{g} d CROSS JOIN fts_{g} f "
            f"WHERE d.rowid = m.rowid AND f.rowid = m.rowid AND {where}"
        )
        match_params = [p for low, high in ranges for p in (text_match, low, high)]
        return sql, [*distance_params, *match_params, *params], True

    def search(self, query: SearchQuery) -> SearchResult:
        tokens = folded_tokens(query.text)
        if query.text.strip() and not tokens:
            # Only punctuation, emoji or symbols: nothing can match.
            empty = {f: {} for f in FACET_FIELDS} if query.facets else {}
            return SearchResult(hits=[], total=0, facets=empty)
        sort = query.effective_sort
        key, direction = {
            "relevance": ("score", "DESC"),
            "distance": ("distance", "ASC"),
            "name": ("sort_name", "ASC"),
        }[sort]
        after = decode_cursor(self.cursors, query)
        try:
            with self._read() as conn:
                g = self._generation(conn)
                candidates, params, ranged = self._candidates(conn, g, query, tokens)
                if ranged:
                    rows, total = self._scored_page(
                        conn, g, candidates, params, query, tokens, after
                    )
                else:
                    rows, total = self._sql_page(
                        conn, candidates, params, query, key, direction, after
                    )
                page = rows[: query.limit]
                marks = ", ".join("?" * len(page))
                views = dict(
                    conn.execute(
                        f"SELECT rowid, view FROM docs_{g} WHERE rowid IN ({marks})",
                        [row[0] for row in page],
                    ).fetchall()
                )
                facets = self._facets(conn, g, candidates, params) if query.facets else {}
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"embedded index: {exc}") from exc
        hits = []
        for rowid, site_id, score, distance, *_ in page:
            view = json.loads(views[rowid])
            hits.append(
                SearchHit(
                    id=site_id,
                    view=view,
                    score=score,
                    distance_m=distance,
                    highlight=highlights_for(view, tokens),
                )
            )
        next_cursor = None
        if len(rows) > query.limit:
            last = rows[query.limit - 1]
            value = {"relevance": last[2], "distance": last[3], "name": last[4]}[sort]
            next_cursor = encode_cursor(self.cursors, query, [value, last[1]])
        return SearchResult(hits=hits, total=total, next_cursor=next_cursor, facets=facets)

    @staticmethod
    def _sql_page(conn, candidates: str, params: list, query: SearchQuery, key, direction, after):
        """The page's rows (rowid, id, score, distance, sort_name) and the total, counted in
        the same pass (a window over every candidate, before the cursor and the limit)."""
        sql = (
            "SELECT rowid, id, score, distance, sort_name, total FROM "
            f"(SELECT c.*, count(*) OVER () AS total FROM ({candidates}) c)"
        )
        page_params = list(params)
        if after is not None:
            op = "<" if direction == "DESC" else ">"
            sql += f" WHERE ({key} {op} ? OR ({key} = ? AND id > ?))"
            page_params += [after[0], after[0], after[1]]
        sql += f" ORDER BY {key} {direction}, id ASC LIMIT ?"
        rows = conn.execute(sql, [*page_params, query.limit + 1]).fetchall()
        if rows:
            return rows, rows[0][5]
        if after is None:
            return rows, 0
        return rows, conn.execute(f"SELECT count(*) FROM ({candidates})", params).fetchone()[0]

    def _scored_page(self, conn, g: int, candidates: str, params: list, query, tokens, after):
        """The same page for candidates few enough to score and sort in Python."""
        found = conn.execute(candidates, params).fetchall()
        stats = self._scorer.stats(conn, g, tokens)
        exact = {w for token in exact_tokens(query.text) for w in words(token)}
        rows = []
        for rowid, site_id, sort_name, _, distance, name_exact, name_folded, text_folded in found:
            score = self._scorer.score(stats, tokens, name_exact, name_folded, text_folded)
            if exact and exact <= set(words(name_exact or "")):
                score += _EXACT_BOOST
            rows.append((rowid, site_id, score, distance, sort_name))
        sort = query.effective_sort
        index = {"relevance": 2, "distance": 3, "name": 4}[sort]
        descending = sort == "relevance"

        def order(row):
            value = row[index]
            return (-value if descending else value, row[1])

        rows.sort(key=order)
        if after is not None:
            mark = order((None, after[1], after[0], after[0], after[0]))
            rows = [row for row in rows if order(row) > mark]
        return rows[: query.limit + 1], len(found)

    def _facets(self, conn, g: int, candidates: str, params: list) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for field_name in FACET_FIELDS:
            rows = conn.execute(
                f"""SELECT t.value, count(*) FROM terms_{g} t
                    WHERE t.field = ? AND t.rowid IN (SELECT rowid FROM ({candidates}))
                    GROUP BY t.value ORDER BY count(*) DESC, t.value""",
                [field_name, *params],
            ).fetchall()
            result[field_name] = dict(rows)
        return result

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        tokens = folded_tokens(prefix)
        if not tokens:
            return []
        wanted = " ".join(tokens)
        phrase = '"' + " ".join(tokens) + '" *'
        with self._read() as conn:
            g = self._generation(conn)
            rows = conn.execute(
                f"""SELECT d.id, d.view, d.suggest FROM docs_{g} d
                WHERE d.deleted = 0 AND d.rowid IN (SELECT rowid FROM fts_{g} WHERE fts_{g} MATCH ?)
                ORDER BY d.sort_name, d.id LIMIT ?""",
                (f"name_folded : {phrase}", limit * 5),
            ).fetchall()
        found = []
        for site_id, view_json, suggest_json in rows:
            tails = [t for t in json.loads(suggest_json) if t.startswith(wanted)]
            if tails:
                found.append(
                    Suggestion(id=site_id, text=min(tails, key=len), view=json.loads(view_json))
                )
        found.sort(key=lambda s: (len(s.text), s.view.get("slug", ""), s.id))
        return found[:limit]
