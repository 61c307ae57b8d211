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
import sqlite3
import threading
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
from .text import exact_tokens, folded_tokens

# Added to the score of a hit whose name also matches with its diacritics.
_EXACT_BOOST = 1000.0
_BATCH = 500


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
    return [f"DROP TABLE IF EXISTS {t}_{g}" for t in ("docs", "terms", "fts", "geo", "hours")]


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


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, path: str | Path, cursors: CursorCodec | None = None) -> None:
        self.path = str(path)
        self.cursors = cursors or CursorCodec()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._write() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            if self._generation(conn) is None:
                for statement in _schema(1):
                    conn.execute(statement)
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
        cur = conn.execute(
            f"""INSERT INTO docs_{g} (id, version, deleted, kind, sort_name, lon, lat, view, suggest)
                VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?)""",
            (
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
        self, documents: Iterable[dict], progress: Callable[[int], None] | None = None
    ) -> int:
        conn = self._conn()
        old = self._generation(conn)
        new = old + 1
        for statement in _drop(new) + _schema(new):
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

        for doc in documents:
            batch.append(doc)
            count += 1
            if len(batch) >= _BATCH:
                flush()
        if batch:
            flush()
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

    def count(self) -> int:
        with self._read() as conn:
            g = self._generation(conn)
            return conn.execute(f"SELECT count(*) FROM docs_{g} WHERE deleted = 0").fetchone()[0]

    def _where(self, conn: sqlite3.Connection, g: int, query: SearchQuery):
        """SQL conditions on `d` (docs) for every filter but the text."""
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
        if query.bbox:
            boxes.append(split_envelope(query.bbox))
        if query.near and query.radius_m is not None:
            boxes.append(radius_envelopes(*query.near, query.radius_m))
            clauses.append("arc_m(?, ?, d.lon, d.lat) <= ?")
            params += [query.near[0], query.near[1], query.radius_m]
        if query.zone:
            zone = shape(query.zone)
            test = prepared.prep(zone)
            conn.create_function("in_zone", 2, lambda lon, lat: test.intersects(Point(lon, lat)))
            boxes.append([zone.bounds])
            clauses.append("in_zone(d.lon, d.lat)")
        if query.cql2 is not None:
            matches = native_filter(query.cql2)
            conn.create_function("cql2_match", 2, matches, deterministic=True)
            clauses.append("cql2_match(d.view, d.sort_name)")
        for envelopes in boxes:
            ors = " OR ".join(
                "(min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ?)"
                for _ in envelopes
            )
            clauses.append(f"d.rowid IN (SELECT rowid FROM geo_{g} WHERE {ors})")
            for min_lon, min_lat, max_lon, max_lat in envelopes:
                params += [max_lon, min_lon, max_lat, min_lat]
        return " AND ".join(clauses), params

    def _candidates(self, conn: sqlite3.Connection, g: int, query: SearchQuery, tokens: list[str]):
        """A SELECT of (rowid, id, view, sort_name, score, distance) for every match, and its params."""
        where, params = self._where(conn, g, query)
        distance_sql, distance_params = "NULL", []
        if query.near:
            distance_sql, distance_params = "arc_m(?, ?, d.lon, d.lat)", [*query.near]
        if not tokens:
            sql = (
                f"SELECT d.rowid, d.id, d.view, d.sort_name, NULL AS score, {distance_sql} AS distance "
                f"FROM docs_{g} d WHERE {where}"
            )
            return sql, [*distance_params, *params]
        exact = exact_tokens(query.text)
        sql = (
            f"SELECT d.rowid, d.id, d.view, d.sort_name, "
            f"-bm25(fts_{g}, 10.0, 6.0, 1.0) + CASE WHEN d.rowid IN "
            f"(SELECT rowid FROM fts_{g} WHERE fts_{g} MATCH ?) THEN {_EXACT_BOOST} ELSE 0 END AS score, "
            f"{distance_sql} AS distance "
            f"FROM fts_{g} JOIN docs_{g} d ON d.rowid = fts_{g}.rowid "
            f"WHERE fts_{g} MATCH ? AND {where}"
        )
        text_match = "{name_folded text_folded} : (" + " AND ".join(f'"{t}"' for t in tokens) + ")"
        return sql, [_fts_and(exact, "name_exact"), *distance_params, text_match, *params]

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
                candidates, params = self._candidates(conn, g, query, tokens)
                sql = f"SELECT id, view, score, distance, sort_name FROM ({candidates})"
                page_params = list(params)
                if after is not None:
                    op = "<" if direction == "DESC" else ">"
                    sql += f" WHERE ({key} {op} ? OR ({key} = ? AND id > ?))"
                    page_params += [after[0], after[0], after[1]]
                sql += f" ORDER BY {key} {direction}, id ASC LIMIT ?"
                rows = conn.execute(sql, [*page_params, query.limit + 1]).fetchall()
                total = conn.execute(f"SELECT count(*) FROM ({candidates})", params).fetchone()[0]
                facets = self._facets(conn, g, candidates, params) if query.facets else {}
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"embedded index: {exc}") from exc
        hits = []
        for site_id, view_json, score, distance, _ in rows[: query.limit]:
            view = json.loads(view_json)
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
            next_cursor = encode_cursor(self.cursors, query, [value, last[0]])
        return SearchResult(hits=hits, total=total, next_cursor=next_cursor, facets=facets)

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
