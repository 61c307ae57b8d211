"""Photos: /v1/sites/{ref}/media, /v1/media/{id}, and their derivatives."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from media_store.images import FORMATS, SIZES

from ..catalogue.models import Media
from ..errors import InvalidInput
from .auth import OPTIONAL_STAFF, STAFF, authorize, draft_access
from .bodies import multipart_body, read_json_object, uploaded_file
from .caching import cache
from .context import services
from .schemas import BINARY, ApiErrorSchema, MediaListSchema, MediaSchema

blp = Blueprint("media", __name__, url_prefix="/v1", description="Photos of sites")
YEAR = 365 * 24 * 3600
MEDIA_PATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "caption": {"type": "object", "additionalProperties": {"type": "string"}},
                    "creator": {"type": "string", "nullable": True},
                    "licence": {"type": "string", "nullable": True},
                    "attribution": {"type": "string", "nullable": True},
                    "taken_at": {"type": "string", "format": "date-time", "nullable": True},
                    "position": {"type": "integer"},
                    "primary": {"type": "boolean"},
                },
            }
        }
    },
}


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


def _authorize_photo(media_id: str) -> str:
    """The actor's name, if they may edit the site the photo belongs to."""
    authorize("edit")
    return authorize("edit", services().media.get(media_id, staff=True).site_id).name


def image_response(blob: bytes, mime: str, etag: str, *, public: bool) -> Response:
    response = Response(blob, mimetype=mime)
    if public:
        # The bytes behind a URL never change (a new photo is a new id): cache for a year.
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        # A draft's photo: only the staff member asking may keep it, and only now.
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Vary"] = "Authorization"
    response.set_etag(etag)
    return response.make_conditional(request)


def image_responses(*mimes: str):
    """Document a binary 200 answer in each of these image types."""

    def decorate(func):
        for mime in mimes:
            func = blp.alt_response(200, schema=BINARY, content_type=mime, success=True)(func)
        return func

    return decorate


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
@blp.response(201, MediaSchema)
@blp.alt_response(413, schema=ApiErrorSchema, description="File too large")
@blp.alt_response(415, schema=ApiErrorSchema, description="Not an accepted image type")
def upload(ref):
    """Add a photo to a site (staff): JPEG, PNG, WebP, TIFF or HEIC, checked from its bytes."""
    actor = authorize("edit", ref).name
    svc = services()
    # The form fields beside the photo get a megabyte of room.
    upload = uploaded_file(svc.settings.max_image_bytes + 1024 * 1024)
    details: dict = {}
    for name, value in request.form.items():
        key = name or ""  # a part with a malformed name: refused as an unknown field
        if key.startswith("caption."):
            details.setdefault("caption", {})[key.removeprefix("caption.")] = value
        else:
            details[key] = value
    media = svc.media.add(
        ref, upload.read(), filename=upload.filename, details=details, actor=actor
    )
    return media_view(media, staff=True), 201, {"Location": f"/v1/media/{media.id}"}


@blp.route("/sites/<string:ref>/media", methods=["GET"])
@blp.doc(security=OPTIONAL_STAFF)
@blp.response(200, MediaListSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such site")
def site_media(ref):
    """A site's photos, in order; the primary one is marked."""
    staff = draft_access()
    items = [media_view(m, staff=staff) for m in services().media.list_for_site(ref, staff=staff)]
    cache(public=not staff)
    return {"items": items}


@blp.route("/media/<string:media_id>")
class MediaItem(MethodView):
    @blp.doc(security=OPTIONAL_STAFF)
    @blp.response(200, MediaSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such published photo")
    def get(self, media_id):
        """A photo's details (staff also see EXIF, GPS and review flags)."""
        staff = draft_access()
        media = services().media.get(media_id, staff=staff)
        cache(public=media.public and not staff)
        return media_view(media, staff=staff)

    @blp.doc(security=STAFF, requestBody=MEDIA_PATCH_BODY)
    @blp.response(200, MediaSchema)
    def patch(self, media_id):
        """Change a photo's caption, creator, licence, order or make it primary (staff)."""
        actor = _authorize_photo(media_id)
        media = services().media.update(media_id, read_json_object(), actor)
        return media_view(media, staff=True)

    @blp.doc(security=STAFF)
    @blp.response(204)
    def delete(self, media_id):
        """Remove a photo (staff); its original goes when no record uses it."""
        actor = _authorize_photo(media_id)
        services().media.delete(media_id, actor)
        return Response(status=204)


@blp.route("/media/<string:media_id>/<string:size>.<string:fmt>", methods=["GET"])
@blp.doc(security=OPTIONAL_STAFF)
@image_responses("image/webp", "image/jpeg")
@blp.alt_response(404, schema=ApiErrorSchema, description="No such published photo")
def media_file(media_id, size, fmt):
    """A derivative: thumb (320 px), medium (1024) or large (2048), as webp or jpg; no EXIF."""
    if size not in SIZES or fmt not in FORMATS:
        raise InvalidInput(
            "Unknown size or format.",
            {"size": [f"One of {', '.join(SIZES)}."], "format": ["webp or jpg"]},
        )
    svc = services()
    media = svc.media.get(media_id, staff=draft_access())
    blob = svc.media.derivative(media, size, fmt)
    return image_response(
        blob, FORMATS[fmt][1], f"{media.sha256[:32]}-{size}.{fmt}", public=media.public
    )
