"""Turning list parameters into a `SiteQuery`, and a page into JSON or GeoJSON."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request

from ..app import services
from ..catalogue.errors import InvalidInput, Unauthorized
from ..catalogue.queries import Page, SiteQuery
from ..catalogue.taxonomy import STATUSES
from .common import GEOJSON, feature, json_response, principal, site_view, wants_geojson


def build_query(
    args: dict, *, staff: bool, zone: str | None = None, zones_only: bool = False
) -> SiteQuery:
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
    statuses = tuple(args.get("status") or ("published",))
    if "any" in statuses:
        statuses = STATUSES
    if statuses != ("published",) and not staff:
        raise Unauthorized("Listing unpublished sites needs a staff bearer token.")
    near = (args["lon"], args["lat"]) if "lat" in args else None
    return SiteQuery(
        kinds=tuple(args.get("kind") or ()),
        categories=tuple(args.get("category") or ()),
        statuses=tuple(sorted(set(statuses))),
        bbox=args.get("bbox"),
        near=near,
        radius_m=radius,
        zone=zone,
        zones_only=zones_only,
        sort=args.get("sort"),
        limit=limit,
        cursor=args.get("cursor"),
    )


def page_response(args: dict, *, zone: str | None = None, zones_only: bool = False) -> Response:
    staff = principal() is not None
    query = build_query(args, staff=staff, zone=zone, zones_only=zones_only)
    page: Page = services().lister.list(query)
    lang = args.get("lang")
    views = [
        site_view(site, lang=lang, staff=staff, summary=not zones_only, distance_m=distance)
        for site, distance in page.items
    ]
    next_href = None
    if page.next_cursor:
        params = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        params.append(("cursor", page.next_cursor))
        next_href = f"{request.base_url}?{urlencode(params)}"
    headers = {"Link": f'<{next_href}>; rel="next"'} if next_href else {}
    public = not staff
    if wants_geojson(args.get("f")):
        links = [{"rel": "self", "href": request.url, "type": GEOJSON}]
        if next_href:
            links.append({"rel": "next", "href": next_href, "type": GEOJSON})
        geometry = "footprint" if zones_only else "location"
        payload = {
            "type": "FeatureCollection",
            "features": [feature(view, geometry) for view in views],
            "numberReturned": len(views),
            "next_cursor": page.next_cursor,
            "links": links,
        }
        return json_response(payload, mimetype=GEOJSON, public=public, headers=headers)
    payload = {"items": views, "next_cursor": page.next_cursor, "links": {"next": next_href}}
    return json_response(payload, public=public, headers=headers)
