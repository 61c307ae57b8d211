"""/v1/export: the public catalogue in bulk (GeoJSON, GeoJSON sequence, CSV, GeoPackage), and
the daily snapshot apps download only when its ETag changed."""

from __future__ import annotations

import hashlib

from flask import Response, request, send_file
from flask_smorest import Blueprint

from ..services.exports import FORMATS
from .context import services
from .features import ITEMS_PARAMETERS, items_params, query_args
from .schemas import ApiErrorSchema

blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/v1/export",
    description="The public catalogue in bulk, for offline apps and GIS",
)

FILTERS = (
    "bbox",
    "bbox-crs",
    "datetime",
    "filter",
    "filter-lang",
    "filter-crs",
    "kind",
    "category",
    "province",
    "open_now",
    "open_at",
    "wheelchair",
    "free",
)
_FORMAT = {
    "name": "format",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": list(FORMATS), "default": "geojson"},
    "description": "geojson, geojsonseq (RFC 8142), csv or gpkg (GeoPackage)",
}
_FILTER_PARAMETERS = [p for p in ITEMS_PARAMETERS if p["name"] in FILTERS]
_BINARY = {"type": "string", "format": "binary"}
# A GeoJSON FeatureCollection is JSON; the others are files to save.
_CONTENT = {
    mime: {"schema": {"type": "object"} if fmt == "geojson" else _BINARY}
    for fmt, (mime, _suffix) in FORMATS.items()
}


def _disposition(suffix: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="catalogue.{suffix}"'}


@blp.route("", methods=["GET"])
@blp.doc(
    parameters=[_FORMAT, *_FILTER_PARAMETERS],
    responses={200: {"description": "The export", "content": _CONTENT}},
)
@blp.alt_response(304, description="Not changed since the ETag you have")
@blp.alt_response(400, schema=ApiErrorSchema, description="An unknown or repeated parameter")
@blp.alt_response(422, schema=ApiErrorSchema, description="A bad format, box or CQL2 filter")
def export():
    """Every published site, or those the OGC filters select (bbox, datetime, CQL2 filter,
    kind, category), streamed: memory stays flat however large the catalogue. Each record
    carries its licence and attribution. The ETag changes with any public change."""
    args = query_args({"format", *FILTERS})
    svc = services()
    fmt = args.pop("format", "geojson")
    svc.exports.check(fmt)
    params = items_params(args)
    # Parsed now, so a bad filter is a 400 before the first byte is sent.
    svc.features.query("sites", params)
    mime, suffix = FORMATS[fmt]
    key = "&".join(f"{k}={v}" for k, v in sorted(request.args.items()))
    etag = f"export-{svc.change_feed.feed.version()}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"
    headers = {**_disposition(suffix), "Cache-Control": "public, max-age=60"}
    if etag in request.if_none_match:
        response = Response(status=304, headers=headers)
    elif fmt == "gpkg":
        path = svc.exports.gpkg_file(params)
        response = send_file(path, mimetype=mime, max_age=60)
        response.headers.update(headers)
        response.call_on_close(lambda: path.unlink(missing_ok=True))
    else:
        # The generator needs no request context: it holds the services it reads with.
        response = Response(svc.exports.stream(fmt, params), mimetype=mime, headers=headers)
    response.set_etag(etag)
    return response


@blp.route("/snapshot", methods=["GET"])
@blp.doc(
    parameters=[_FORMAT], responses={200: {"description": "The snapshot", "content": _CONTENT}}
)
@blp.alt_response(304, description="The snapshot has not changed since the ETag you have")
@blp.alt_response(404, schema=ApiErrorSchema, description="No snapshot made yet")
@blp.alt_response(422, schema=ApiErrorSchema, description="An unknown format")
def snapshot():
    """The whole public catalogue as made by the daily snapshot job: send If-None-Match with
    the ETag of the copy you have, and download only when it changed."""
    args = query_args({"format"})
    latest = services().exports.latest(args.get("format", "geojson"))
    mime, suffix = FORMATS[args.get("format", "geojson")]
    response = send_file(
        latest.path,
        mimetype=mime,
        etag=latest.etag,
        last_modified=latest.made_at,
        max_age=3600,
        conditional=True,
    )
    response.headers.update(_disposition(suffix))
    response.headers["X-Catalogue-Version"] = str(latest.version)
    return response
