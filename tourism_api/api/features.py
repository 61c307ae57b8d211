"""OGC API - Features (Parts 1, 2 and 3) at the root: landing page, conformance, collections,
items, single features and queryables, in JSON/GeoJSON and HTML.

Parameters are parsed here by the standard's rules (an unknown or invalid parameter is a 400,
`limit` above the maximum is clamped) and documented by hand, in the exact form OGC clients
and the OGC's test suite look for (`bbox` an array of 4 or 6 numbers, `limit` an integer with
its bounds). Everything else is `services().features`, on the same queries as `/v1`.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from flask import make_response, render_template, request
from flask_smorest import Blueprint

from ..catalogue import cql2
from ..catalogue import crs as crs_module
from ..catalogue.schema_org import site_jsonld
from ..catalogue.taxonomy import KINDS
from ..errors import BadRequest, InvalidInput
from ..services.features import COLLECTIONS, DEFAULT_LIMIT, MAX_LIMIT, Collection, collection
from ..version import API_TITLE, API_VERSION
from .caching import cache
from .collections import feature
from .context import services
from .errors import error_response
from .negotiation import GEOJSON, preferred_languages, public_base
from .ogc_schemas import (
    CollectionSchema,
    CollectionsSchema,
    ConformanceSchema,
    LandingSchema,
    OgcFeatureCollectionSchema,
    OgcFeatureSchema,
    QueryablesSchema,
)
from .open_filters import open_filters
from .responses import json_body
from .schemas import ApiErrorSchema
from .sites import jsonld_response, site_view
from .tiles import CONFORMANCE as TILES_CONFORMANCE

blp = Blueprint(
    "features",
    __name__,
    url_prefix="",
    description="OGC API - Features: the published catalogue for GIS clients (QGIS, GDAL, OWSLib)",
)

OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"
HTML = "text/html"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    *TILES_CONFORMANCE,
)


def _param(name: str, schema: dict, description: str, **extra) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **extra,
    }


_F = _param(
    "f", {"type": "string", "enum": ["json", "html"]}, "Format; default from the Accept header"
)
_ITEMS_F = _param(
    "f",
    {"type": "string", "enum": ["json", "geojson", "html"]},
    "Format; default GeoJSON (or HTML for a browser)",
)
_ITEM_F = _param(
    "f",
    {"type": "string", "enum": ["json", "geojson", "html", "jsonld"]},
    "Format; default GeoJSON (HTML for a browser; jsonld: schema.org)",
)
_LANG = _param("lang", {"type": "string"}, "Preferred languages of `display`, e.g. `fr,en`")
_CRS = _param(
    "crs",
    {"type": "string", "format": "uri"},
    "CRS of the geometries in the response (default CRS84); axis order as the CRS defines it",
    style="form",
    explode=False,
)
ITEMS_PARAMETERS = [
    _ITEMS_F,
    _LANG,
    _param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        f"Features per page (at most {MAX_LIMIT}; larger values are clamped)",
        style="form",
        explode=False,
    ),
    _param(
        "bbox",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "Only features within the box: lower corner, upper corner, in bbox-crs (default CRS84, "
        "longitude first); a first longitude above the second crosses the antimeridian",
        style="form",
        explode=False,
    ),
    _param(
        "bbox-crs",
        {"type": "string", "format": "uri"},
        "CRS of bbox (default CRS84)",
        style="form",
        explode=False,
    ),
    _CRS,
    _param(
        "datetime",
        {"type": "string"},
        "Last changed at an instant or within an interval (`start/end`, `..` for an open end)",
        style="form",
        explode=False,
    ),
    _param(
        "filter",
        {"type": "string"},
        "A CQL2 filter on the queryables, e.g. `kind = 'museum' AND name LIKE 'chua%'`",
    ),
    _param(
        "filter-lang",
        {"type": "string", "enum": list(cql2.LANGUAGES), "default": "cql2-text"},
        "Language of filter",
    ),
    _param(
        "filter-crs",
        {"type": "string", "format": "uri"},
        "CRS of the geometries in filter (default CRS84)",
    ),
    _param(
        "kind",
        {"type": "string", "enum": list(KINDS)},
        "Only sites of this kind (comma-separated for several)",
        style="form",
        explode=False,
    ),
    _param("category", {"type": "string"}, "Only sites in this category (comma-separated)"),
    _param("open_now", {"type": "boolean"}, "Only sites open now"),
    _param(
        "open_at",
        {"type": "string", "format": "date-time"},
        "Only sites open at this moment (with its zone), up to TOURISM_OPEN_AT_DAYS ahead",
    ),
    _param("wheelchair", {"type": "boolean"}, "true: wheelchair access (full or limited)"),
    _param("free", {"type": "boolean"}, "true: free entry; false: paid"),
    _param(
        "province",
        {"type": "string"},
        "Only sites in these 2025 units, by code (46) or name, old names too (comma-separated)",
    ),
    _param("cursor", {"type": "string"}, "Opaque position of the next page (from its link)"),
]
_COLLECTION_PATH = {
    "name": "collection_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": list(COLLECTIONS)},
}


@blp.errorhandler(InvalidInput)
def _invalid(exc: InvalidInput):
    """OGC API answers 400 to any invalid parameter, where /v1 says 422."""
    return error_response(400, exc.message, exc.errors)


# -- the request's parameters and format -------------------------------------------------


def query_args(allowed: set[str]) -> dict:
    """The query parameters, each once; an unknown one is a 400 (OGC API rule)."""
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise BadRequest(
            f"Unknown query parameter(s): {', '.join(unknown)}.",
            {name: ["Unknown parameter."] for name in unknown},
        )
    values = {}
    for name in request.args:
        given = request.args.getlist(name)
        if len(given) > 1:
            raise BadRequest(f"{name} is given more than once.", {name: ["Given twice."]})
        values[name] = given[0]
    return values


def _format(args: dict, choices: tuple[str, ...]) -> str:
    """json (or geojson) or html: `f` first, then the Accept header, JSON when in doubt."""
    f = args.get("f")
    if f:
        if f not in choices:
            raise BadRequest(
                f"f is one of {', '.join(choices)}.", {"f": [f"Unsupported format {f!r}."]}
            )
        return "json" if f == "geojson" else f
    best = request.accept_mimetypes.best_match(
        ["application/json", GEOJSON, HTML, "application/ld+json"]
    )
    if best == "application/ld+json" and "jsonld" in choices:
        return "jsonld"
    return "html" if best == HTML else "json"


def items_params(args: dict) -> dict:
    params: dict = {key: args[key] for key in ("datetime", "filter", "filter-lang") if key in args}
    for key in ("bbox-crs", "filter-crs", "cursor"):
        if args.get(key):
            params[key] = args[key]
    if "limit" in args:
        try:
            limit = int(args["limit"])
        except ValueError:
            raise BadRequest("limit is a whole number.", {"limit": ["Not an integer."]}) from None
        if limit < 1:
            raise BadRequest("limit is at least 1.", {"limit": ["Minimum is 1."]})
        params["limit"] = min(limit, MAX_LIMIT)
    if "bbox" in args:
        params["bbox"] = _bbox(args["bbox"])
    for key in ("kind", "category", "province"):
        if args.get(key):
            params[key] = [part.strip() for part in args[key].split(",") if part.strip()]
    bad_kinds = [k for k in params.get("kind", []) if k not in KINDS]
    if bad_kinds:
        raise BadRequest(f"Unknown kind {bad_kinds[0]!r}.", {"kind": ["Unknown kind."]})
    params |= open_filters(args)
    return params


def _bbox(text: str) -> tuple[float, float, float, float]:
    """The box's numbers; their range depends on bbox-crs, so the query checks it."""
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise BadRequest(
            "bbox is 4 or 6 comma-separated numbers (lower corner, upper corner).",
            {"bbox": ["Give 4 or 6 numbers."]},
        )
    return tuple(numbers) if len(numbers) == 4 else (*numbers[:2], *numbers[3:5])


