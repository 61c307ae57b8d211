"""OGC API - Tiles: the collections as Mapbox Vector Tiles (WebMercatorQuad) with TileJSON,
for MapLibre, Leaflet and QGIS.

Caching: every tile's ETag carries the catalogue's public version (the newest outbox change),
so a change anywhere makes every tile's ETag new. TileJSON (short-lived) hands out tile URLs
with `v=<version>`; a tile asked for at the current version can be cached for a year, since a
newer catalogue gets other URLs. Without `v`, tiles are cached briefly and revalidated.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, request
from flask_smorest import Blueprint

from ..catalogue.tiles import MAX_ZOOM, Tile
from ..errors import BadRequest, NotFound
from ..services.features import COLLECTIONS, collection
from ..version import API_TITLE
from .context import services
from .negotiation import preferred_languages, public_base
from .open_filters import open_filters
from .responses import json_body
from .schemas import ApiErrorSchema

blp = Blueprint(
    "tiles",
    __name__,
    url_prefix="",
    description="OGC API - Tiles: vector tiles (MVT) of sites and zones, with TileJSON",
)

MVT = "application/vnd.mapbox-vector-tile"
TMS = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
)
LONG = "public, max-age=31536000, immutable"
_PATH = {"in": "path", "required": True}
_COLLECTION = {
    "name": "collection_id",
    **_PATH,
    "schema": {"type": "string", "enum": list(COLLECTIONS)},
}
_TILE_PARAMETERS = [
    _COLLECTION,
    {"name": "z", **_PATH, "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM}},
    {"name": "y", **_PATH, "schema": {"type": "integer", "minimum": 0}},
    {"name": "x", **_PATH, "schema": {"type": "integer", "minimum": 0}},
    {"name": "lang", "in": "query", "schema": {"type": "string"}, "description": "Name language"},
    {"name": "v", "in": "query", "schema": {"type": "integer"}, "description": "From TileJSON"},
    {
        "name": "open_now",
        "in": "query",
        "schema": {"type": "boolean"},
        "description": "Only sites open now (such tiles are cached for a minute)",
    },
    {
        "name": "open_at",
        "in": "query",
        "schema": {"type": "string", "format": "date-time"},
        "description": "Only sites open at this moment (with its zone)",
    },
]
LOOSE = {"type": "object"}


def _layer_for(collection_id: str) -> str:
    chosen = collection(collection_id)
    return "zones" if chosen.zones_only else "sites"


def _tileset(collection_id: str) -> dict:
    base = f"{public_base()}/collections/{collection_id}/tiles/{TMS}"
    return {
        "title": f"{collection(collection_id).title} ({TMS})",
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "layers": [{"id": _layer_for(collection_id), "dataType": "vector"}],
        "links": [
            {"rel": "self", "href": base, "type": "application/json"},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "href": TMS_URI},
            {
                "rel": "item",
                "href": base + "/{tileMatrix}/{tileRow}/{tileCol}",
                "type": MVT,
                "templated": True,
            },
            {"rel": "describedby", "href": f"{base}/tilejson.json", "type": "application/json"},
        ],
    }


@blp.route("/collections/<collection_id>/tiles", methods=["GET"])
@blp.doc(parameters=[_COLLECTION])
@blp.response(200, LOOSE, description="The collection's tilesets")
@blp.alt_response(404, schema=ApiErrorSchema, description="No such collection")
def tilesets(collection_id: str):
    """The collection's vector tilesets (one: WebMercatorQuad)."""
    return json_body({"tilesets": [_tileset(collection_id)]})


@blp.route(f"/collections/<collection_id>/tiles/{TMS}", methods=["GET"])
@blp.doc(parameters=[_COLLECTION])
@blp.response(200, LOOSE, description="Tileset metadata")
@blp.alt_response(404, schema=ApiErrorSchema, description="No such collection")
def tileset(collection_id: str):
    """The WebMercatorQuad tileset: its tile URL template and layers."""
    return json_body(_tileset(collection_id))


