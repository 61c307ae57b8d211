"""JSON answers that are not plain `application/json` (GeoJSON, IIIF JSON-LD), built
with the app's JSON settings (UTF-8 text, keys in order), for views that pick their
content type at run time."""

from __future__ import annotations

from flask import Response, current_app


def json_body(
    data, *, mimetype: str = "application/json", status: int = 200, headers: dict | None = None
) -> Response:
    response = current_app.response_class(
        current_app.json.dumps(data), status=status, mimetype=mimetype
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
