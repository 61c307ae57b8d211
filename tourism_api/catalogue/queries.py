"""Listing sites: filters, spatial predicates and keyset (cursor) pagination.

Pages continue from the last row's sort key instead of an offset, so page
100 costs what page 1 does and a row inserted meanwhile neither repeats nor
vanishes. The cursor also carries a fingerprint of the query, so a cursor
reused with other filters is refused rather than silently misapplied.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import datetime

from shapely import wkb as shapely_wkb
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from search.cursors import BadCursor, CursorCodec
from search.geo import Envelope, radius_envelopes, split_envelope

from ..errors import InvalidInput, NotFound
from . import cql2, hours_store
from .geometry import from_db
from .models import Site, SiteCategory
from .spatial import SpatialSQL

SORTS = ("id", "name", "distance")


@dataclass(frozen=True)
class SiteQuery:
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()  # 2025 unit codes
    open_at: datetime | None = None  # open at this moment
    wheelchair: bool = False  # wheelchair access yes or limited
    free: bool | None = None  # free entry, or paid
    statuses: tuple[str, ...] = ("published",)
    # Unpublished rows of this office only (None: of every office, when statuses allow them).
    drafts_of: int | None = None
    bbox: Envelope | None = None
    near: tuple[float, float] | None = None  # (lon, lat)
    radius_m: float | None = None
    zone: str | None = None
    zones_only: bool = False
    # Last change within [from, to] (either end open): OGC API's `datetime`.
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    # A CQL2 filter (OGC API - Features Part 3) and the CRS of its geometries.
    cql2: cql2.Cql2Filter | None = None
    filter_crs: str | None = None
    sort: str | None = None
    limit: int = 20
    cursor: str | None = field(default=None, compare=False)

    @property
    def effective_sort(self) -> str:
        return self.sort or ("distance" if self.near else "id")

    def fingerprint(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.pop("cursor")
        data.pop("limit")
        data["cql2"] = self.cql2.key if self.cql2 else None
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[
            :16
        ]


@dataclass
class Page:
    items: list[tuple[Site, float | None]]
    next_cursor: str | None
    prev_cursor: str | None = None


def encode_cursor(
    codec: CursorCodec, query: SiteQuery, key: list, *, backward: bool = False
) -> str:
    """A cursor to continue after `key`, or (backward) to the page that ends before it."""
    return codec.encode(query.fingerprint() + (":before" if backward else ""), key)


def decode_position(codec: CursorCodec, query: SiteQuery) -> tuple[list | None, bool]:
    """The key a cursor names and whether it pages backward; BadCursor for anything else."""
    if not query.cursor:
        return None, False
    try:
        return decode_cursor(codec, query), False
    except BadCursor:
        textual = query.effective_sort != "distance"
        before = codec.decode(query.cursor, query.fingerprint() + ":before", textual=textual)
        return before, True


def _beyond(sort: str, sort_key, position: list, *, before: bool):
    """Rows after (or before) a position in the list's order."""
    if sort == "id":
        return Site.id < position[1] if before else Site.id > position[1]
    if before:
        return or_(sort_key < position[0], and_(sort_key == position[0], Site.id < position[1]))
    return or_(sort_key > position[0], and_(sort_key == position[0], Site.id > position[1]))


def decode_cursor(codec: CursorCodec, query: SiteQuery) -> list | None:
    """A forged or foreign cursor is BadCursor (400), never a value passed to SQL."""
    if not query.cursor:
        return None
    # "id" and "name" orders continue after a string; "distance" after a number.
    return codec.decode(
        query.cursor, query.fingerprint(), textual=query.effective_sort != "distance"
    )


