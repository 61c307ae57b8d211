"""Sites read in bulk as plain records, for work that touches thousands at once.

An index rebuild builds a document for every published site; hydrating ORM objects
for that (identity map, instrumented attributes, a query per relationship per batch)
cost more than building the documents. A `SiteRecord` has the attributes of
`models.Site` that `records.stored_view` and `search.documents.site_document` read, so
both keep one implementation for ORM sites and records alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from .models import Media, Site, SiteCategory, SiteSource

# What summary views and index documents read: no footprint, events, field origins or
# who changed it last.
_SITES = Site.__table__
_LEFT_OUT = ("footprint", "events", "field_origins", "created_by", "updated_by")
_COLUMNS = [c for c in _SITES.c if c.key not in _LEFT_OUT]
_IN_CHUNK = 500  # ids per IN (...): well under SQLite's bound-parameter limit


class SiteRecord:
    """A site's columns as attributes (those a summary view reads), with its category
    codes, sources and primary photo; also what a bulk creation returns for each site
    it wrote (`Catalogue.create_many_in`), with every column."""

    category_codes: list[str]
    sources: list[Any]
    primary_media: Any

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"<SiteRecord {self.id}>"


def read_sites(session: Session, ids: list[str]) -> list[SiteRecord]:
    """These sites as records, in no particular order; ids not found are left out."""
    records: list[SiteRecord] = []
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        records.extend(
            _complete(
                session,
                _rows(session, select(*_COLUMNS).where(_SITES.c.id.in_(chunk))),
                lambda site_id, chunk=chunk: site_id.in_(chunk),
            )
        )
    return records


def iter_sites(
    session: Session, where: ColumnElement[bool], batch_size: int = 1000
) -> Iterator[list[SiteRecord]]:
    """Sites matching `where`, in batches by ascending id.

    Pages by key rather than holding one cursor open, so each batch is a short query on
    either database, and a long run never pins a snapshot; what changes meanwhile is
    caught by the outbox (see `search.indexer.Indexer.rebuild`)."""
    after = ""
    while True:
        query = (
            select(*_COLUMNS)
            .where(where, _SITES.c.id > after)
            .order_by(_SITES.c.id)
            .limit(batch_size)
        )
        records = _rows(session, query)
        if not records:
            return
        first, last = records[0].id, records[-1].id
        # The batch's related rows by id range: two parameters, where a list of a
        # thousand ids made every query a new one to parse and plan.
        yield _complete(session, records, lambda site_id, a=first, b=last: site_id.between(a, b))
        after = last


def _rows(session: Session, query: Select) -> list[SiteRecord]:
    result = session.execute(query)
    keys = list(result.keys())
    return [SiteRecord(dict(zip(keys, row, strict=True))) for row in result]


def _complete(
    session: Session,
    records: list[SiteRecord],
    of_sites: Callable[[ColumnElement[str]], ColumnElement[bool]],
) -> list[SiteRecord]:
    """Attach category codes, sources and the primary photo: three queries per batch,
    each selecting by `of_sites(its site_id column)`."""
    if not records:
        return records

    categories: dict[str, list[str]] = defaultdict(list)
    for site_id, code in session.execute(
        select(SiteCategory.site_id, SiteCategory.category_code)
        .where(of_sites(SiteCategory.site_id))
        .order_by(SiteCategory.site_id, SiteCategory.category_code)
    ):
        categories[site_id].append(code)
    sources: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(SiteSource.__table__).where(of_sites(SiteSource.site_id)).order_by(SiteSource.id)
    ):
        sources[row.site_id].append(row)
    primary: dict[str, Any] = {}
    for row in session.execute(
        select(Media.__table__)
        .where(of_sites(Media.site_id), Media.is_primary.is_(True))
        .order_by(Media.position, Media.created_at)
    ):
        primary.setdefault(row.site_id, row)
    for record in records:
        record.category_codes = categories.get(record.id, [])
        record.sources = sources.get(record.id, [])
        record.primary_media = primary.get(record.id)
    return records
