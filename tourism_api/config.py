"""Settings read from environment variables, in one place.

Every other module receives a `Settings` instance instead of reading the
environment itself, so tests and the CLI can build an app for any database
without touching `os.environ`. Each setting's default is written once, on its
field; `from_env` reads the variable named in the field's metadata.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many

from .catalogue import crs

MB = 1024 * 1024


def _env(name: str, *, scale: int = 1, **kwargs):
    """A field read from `name`; `scale` turns the variable's unit (MB, megapixels) into the
    field's (bytes, pixels)."""
    return field(metadata={"env": name, "scale": scale}, **kwargs)


def _parse(name: str, raw: str, kind: str, scale: int):
    raw = raw.strip()
    if kind.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if kind.startswith("bool"):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{name} must be true or false, got {raw!r}")
    if kind == "int":
        try:
            return int(raw) * scale
        except ValueError as exc:
            raise ValueError(f"{name} must be an integer, got {raw!r}") from exc
    return raw


@dataclass(frozen=True)
class Settings:
    database_url: str = _env("TOURISM_DATABASE_URL", default="sqlite:///var/tourism.sqlite3")
    search_url: str = _env("TOURISM_SEARCH_URL", default="sqlite:///var/search.sqlite3")
    # Index names start with this, so environments and test runs do not collide.
    search_index_prefix: str = _env("TOURISM_SEARCH_INDEX_PREFIX", default="tourism")
    # Index each change right after the write (None: only with the embedded backend;
    # with Elasticsearch the `tourism index run --follow` worker does it).
    index_inline: bool | None = _env("TOURISM_INDEX_INLINE", default=None)
    media_root: str = _env("TOURISM_MEDIA_ROOT", default="var/media")
    # Languages accepted in multilingual fields; the order is the fallback
    # chain used when a requested language is missing.
    languages: tuple[str, ...] = _env("TOURISM_LANGUAGES", default=("vi", "en", "fr"))
    # The zone of opening hours that do not name one (records and imports).
    default_timezone: str = _env("TOURISM_DEFAULT_TIMEZONE", default="Asia/Ho_Chi_Minh")
    default_page_size: int = _env("TOURISM_DEFAULT_PAGE_SIZE", default=20)
    max_page_size: int = _env("TOURISM_MAX_PAGE_SIZE", default=100)
    max_radius_m: int = _env("TOURISM_MAX_RADIUS_M", default=100_000)
    # Seconds a public response may be cached by clients and CDNs.
    public_cache_seconds: int = _env("TOURISM_PUBLIC_CACHE_SECONDS", default=60)
    spatialite_library: str = _env("SPATIALITE_LIBRARY_PATH", default="mod_spatialite")
    # Photo uploads: largest file, and most pixels (a decompression bomb is refused).
    max_image_bytes: int = _env("TOURISM_MAX_IMAGE_MB", scale=MB, default=50 * MB)
    max_image_pixels: int = _env(
        "TOURISM_MAX_IMAGE_MEGAPIXELS", scale=1_000_000, default=60_000_000
    )
    # A photo whose GPS is further than this from its site is flagged for review.
    photo_distance_warning_m: int = _env("TOURISM_PHOTO_DISTANCE_WARNING_M", default=1000)
    # The address clients reach the API at (e.g. https://api.heritage.example); absolute
    # links (next pages, IIIF ids) are built from it, never from the request's Host header.
    public_url: str | None = _env("TOURISM_PUBLIC_URL", default=None)
    # Host names the server answers to (others get 400); the public URL's host is added.
    allowed_hosts: tuple[str, ...] = _env(
        "TOURISM_ALLOWED_HOSTS", default=("localhost", "127.0.0.1", "[::1]")
    )
    # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host; 0 ignores them.
    trusted_proxies: int = _env("TOURISM_TRUSTED_PROXIES", default=0)
    # Requests a client may make, per plan ("N/second|minute|hour|day", several with ";").
    rate_anonymous: str = _env("TOURISM_RATE_ANONYMOUS", default="120/minute")
    rate_free: str = _env("TOURISM_RATE_FREE", default="600/minute")
    rate_partner: str = _env("TOURISM_RATE_PARTNER", default="6000/minute")
    rate_staff: str = _env("TOURISM_RATE_STAFF", default="6000/minute")
    # IIIF renders are costly: a separate, lower limit per client on image requests.
    rate_iiif_render: str = _env("TOURISM_RATE_IIIF_RENDER", default="300/minute")
    # Visitors' reports per address: enough for a family at a site, not for a flood.
    rate_reports: str = _env("TOURISM_RATE_REPORTS", default="5/hour;20/day")
    # The queue of background jobs (large imports): sqlite:///path on the embedded default,
    # redis://host:6379/0 in production, shared by every web process and worker.
    jobs_url: str = _env("TOURISM_JOBS_URL", default="sqlite:///var/jobs.sqlite3")
    # The queue's name, so environments sharing one Redis do not take each other's jobs.
    jobs_queue_name: str = _env("TOURISM_JOBS_QUEUE", default="tourism")
    # Run jobs in a thread of the serving process (None: yes with the SQLite queue; with
    # Redis, `tourism jobs worker` processes run them).
    jobs_inline: bool | None = _env("TOURISM_JOBS_INLINE", default=None)
    # Where uploaded files wait for their job; workers on other hosts must see it too.
    upload_root: str = _env("TOURISM_UPLOAD_ROOT", default="var/uploads")
    # The base map of the web pages ({z}/{x}/{y} tiles); the catalogue's own points and
    # areas are drawn without it, so the pages work when it cannot load.
    map_tiles_url: str = _env(
        "TOURISM_MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )
    map_attribution: str = _env("TOURISM_MAP_ATTRIBUTION", default="© OpenStreetMap contributors")
    # Processes that read and build documents in a rebuild of a large index (one per 50,000
    # published sites at most); 1: the rebuilding process alone. More pay off when the
    # engine has cores of its own: beside it on two cores they gained 4% and took the
    # searches' cores meanwhile (bench/rebuild_bench.py).
    index_workers: int = _env("TOURISM_INDEX_WORKERS", default=1)
    # Memory each process keeps for vector tiles it rendered (MB); 0: render every time.
    tile_cache_bytes: int = _env("TOURISM_TILE_CACHE_MB", scale=MB, default=64 * MB)
    # Memory each process keeps for public search and list answers, until the index takes
    # a change or the clock would change them (api/response_cache.py); 0: compute each.
    response_cache_bytes: int = _env("TOURISM_RESPONSE_CACHE_MB", scale=MB, default=32 * MB)
    # Where counters live: memory:// for one process (the embedded default),
    # redis://host:6379 so that every process and host shares them (production).
    ratelimit_storage_url: str = _env("TOURISM_RATELIMIT_STORAGE_URL", default="memory://")
    # Counter names start with this, so environments sharing one Redis do not collide.
    ratelimit_prefix: str = _env("TOURISM_RATELIMIT_PREFIX", default="tourism")
    # Networks never limited (a conformance run or a load test from loopback), e.g. 127.0.0.1/32.
    ratelimit_exempt: tuple[str, ...] = _env("TOURISM_RATELIMIT_EXEMPT", default=())
    # Origins whose pages may call the API from a browser: "*" for any (public reads need no
    # credentials). Listing origins instead also lets those send credentials (cookies).
    cors_origins: tuple[str, ...] = _env("TOURISM_CORS_ORIGINS", default=("*",))
    # Key that cursors are signed with; when unset, a random key is made once and kept in
    # the database (so every process shares it). Set it only to share it across databases.
    secret_key: str | None = _env("TOURISM_SECRET_KEY", default=None, repr=False)
    # The CRSs OGC API collections offer (crs, bbox-crs, filter-crs), as URIs or EPSG:n;
    # empty: every CRS the server can transform to (WGS 84, Web Mercator, VN-2000 and its
    # UTM and TM-3 projections). CRS84 is always offered.
    ogc_crs: tuple[str, ...] = _env("TOURISM_OGC_CRS", default=())
    # Webhooks may call addresses on private networks and loopback (an intranet receiver);
    # off by default, so an app's key cannot make the server probe its own network.
    webhook_private_targets: bool = _env("TOURISM_WEBHOOK_PRIVATE_TARGETS", default=False)
    # A delivery is tried this many times, waiting base, 2 x base, 4 x base... (at most an
    # hour) between tries, then given up (the changes are still in the feed).
    webhook_attempts: int = _env("TOURISM_WEBHOOK_ATTEMPTS", default=8)
    webhook_retry_seconds: int = _env("TOURISM_WEBHOOK_RETRY_SECONDS", default=30)
    # Where the daily snapshot of the public catalogue is written, and at what hour (UTC,
    # 0-23; -1: never, e.g. when cron runs `tourism export snapshot` instead).
    export_root: str = _env("TOURISM_EXPORT_ROOT", default="var/exports")
    snapshot_hour: int = _env("TOURISM_SNAPSHOT_HOUR", default=2)
    # How many days ahead open_at may ask: index documents carry each site's opening
    # intervals that far (a daily job moves the window on).
    open_at_days: int = _env("TOURISM_OPEN_AT_DAYS", default=14)
    # Largest file accepted by POST /v1/imports.
    max_upload_bytes: int = _env("TOURISM_MAX_UPLOAD_MB", scale=MB, default=200 * MB)

    def __post_init__(self) -> None:
        if self.index_workers < 1:
            raise ValueError(f"TOURISM_INDEX_WORKERS must be at least 1, got {self.index_workers}")
        try:
            ZoneInfo(self.default_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"TOURISM_DEFAULT_TIMEZONE: unknown time zone {self.default_timezone!r}"
            ) from exc
        if self.public_url and not self.public_url.startswith(("http://", "https://")):
            raise ValueError("TOURISM_PUBLIC_URL must start with http:// or https://")
        for name in (
            "rate_anonymous",
            "rate_free",
            "rate_partner",
            "rate_staff",
            "rate_iiif_render",
            "rate_reports",
        ):
            try:
                parse_many(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"TOURISM_{name.upper()}: {exc}") from exc
        if not 2 <= self.open_at_days <= 60:
            raise ValueError("TOURISM_OPEN_AT_DAYS must be between 2 and 60")
        if not -1 <= self.snapshot_hour <= 23:
            raise ValueError("TOURISM_SNAPSHOT_HOUR must be an hour 0-23, or -1 for never")
        for name in self.ogc_crs:
            if not crs.is_supported(name):
                raise ValueError(f"TOURISM_OGC_CRS: {name!r} is not a CRS the server supports")
        for network in self.ratelimit_exempt:
            try:
                ip_network(network, strict=False)
            except ValueError as exc:
                raise ValueError(f"TOURISM_RATELIMIT_EXEMPT: {exc}") from exc
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise ValueError(
                "TOURISM_DEFAULT_PAGE_SIZE must be between 1 and TOURISM_MAX_PAGE_SIZE"
            )

    @property
    def offered_crs(self) -> tuple[str, ...]:
        """The CRSs OGC API collections list, CRS84 first (it is the default)."""
        if not self.ogc_crs:
            return crs.SUPPORTED
        chosen = [crs.canonical(name) for name in self.ogc_crs]
        return (crs.CRS84, *(uri for uri in dict.fromkeys(chosen) if uri != crs.CRS84))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values = {}
        for item in dataclasses.fields(cls):
            raw = environ.get(item.metadata["env"])
            if raw is not None and raw.strip() != "":
                values[item.name] = _parse(
                    item.metadata["env"], raw, str(item.type), item.metadata["scale"]
                )
        return cls(**values)

    @property
    def trusted_hosts(self) -> list[str]:
        hosts = list(self.allowed_hosts)
        if self.public_url:
            hosts.append(urlsplit(self.public_url).netloc.rsplit("@", 1)[-1])
        return hosts

    @property
    def search_is_embedded(self) -> bool:
        return not self.search_url.startswith(("http://", "https://"))

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
