"""What the client asked for: its languages and its format (JSON or GeoJSON)."""

from __future__ import annotations

from flask import request

from .context import services

GEOJSON = "application/geo+json"
JSONLD = "application/ld+json"


def preferred_languages(lang: str | None) -> tuple[str, ...]:
    """Languages to show, best first: the `lang` parameter, then Accept-Language."""
    if lang:
        wanted = [part.strip().lower() for part in lang.split(",")]
    else:
        # Werkzeug orders Accept-Language by q-value (stable for equal ones); q=0 means "not
        # this one", and "fr-CA" asks for French.
        wanted = [
            value.split("-")[0].lower()
            for value, quality in request.accept_languages
            if value != "*" and quality > 0
        ]
    return tuple(dict.fromkeys(part for part in wanted if part))


def public_base() -> str:
    """The API's public root, without a trailing slash: TOURISM_PUBLIC_URL, else this
    request's scheme and (checked, trusted) host."""
    configured = services().settings.public_url
    return (configured or request.host_url).rstrip("/")


def public_url() -> str:
    """This request's URL under the public root (path and query string kept)."""
    query = request.query_string.decode()
    return f"{public_base()}{request.path}" + (f"?{query}" if query else "")


def wants_geojson(f: str | None) -> bool:
    if f:
        return f == "geojson"
    best = request.accept_mimetypes.best_match(["application/json", GEOJSON, JSONLD])
    return best == GEOJSON


def wants_jsonld(f: str | None) -> bool:
    """schema.org JSON-LD: `f=jsonld`, or an Accept header preferring application/ld+json."""
    if f:
        return f == "jsonld"
    best = request.accept_mimetypes.best_match(["application/json", GEOJSON, JSONLD])
    return best == JSONLD
