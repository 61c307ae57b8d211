"""Cache headers and ETags for every JSON answer, set in one place after the view.

A view says what its answer is (`cache(public=..., version=...)`); this module turns
that into `Cache-Control`, `Vary` and an ETag on the serialised body, and answers
304 to a matching conditional GET. `version` goes into the ETag (`"v3.<digest>"`)
so that a client can send it back in If-Match when it edits what it read.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import NamedTuple

from flask import Flask, Response, g, request

from .context import services

JSON_TYPES = (
    "application/json",
    "application/geo+json",
    "application/ld+json",
    "application/schema+json",
)
# Served by flask-smorest, not by a view of ours: the same for everyone.
PUBLIC_ENDPOINTS = ("api-docs.openapi_json",)


class Policy(NamedTuple):
    public: bool = False
    version: int | None = None
    etag: bool = True
    # Until when the same request gets the same answer while the index is unchanged
    # (None: not said); the server's response cache keeps it no longer.
    until: datetime | None = None


def cache(
    *,
    public: bool = False,
    version: int | None = None,
    etag: bool = True,
    until: datetime | None = None,
) -> None:
    g.tourism_cache = Policy(public, version, etag, until)


def _apply(response: Response) -> Response:
    if "Cache-Control" in response.headers or response.mimetype not in JSON_TYPES:
        return response  # errors, images and redirects set their own
    default = Policy(public=request.endpoint in PUBLIC_ENDPOINTS)
    public, version, etag, _until = g.get("tourism_cache", default)
    # A signed-in person (cookie) or a token sees drafts: caches must tell them apart.
    response.headers["Vary"] = "Accept, Accept-Language, Authorization, Cookie"
    response.headers["Cache-Control"] = (
        f"public, max-age={services().settings.public_cache_seconds}"
        if public
        else "private, no-store"
    )
    if not etag:
        return response
    digest = hashlib.sha256(response.get_data()).hexdigest()[:24]
    response.set_etag(f"v{version}.{digest}" if version is not None else digest)
    if response.status_code == 200 and request.method in ("GET", "HEAD"):
        response.make_conditional(request)
    return response


def register(app: Flask) -> None:
    app.after_request(_apply)
