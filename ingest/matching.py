"""Finding the place a new record may already be in the catalogue as, from another source:
the same Wikidata item, or a near-identical folded name close by."""

from __future__ import annotations

import difflib

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from search.geo import arc_distance_m, radius_envelopes
from search.text import fold
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
    match against by name and place (the first import into an empty catalogue)."""
    return bool(session.scalar(select(exists().where(SiteSource.source != source))))


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
    return strong, loose
