"""The application factory: settings -> services -> blueprints, error handlers, caching."""

from __future__ import annotations

from flask import Flask, request
from flask_compress import Compress
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from .api import (
    admin,
    auth,
    caching,
    changes,
    context,
    cors,
    docs,
    events,
    exports,
    features,
    iiif,
    imports,
    itineraries,
    jobs,
    media,
    meta,
    profiles,
    rate_limits,
    reports,
    response_cache,
    reviews,
    search,
    security_headers,
    sessions,
    sites,
    tiles,
    webhooks,
    zones,
)
from .api.errors import register_error_handlers
from .api.json_provider import OrjsonProvider
from .api.schemas import ApiErrorSchema
from .catalogue.schemas import SiteInputSchema
from .config import Settings
from .container import Services
from .errors import UnsupportedMediaType
from .explore import pages as explore_pages
from .version import API_TITLE, API_VERSION
from .web import pages

JSON_BODY_TYPES = ("application/json", "application/merge-patch+json")
BLUEPRINTS = (
    meta,
    features,
    tiles,
    sessions,
    sites,
    zones,
    search,
    events,
    itineraries,
    changes,
    exports,
    webhooks,
    reports,
    reviews,
    imports,
    jobs,
    profiles,
    media,
    iiif,
    admin,
)


class _Api(Api):
    # Document every default error response with the error shape we really send.
    ERROR_SCHEMA = ApiErrorSchema


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        API_TITLE=API_TITLE,
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        # Bodies over 2 MB are refused before they are read (a zone's footprint fits well within).
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        # A request for any other host is refused (400) before a view can echo it back.
        TRUSTED_HOSTS=settings.trusted_hosts,
        # Brotli or gzip for every text answer over 500 bytes (a page of sites shrinks ~8x).
        COMPRESS_ALGORITHM=["br", "gzip"],
        # Streamed answers (bulk exports) are compressed as they go.
        COMPRESS_ALGORITHM_STREAMING=["br", "deflate"],
        COMPRESS_MIMETYPES=[
            "application/json",
            "application/geo+json",
            "application/ld+json",
            "application/schema+json",
            "application/geo+json-seq",
            "text/html",
            "text/css",
            "text/csv",
            "text/javascript",
            "application/javascript",
            "image/svg+xml",
        ],
    )
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
    app.json = OrjsonProvider(app)
    services = app.extensions[context.EXTENSION] = Services.build(settings)
    if settings.inline_indexing:
        # Changes committed while no process was indexing (a crash between commit and
        # index, a CLI write with the index locked) are applied now, not at the next write.
        services.indexer.drain_quietly()

    api = _Api(
        app,
        spec_kwargs={
            "info": {
                "description": (
                    "Monuments, museums, heritage sites, zones and tourist services, in "
                    "Vietnamese, English and French. Coordinates are WGS 84 in GeoJSON order "
                    "(lon, lat); query parameters name `lat` and `lon` explicitly."
                )
            }
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Staff token"}
    )
    api.spec.components.security_scheme(
        "apiKey",
        {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "An app's key"},
    )
    api.spec.components.schema("SiteInput", schema=SiteInputSchema)
    for module in BLUEPRINTS:
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.blp)
    app.register_blueprint(pages.blp)
    app.register_blueprint(explore_pages.blp)
    pages.configure(app)
    register_error_handlers(app)
    # Registered before caching, so it runs after it (Flask runs after-request hooks in
    # reverse): the ETag is the uncompressed body's, marked with the encoding by Compress.
    Compress(app)
    caching.register(app)
    security_headers.register(app, settings.map_tiles_url)
    cors.register(app, settings)
    sessions.configure(app)
    auth.register(app)
    rate_limits.register(app, settings)
    app.before_request(_require_json_body)
    # Last: its lookup runs after the rate limits, its copy before the other after-hooks.
    response_cache.register(app, settings.response_cache_bytes)
    return app


def _require_json_body() -> None:
    """The API takes JSON bodies (uploads aside); the workspace's and the tourist app's
    pages post forms."""
    if request.path.startswith(("/staff", "/explore")):
        return
    has_body = request.content_length or request.headers.get("Transfer-Encoding")
    writes = request.method in ("POST", "PUT", "PATCH")
    uploads = request.path.startswith("/v1/imports") or request.path.endswith(
        ("/media", "/reports")
    )
    if writes and has_body and not uploads and request.mimetype not in JSON_BODY_TYPES:
        sent = request.mimetype or "no type"
        raise UnsupportedMediaType(
            f"Send the body as {' or '.join(JSON_BODY_TYPES)}, not {sent}.",
            {"Content-Type": [f"Unsupported: {request.content_type}"]},
        )
