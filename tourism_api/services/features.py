"""OGC API - Features: the catalogue's published records as the collections `sites` and `zones`.

This module only translates OGC parameters (`bbox` + `bbox-crs`, `datetime`, `filter`,
property filters) into the catalogue's `SiteQuery`; the rows come from the same lister,
views and caching as `/v1` (`Listing.catalogue_page`), so there is no second query path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from ..catalogue import cql2
from ..catalogue import crs as crs_module
from ..catalogue.models import Site
from ..catalogue.queries import SiteQuery
from ..catalogue.sites import Catalogue
from ..errors import InvalidInput, NotFound
from .listing import Listing, ListPage, provinces

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    zones_only: bool
    geometry: str  # the view field drawn: "location" or "footprint"
    keywords: tuple[str, ...]


COLLECTIONS = {
    "sites": Collection(
        id="sites",
        title="Heritage sites and tourist places",
        description=(
            "Published monuments, museums, pagodas, tombs, heritage sites and tourist services, "
            "each at its location (a point); names and texts in Vietnamese, English and French."
        ),
        zones_only=False,
        geometry="location",
        keywords=("heritage", "tourism", "monuments", "museums", "Viet Nam"),
    ),
    "zones": Collection(
        id="zones",
        title="Heritage zones and protected areas",
        description=(
            "Published sites with an area: heritage zones, protected areas and parks, "
            "each with its footprint (a polygon or multipolygon)."
        ),
        zones_only=True,
        geometry="footprint",
        keywords=("heritage zones", "protected areas", "Viet Nam"),
    ),
}


def collection(collection_id: str) -> Collection:
    try:
        return COLLECTIONS[collection_id]
    except KeyError:
        raise NotFound(
            f"No collection {collection_id!r}; there are {', '.join(COLLECTIONS)}."
        ) from None


def parse_datetime(text: str) -> tuple[datetime | None, datetime | None]:
    """OGC API's `datetime`: an instant, or an interval `start/end` with `..` (or nothing)
    for an open end. A date alone means that whole day (UTC)."""
    parts = text.split("/")
    if len(parts) > 2:
        raise _bad_datetime(text)
    if len(parts) == 1:
        start = _instant(parts[0], text, end=False)
        end = _instant(parts[0], text, end=True)
        if start is None:
            raise _bad_datetime(text)
        return start, end
    start = _instant(parts[0], text, end=False)
    end = _instant(parts[1], text, end=True)
    if start is not None and end is not None and start > end:
        raise InvalidInput(
            "datetime: the interval ends before it starts.", {"datetime": ["Start after end."]}
        )
    return start, end


def _instant(part: str, whole: str, *, end: bool) -> datetime | None:
    if part in ("", ".."):
        return None
    try:
        if "T" not in part.upper():
            day = date.fromisoformat(part)
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        value = datetime.fromisoformat(part.replace("z", "Z"))
    except ValueError:
        raise _bad_datetime(whole) from None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _bad_datetime(text: str) -> InvalidInput:
    return InvalidInput(
        f"datetime {text!r} is neither an RFC 3339 instant nor an interval start/end "
        "(use .. for an open end).",
        {"datetime": ["Not an instant or interval."]},
    )


class Features:
    def __init__(self, listing: Listing, catalogue: Catalogue, offered: tuple[str, ...]) -> None:
        self.listing = listing
        self.catalogue = catalogue
        # The CRSs collections list and the crs parameters accept (TOURISM_OGC_CRS).
        self.offered = offered

    def require_crs(self, name: str | None, parameter: str) -> str:
        return crs_module.require(name, parameter, self.offered)

    def extent(self, collection_id: str) -> dict:
        """The collection's spatial and temporal extent (CRS84; last changes)."""
        query = SiteQuery(zones_only=collection(collection_id).zones_only)
        box, times = self.listing.lister.extent(query)
        temporal = [[_iso(times[0]), _iso(times[1])]] if times else [[None, None]]
        return {
            "spatial": {
                "bbox": [list(box) if box else [-180, -90, 180, 90]],
                "crs": crs_module.CRS84,
            },
            "temporal": {
                "interval": temporal,
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            },
        }

    def items(self, collection_id: str, params: dict, *, preferred: tuple[str, ...]) -> ListPage:
        """A page of published features with numberMatched, in CRS84 (the view moves them)."""
        query = self.query(collection_id, params)
        return self.listing.catalogue_page(query, preferred=preferred, count=True)

    def query(self, collection_id: str, params: dict) -> SiteQuery:
        """The catalogue query OGC parameters describe (items, and the bulk export)."""
        chosen = collection(collection_id)
        bbox = params.get("bbox")
        if bbox is not None:
            bbox = crs_module.bbox_to_crs84(
                bbox, self.require_crs(params.get("bbox-crs"), "bbox-crs")
            )
        elif params.get("bbox-crs"):
            self.require_crs(params["bbox-crs"], "bbox-crs")
        updated_from = updated_to = None
        if params.get("datetime"):
            updated_from, updated_to = parse_datetime(params["datetime"])
        parsed = None
        filter_crs = self.require_crs(params.get("filter-crs"), "filter-crs")
        if params.get("filter"):
            parsed = cql2.parse(params["filter"], params.get("filter-lang"), filter_crs)
        elif params.get("filter-lang") and params["filter-lang"] not in cql2.LANGUAGES:
            cql2.parse("", params["filter-lang"])
        return SiteQuery(
            kinds=tuple(params.get("kind") or ()),
            categories=tuple(params.get("category") or ()),
            provinces=provinces(params),
            open_at=self.listing.open_moment(bool(params.get("open_now")), params.get("open_at")),
            wheelchair=bool(params.get("wheelchair")),
            free=params.get("free"),
            bbox=bbox,
            zones_only=chosen.zones_only,
            updated_from=updated_from,
            updated_to=updated_to,
            cql2=parsed,
            filter_crs=filter_crs,
            limit=min(params.get("limit") or DEFAULT_LIMIT, MAX_LIMIT),
            cursor=params.get("cursor"),
        )

    def item(self, collection_id: str, feature_id: str) -> Site:
        """One published feature of the collection (a zone is a site too, but a point-only
        site is not a zone)."""
        chosen = collection(collection_id)
        try:
            site = self.catalogue.get_site(feature_id)
        except NotFound:
            site = None
        if site is None or (chosen.zones_only and not site.is_zone):
            raise NotFound(f"No feature {feature_id!r} in collection {collection_id!r}.")
        return site


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
