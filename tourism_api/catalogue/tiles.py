"""Mapbox Vector Tiles of the published catalogue, in the WebMercatorQuad tile matrix set.

Two layers: `sites` (points: id, name in the asked language, kind, image, count) and `zones`
(footprints, simplified to a pixel at the tile's zoom). Below zoom CLUSTER_BELOW, points are
thinned to one per 16th of a tile (the first by id), carrying how many it stands for in
`count`, so a world tile stays a few kilobytes whatever the catalogue holds.

PostGIS renders with ST_AsMVT in the database; SpatiaLite has no MVT writer, so there the rows
are read and encoded by `mapbox-vector-tile`. Both follow the same rules (the contract tests
decode both and compare).
"""

from __future__ import annotations

import contextlib
import math
import threading
from dataclasses import dataclass
from datetime import datetime

import mapbox_vector_tile
import shapely
from cachetools import LRUCache
from pyproj import Transformer
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from . import hours_store
from .geometry import from_db
from .models import Media, Site
from .opening_hours import MAX_OPEN_MINUTES, epoch_minutes
from .records import pick_language
from .spatial import SpatialSQL

EXTENT = 4096
BUFFER = 64  # tile units drawn beyond the edge, so symbols at the seams are not cut
CLUSTER_BELOW = 12
CELLS = 16  # grid cells per tile side when thinning
MAX_ZOOM = 22
HALF_WORLD = 20037508.342789244
LAYERS = ("sites", "zones")
_TO_MERCATOR = Transformer.from_crs("OGC:CRS84", "EPSG:3857", always_xy=True)


@dataclass(frozen=True)
class Tile:
    z: int
    x: int
    y: int

    def __post_init__(self) -> None:
        if not 0 <= self.z <= MAX_ZOOM:
            raise ValueError(f"zoom is 0 to {MAX_ZOOM}")
        if not (0 <= self.x < 2**self.z and 0 <= self.y < 2**self.z):
            raise ValueError("no such tile at this zoom")

    @property
    def size_m(self) -> float:
        return 2 * HALF_WORLD / 2**self.z

    def bounds(self) -> tuple[float, float, float, float]:
        """Web Mercator metres; row 0 is the north edge."""
        size = self.size_m
        min_x = -HALF_WORLD + self.x * size
        max_y = HALF_WORLD - self.y * size
        return min_x, max_y - size, min_x + size, max_y

    def lonlat_bounds(self, margin: float = 0.0) -> tuple[float, float, float, float]:
        min_x, min_y, max_x, max_y = self.bounds()
        pad = self.size_m * margin
        west, south = _to_lonlat(min_x - pad, min_y - pad)
        east, north = _to_lonlat(max_x + pad, max_y + pad)
        return max(west, -180.0), max(south, -85.06), min(east, 180.0), min(north, 85.06)


def _to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = x / HALF_WORLD * 180.0
    lat = math.degrees(2 * math.atan(math.exp(y / HALF_WORLD * math.pi)) - math.pi / 2)
    return lon, lat