@blp.route(f"/collections/<collection_id>/tiles/{TMS}/tilejson.json", methods=["GET"])
@blp.doc(parameters=[_COLLECTION, _TILE_PARAMETERS[4]])
@blp.response(200, LOOSE, description="TileJSON 3.0.0, for MapLibre and Leaflet plugins")
@blp.alt_response(404, schema=ApiErrorSchema, description="No such collection")
def tilejson(collection_id: str):
    """TileJSON: tile URLs at the catalogue's current version (cacheable for a year)."""
    layer = _layer_for(collection_id)
    svc = services()
    version = svc.change_feed.feed.version()
    query = f"?v={version}" + (f"&lang={request.args['lang']}" if request.args.get("lang") else "")
    extent = svc.features.extent(collection_id)["spatial"]["bbox"][0]
    fields = {"id": "String", "name": "String", "kind": "String"}
    if layer == "sites":
        fields |= {"image": "String", "count": "Number"}
    body = {
        "tilejson": "3.0.0",
        "name": collection(collection_id).title,
        "attribution": API_TITLE,
        "scheme": "xyz",
        "tiles": [
            f"{public_base()}/collections/{collection_id}/tiles/{TMS}/{{z}}/{{y}}/{{x}}{query}"
        ],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": extent,
        "vector_layers": [{"id": layer, "fields": fields, "minzoom": 0, "maxzoom": MAX_ZOOM}],
    }
    response = json_body(body)
    response.headers["Cache-Control"] = f"public, max-age={svc.settings.public_cache_seconds}"
    return response


@blp.route(f"/collections/<collection_id>/tiles/{TMS}/<int:z>/<int:y>/<int:x>", methods=["GET"])
@blp.doc(parameters=_TILE_PARAMETERS)
@blp.response(200, {"type": "string", "format": "binary"}, content_type=MVT)
@blp.alt_response(204, description="An empty tile: nothing published there")
@blp.alt_response(404, schema=ApiErrorSchema, description="No such collection or tile")
def tile(collection_id: str, z: int, y: int, x: int):
    """One vector tile: `sites` points (thinned below zoom 12, with `count`) or `zones`
    polygons, names in the asked language."""
    layer = _layer_for(collection_id)
    try:
        wanted = Tile(z, x, y)
    except ValueError as exc:
        raise NotFound(f"No tile {z}/{y}/{x} in {TMS}: {exc}.") from None
    svc = services()
    lang = request.args.get("lang", "")
    if len(lang) > 50:
        raise BadRequest("lang is too long.", {"lang": ["At most 50 characters."]})
    preferred = preferred_languages(lang or None)
    version = svc.change_feed.feed.version()
    open_at = _open_at(svc)
    moment = f"-open{open_at:%Y%m%d%H%M}" if open_at else ""
    etag = f"tile-{version}-{layer}-{z}-{y}-{x}-{'.'.join(preferred)}{moment}"
    # Open-now tiles change with the clock, not only with the catalogue.
    current = request.args.get("v") == str(version) and open_at is None
    cache_control = LONG if current else f"public, max-age={svc.settings.public_cache_seconds}"
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        body = svc.tiles.render(layer, wanted, preferred, open_at, version=version)
        response = Response(body, status=200 if body else 204, mimetype=MVT)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = "Accept-Language"
    return response


def _open_at(svc) -> datetime | None:
    """open_now=true or open_at=ISO (with a zone), checked as the lists check them."""
    wanted = open_filters(request.args)
    return svc.listing.open_moment(bool(wanted.get("open_now")), wanted.get("open_at"))


@blp.route("/tileMatrixSets", methods=["GET"])
@blp.response(200, LOOSE, description="Tile matrix sets")
def tile_matrix_sets():
    """The tile matrix sets tiles are offered in (WebMercatorQuad)."""
    return json_body(
        {
            "tileMatrixSets": [
                {
                    "id": TMS,
                    "title": "Google Maps Compatible for the World",
                    "uri": TMS_URI,
                    "links": [{"rel": "self", "href": f"{public_base()}/tileMatrixSets/{TMS}"}],
                }
            ]
        }
    )


@blp.route(f"/tileMatrixSets/{TMS}", methods=["GET"])
@blp.response(200, LOOSE, description="The WebMercatorQuad tile matrix set")
def web_mercator_quad():
    """WebMercatorQuad (OGC 17-083r4): EPSG:3857, 256-pixel tiles, zoom 0 to 22."""
    half = 20037508.3427892
    return json_body(
        {
            "id": TMS,
            "uri": TMS_URI,
            "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
            "orderedAxes": ["X", "Y"],
            "tileMatrices": [
                {
                    "id": str(z),
                    "scaleDenominator": 559082264.0287178 / 2**z,
                    "cellSize": 156543.03392804097 / 2**z,
                    "cornerOfOrigin": "topLeft",
                    "pointOfOrigin": [-half, half],
                    "tileWidth": 256,
                    "tileHeight": 256,
                    "matrixWidth": 2**z,
                    "matrixHeight": 2**z,
                }
                for z in range(MAX_ZOOM + 1)
            ],
        }
    )
