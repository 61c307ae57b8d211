"""The one place where errors become HTTP responses, all in one JSON shape:

    {"code": 422, "status": "Unprocessable Entity",
     "message": "The site record is invalid.",
     "errors": {"location": ["coordinates: latitude 107.59 is outside -90..90"]}}

`errors` names the fields at fault (query parameters and body members alike);
it is empty when no single field is to blame. Domain code raises
`tourism_api.errors.DomainError` subclasses, which carry their status; Werkzeug
and webargs raise `HTTPException`; anything else is a bug, logged and answered 500.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import DomainError

log = logging.getLogger(__name__)
_WEBARGS_LOCATIONS = ("query", "json", "form", "headers", "files", "view_args")


def error_response(
    code: int, message: str, errors: dict | None = None, headers: dict | None = None
) -> Response:
    body = {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message,
        "errors": errors or {},
    }
    response = jsonify(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_locations(messages: dict) -> dict:
    # webargs groups messages by location ({"query": {...}, "json": {...}});
    # clients care about the parameter, not where it was parsed from.
    flat: dict = {}
    for location, fields in messages.items():
        if location in _WEBARGS_LOCATIONS and isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def _http_exception(exc: HTTPException) -> Response:
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or {}
    errors = _flatten_locations(messages) if isinstance(messages, dict) else {}
    message = data.get("message") or exc.description or HTTPStatus(code).phrase
    if code == 422 and errors:
        message = "The request has invalid parameters: " + ", ".join(sorted(map(str, errors)))
    if code == 400 and messages and not errors:
        message = str(messages)
    headers = {}
    if code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return error_response(code, message, errors, headers)


def _domain_error(exc: DomainError) -> Response:
    if exc.detail:
        # Internals (an engine's own message) stay in the log.
        log.warning("%s: %s", type(exc).__name__, exc.detail)
    return error_response(exc.status, exc.message, exc.errors, exc.headers)


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error")
    return error_response(500, "An internal error occurred; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(Exception, _unexpected)
