"""Request helpers shared by the resources: auth, language, format and caching."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from flask import Response, request
from werkzeug.datastructures import FileStorage

from ..app import services
from ..catalogue.errors import CatalogueError, InvalidInput, Unauthorized
from ..catalogue.models import Site
from ..catalogue.records import public_view
from ..catalogue.tokens import Principal

GEOJSON = "application/geo+json"
# OpenAPI security requirement of the staff-only operations.
STAFF = [{"bearerAuth": []}]


def multipart_body(required: list[str], properties: dict) -> dict:
    """An OpenAPI requestBody for a multipart upload with a `file` part."""
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": required,
                    "properties": {"file": {"type": "string", "format": "binary"}, **properties},
                }
            }
        },
    }


def principal(*, required: bool = False) -> Principal | None:
    """The caller's staff identity; a bad token is refused even where none is needed."""
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise Unauthorized("This needs a staff bearer token (Authorization: Bearer ...).")
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Use 'Authorization: Bearer <token>'.")
    return services().tokens.authenticate(secret.strip())


def staff_actor() -> str:
    who = principal(required=True)
    return who.name


def preferred_languages(lang: str | None) -> tuple[str, ...]:
    """Languages to show, best first: the `lang` parameter, then Accept-Language."""
    if lang:
        return tuple(part.strip() for part in lang.split(",") if part.strip())
    return tuple(
        value.split("-")[0].lower() for value, _q in request.accept_languages if value != "*"
    )


def wants_geojson(f: str | None) -> bool:
    if f:
        return f == "geojson"
    best = request.accept_mimetypes.best_match(["application/json", GEOJSON])
    return best == GEOJSON


def site_view(
    site: Site,
    *,
    lang: str | None,
    staff: bool,
    summary: bool = False,
    distance_m: float | None = None,
) -> dict:
    settings = services().settings
    return public_view(
        site,
        preferred=preferred_languages(lang),
        languages=settings.languages,
        now=datetime.now(UTC),
        staff=staff,
        summary=summary,
        distance_m=distance_m,
    )


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


def json_response(
    payload: Any,
    *,
    status: int = 200,
    mimetype: str = "application/json",
    public: bool = False,
    headers: dict[str, str] | None = None,
    conditional: bool = True,
    version: int | None = None,
) -> Response:
    """A JSON response with caching headers; `version` goes into the ETag so that
    a client can send it back in If-Match when it edits what it read."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, status=status, mimetype=mimetype)
    response.headers["Vary"] = "Accept, Accept-Language, Authorization"
    settings = services().settings
    response.headers["Cache-Control"] = (
        f"public, max-age={settings.public_cache_seconds}" if public else "private, no-store"
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    digest = hashlib.sha256(body.encode()).hexdigest()[:24]
    if version is not None:
        response.set_etag(f"v{version}.{digest}")
    elif conditional:
        response.set_etag(digest)
    if conditional and status == 200 and request.method in ("GET", "HEAD"):
        response.make_conditional(request)
    return response


def expected_version() -> int | None:
    """The version named by If-Match (an ETag this API gave out), if any."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    version = tag.split(".")[0].removeprefix("v")
    if not version.isdigit():
        raise InvalidInput(
            "If-Match must be an ETag this API returned.", {"If-Match": ["Not one of our ETags."]}
        )
    return int(version)


def read_json_object() -> dict:
    data = request.get_json(silent=True)
    if data is None:
        raise CatalogueError(
            "The body is not valid JSON.", {"body": ["Malformed JSON or empty body."]}
        )
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", {"body": ["Expected an object."]})
    return data


def uploaded_file(max_bytes: int) -> FileStorage:
    """The `file` of a multipart upload, refusing (413) a body over `max_bytes` before
    reading it, and saying which part is missing or wrong otherwise."""
    request.max_content_length = max_bytes
    if request.mimetype != "multipart/form-data":
        raise InvalidInput(
            "Upload as multipart/form-data.", {"file": ["Expected a multipart upload."]}
        )
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("No file was uploaded.", {"file": ["Missing."]})
    return upload
