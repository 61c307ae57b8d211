"""Turning API search parameters into a `SearchQuery` and hits into API views."""

from __future__ import annotations

from datetime import UTC, datetime

from search.base import SearchResult

from .catalogue.errors import InvalidInput, NotFound
from .catalogue.geometry import from_db, to_geojson
from .catalogue.records import present
from .services import Services


def zone_geometry(services: Services, ref: str) -> tuple[str, dict]:
    """The id and footprint of a published zone, for a search inside it."""
    try:
        site = services.catalogue.get_site(ref)
    except NotFound:
        site = None
    if site is None or not site.is_zone:
        raise InvalidInput(f"No published zone {ref!r}.", {"zone": ["No such zone."]})
    return site.id, to_geojson(from_db(site.footprint))


def hit_views(services: Services, result: SearchResult, preferred: tuple[str, ...]) -> list[dict]:
    now = datetime.now(UTC)
    views = []
    for hit in result.hits:
        view = present(
            hit.view,
            preferred=preferred,
            languages=services.settings.languages,
            now=now,
            distance_m=hit.distance_m,
        )
        if hit.highlight:
            view["highlight"] = hit.highlight
        views.append(view)
    return views
