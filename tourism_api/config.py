"""Settings read from environment variables, in one place.

Every other module receives a `Settings` instance instead of reading the
environment itself, so tests and the CLI can build an app for any database
without touching `os.environ`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/tourism.sqlite3"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _bool_env(name: str) -> bool | None:
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def _list_env(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    search_url: str | None = None
    # Index names start with this, so environments and test runs do not collide.
    search_index_prefix: str = "tourism"
    # Index each change right after the write (None: only with the embedded backend;
    # with Elasticsearch the `tourism index run --follow` worker does it).
    index_inline: bool | None = None
    media_root: str = "var/media"
    # Languages accepted in multilingual fields; the order is the fallback
    # chain used when a requested language is missing.
    languages: tuple[str, ...] = ("vi", "en", "fr")
    default_timezone: str = "Asia/Ho_Chi_Minh"
    default_page_size: int = 20
    max_page_size: int = 100
    max_radius_m: int = 100_000
    # Seconds a public response may be cached by clients and CDNs.
    public_cache_seconds: int = 60
    spatialite_library: str = "mod_spatialite"
    # Photo uploads: largest file, and most pixels (a decompression bomb is refused).
    max_image_bytes: int = 50 * 1024 * 1024
    max_image_pixels: int = 60_000_000
    # A photo whose GPS is further than this from its site is flagged for review.
    photo_distance_warning_m: int = 1000
    # Largest file accepted by POST /v1/imports.
    max_upload_bytes: int = 200 * 1024 * 1024

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("TOURISM_DATABASE_URL") or DEFAULT_DATABASE_URL,
            search_url=os.environ.get("TOURISM_SEARCH_URL") or None,
            search_index_prefix=os.environ.get("TOURISM_SEARCH_INDEX_PREFIX") or "tourism",
            index_inline=_bool_env("TOURISM_INDEX_INLINE"),
            media_root=os.environ.get("TOURISM_MEDIA_ROOT") or "var/media",
            languages=_list_env("TOURISM_LANGUAGES", ("vi", "en", "fr")),
            default_timezone=os.environ.get("TOURISM_DEFAULT_TIMEZONE") or "Asia/Ho_Chi_Minh",
            default_page_size=_int_env("TOURISM_DEFAULT_PAGE_SIZE", 20),
            max_page_size=_int_env("TOURISM_MAX_PAGE_SIZE", 100),
            max_radius_m=_int_env("TOURISM_MAX_RADIUS_M", 100_000),
            public_cache_seconds=_int_env("TOURISM_PUBLIC_CACHE_SECONDS", 60),
            spatialite_library=os.environ.get("SPATIALITE_LIBRARY_PATH") or "mod_spatialite",
            max_upload_bytes=_int_env("TOURISM_MAX_UPLOAD_MB", 200) * 1024 * 1024,
            max_image_bytes=_int_env("TOURISM_MAX_IMAGE_MB", 50) * 1024 * 1024,
            max_image_pixels=_int_env("TOURISM_MAX_IMAGE_MEGAPIXELS", 60) * 1_000_000,
            photo_distance_warning_m=_int_env("TOURISM_PHOTO_DISTANCE_WARNING_M", 1000),
        )

    @property
    def search_is_embedded(self) -> bool:
        return not (self.search_url or "").startswith(("http://", "https://"))

    @property
    def inline_indexing(self) -> bool:
        return self.search_is_embedded if self.index_inline is None else self.index_inline

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file of a `sqlite:///` URL, so callers can create its folder."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1] if ":///" in self.database_url else ""
        if not path or path == ":memory:":
            return None
        return Path(path)