# -- links ---------------------------------------------------------------------------------


def _link(path: str, rel: str, type_: str, title: str, query: str = "") -> dict:
    return {"href": f"{public_base()}{path}{query}", "rel": rel, "type": type_, "title": title}


def _self_links(path: str, json_type: str, current: str) -> list[dict]:
    """self (the format answered) and alternate (the other one)."""
    json_link = _link(path, "self", json_type, "This document as JSON", "?f=json")
    html_link = _link(path, "alternate", HTML, "This document as HTML", "?f=html")
    if current == "html":
        json_link["rel"], html_link["rel"] = "alternate", "self"
    return [json_link, html_link]


def _collection_document(chosen: Collection, current: str = "json") -> dict:
    base = f"/collections/{chosen.id}"
    return {
        "id": chosen.id,
        "title": chosen.title,
        "description": chosen.description,
        "keywords": list(chosen.keywords),
        "itemType": "feature",
        "crs": list(services().features.offered),
        "storageCrs": crs_module.CRS84,
        "extent": services().features.extent(chosen.id),
        "links": [
            *_self_links(base, "application/json", current),
            _link(f"{base}/items", "items", GEOJSON, "The features as GeoJSON", "?f=json"),
            _link(f"{base}/items", "items", HTML, "The features as HTML", "?f=html"),
            _link(
                f"{base}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA_JSON,
                "What filter can name",
            ),
            _link(
                f"{base}/tiles",
                "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                "application/json",
                "Vector tiles (MVT)",
            ),
            _link("/collections", "parent", "application/json", "All collections"),
        ],
    }


