"""A page of sites as JSON or as a GeoJSON FeatureCollection, with its next link.

Both shapes go through the documented schemas: JSON is dumped by the view's
`@blp.response`, GeoJSON here by `SiteFeatureCollectionSchema`."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request

from ..services.listing import ListPage
from .caching import cache
from .negotiation import GEOJSON, public_base, public_url, wants_geojson
from .responses import json_body
from .schemas import SiteFeatureCollectionSchema, SiteFeatureSchema

_COLLECTION = SiteFeatureCollectionSchema()
_FEATURE = SiteFeatureSchema()


def feature(view: dict, geometry_field: str = "location") -> dict:
    properties = {k: v for k, v in view.items() if k not in ("location", "footprint")}
    if geometry_field != "location":
        properties["location"] = view.get("location")
    return {
        "type": "Feature",
        "id": view["id"],
        "geometry": view.get(geometry_field) or view.get("location"),
        "properties": properties,
    }


def geojson(dumped: dict, status: int = 200, headers: dict | None = None) -> Response:
    return json_body(dumped, mimetype=GEOJSON, status=status, headers=headers)


def feature_response(view: dict, geometry_field: str = "location", **kwargs) -> Response:
    return geojson(_FEATURE.dump(feature(view, geometry_field)), **kwargs)


def _next_href(cursor: str | None) -> str | None:
    if not cursor:
        return None
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    params.append(("cursor", cursor))
    return f"{public_base()}{request.path}?{urlencode(params)}"


def page_answer(page: ListPage, f: str | None):
    """What a list view returns: a GeoJSON Response, or (data, headers) for its schema."""
    cache(public=page.public, until=page.stable_until)
    next_href = _next_href(page.next_cursor)
    headers = {"Link": f'<{next_href}>; rel="next"'} if next_href else {}
    extra: dict = {}
    if page.total is not None:
        extra["total"] = page.total
    if page.facets is not None:
        extra["facets"] = page.facets
    if wants_geojson(f):
        links = [{"rel": "self", "href": public_url(), "type": GEOJSON}]
        if next_href:
            links.append({"rel": "next", "href": next_href, "type": GEOJSON})
        payload = {
            "type": "FeatureCollection",
            "features": [feature(view, page.geometry) for view in page.items],
            "numberReturned": len(page.items),
            **extra,
            "next_cursor": page.next_cursor,
            "links": links,
        }
        return geojson(_COLLECTION.dump(payload), headers=headers)
    payload = {
        "items": page.items,
        **extra,
        "next_cursor": page.next_cursor,
        "links": {"next": next_href},
    }
    return payload, headers
