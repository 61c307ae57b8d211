"""What the client asked for: its languages and its format (JSON or GeoJSON)."""

from __future__ import annotations

from flask import request

GEOJSON = "application/geo+json"


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