class TileRenderer:
    """Renders tiles and keeps the latest ones, by bytes, per process.

    A map around a festival asks every visitor's phone for the same few dozen tiles, and
    a phone without an HTTP cache (or a client that drops it) asks again: those come from
    memory. Entries are keyed by the catalogue's public version, so a change anywhere
    leaves the old ones to age out unread; nothing has to be invalidated.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        languages: tuple[str, ...],
        cache_bytes: int = 0,
    ) -> None:
        self.sessions = sessions
        self.languages = languages
        self._cache: LRUCache | None = (
            LRUCache(maxsize=cache_bytes, getsizeof=_entry_size) if cache_bytes > 0 else None
        )
        self._lock = threading.Lock()

    def render(
        self,
        layer: str,
        tile: Tile,
        preferred: tuple[str, ...],
        open_at: datetime | None = None,
        *,
        version: int | None = None,
    ) -> bytes:
        """The tile; with `open_at`, only the sites open at that moment. With `version`
        (the catalogue's public version the caller read), from memory when rendered at it."""
        languages = tuple(dict.fromkeys((*preferred, *self.languages)))
        if self._cache is None or version is None:
            return self._render(layer, tile, languages, open_at)
        key = (version, layer, tile.z, tile.x, tile.y, languages, open_at)
        with self._lock:
            body = self._cache.get(key)
        if body is None:
            body = self._render(layer, tile, languages, open_at)
            # A tile larger than the whole cache is a ValueError: served, not kept.
            with self._lock, contextlib.suppress(ValueError):
                self._cache[key] = body
        return body

    def _render(self, layer: str, tile: Tile, languages, open_at) -> bytes:
        with self.sessions() as session:
            if session.get_bind().dialect.name == "postgresql":
                return self._postgis(session, layer, tile, languages, open_at)
            return self._encoded(session, layer, tile, languages, open_at)

    # -- PostGIS: ST_AsMVT ------------------------------------------------------------

    def _postgis(self, session: Session, layer: str, tile: Tile, languages, open_at) -> bytes:
        names = ", ".join(f"s.name->>:lang{i}" for i in range(len(languages)))
        params = {f"lang{i}": lang for i, lang in enumerate(languages)}
        is_open = ""
        if open_at is not None:
            # As hours_store.open_at: pieces of at most a day, opening in the day before.
            is_open = (
                "AND EXISTS (SELECT 1 FROM open_intervals oi WHERE oi.site_id = s.id "
                "AND oi.opens > :minute - :span AND oi.opens <= :minute AND oi.closes > :minute)"
            )
            params |= {"minute": epoch_minutes(open_at), "span": MAX_OPEN_MINUTES}
        min_x, min_y, _max_x, _max_y = tile.bounds()
        params |= {"z": tile.z, "x": tile.x, "y": tile.y, "extent": EXTENT, "buffer": BUFFER}
        params["pad"] = tile.size_m * BUFFER / EXTENT
        envelope = "ST_TileEnvelope(:z, :x, :y)"
        near = f"ST_Transform(ST_Expand({envelope}, :pad), 4326)"
        if layer == "zones":
            params["tolerance"] = tile.size_m / EXTENT
            sql = f"""
                SELECT ST_AsMVT(t.*, 'zones', :extent, 'geom') FROM (
                  SELECT ST_AsMVTGeom(ST_Simplify(ST_Transform(s.footprint, 3857), :tolerance),
                                      {envelope}, :extent, :buffer, true) AS geom,
                         s.id, COALESCE({names}, s.sort_name) AS name, s.kind
                  FROM sites s
                  WHERE s.status = 'published' AND s.is_zone AND s.footprint && {near} {is_open}
                ) t WHERE t.geom IS NOT NULL"""
        else:
            params |= {"min_x": min_x, "min_y": min_y, "cell": tile.size_m / CELLS}
            thin = tile.z < CLUSTER_BELOW
            cell = (
                "floor((ST_X(p.g) - :min_x) / :cell), floor((ST_Y(p.g) - :min_y) / :cell)"
                if thin
                else "p.id"
            )
            sql = f"""
                WITH p AS (
                  SELECT s.id, s.kind, COALESCE({names}, s.sort_name) AS name,
                         ST_Transform(s.location, 3857) AS g,
                         (SELECT m.id FROM media m WHERE m.site_id = s.id AND m.is_primary
                          LIMIT 1) AS image
                  FROM sites s
                  WHERE s.status = 'published' AND s.location && {near} {is_open}
                ), c AS (
                  SELECT p.*, count(*) OVER (PARTITION BY {cell}) AS count,
                         row_number() OVER (PARTITION BY {cell} ORDER BY p.id COLLATE "C") AS r
                  FROM p
                )
                SELECT ST_AsMVT(t.*, 'sites', :extent, 'geom') FROM (
                  SELECT ST_AsMVTGeom(c.g, {envelope}, :extent, :buffer, true) AS geom,
                         c.id, c.name, c.kind,
                         COALESCE('/v1/media/' || c.image || '/thumb.webp', '') AS image,
                         c.count::int AS count
                  FROM c WHERE c.r = 1
                ) t WHERE t.geom IS NOT NULL"""
        return bytes(session.execute(text(sql), params).scalar() or b"")

    # -- SpatiaLite: rows, then mapbox-vector-tile ---------------------------------------

    def _encoded(self, session: Session, layer: str, tile: Tile, languages, open_at) -> bytes:
        spatial = SpatialSQL(session.get_bind().dialect.name)
        margin = BUFFER / EXTENT
        west, south, east, north = tile.lonlat_bounds(margin)
        min_x, min_y, max_x, max_y = tile.bounds()
        pad = tile.size_m * margin
        clip = (min_x - pad, min_y - pad, max_x + pad, max_y + pad)
        features = []
        if layer == "zones":
            stmt = select(Site).where(
                Site.status == "published",
                Site.is_zone.is_(True),
                func.MbrIntersects(Site.footprint, func.BuildMbr(west, south, east, north, 4326))
                == 1,
            )
            if open_at is not None:
                stmt = stmt.where(hours_store.open_at(open_at))
            for site in session.scalars(stmt):
                shape = shapely.transform(
                    from_db(site.footprint), _mercator, interleaved=False
                ).simplify(tile.size_m / EXTENT)
                shape = shapely.clip_by_rect(shape, *clip)
                if shape.is_empty:
                    continue
                features.append(
                    {
                        "geometry": shape,
                        "properties": {
                            "id": site.id,
                            "name": self._name(site, languages),
                            "kind": site.kind,
                        },
                    }
                )
        else:
            stmt = (
                select(Site, Media.id)
                .outerjoin(Media, (Media.site_id == Site.id) & Media.is_primary.is_(True))
                .where(
                    Site.status == "published", spatial.location_in([(west, south, east, north)])
                )
                .order_by(Site.id)
            )
            if open_at is not None:
                stmt = stmt.where(hours_store.open_at(open_at))
            rows = session.execute(stmt).all()
            cells: dict[object, list] = {}
            thin = tile.z < CLUSTER_BELOW
            cell_m = tile.size_m / CELLS
            for site, image in rows:
                point = from_db(site.location)
                x, y = _TO_MERCATOR.transform(point.x, point.y)
                if not (clip[0] <= x <= clip[2] and clip[1] <= y <= clip[3]):
                    continue
                key = (math.floor((x - min_x) / cell_m), math.floor((y - min_y) / cell_m))
                cells.setdefault(key if thin else site.id, []).append((site, image, x, y))
            for members in cells.values():
                site, image, x, y = members[0]  # the first by id, as PostGIS picks
                features.append(
                    {
                        "geometry": shapely.Point(x, y),
                        "properties": {
                            "id": site.id,
                            "name": self._name(site, languages),
                            "kind": site.kind,
                            "image": f"/v1/media/{image}/thumb.webp" if image else "",
                            "count": len(members),
                        },
                    }
                )
        if not features:
            return b""
        return mapbox_vector_tile.encode(
            [{"name": layer, "features": features}],
            default_options={"quantize_bounds": (min_x, min_y, max_x, max_y), "extents": EXTENT},
        )

    def _name(self, site: Site, languages) -> str:
        _lang, name = pick_language(site.name, languages, self.languages)
        return name or site.sort_name


def _entry_size(body: bytes) -> int:
    # Empty tiles are the commonest answer; count the key's overhead so they are not free.
    return len(body) + 200


def _mercator(x, y):
    return _TO_MERCATOR.transform(x, y)
