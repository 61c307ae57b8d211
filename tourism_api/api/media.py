"""Photos: /v1/sites/{ref}/media, /v1/media/{id}, and their derivatives."""

from __future__ import annotations

from flask import Response, request
from flask_smorest import Blueprint

from media_store.images import FORMATS, SIZES, ImageRejected

from ..app import services
from ..catalogue.errors import InvalidInput
from ..catalogue.models import Media
from ..errors import error_response
from .common import (
    STAFF,
    json_response,
    multipart_body,
    principal,
    read_json_object,
    staff_actor,
    uploaded_file,
)

blp = Blueprint("media", __name__, url_prefix="/v1", description="Photos of sites")
YEAR = 365 * 24 * 3600


def media_view(media: Media, *, staff: bool) -> dict:
    view = {
        "id": media.id,
        "site_id": media.site_id,
        "width": media.width,
        "height": media.height,
        "format": media.format,
        "caption": media.caption or {},
        "creator": media.creator,
        "licence": media.licence,
        "attribution": media.attribution,
        "taken_at": media.taken_at,
        "position": media.position,
        "primary": media.is_primary,
        "links": {
            "self": f"/v1/media/{media.id}",
            "iiif": f"/iiif/3/{media.id}",
            **{
                f"{size}_{fmt}": f"/v1/media/{media.id}/{size}.{fmt}"
                for size in SIZES
                for fmt in FORMATS
            },
        },
    }
    if staff:
        view.update(
            sha256=media.sha256,
            bytes=media.bytes,
            original_name=media.original_name,
            camera=media.camera,
            gps={"lat": media.lat, "lon": media.lon} if media.lat is not None else None,
            exif=media.exif,
            review=media.review,
            created_by=media.created_by,
            updated_by=media.updated_by,
        )
    return view


@blp.route("/sites/<string:ref>/media", methods=["POST"])
@blp.doc(
    security=STAFF,
    requestBody=multipart_body(
        ["file"],
        {
            **{f"caption.{lang}": {"type": "string"} for lang in ("vi", "en", "fr")},
            "creator": {"type": "string"},
            "licence": {"type": "string", "example": "CC-BY-SA-4.0"},
            "attribution": {"type": "string"},
            "taken_at": {"type": "string", "format": "date-time"},
            "position": {"type": "integer"},
            "primary": {"type": "boolean"},
        },
    ),
)
def upload(ref):
    """Add a photo to a site (staff): JPEG, PNG, WebP, TIFF or HEIC, checked from its bytes."""
    actor = staff_actor()
    svc = services()
    # The form fields beside the photo get a megabyte of room.
    upload = uploaded_file(svc.settings.max_image_bytes + 1024 * 1024)
    details: dict = {}
    for key, value in request.form.items():
        if key.startswith("caption."):
            details.setdefault("caption", {})[key.removeprefix("caption.")] = value
        else:
            details[key] = value
    media = svc.media.add(
        ref, upload.read(), filename=upload.filename, details=details, actor=actor
    )
    return json_response(
        media_view(media, staff=True), status=201, headers={"Location": f"/v1/media/{media.id}"}
    )


@blp.route("/sites/<string:ref>/media", methods=["GET"])
def site_media(ref):
    """A site's photos, in order; the primary one is marked."""
    staff = principal() is not None
    items = [media_view(m, staff=staff) for m in services().media.list_for_site(ref, staff=staff)]
    return json_response({"items": items}, public=not staff)


@blp.route("/media/<string:media_id>", methods=["GET", "PATCH", "DELETE"])
@blp.doc(security=STAFF)
def media_item(media_id):
    """A photo's details; staff can change caption, creator, licence, order, primary, or delete it."""
    svc = services()
    if request.method == "GET":
        staff = principal() is not None
        return json_response(
            media_view(svc.media.get(media_id, staff=staff), staff=staff), public=not staff
        )
    actor = staff_actor()
    if request.method == "PATCH":
        media = svc.media.update(media_id, read_json_object(), actor)
        return json_response(media_view(media, staff=True))
    svc.media.delete(media_id, actor)
    return Response(status=204)


@blp.route("/media/<string:media_id>/<string:size>.<string:fmt>", methods=["GET"])
def media_file(media_id, size, fmt):
    """A derivative: thumb (320 px), medium (1024) or large (2048), as webp or jpg; no EXIF."""
    if size not in SIZES or fmt not in FORMATS:
        raise InvalidInput(
            "Unknown size or format.",
            {"size": [f"One of {', '.join(SIZES)}."], "format": ["webp or jpg"]},
        )
    svc = services()
    media = svc.media.get(media_id, staff=principal() is not None)
    blob = svc.media.derivative(media, size, fmt)
    return image_response(blob, FORMATS[fmt][1], f"{media.sha256[:32]}-{size}.{fmt}")


def image_response(blob: bytes, mime: str, etag: str) -> Response:
    response = Response(blob, mimetype=mime)
    # The bytes behind a URL never change (a new photo is a new id): cache for a year.
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.set_etag(etag)
    return response.make_conditional(request)


def register_image_errors(app) -> None:
    app.register_error_handler(
        ImageRejected, lambda exc: error_response(exc.status, exc.message, {"file": [exc.message]})
    )
