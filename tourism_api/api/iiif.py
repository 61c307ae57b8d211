"""IIIF: Image API 3.0 for every photo and a Presentation 3.0 manifest per site."""

from __future__ import annotations

import hashlib

from flask import redirect, request
from flask_smorest import Blueprint

from ..catalogue.models import Media
from .auth import OPTIONAL_STAFF, draft_access
from .caching import cache
from .context import services
from .media import image_response, image_responses
from .negotiation import public_base
from .responses import json_body
from .schemas import LOOSE_OBJECT, ApiErrorSchema

blp = Blueprint(
    "iiif", __name__, url_prefix="/iiif/3", description="IIIF Image and Presentation APIs"
)
IIIF_IMAGE = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
IIIF_PRESENTATION = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


def _media(identifier: str) -> Media:
    return services().media.get(identifier, staff=draft_access())


@blp.route("/<string:identifier>", methods=["GET"])
@blp.doc(security=OPTIONAL_STAFF)
@blp.alt_response(303, description="See the image information", success=True)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such published photo")
def image_base(identifier):
    """The image service's base URI redirects to its info.json."""
    _media(identifier)
    return redirect(f"/iiif/3/{identifier}/info.json", code=303)


@blp.route("/<string:identifier>/info.json", methods=["GET"])
@blp.doc(security=OPTIONAL_STAFF)
@blp.response(200, LOOSE_OBJECT, description="IIIF Image API 3.0 image information")
@blp.alt_response(200, schema=LOOSE_OBJECT, content_type="application/ld+json", success=True)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such published photo")
def image_info(identifier):
    """IIIF Image API 3.0 image information (JSON-LD when asked for)."""
    svc = services()
    media = _media(identifier)
    body = svc.media.image_info(media, public_base())
    cache(public=media.public)
    response = json_body(body)
    if "application/ld+json" in request.headers.get("Accept", ""):
        response.headers["Content-Type"] = IIIF_IMAGE
    return response


@blp.route(
    "/<string:identifier>/<string:region>/<string:size>/<string:rotation>/<string:quality_format>",
    methods=["GET"],
)
@blp.doc(security=OPTIONAL_STAFF)
@image_responses("image/jpeg", "image/png", "image/webp")
@blp.alt_response(400, schema=ApiErrorSchema, description="Not a valid IIIF image request")
@blp.alt_response(404, schema=ApiErrorSchema, description="No such published photo")
def image_request(identifier, region, size, rotation, quality_format):
    """An image request: {region}/{size}/{rotation}/{quality}.{format}, bounded in size."""
    media = _media(identifier)
    blob, mime = services().media.iiif_image(media, region, size, rotation, quality_format)
    params = "/".join((region, size, rotation, quality_format)).encode()
    response = image_response(
        blob,
        mime,
        f"{media.sha256[:24]}-{hashlib.sha1(params).hexdigest()[:16]}",
        public=media.public,
    )
    response.headers["Link"] = '<http://iiif.io/api/image/3/level2.json>;rel="profile"'
    return response


@blp.route("/sites/<string:ref>/manifest", methods=["GET"])
@blp.doc(security=OPTIONAL_STAFF)
@blp.response(200, LOOSE_OBJECT, description="IIIF Presentation 3.0 manifest")
@blp.alt_response(200, schema=LOOSE_OBJECT, content_type="application/ld+json", success=True)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such published site, or no photos")
def manifest(ref):
    """A IIIF Presentation 3.0 manifest of a site's photos, with labels per language and navPlace."""
    staff = draft_access()
    body = services().media.site_manifest(ref, staff=staff, base_url=public_base())
    cache(public=not staff)
    response = json_body(body)
    if "application/ld+json" in request.headers.get("Accept", ""):
        response.headers["Content-Type"] = IIIF_PRESENTATION
    return response
