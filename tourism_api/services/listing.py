"""Lists, search and suggestions, and the rule of where each is answered from.

Public lists with `q` or `lat`/`lon`, and every search, are answered from the
search index alone (one engine query, no database round trip); staff lists,
status filters, zones and plain public lists read the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from search.base import SearchBackend, SearchError, SearchQuery, SearchUnavailable

from ..catalogue import cql2
from ..catalogue.admin_units import province_code_of
from ..catalogue.geometry import geojson_from_db
from ..catalogue.queries import SiteLister, SiteQuery
from ..catalogue.records import pick_language, present, public_view, stable_until, stored_view
from ..catalogue.sites import Catalogue
from ..catalogue.taxonomy import STATUSES
from ..catalogue.visibility import DraftAccess
from ..config import Settings
from ..errors import InvalidInput, NotFound, Unauthorized


def page_size(settings: Settings, params: dict) -> int:
    """The page size, after checking `limit` and `radius` against the configured maxima."""
    limit = params.get("limit") or settings.default_page_size
    if limit > settings.max_page_size:
        raise InvalidInput(
            f"limit is at most {settings.max_page_size}.",
            {"limit": [f"Maximum is {settings.max_page_size}."]},
        )
    radius = params.get("radius")
    if radius is not None and radius > settings.max_radius_m:
        raise InvalidInput(
            f"radius is at most {settings.max_radius_m} metres.",
            {"radius": [f"Maximum is {settings.max_radius_m} m."]},
        )
    return limit


def provinces(params: dict) -> tuple[str, ...]:
    """The 2025 unit codes that `province` names (codes, new names or old ones)."""
    codes = []
    for name in params.get("province") or ():
        code = province_code_of(name)
        if code is None:
            raise InvalidInput(
                f"No province {name!r}, by the 2025 units or the old ones.",
                {"province": [f"Unknown province {name!r}."]},
            )
        codes.append(code)
    return tuple(sorted(set(codes)))


@dataclass
class ListPage:
    """A page of site views; `geometry` names the view field that maps draw."""

    items: list[dict]
    next_cursor: str | None
    public: bool
    prev_cursor: str | None = None
    total: int | None = None
    facets: dict | None = None
    geometry: str = "location"
    extra: dict = field(default_factory=dict)
    # Until when the same request gets the same answer, index unchanged (public pages).
    stable_until: datetime | None = None


class Listing:
    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue,
        lister: SiteLister,
        search: SearchBackend,
    ) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.lister = lister
        self.search_backend = search

    # -- the use cases --------------------------------------------------------------

    def sites(
        self,
        params: dict,
        *,
        staff: bool | DraftAccess,
        preferred: tuple[str, ...],
        zone: str | None = None,
        zones_only: bool = False,
    ) -> ListPage:
        """/v1/sites, /v1/zones and /v1/zones/{id}/sites: from the index when the rule says so."""
        public_search = not staff and zone is None and not zones_only and not params.get("status")
        if params.get("q") or (public_search and "lat" in params):
            if not public_search:
                raise InvalidInput(
                    "Text search covers published sites only; leave out status or q.",
                    {"q": ["Not with status."]},
                )
            return self.search(params, preferred=preferred)
        query = self._catalogue_query(params, staff=staff, zone=zone, zones_only=zones_only)
        return self.catalogue_page(query, staff=staff, preferred=preferred)

    def catalogue_page(
        self,
        query: SiteQuery,
        *,
        preferred: tuple[str, ...],
        staff: bool | DraftAccess = False,
        count: bool = False,
    ) -> ListPage:
        """A page of a catalogue query (also OGC API's items, with `count` for numberMatched)."""
        if not staff and not query.zones_only:
            return self._public_catalogue_page(query, preferred=preferred, count=count)
        page = self.lister.list(query)
        now = datetime.now(UTC)
        views = [
            public_view(
                site,
                preferred=preferred,
                languages=self.settings.languages,
                now=now,
                staff=staff,
                summary=not query.zones_only,
                distance_m=distance,
            )
            for site, distance in page.items
        ]
        return ListPage(
            views,
            page.next_cursor,
            public=not staff,
            prev_cursor=page.prev_cursor,
            total=self.lister.count(query) if count else None,
            geometry="footprint" if query.zones_only else "location",
            stable_until=None
            if staff
            else stable_until(views, now, per_minute=query.open_at is not None),
        )

    def _public_catalogue_page(
        self, query: SiteQuery, *, preferred: tuple[str, ...], count: bool
    ) -> ListPage:
        """The catalogue decides which sites and in which order; their public views come
        from the search index, where the outbox keeps the same summary view per version.
        A site whose indexed version differs (the worker has not caught up), or an index
        that cannot answer, falls back to loading the sites, so the page is never stale."""
        page = self.lister.list(query, keys_only=True)
        ids = [key.id for key, _ in page.items]
        try:
            indexed = self.search_backend.views(ids)
        except SearchUnavailable:
            indexed = {}
        stale = [
            key.id for key, _ in page.items if indexed.get(key.id, {}).get("version") != key.version
        ]
        if stale:
            for site in self.catalogue.load_many(stale):
                indexed[site.id] = stored_view(site, summary=True)
        now = datetime.now(UTC)
        views = [
            present(
                indexed[key.id],
                preferred=preferred,
                languages=self.settings.languages,
                now=now,
                distance_m=distance,
            )
            for key, distance in page.items
            if key.id in indexed
        ]
        return ListPage(
            views,
            page.next_cursor,
            public=True,
            prev_cursor=page.prev_cursor,
            total=self.lister.count(query) if count else None,
            # open_now and open_at pick the sites by the minute.
            stable_until=stable_until(views, now, per_minute=query.open_at is not None),
        )

    def search(self, params: dict, *, preferred: tuple[str, ...]) -> ListPage:
        """/v1/search: published sites by text, place and filters, from the index alone."""
        query = self._search_query(params)
        result = self.search_backend.search(query)
        now = datetime.now(UTC)
        views = []
        for hit in result.hits:
            view = present(
                hit.view,
                preferred=preferred,
                languages=self.settings.languages,
                now=now,
                distance_m=hit.distance_m,
            )
            if hit.highlight:
                view["highlight"] = hit.highlight
            views.append(view)
        return ListPage(
            views,
            result.next_cursor,
            public=True,
            total=result.total,
            facets=result.facets if query.facets else None,
            stable_until=stable_until(views, now, per_minute=query.open_at is not None),
        )

    def suggest(self, text: str, *, limit: int, preferred: tuple[str, ...]) -> list[dict]:
        """Names completing what was typed in a search box, in the preferred language."""
        items = []
        for suggestion in self.search_backend.suggest(text, limit=limit):
            view = suggestion.view
            lang, name = pick_language(view["name"], preferred, self.settings.languages)
            items.append(
                {
                    "id": suggestion.id,
                    "slug": view["slug"],
                    "name": name,
                    "lang": lang,
                    "kind": view["kind"],
                    "location": view["location"],
                    "matched": suggestion.text,
                }
            )
        return items

    # -- parameters to queries ------------------------------------------------------

    def _page_size(self, params: dict) -> int:
        return page_size(self.settings, params)

    def _catalogue_query(
        self, params: dict, *, staff: bool | DraftAccess, zone: str | None, zones_only: bool
    ) -> SiteQuery:
        limit = self._page_size(params)
        statuses = tuple(params.get("status") or ("published",))
        if "any" in statuses:
            statuses = STATUSES
        if statuses != ("published",) and not staff:
            raise Unauthorized("Listing unpublished sites needs a staff bearer token.")
        if params.get("sort") == "relevance":
            raise InvalidInput("Sorting by relevance needs q.", {"sort": ["relevance needs q."]})
        return SiteQuery(
            kinds=tuple(params.get("kind") or ()),
            categories=tuple(params.get("category") or ()),
            provinces=provinces(params),
            open_at=self._open_at(params),
            wheelchair=bool(params.get("wheelchair")),
            free=params.get("free"),
            statuses=tuple(sorted(set(statuses))),
            drafts_of=staff.organisation_id if isinstance(staff, DraftAccess) else None,
            bbox=params.get("bbox"),
            near=(params["lon"], params["lat"]) if "lat" in params else None,
            radius_m=params.get("radius"),
            zone=zone,
            zones_only=zones_only,
            sort=params.get("sort"),
            limit=limit,
            cursor=params.get("cursor"),
        )

    def _search_query(self, params: dict) -> SearchQuery:
        limit = self._page_size(params)
        zone_id = zone = None
        if params.get("zone"):
            zone_id, zone = self._zone_footprint(params["zone"])
        try:
            return SearchQuery(
                text=params.get("q") or "",
                near=(params["lon"], params["lat"]) if "lat" in params else None,
                radius_m=params.get("radius"),
                bbox=params.get("bbox"),
                zone=zone,
                zone_id=zone_id,
                kinds=tuple(params.get("kind") or ()),
                categories=tuple(params.get("category") or ()),
                designations=tuple(params.get("designation") or ()),
                provinces=provinces(params),
                languages=tuple(params.get("has_lang") or ()),
                # "id" order is the catalogue's; the index orders by name instead.
                sort=None if params.get("sort") == "id" else params.get("sort"),
                limit=limit,
                cursor=params.get("cursor"),
                facets=bool(params.get("facets")),
                cql2=cql2.parse(params["filter"], params.get("filter_lang"))
                if params.get("filter")
                else None,
                open_at=self._open_at(params),
                wheelchair=bool(params.get("wheelchair")),
                free=params.get("free"),
            )
        except SearchError as exc:
            raise InvalidInput(exc.message, exc.errors) from exc

    def _open_at(self, params: dict) -> datetime | None:
        return self.open_moment(bool(params.get("open_now")), params.get("open_at"))

    def open_moment(self, open_now: bool, open_at: datetime | None) -> datetime | None:
        """The moment open_now/open_at ask about, within the days the indexes know."""
        now = datetime.now(UTC)
        if open_now:
            return now.replace(second=0, microsecond=0)
        if open_at is None:
            return None
        days = self.settings.open_at_days
        if not now - timedelta(hours=12) <= open_at <= now + timedelta(days=days - 1):
            raise InvalidInput(
                f"open_at is from 12 hours ago to {days - 1} days ahead.",
                {"open_at": [f"Between now - 12 h and now + {days - 1} days."]},
            )
        return open_at

    def _zone_footprint(self, ref: str) -> tuple[str, dict]:
        """The id and footprint of a published zone, for a search inside it."""
        try:
            site = self.catalogue.get_site(ref)
        except NotFound:
            site = None
        if site is None or not site.is_zone:
            raise InvalidInput(f"No published zone {ref!r}.", {"zone": ["No such zone."]})
        return site.id, geojson_from_db(site.footprint)
