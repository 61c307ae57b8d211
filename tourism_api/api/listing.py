"""Turning list parameters into a `SiteQuery`, and a page into JSON or GeoJSON."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request

from search.base import SearchError, SearchQuery

from ..app import services
from ..catalogue.errors import InvalidInput, Unauthorized
from ..catalogue.queries import Page, SiteQuery
from ..catalogue.taxonomy import STATUSES
from ..search_service import hit_views, zone_geometry
from .common import (
    GEOJSON,
    feature,
    json_response,
    preferred_languages,
    principal,
    site_view,
    wants_geojson,
)


def checked_limits(args: dict) -> int:
    """The page size, after checking `limit` and `radius` against the configured maxima."""
    settings = services().settings
    limit = args.get("limit", settings.default_page_size)
    if limit > settings.max_page_size:
        raise InvalidInput(
            f"limit is at most {settings.max_page_size}.",
            {"limit": [f"Maximum is {settings.max_page_size}."]},
        )
    radius = args.get("radius")
    if radius is not None and radius > settings.max_radius_m:
        raise InvalidInput(
            f"radius is at most {settings.max_radius_m} metres.",
            {"radius": [f"Maximum is {settings.max_radius_m} m."]},
        )
    return limit


def build_query(
    args: dict, *, staff: bool, zone: str | None = None, zones_only: bool = False
) -> SiteQuery:
    """The catalogue query for staff lists, zones and plain (non-search) lists."""
    limit = checked_limits(args)
    statuses = tuple(args.get("status") or ("published",))
    if "any" in statuses:
        statuses = STATUSES
    if statuses != ("published",) and not staff:
        raise Unauthorized("Listing unpublished sites needs a staff bearer token.")
    if args.get("sort") == "relevance":
        raise InvalidInput("Sorting by relevance needs q.", {"sort": ["relevance needs q."]})
    return SiteQuery(
        kinds=tuple(args.get("kind") or ()),
        categories=tuple(args.get("category") or ()),
        statuses=tuple(sorted(set(statuses))),
        bbox=args.get("bbox"),
        near=(args["lon"], args["lat"]) if "lat" in args else None,
        radius_m=args.get("radius"),
        zone=zone,
        zones_only=zones_only,
        sort=args.get("sort"),
        limit=limit,
        cursor=args.get("cursor"),
    )


def build_search_query(args: dict) -> SearchQuery:
    """The search query for /v1/search and for public text or nearby lists."""
    limit = checked_limits(args)
    zone_id = zone = None
    if args.get("zone"):
        zone_id, zone = zone_geometry(services(), args["zone"])
    try:
        return SearchQuery(
            text=args.get("q") or "",
            near=(args["lon"], args["lat"]) if "lat" in args else None,
            radius_m=args.get("radius"),
            bbox=args.get("bbox"),
            zone=zone,
            zone_id=zone_id,
            kinds=tuple(args.get("kind") or ()),
            categories=tuple(args.get("category") or ()),
            designations=tuple(args.get("designation") or ()),
            languages=tuple(args.get("has_lang") or ()),
            # "id" order is the catalogue's; the index orders by name instead.
            sort=None if args.get("sort") == "id" else args.get("sort"),
            limit=limit,
            cursor=args.get("cursor"),
            facets=bool(args.get("facets")),
        )
    except SearchError as exc:
        raise InvalidInput(exc.message, exc.errors) from exc


def _next_href(cursor: str | None) -> str | None:
    if not cursor:
        return None
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    params.append(("cursor", cursor))
    return f"{request.base_url}?{urlencode(params)}"


def _collection(
    views: list[dict],
    cursor: str | None,
    *,
    f: str | None,
    public: bool,
    geometry: str = "location",
    extra: dict | None = None,
) -> Response:
    next_href = _next_href(cursor)
    headers = {"Link": f'<{next_href}>; rel="next"'} if next_href else {}
    extra = extra or {}
    if wants_geojson(f):
        links = [{"rel": "self", "href": request.url, "type": GEOJSON}]
        if next_href:
            links.append({"rel": "next", "href": next_href, "type": GEOJSON})
        payload = {
            "type": "FeatureCollection",
            "features": [feature(view, geometry) for view in views],
            "numberReturned": len(views),
            **extra,
            "next_cursor": cursor,
            "links": links,
        }
        return json_response(payload, mimetype=GEOJSON, public=public, headers=headers)
    payload = {"items": views, **extra, "next_cursor": cursor, "links": {"next": next_href}}
    return json_response(payload, public=public, headers=headers)


def search_page_response(query, args: dict) -> Response:
    """A page of search hits, served from the search index alone."""
    svc = services()
    result = svc.search.search(query)
    views = hit_views(svc, result, preferred_languages(args.get("lang")))
    extra = {"total": result.total}
    if query.facets:
        extra["facets"] = result.facets
    return _collection(views, result.next_cursor, f=args.get("f"), public=True, extra=extra)


def page_response(args: dict, *, zone: str | None = None, zones_only: bool = False) -> Response:
    staff = principal() is not None
    public_search = not staff and zone is None and not zones_only and not args.get("status")
    if args.get("q") or (public_search and "lat" in args):
        if not public_search:
            raise InvalidInput(
                "Text search covers published sites only; leave out status or q.",
                {"q": ["Not with status."]},
            )
        return search_page_response(build_search_query(args), args)
    query = build_query(args, staff=staff, zone=zone, zones_only=zones_only)
    page: Page = services().lister.list(query)
    lang = args.get("lang")
    views = [
        site_view(site, lang=lang, staff=staff, summary=not zones_only, distance_m=distance)
        for site, distance in page.items
    ]
    geometry = "footprint" if zones_only else "location"
    return _collection(
        views, page.next_cursor, f=args.get("f"), public=not staff, geometry=geometry
    )