def _answer(template: str, data: dict, current: str, schema, mimetype="application/json"):
    cache(public=True)
    if current == "html":
        return make_response(render_template(template, data=data, title=API_TITLE))
    return json_body(schema.dump(data), mimetype=mimetype)


# -- the resources -------------------------------------------------------------------------


def ogc_errors(func):
    """Every OGC operation refuses unknown or invalid parameters with a 400, and has an HTML
    form (`f=html`, or a browser's Accept header)."""
    func = blp.doc(responses={200: {"content": {HTML: {"schema": {"type": "string"}}}}})(func)
    return blp.alt_response(400, schema=ApiErrorSchema, description="A bad parameter")(func)


@blp.route("/", methods=["GET"])
@blp.doc(parameters=[_F])
@blp.response(200, LandingSchema)
@ogc_errors
def landing():
    """The landing page: where everything is (OGC API - Features and `/v1`)."""
    args = query_args({"f"})
    current = _format(args, ("json", "html"))
    data = {
        "title": API_TITLE,
        "description": (
            "Monuments, museums, heritage sites, zones and tourist services of Viet Nam, in "
            "Vietnamese, English and French: an OGC API - Features service and a REST API (/v1)."
        ),
        "version": API_VERSION,
        "links": [
            *_self_links("/", "application/json", current),
            _link("/openapi.json", "service-desc", OPENAPI_TYPE, "The API definition (OpenAPI 3)"),
            _link("/docs", "service-doc", HTML, "The API documentation"),
            _link("/conformance", "conformance", "application/json", "Conformance classes"),
            _link("/collections", "data", "application/json", "Collections of features"),
            _link("/v1/sites", "http://tourism.example/rel/sites", "application/json", "Sites"),
            _link("/v1/zones", "http://tourism.example/rel/zones", "application/json", "Zones"),
            _link("/v1/search", "search", "application/json", "Text search"),
            _link("/v1/suggest", "http://tourism.example/rel/suggest", "application/json", "Names"),
            _link("/v1/kinds", "http://tourism.example/rel/kinds", "application/json", "Kinds"),
            _link(
                "/v1/categories",
                "http://tourism.example/rel/categories",
                "application/json",
                "Categories",
            ),
        ],
    }
    return _answer("ogc/landing.html", data, current, LandingSchema())


