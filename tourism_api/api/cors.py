"""Browsers may call /v1, /iiif, the OGC API (landing page, conformance, collections, items,
tiles) and the OpenAPI document from other sites' pages
(TOURISM_CORS_ORIGINS): any origin by default, without credentials; credentials only
when the origins are listed by name. The headers clients need are exposed."""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS

from ..config import Settings

EXPOSED = [
    "ETag",
    "Link",
    "Location",
    "Content-Language",
    "Content-Crs",
    "Content-Disposition",
    "X-Catalogue-Version",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]
ALLOWED = [
    "Authorization",
    "X-API-Key",
    "X-CSRF-Token",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Accept",
    "Accept-Language",
]


def register(app: Flask, settings: Settings) -> None:
    origins = list(settings.cors_origins)
    CORS(
        app,
        resources={
            r"/v1/*": {},
            r"/iiif/*": {},
            r"/openapi.json": {},
            r"/": {},
            r"/conformance": {},
            r"/collections*": {},
            r"/tileMatrixSets*": {},
        },
        origins=origins,
        supports_credentials="*" not in origins,
        # With any origin allowed, say "*" rather than echo each: caches keep one copy.
        send_wildcard="*" in origins,
        expose_headers=EXPOSED,
        allow_headers=ALLOWED,
        methods=["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"],
        max_age=600,
    )
