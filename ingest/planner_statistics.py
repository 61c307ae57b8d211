"""PostgreSQL's planner statistics, kept in step with the tables an import fills.

Each batch looks up its records by source id and slug. While an import grows the
catalogue from a few rows to thousands, the statistics still describe the small table
(autovacuum analyses it a minute or more later), and the planner reads every row of
the source to find a batch's 500 ids: at 10,000 records that lookup took 131 µs a
record, more than validating it. Analysing whenever the tables have doubled since the
planner last looked keeps the lookups on the index, at a cost of a few ANALYZEs per
import (about a dozen from an empty catalogue to a million sites).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# The tables a batch's lookups read, and the one whose size is watched.
TABLES = "sites, site_sources"
WATCHED = "site_sources"
# Below this the planner's guess does not matter.
SMALL = 500


class PlannerStatistics:
    def __init__(self) -> None:
        self._believed: int | None = None  # rows the statistics describe
        self._added = 0

    def added(self, session: Session, rows: int) -> None:
        """`rows` more in the watched table, in the session's transaction: ANALYZE once
        the tables hold twice what the statistics describe (rows this transaction wrote
        count: ANALYZE sees them)."""
        if rows <= 0 or session.get_bind().dialect.name != "postgresql":
            return
        if self._believed is None:
            estimate = session.scalar(
                text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                {"t": WATCHED},
            )
            self._believed = max(int(estimate or 0), 0)  # -1: never analysed
        self._added += rows
        now = self._believed + self._added
        if now >= 2 * max(self._believed, SMALL):
            session.execute(text(f"ANALYZE {TABLES}"))
            self._believed, self._added = now, 0
