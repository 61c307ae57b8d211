"""IIIF: Image API 3.0 for every photo and a Presentation 3.0 manifest per site."""

from __future__ import annotations

import hashlib

from flask import redirect, request
from flask_smorest import Blueprint

from media_store import iiif

from ..app import services
from ..catalogue.geometry import from_db, to_geojson
from ..catalogue.models import Media
from ..errors import error_response
from ..media import rights_url
from .common import json_response, principal
from .media import image_response

blp = Blueprint(
    "iiif", __name__, url_prefix="/iiif/3", description="IIIF Image and Presentation APIs"
)
IIIF_IMAGE = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
IIIF_PRESENTATION = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


def _media(identifier: str) -> Media:
    return services().media.get(identifier, staff=principal() is not None)


def _base(path: str) -> str:
    return request.host_url.rstrip("/") + path


@blp.route("/<string:identifier>", methods=["GET"])
def image_base(identifier):
    """The image service's base URI redirects to its info.json."""
    _media(identifier)
    return redirect(f"/iiif/3/{identifier}/info.json", code=303)


@blp.route("/<string:identifier>/info.json", methods=["GET"])
def image_info(identifier):
    """IIIF Image API 3.0 image information."""
    media = _media(identifier)
    body = iiif.info(
        _base(f"/iiif/3/{identifier}"),
        media.width,
        media.height,
        services().media.limits,
        rights_url(media.licence),
    )
    wants_ld = "application/ld+json" in request.headers.get("Accept", "")
    response = json_response(
        body, mimetype="application/ld+json" if wants_ld else "application/json", public=True
    )
    if wants_ld:
        response.headers["Content-Type"] = IIIF_IMAGE
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blp.route(
    "/<string:identifier>/<string:region>/<string:size>/<string:rotation>/<string:quality_format>",
    methods=["GET"],
)
def image_request(identifier, region, size, rotation, quality_format):
    """An image request: {region}/{size}/{rotation}/{quality}.{format}, bounded in size."""
    media = _media(identifier)
    try:
        blob, mime = services().media.iiif_image(media, region, size, rotation, quality_format)
    except iiif.IIIFError as exc:
        return error_response(exc.status, exc.message, {"iiif": [exc.message]})
    params = "/".join((region, size, rotation, quality_format)).encode()
    response = image_response(
        blob, mime, f"{media.sha256[:24]}-{hashlib.sha1(params).hexdigest()[:16]}"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Link"] = '<http://iiif.io/api/image/3/level2.json>;rel="profile"'
    return response


@blp.route("/sites/<string:ref>/manifest", methods=["GET"])
def manifest(ref):
    """A IIIF Presentation 3.0 manifest of a site's photos, with labels per language and navPlace."""
    svc = services()
    staff = principal() is not None
    site = svc.catalogue.get_site(ref, include_unpublished=staff)
    photos = svc.media.list_for_site(site.id, staff=staff)
    base = _base(f"/iiif/3/sites/{site.id}")
    label = {lang: [text] for lang, text in site.name.items()}
    canvases = []
    for index, photo in enumerate(photos, start=1):
        canvas_id = f"{base}/canvas/{index}"
        service = _base(f"/iiif/3/{photo.id}")
        canvas = {
            "id": canvas_id,
            "type": "Canvas",
            "label": {lang: [text] for lang, text in (photo.caption or {}).items()}
            or {"none": [f"{index}"]},
            "width": photo.width,
            "height": photo.height,
            "thumbnail": [
                {
                    "id": _base(f"/v1/media/{photo.id}/thumb.jpg"),
                    "type": "Image",
                    "format": "image/jpeg",
                }
            ],
            "items": [
                {
                    "id": f"{canvas_id}/page",
                    "type": "AnnotationPage",
                    "items": [
                        {
                            "id": f"{canvas_id}/page/painting",
                            "type": "Annotation",
                            "motivation": "painting",
                            "target": canvas_id,
                            "body": {
                                "id": f"{service}/full/max/0/default.jpg",
                                "type": "Image",
                                "format": "image/jpeg",
                                "width": photo.width,
                                "height": photo.height,
                                "service": [
                                    {"id": service, "type": "ImageService3", "profile": "level2"}
                                ],
                            },
                        }
                    ],
                }
            ],
        }
        statement = " · ".join(p for p in (photo.creator, photo.attribution, photo.licence) if p)
        if statement:
            canvas["requiredStatement"] = {
                "label": {"en": ["Attribution"]},
                "value": {"none": [statement]},
            }
        if rights_url(photo.licence):
            canvas["rights"] = rights_url(photo.licence)
        canvases.append(canvas)
    body = {
        "@context": [
            "http://iiif.io/api/extension/navplace/context.json",
            "http://iiif.io/api/presentation/3/context.json",
        ],
        "id": f"{base}/manifest",
        "type": "Manifest",
        "label": label,
        "summary": {lang: [text] for lang, text in (site.short_description or {}).items()} or None,
        "homepage": [
            {
                "id": _base(f"/v1/sites/{site.id}"),
                "type": "Text",
                "label": label,
                "format": "application/json",
            }
        ],
        "navPlace": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"label": label},
                    "geometry": to_geojson(from_db(site.location)),
                }
            ],
        },
        "items": canvases,
    }
    if body["summary"] is None:
        del body["summary"]
    primary = next((p for p in photos if p.is_primary), None)
    if primary is not None:
        body["thumbnail"] = [
            {
                "id": _base(f"/v1/media/{primary.id}/thumb.jpg"),
                "type": "Image",
                "format": "image/jpeg",
            }
        ]
    licences = {p.licence for p in photos if p.licence}
    if len(licences) == 1 and rights_url(next(iter(licences))):
        body["rights"] = rights_url(next(iter(licences)))
    response = json_response(body, public=not staff)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
