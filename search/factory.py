"""Choosing the search backend from the settings (TOURISM_SEARCH_URL)."""

from __future__ import annotations

from tourism_api.config import Settings

from .base import SearchBackend
from .cursors import CursorCodec


def open_backend(settings: Settings, cursors: CursorCodec | None = None) -> SearchBackend:
    """The search backend named by TOURISM_SEARCH_URL (embedded SQLite when unset)."""
    url = settings.search_url
    if url.startswith(("http://", "https://")):
        from .elastic import ElasticBackend

        return ElasticBackend(url, prefix=settings.search_index_prefix, cursors=cursors)
    if url.startswith("sqlite:///"):
        from .embedded import EmbeddedBackend

        return EmbeddedBackend(url.removeprefix("sqlite:///"), cursors)
    raise ValueError(f"TOURISM_SEARCH_URL must be http(s)://... or sqlite:///..., not {url!r}")
