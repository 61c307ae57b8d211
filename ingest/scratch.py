"""Bookkeeping that grows with the input, kept in a temporary SQLite file.

An import must run in flat memory whatever the file's size: the ids and names
already met (for duplicate checks) and OSM node coordinates live here instead
of in Python dicts. SQLite's page cache stays small; the file is deleted on close.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path


class Scratch:
    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="tourism-ingest-")
        self.conn = sqlite3.connect(Path(self._dir.name) / "scratch.sqlite3", isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA cache_size = -8000")  # about 8 MB
        self.conn.execute("BEGIN")

    def close(self) -> None:
        self.conn.close()
        self._dir.cleanup()

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SeenRecords(Scratch):
    """Source ids and (folded name, place) pairs met so far in one file."""

    def __init__(self) -> None:
        super().__init__()
        self.conn.execute("CREATE TABLE ids (id TEXT PRIMARY KEY, position TEXT) WITHOUT ROWID")
        self.conn.execute("CREATE TABLE names (key TEXT, lon REAL, lat REAL, position TEXT)")
        self.conn.execute("CREATE INDEX names_key ON names (key)")

    def claim_id(self, source_id: str, position: str) -> str | None:
        """Remember where `source_id` is first met; the earlier position if it was met
        before. One statement for the common case, a new id."""
        added = self.conn.execute(
            "INSERT OR IGNORE INTO ids VALUES (?, ?)", (source_id, position)
        ).rowcount
        if added:
            return None
        row = self.conn.execute("SELECT position FROM ids WHERE id = ?", (source_id,)).fetchone()
        return row[0]

    def places_named(self, key: str) -> list[tuple[str, float, float]]:
        return self.conn.execute(
            "SELECT position, lon, lat FROM names WHERE key = ?", (key,)
        ).fetchall()

    def add_name(self, key: str, lon: float, lat: float, position: str) -> None:
        self.conn.execute("INSERT INTO names VALUES (?, ?, ?, ?)", (key, lon, lat, position))


class OsmStore(Scratch):
    """Node coordinates and way node lists of an OSM file, for building geometries."""

    def __init__(self) -> None:
        super().__init__()
        self.conn.execute("CREATE TABLE nodes (id INTEGER PRIMARY KEY, lon REAL, lat REAL)")
        self.conn.execute("CREATE TABLE ways (id INTEGER PRIMARY KEY, data TEXT)")

    def add_node(self, node_id: int, lon: float, lat: float) -> None:
        self.conn.execute("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)", (node_id, lon, lat))

    def nodes(self, ids: list[int]) -> dict[int, tuple[float, float]]:
        found: dict[int, tuple[float, float]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for node_id, lon, lat in self.conn.execute(
                f"SELECT id, lon, lat FROM nodes WHERE id IN ({marks})", chunk
            ):
                found[node_id] = (lon, lat)
        return found

    def add_way(self, way_id: int, data: dict) -> None:
        self.conn.execute("INSERT OR REPLACE INTO ways VALUES (?, ?)", (way_id, json.dumps(data)))

    def way(self, way_id: int) -> dict | None:
        row = self.conn.execute("SELECT data FROM ways WHERE id = ?", (way_id,)).fetchone()
        return json.loads(row[0]) if row else None


class WikidataRows(Scratch):
    """SPARQL result rows grouped per item: rows of one item may be anywhere in the file."""

    def __init__(self) -> None:
        super().__init__()
        self.conn.execute("CREATE TABLE items (qid TEXT PRIMARY KEY, first INTEGER) WITHOUT ROWID")
        self.conn.execute(
            "CREATE TABLE vals (seq INTEGER PRIMARY KEY, qid TEXT, name TEXT, value TEXT)"
        )

    def add(self, qid: str, row_index: int, values: list[tuple[str, str]]) -> None:
        self.conn.execute("INSERT OR IGNORE INTO items VALUES (?, ?)", (qid, row_index))
        self.conn.executemany(
            "INSERT INTO vals (qid, name, value) VALUES (?, ?, ?)",
            [(qid, name, value) for name, value in values],
        )

    def items(self) -> Iterator[tuple[str, int, list[tuple[str, str]]]]:
        """Items in order of their first row, each with its (name, value) pairs in file order."""
        self.conn.execute("CREATE INDEX vals_qid ON vals (qid, seq)")
        self.conn.execute("CREATE INDEX items_first ON items (first)")
        # A second connection would not see the open transaction; read the item list in
        # pages instead so that only one page of ids is in memory at a time.
        last = -1
        while True:
            page = self.conn.execute(
                "SELECT qid, first FROM items WHERE first > ? ORDER BY first LIMIT 1000", (last,)
            ).fetchall()
            if not page:
                return
            for qid, first in page:
                values = self.conn.execute(
                    "SELECT name, value FROM vals WHERE qid = ? ORDER BY seq", (qid,)
                ).fetchall()
                yield qid, first, values
            last = page[-1][1]
