"""Rows for several tables, gathered and then inserted with one statement per table.

Creating thousands of sites (an import) through ORM objects spent most of its time in
the unit of work: instrumented attributes, cascades, dependency sorting and an INSERT
... RETURNING per table to learn ids nothing read. New sites are written as plain rows
instead, parents first (the order tables were first added in), and only a site that a
caller goes on to use is loaded as an object.

On PostgreSQL the rows go in with COPY: the server then parses one stream per table
instead of executing an INSERT per row (with the client waiting for each batch), which
was most of what remained. COPY sends text, so each column's value is written as the
server reads that type; what SQLAlchemy's types would have sent (JSON text, EWKB for
geometries) is produced here for the few column types the catalogue's tables use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Any

import psycopg
from geoalchemy2 import Geometry
from sqlalchemy import JSON, Dialect, Table, TypeDecorator, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import jsonio
from ..errors import Conflict
from .geometry import ewkb_hex


class TableRows:
    def __init__(self) -> None:
        self._rows: dict[Table, list[dict]] = {}

    def add(self, table: Table, row: dict) -> None:
        self._rows.setdefault(table, []).append(row)

    def extend(self, table: Table, rows: Iterable[dict]) -> None:
        self._rows.setdefault(table, []).extend(rows)

    def insert(self, session: Session) -> None:
        """Insert every table's rows in the caller's transaction; a uniqueness clash with
        a concurrent writer (a slug or a source taken since it was checked) is a Conflict
        and the caller rolls back its savepoint or transaction."""
        copy = session.get_bind().dialect.name == "postgresql"
        if copy:
            session.flush()  # what the ORM holds goes first, as a statement would autoflush
        try:
            for table, rows in self._rows.items():
                if not rows:
                    continue
                if copy:
                    _copy(session, table, rows)
                else:
                    session.execute(insert(table), rows)
        except (IntegrityError, psycopg.IntegrityError) as exc:
            raise Conflict(
                "The change conflicts with another record (duplicate slug or source)."
            ) from exc


# Rows per statement when rows are made while reading (`ChunkedInsert`).
CHUNK_ROWS = 20_000


class ChunkedInsert:
    """Rows of one table inserted a chunk at a time as they are made, so that a job over
    every site (the daily calendar refresh) keeps flat memory: use it as a context
    manager; the last chunk goes in on a clean exit."""

    def __init__(self, session: Session, table: Table) -> None:
        self.session, self.table = session, table
        self.chunk = CHUNK_ROWS
        self._rows: list[dict] = []

    def extend(self, rows: Iterable[dict]) -> None:
        self._rows.extend(rows)
        if len(self._rows) >= self.chunk:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self.session.execute(insert(self.table), self._rows)
            self._rows = []

    def __enter__(self) -> ChunkedInsert:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self._flush()


def _copy(session: Session, table: Table, rows: list[dict]) -> None:
    names = list(rows[0])
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    # Most columns go as they are; only JSON and geometries are written here.
    dialect = session.get_bind().dialect
    converted = [
        (position, convert)
        for position, name in enumerate(names)
        if (convert := _text_of(table.c[name], dialect)) is not None
    ]
    columns = ", ".join(f'"{name}"' for name in names)
    connection = session.connection().connection.driver_connection
    with (
        connection.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            line = list(values(row))
            for position, convert in converted:
                line[position] = convert(line[position])
            copy.write_row(line)


# Most of a new site's JSON columns are empty. A Python None is JSON null in these
# columns, as SQLAlchemy's JSON type writes it.
_EMPTY_JSON = {dict: "{}", list: "[]", type(None): "null"}


def _json(value: Any) -> str:
    empty = _EMPTY_JSON.get(type(value))
    if empty is not None and not value:
        return empty
    return jsonio.dumps_bytes(value).decode()


def _geometry(value: Any) -> str | None:
    return None if value is None else ewkb_hex(value)


def _text_of(column, dialect: Dialect) -> Callable[[Any], Any] | None:
    """How a value of this column is written for COPY; None: as it is (psycopg adapts it).
    A column type of our own (`models.UTCDateTime`) checks and converts its values as it
    does for a statement."""
    kind = column.type
    if isinstance(kind, Geometry):
        return _geometry
    if isinstance(kind, JSON):
        return _json
    if isinstance(kind, TypeDecorator):
        return lambda value: kind.process_bind_param(value, dialect)
    return None
