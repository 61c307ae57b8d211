"""Finding the place a new record may already be in the catalogue as, from another source:
the same Wikidata item, a near-identical folded name close by, or the same designated
property listed once as a point and once as an area."""

from __future__ import annotations

import difflib

from shapely.geometry import Point, shape
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from search.geo import arc_distance_m, radius_envelopes
from search.text import fold
from tourism_api.catalogue.geometry import from_db
from tourism_api.catalogue.models import Site, SiteSource
from tourism_api.catalogue.spatial import SpatialSQL

from .normalise import Normalised

# Same place: names at least 90% alike within 150 m, or 80% alike within 20 m.
STRONG_RULES = ((0.9, 150.0), (0.8, 20.0))
# Maybe the same place (listed for review): names 75% alike within 1 km.
LOOSE_NAME, LOOSE_METRES = 0.75, 1000.0
# Places compared per record, at most (a dense old town has many within a kilometre).
MAX_CANDIDATES = 500


def others_exist(session: Session, source: str) -> bool:
    """Whether any site has a source other than this one: if none, there is nothing to
    match against by name and place (the first import into an empty catalogue).

    Asked as the nearest source name below and above this one, not as `!=`: each is a
    seek into the (source, source id) index that stops at its first row, whatever plan
    the statement is given once prepared, where `!=` read every row of this source
    (7 ms a batch at 100k sites, growing with the catalogue)."""
    below = (
        select(SiteSource.source)
        .where(SiteSource.source < source)
        .order_by(SiteSource.source.desc())
        .limit(1)
    )
    above = (
        select(SiteSource.source)
        .where(SiteSource.source > source)
        .order_by(SiteSource.source)
        .limit(1)
    )
    return bool(
        session.scalar(
            select(
                or_(
                    below.scalar_subquery().is_not(None),
                    above.scalar_subquery().is_not(None),
                )
            )
        )
    )


def match(session: Session, item: Normalised, source: str, *, by_place: bool = True):
    """(strong match as (site, reason) or None, loose candidates as [(site id, reason)])
    among other sources' sites."""
    if item.wikidata:
        site = session.scalars(
            select(Site)
            .join(SiteSource, SiteSource.site_id == Site.id)
            .where(SiteSource.source_id == item.wikidata)
        ).first()
        if site is not None:
            return (site, f"same Wikidata item {item.wikidata}"), []
    if not by_place:
        return None, []
    lon, lat = item.record["location"]["coordinates"][:2]
    spatial = SpatialSQL(session.get_bind().dialect.name)
    own_source = exists().where(SiteSource.site_id == Site.id, SiteSource.source == source)
    # Plain columns, not whole sites: most candidates are only compared, never loaded.
    nearby = session.execute(
        select(Site.id, Site.name, Site.aliases, func.ST_X(Site.location), func.ST_Y(Site.location))
        .where(spatial.location_in(radius_envelopes(lon, lat, LOOSE_METRES)), ~own_source)
        .limit(MAX_CANDIDATES)
    ).all()
    names = [fold(n) for n in (item.record.get("name") or {}).values()]
    strong, loose = None, []
    for site_id, site_name, aliases, x, y in nearby:
        distance = arc_distance_m(lon, lat, x, y)
        if distance > LOOSE_METRES:
            continue
        theirs = [fold(n) for n in [*site_name.values(), *(aliases or [])]]
        similarity = max(
            (difflib.SequenceMatcher(None, a, b).ratio() for a in names for b in theirs),
            default=0,
        )
        reason = f"name {similarity:.0%} alike, {distance:.0f} m apart"
        is_strong = any(similarity >= n and distance <= m for n, m in STRONG_RULES)
        if is_strong and strong is None:
            strong = (session.get(Site, site_id), reason)
        elif similarity >= LOOSE_NAME:
            loose.append((site_id, reason))
    if strong is None:
        strong = _same_designated_property(session, item, own_source)
    return strong, loose


# Words that say what a place is, not which one: "Vịnh Hạ Long" and "Ha Long Bay" share
# "ha long"; "Lăng Tự Đức" and "Quần thể di tích Cố đô Huế" share nothing distinctive.
GENERIC = frozenset(
    [
        "vinh",
        "bay",
        "vuon",
        "quoc",
        "gia",
        "national",
        "park",
        "khu",
        "bao",
        "ton",
        "du",
        "tru",
        "sinh",
        "quyen",
        "landscape",
        "complex",
        "of",
        "the",
        "and",
        "de",
        "la",
        "le",
        "di",
        "tich",
        "san",
        "gioi",
        "world",
        "heritage",
        "site",
        "quan",
        "co",
        "do",
        "monuments",
        "ninh",
        "binh",
        "province",
        "tinh",
        "thanh",
        "pho",
        "city",
    ]  # noqa: SIM905 - a list of words reads better as words
)
NEAR_AREA_M = 2000.0


def _distinctive(names) -> set[str]:
    return {t for n in names for t in fold(n).replace("-", " ").split() if len(t) > 1} - GENERIC


def _same_designated_property(session: Session, item: Normalised, own_source):
    """A point and an area of the same designated property from two lists (a UNESCO
    site's point, a protected area's outline): the same designation and year, the point
    inside (or within 2 km of) the area, and at least two distinctive name words shared."""
    designations = {
        (d.get("type"), d.get("year"))
        for d in item.record.get("designations") or []
        if d.get("year")
    }
    if not designations:
        return None
    ours = _distinctive((item.record.get("name") or {}).values())
    if len(ours) < 2:
        return None
    footprint = item.record.get("footprint")
    spatial = SpatialSQL(session.get_bind().dialect.name)
    if footprint:
        area = shape(footprint)
        query = select(Site).where(spatial.location_in([area.bounds]), ~own_source)
        test = lambda site: area.distance(from_db(site.location)) * 111_000 <= NEAR_AREA_M  # noqa: E731
    else:
        lon, lat = item.record["location"]["coordinates"][:2]
        point = Point(lon, lat)
        query = select(Site).where(Site.is_zone.is_(True), ~own_source)
        test = lambda site: from_db(site.footprint).distance(point) * 111_000 <= NEAR_AREA_M  # noqa: E731
    for site in session.scalars(query.limit(MAX_CANDIDATES)):
        theirs = {(d.get("type"), d.get("year")) for d in site.designations or []}
        shared = designations & theirs
        if not shared:
            continue
        words = ours & _distinctive([*site.name.values(), *(site.aliases or [])])
        if len(words) >= 2 and test(site):
            kind, year = sorted(shared)[0]
            return (
                site,
                f"same {kind} ({year}): point in the area, names share {' '.join(sorted(words))!r}",
            )
    return None
