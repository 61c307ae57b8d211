"""The few spatial SQL expressions whose spelling differs between SpatiaLite and PostGIS.

Everything else in the queries is portable SQLAlchemy. Both backends measure
distances on the WGS 84 ellipsoid, so a radius query gives the same answer on
either database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, table, true
from sqlalchemy import column as sql_column

from search.geo import Envelope

from .models import SRID, Site


@dataclass(frozen=True)
class SpatialSQL:
    dialect: str

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def point(self, lon: float, lat: float) -> ColumnElement:
        if self.is_sqlite:
            return func.MakePoint(lon, lat, SRID)
        return func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)

    def distance_m(self, lon: float, lat: float) -> ColumnElement:
        """Ellipsoidal distance in metres from a site's location to a point."""
        if self.is_sqlite:
            return func.ST_Distance(Site.location, self.point(lon, lat), 1)
        return func.ST_Distance(func.geography(Site.location), func.geography(self.point(lon, lat)))

    def geometry_from_wkb(self, wkb: bytes) -> ColumnElement:
        return func.ST_GeomFromWKB(wkb, SRID)

    def _index_candidates(self, envelope: Envelope) -> ColumnElement:
        min_lon, min_lat, max_lon, max_lat = envelope
        if self.is_sqlite:
            # SpatiaLite's R*Tree is a plain table that queries must name.
            rtree = table(
                "idx_sites_location",
                sql_column("pkid"),
                sql_column("xmin"),
                sql_column("xmax"),
                sql_column("ymin"),
                sql_column("ymax"),
            )
            return literal_column("sites.rowid").in_(
                select(rtree.c.pkid).where(
                    rtree.c.xmin <= max_lon,
                    rtree.c.xmax >= min_lon,
                    rtree.c.ymin <= max_lat,
                    rtree.c.ymax >= min_lat,
                )
            )
        return Site.location.op("&&")(
            func.ST_MakeEnvelope(min_lon, min_lat, max_lon, max_lat, SRID)
        )

    def location_in(self, envelopes: list[Envelope]) -> ColumnElement:
        """Sites whose location lies in any of the boxes (edges included), using the index."""
        if not envelopes:
            return true()
        x, y = func.ST_X(Site.location), func.ST_Y(Site.location)
        return or_(
            *(
                and_(
                    self._index_candidates(env),
                    x.between(env[0], env[2]),
                    y.between(env[1], env[3]),
                )
                for env in envelopes
            )
        )

    def location_intersects(self, wkb: bytes) -> ColumnElement:
        test = func.ST_Intersects(Site.location, self.geometry_from_wkb(wkb))
        # SpatiaLite answers 1, 0 or -1 (error); PostGIS a boolean.
        return test == 1 if self.is_sqlite else test

    def bounds(self, geometry) -> tuple[ColumnElement, ...]:
        """min x, min y, max x, max y of a geometry column, as aggregates over the rows."""
        if self.is_sqlite:
            parts = (func.MbrMinX, func.MbrMinY, func.MbrMaxX, func.MbrMaxY)
        else:
            parts = (func.ST_XMin, func.ST_YMin, func.ST_XMax, func.ST_YMax)
        low = (func.min(parts[0](geometry)), func.min(parts[1](geometry)))
        high = (func.max(parts[2](geometry)), func.max(parts[3](geometry)))
        return (*low, *high)