class SiteLister:
    def __init__(self, sessions: sessionmaker[Session], cursors: CursorCodec | None = None) -> None:
        self.sessions = sessions
        self.cursors = cursors or CursorCodec()

    def list(self, query: SiteQuery, *, keys_only: bool = False) -> Page:
        """A page of sites; with `keys_only`, rows of (id, version, sort_name) instead of
        loaded sites, for callers that take the views from elsewhere (the search index)."""
        sort = query.effective_sort
        if sort == "distance" and not query.near:
            raise InvalidInput(
                "Sorting by distance needs lat and lon.", {"sort": ["Needs lat and lon."]}
            )
        if query.radius_m is not None and not query.near:
            raise InvalidInput("A radius needs lat and lon.", {"radius": ["Needs lat and lon."]})
        with self.sessions() as session:
            spatial = SpatialSQL(session.get_bind().dialect.name)
            distance = spatial.distance_m(*query.near) if query.near else None
            entity = [Site.id, Site.version, Site.sort_name] if keys_only else [Site]
            columns = entity if distance is None else [*entity, distance.label("distance_m")]
            stmt = select(*columns).where(*self._filters(session, spatial, query, distance))
            sort_key = {"id": Site.id, "name": Site.sort_name, "distance": distance}[sort]
            position, backward = decode_position(self.cursors, query)
            if position is not None:
                stmt = stmt.where(_beyond(sort, sort_key, position, before=backward))
            order = [Site.id] if sort == "id" else [sort_key, Site.id]
            if backward:
                order = [column.desc() for column in order]
            rows = session.execute(stmt.order_by(*order).limit(query.limit + 1)).all()
            n = len(entity)
            items = [
                (row if keys_only else row[0], row[n] if distance is not None else None)
                for row in rows
            ]
            more = len(items) > query.limit
            items = items[: query.limit]
            if backward:
                items.reverse()

            def key_of(item) -> list:
                site, site_distance = item
                value = {"id": site.id, "name": site.sort_name, "distance": site_distance}[sort]
                return [value, site.id]

            # Forward: more after the last row, and rows before whenever we did not start at
            # the top. Backward: more before the first row, and the page we came from after.
            has_next = (not backward and more) or (backward and bool(items))
            has_prev = (backward and more) or (
                not backward and position is not None and bool(items)
            )
            next_cursor = (
                encode_cursor(self.cursors, query, key_of(items[-1])) if has_next else None
            )
            prev_cursor = (
                encode_cursor(self.cursors, query, key_of(items[0]), backward=True)
                if has_prev
                else None
            )
            return Page(items=items, next_cursor=next_cursor, prev_cursor=prev_cursor)

    def count(self, query: SiteQuery) -> int:
        """How many sites match the query's filters (OGC API's numberMatched)."""
        with self.sessions() as session:
            spatial = SpatialSQL(session.get_bind().dialect.name)
            distance = spatial.distance_m(*query.near) if query.near else None
            stmt = select(func.count()).select_from(Site)
            return session.scalar(stmt.where(*self._filters(session, spatial, query, distance)))

    def extent(self, query: SiteQuery) -> tuple[tuple | None, tuple | None]:
        """The bounding box (lon/lat) and the span of last changes of what the query matches."""
        with self.sessions() as session:
            spatial = SpatialSQL(session.get_bind().dialect.name)
            geometry = Site.footprint if query.zones_only else Site.location
            row = session.execute(
                select(
                    *spatial.bounds(geometry), func.min(Site.updated_at), func.max(Site.updated_at)
                )
                .select_from(Site)
                .where(*self._filters(session, spatial, query, None))
            ).one()
        box = None if row[0] is None else tuple(float(v) for v in row[:4])
        times = None if row[4] is None else (row[4], row[5])
        return box, times

    def _filters(self, session: Session, spatial: SpatialSQL, query: SiteQuery, distance) -> list:
        filters = []
        if query.statuses:
            filters.append(Site.status.in_(query.statuses))
        if query.drafts_of is not None and query.statuses != ("published",):
            filters.append(or_(Site.status == "published", Site.organisation_id == query.drafts_of))
        if query.kinds:
            filters.append(Site.kind.in_(query.kinds))
        if query.categories:
            filters.append(
                exists().where(
                    SiteCategory.site_id == Site.id,
                    SiteCategory.category_code.in_(query.categories),
                )
            )
        if query.provinces:
            filters.append(Site.province_code.in_(query.provinces))
        if query.open_at is not None:
            filters.append(hours_store.open_at(query.open_at))
        if query.wheelchair:
            filters.append(Site.accessibility["wheelchair"].as_string().in_(("yes", "limited")))
        if query.free is not None:
            filters.append(Site.admission["free"].as_boolean().is_(query.free))
        if query.zones_only:
            filters.append(Site.is_zone.is_(True))
        if query.updated_from is not None:
            filters.append(Site.updated_at >= query.updated_from)
        if query.updated_to is not None:
            filters.append(Site.updated_at <= query.updated_to)
        if query.cql2 is not None:
            geometry = Site.footprint if query.zones_only else Site.location
            filters.append(
                cql2.to_sql(
                    query.cql2, spatial, geometry, query.filter_crs or cql2.crs_module.CRS84
                )
            )
        if query.bbox:
            filters.append(spatial.location_in(split_envelope(query.bbox)))
        if query.near and query.radius_m is not None:
            filters.append(spatial.location_in(radius_envelopes(*query.near, query.radius_m)))
            filters.append(distance <= query.radius_m)
        if query.zone:
            zone = session.scalars(
                select(Site).where(or_(Site.id == query.zone, Site.slug == query.zone))
            ).first()
            hidden = zone is not None and (
                zone.status not in query.statuses
                or zone.status != "published"
                and query.drafts_of is not None
                and zone.organisation_id != query.drafts_of
            )
            if zone is None or not zone.is_zone or hidden:
                raise NotFound(f"No zone with id or slug {query.zone!r}.")
            footprint = from_db(zone.footprint)
            min_lon, min_lat, max_lon, max_lat = footprint.bounds
            filters.append(spatial.location_in([(min_lon, min_lat, max_lon, max_lat)]))
            filters.append(spatial.location_intersects(shapely_wkb.dumps(footprint)))
            filters.append(Site.id != zone.id)
        return filters