@blp.route("/conformance", methods=["GET"])
@blp.doc(parameters=[_F])
@blp.response(200, ConformanceSchema)
@ogc_errors
def conformance():
    """The OGC conformance classes this service implements."""
    current = _format(query_args({"f"}), ("json", "html"))
    return _answer(
        "ogc/conformance.html", {"conformsTo": list(CONFORMANCE)}, current, ConformanceSchema()
    )


@blp.route("/collections", methods=["GET"])
@blp.doc(parameters=[_F])
@blp.response(200, CollectionsSchema)
@ogc_errors
def collections():
    """The feature collections: `sites` (points) and `zones` (areas), published records only."""
    current = _format(query_args({"f"}), ("json", "html"))
    data = {
        "links": _self_links("/collections", "application/json", current),
        "collections": [_collection_document(c) for c in COLLECTIONS.values()],
        "crs": list(services().features.offered),
    }
    return _answer("ogc/collections.html", data, current, CollectionsSchema())


@blp.route("/collections/<collection_id>", methods=["GET"])
@blp.doc(parameters=[_F, _COLLECTION_PATH])
@blp.response(200, CollectionSchema)
@ogc_errors
@blp.alt_response(404, schema=ApiErrorSchema, description="No such collection")
def collection_document(collection_id: str):
    """One collection: its extent, CRSs and links to its items and queryables."""
    current = _format(query_args({"f"}), ("json", "html"))
    data = _collection_document(collection(collection_id), current)
    return _answer("ogc/collection.html", data, current, CollectionSchema())


@blp.route("/collections/<collection_id>/queryables", methods=["GET"])
@blp.doc(parameters=[_F, _COLLECTION_PATH])
@blp.response(200, QueryablesSchema, content_type=SCHEMA_JSON)
@ogc_errors
def queryables(collection_id: str):
    """What `filter` (CQL2) can name, as a JSON Schema."""
    current = _format(query_args({"f"}), ("json", "html"))
    chosen = collection(collection_id)
    data = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{public_base()}/collections/{chosen.id}/queryables",
        "type": "object",
        "title": chosen.title,
        "properties": cql2.QUERYABLES,
        "additionalProperties": False,
    }
    if current == "html":
        return _answer("ogc/queryables.html", data, current, QueryablesSchema())
    cache(public=True)
    return json_body(data, mimetype=SCHEMA_JSON)  # "$schema" and "$id" are not Python names


ITEMS_ALLOWED = {p["name"] for p in ITEMS_PARAMETERS}


@blp.route("/collections/<collection_id>/items", methods=["GET"])
@blp.doc(parameters=[_COLLECTION_PATH, *ITEMS_PARAMETERS])
@blp.response(200, OgcFeatureCollectionSchema, content_type=GEOJSON)
@blp.doc(responses={200: {"content": {HTML: {"schema": {"type": "string"}}}}})
@blp.alt_response(400, schema=ApiErrorSchema, description="A bad parameter, or bad CQL2")
@blp.alt_response(404, schema=ApiErrorSchema, description="No such collection")
def items(collection_id: str):
    """The collection's features, a page at a time (`next` link), with numberMatched."""
    args = query_args(ITEMS_ALLOWED)
    current = _format(args, ("json", "geojson", "html"))
    target = services().features.require_crs(args.get("crs"), "crs")
    chosen = collection(collection_id)
    page = services().features.items(
        chosen.id, items_params(args), preferred=preferred_languages(args.get("lang"))
    )
    path = f"/collections/{chosen.id}/items"
    features = [_ogc_feature(view, chosen, target) for view in page.items]
    links = _page_links(path, current, page.next_cursor, page.prev_cursor)
    data = {
        "type": "FeatureCollection",
        "features": features,
        "links": links,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "numberMatched": page.total,
        "numberReturned": len(features),
    }
    cache(public=True, until=page.stable_until)
    headers = {"Content-Crs": f"<{target}>"}
    if current == "html":
        body = render_template("ogc/items.html", data=data, collection=chosen, title=API_TITLE)
        return make_response(body, 200, headers)
    return json_body(OgcFeatureCollectionSchema().dump(data), mimetype=GEOJSON, headers=headers)


