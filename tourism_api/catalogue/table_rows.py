"""Rows for several tables, gathered and then inserted with one statement per table.

Creating thousands of sites (an import) through ORM objects spent most of its time in
the unit of work: instrumented attributes, cascades, dependency sorting and an INSERT
... RETURNING per table to learn ids nothing read. New sites are written as plain rows
instead, parents first (the order tables were first added in), and only a site that a
caller goes on to use is loaded as an object.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict


class TableRows:
    def __init__(self) -> None:
        self._rows: dict[Table, list[dict]] = {}

    def add(self, table: Table, row: dict) -> None:
        self._rows.setdefault(table, []).append(row)

    def extend(self, table: Table, rows: Iterable[dict]) -> None:
        self._rows.setdefault(table, []).extend(rows)

    def count(self, table: Table) -> int:
        return len(self._rows.get(table, ()))

    def insert(self, session: Session) -> None:
        """Insert every table's rows in the caller's transaction; a uniqueness clash with
        a concurrent writer (a slug or a source taken since it was checked) is a Conflict
        and the caller rolls back its savepoint or transaction."""
        try:
            for table, rows in self._rows.items():
                if rows:
                    session.execute(insert(table), rows)
        except IntegrityError as exc:
            raise Conflict(
                "The change conflicts with another record (duplicate slug or source)."
            ) from exc
