"""One JSON shape for every error the API returns.

    {"code": 422, "status": "Unprocessable Entity",
     "message": "The site record is invalid.",
     "errors": {"location": ["coordinates: latitude 107.59 is outside -90..90"]}}

`errors` names the fields at fault (query parameters and body members alike);
it is empty when no single field is to blame.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from search.base import SearchError, SearchUnavailable

from .catalogue.errors import CatalogueError, Unauthorized

log = logging.getLogger(__name__)


def error_response(
    code: int, message: str, errors: dict | None = None, headers: dict | None = None
):
    body = {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message,
        "errors": errors or {},
    }
    response = jsonify(body)
    response.status_code = code
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_locations(messages: dict) -> dict:
    # webargs groups messages by location ({"query": {...}, "json": {...}});
    # clients care about the parameter, not where it was parsed from.
    flat: dict = {}
    for location, fields in messages.items():
        if location in ("query", "json", "form", "headers", "files", "view_args") and isinstance(
            fields, dict
        ):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def handle_http_exception(exc: HTTPException):
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


def handle_catalogue_error(exc: CatalogueError):
    headers = (
        {"WWW-Authenticate": 'Bearer realm="tourism"'} if isinstance(exc, Unauthorized) else None
    )
    return error_response(exc.status, exc.message, exc.errors, headers)


def handle_search_error(exc: SearchError):
    return error_response(422, exc.message, exc.errors)


def handle_search_unavailable(exc: SearchUnavailable):
    # The engine's own message stays in the log: it can reveal internals.
    log.warning("search unavailable: %s", exc)
    return error_response(
        503, "Search is temporarily unavailable; please retry shortly.", {}, {"Retry-After": "30"}
    )


def handle_unexpected(exc: Exception):
    log.exception("unhandled error")
    return error_response(500, "An internal error occurred; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(CatalogueError, handle_catalogue_error)
    app.register_error_handler(SearchError, handle_search_error)
    app.register_error_handler(SearchUnavailable, handle_search_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