@blp.route("/collections/<collection_id>/items/<feature_id>", methods=["GET"])
@blp.doc(
    parameters=[
        _COLLECTION_PATH,
        {"name": "feature_id", "in": "path", "required": True, "schema": {"type": "string"}},
        _ITEM_F,
        _LANG,
        _CRS,
    ]
)
@blp.response(200, OgcFeatureSchema, content_type=GEOJSON)
@ogc_errors
@blp.doc(responses={200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}}})
@blp.alt_response(404, schema=ApiErrorSchema, description="No such feature")
def item(collection_id: str, feature_id: str):
    """One feature, with links to its collection and to its `/v1` record."""
    args = query_args({"f", "lang", "crs"})
    current = _format(args, ("json", "geojson", "html", "jsonld"))
    target = services().features.require_crs(args.get("crs"), "crs")
    chosen = collection(collection_id)
    site = services().features.item(chosen.id, feature_id)
    if current == "jsonld":
        cache(public=True, version=site.version)
        return jsonld_response(site)
    view = site_view(site, lang=args.get("lang"), staff=False)
    data = _ogc_feature(view, chosen, target)
    path = f"/collections/{chosen.id}/items/{site.id}"
    data["links"] = [
        *_self_links(path, GEOJSON, current),
        _link(f"/collections/{chosen.id}", "collection", "application/json", chosen.title),
        _link(f"/v1/sites/{site.id}", "describedby", "application/json", "The /v1 record"),
    ]
    cache(public=True, version=site.version)
    headers = {
        "Content-Crs": f"<{target}>",
        "Content-Language": view["display"]["lang"] or "",
    }
    if current == "html":
        body = render_template(
            "ogc/item.html",
            data=data,
            collection=chosen,
            title=API_TITLE,
            jsonld=site_jsonld(site, public_base(), services().settings.default_timezone),
        )
        return make_response(body, 200, headers)
    return json_body(OgcFeatureSchema().dump(data), mimetype=GEOJSON, headers=headers)


def _ogc_feature(view: dict, chosen: Collection, target: str) -> dict:
    data = feature(view, chosen.geometry)
    data["geometry"] = crs_module.transform_geometry(data["geometry"], crs_module.CRS84, target)
    return data


def _page_links(
    path: str, current: str, next_cursor: str | None, prev_cursor: str | None
) -> list[dict]:
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("cursor", "f")]

    def href(f: str, cursor: str | None = None) -> str:
        params = [*kept, ("f", f)] + ([("cursor", cursor)] if cursor else [])
        own = [(k, v) for k, v in request.args.items(multi=True) if k == "cursor"]
        if cursor is None and own:
            params.append(own[0])
        return f"{public_base()}{path}?{urlencode(params)}"

    json_rel, html_rel = ("alternate", "self") if current == "html" else ("self", "alternate")
    links = [
        {"href": href("json"), "rel": json_rel, "type": GEOJSON, "title": "This page as GeoJSON"},
        {"href": href("html"), "rel": html_rel, "type": HTML, "title": "This page as HTML"},
    ]
    page_f = "html" if current == "html" else "json"
    page_type = HTML if current == "html" else GEOJSON
    for rel, cursor, title in (("next", next_cursor, "Next"), ("prev", prev_cursor, "Previous")):
        if cursor:
            links.append(
                {"href": href(page_f, cursor), "rel": rel, "type": page_type, "title": title}
            )
    return links
