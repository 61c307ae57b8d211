"""The catalogue's tables.

Column types are chosen to behave the same on SQLite + SpatiaLite and on
PostgreSQL + PostGIS: JSON for the multilingual and structured parts, and
GeoAlchemy2 geometries in WGS 84 (SRID 4326) for places.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, WriteOnlyMapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

SRID = 4326

# BigInteger autoincrement is not an alias of rowid on SQLite; use Integer there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases.

    SQLite keeps no offset, so values come back naive; they are always
    written in UTC, so UTC is put back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Site(Base):
    """A place a tourist can visit: monument, museum, pagoda, zone, service..."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # The office that owns the record; none for records from before organisations.
    organisation_id: Mapped[int | None] = mapped_column(BigId, index=True)
    name: Mapped[dict] = mapped_column(JSON)
    # Folded primary name: ordering by name must not depend on diacritics.
    sort_name: Mapped[str] = mapped_column(String(300), index=True)
    # Other names the place is known by (any language): "Đại Nội", "Hoàng thành Huế".
    aliases: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    short_description: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    location = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=False)
    footprint = mapped_column(Geometry("GEOMETRY", srid=SRID, spatial_index=True), nullable=True)
    # True when the footprint is a (multi)polygon: such sites are zones.
    is_zone: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    address: Mapped[dict] = mapped_column(JSON, default=dict)
    admin_area: Mapped[str | None] = mapped_column(String(120), index=True)
    opening_hours: Mapped[dict | None] = mapped_column(JSON)
    accessibility: Mapped[dict] = mapped_column(JSON, default=dict)
    contact: Mapped[dict] = mapped_column(JSON, default=dict)
    admission: Mapped[dict] = mapped_column(JSON, default=dict)
    designations: Mapped[list] = mapped_column(JSON, default=list)
    # Festivals, rites, night tours... (catalogue.events); occurrences in EventOccurrence.
    events: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # The 2025 units by official code (vietnam-provinces): "46" is the city of Huế.
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    ward_code: Mapped[str | None] = mapped_column(String(5))
    # How they were found: code (given), address (a name, old or new) or town (nearest).
    unit_found_by: Mapped[str | None] = mapped_column(String(10))
    # How long a visit takes (minutes); None: the kind's usual time (taxonomy.VISIT_MINUTES).
    visit_minutes: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    updated_by: Mapped[str] = mapped_column(String(120))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where each field's value came from: {"name.fr": {"source": "osm"} or {"person": "lan"}}.
    field_origins: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    categories: Mapped[list[SiteCategory]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SiteCategory.category_code"
    )
    sources: Mapped[list[SiteSource]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SiteSource.id"
    )
    # Written, never loaded with the site (catalogue.event_store and hours_store keep them).
    occurrences: WriteOnlyMapped[EventOccurrence] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    open_intervals: WriteOnlyMapped[OpenInterval] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    media: Mapped[list[Media]] = relationship(
        lazy="selectin", order_by="(Media.position, Media.created_at)", viewonly=True
    )

    @property
    def category_codes(self) -> list[str]:
        return [link.category_code for link in self.categories]

    @property
    def primary_media(self) -> Media | None:
        return next((m for m in self.media if m.is_primary), None)


class Category(Base):
    """A node of the category taxonomy; staff extend it without code changes."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"))
    label: Mapped[dict] = mapped_column(JSON)


class SiteCategory(Base):
    __tablename__ = "site_categories"

    site_id: Mapped[str] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), primary_key=True)

    __table_args__ = (Index("ix_site_categories_category", "category_code"),)


class SiteSource(Base):
    """Where a record came from; (source, source_id) is the key ingest upserts by."""

    __tablename__ = "site_sources"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(80))
    source_id: Mapped[str] = mapped_column(String(200))
    licence: Mapped[str | None] = mapped_column(String(120))
    attribution: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(500))
    # The field values this source last sent ({"name.vi": ..., "opening_hours": ...}): a
    # re-import changes a field only while the site still holds the value sent last time.
    sent: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_site_sources_key"),)


class Revision(Base):
    """Who changed what and when; written in the same transaction as the change."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120))
    # The account that acted, when a person did (not an import or the CLI): four-eyes review.
    actor_id: Mapped[int | None] = mapped_column(BigId)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # {"field": {"old": ..., "new": ...}}
    changes: Mapped[dict] = mapped_column(JSON)
    # What a reviewer said when approving or rejecting.
    comment: Mapped[str | None] = mapped_column(String(2000))

    __table_args__ = (UniqueConstraint("site_id", "version", name="uq_revisions_site_version"),)


class EventOccurrence(Base):
    """When a site's event takes place, computed for a window around today (kept by every
    write of the site and moved on by a daily job), so date and place queries are SQL."""

    __tablename__ = "event_occurrences"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_event_occurrences_dates", "ends_on", "starts_on"),)


class OpenInterval(Base):
    """A piece (at most a day) of the time a site is open, for the days ahead: what
    open_now/open_at filter on in SQL (kept by writes, moved on by a daily job)."""

    __tablename__ = "open_intervals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    opens: Mapped[int] = mapped_column(Integer)  # minutes since 1970, UTC
    closes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_open_intervals_opens", "opens", "closes"),)


class Report(Base):
    """A visitor's report on a site ("closed today", "wrong photo"): for the owning office's
    reviewers; it never changes the record. `count` counts identical reports."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(BigId, index=True)
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    folded_text: Mapped[str] = mapped_column(String(500))
    contact: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(20))
    photo_key: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), index=True)
    count: Mapped[int] = mapped_column(Integer)
    # A hash of the sender's address: who sent what can be told apart, not who they are.
    client_hash: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(String(2000))


class OutboxEvent(Base):
    """A change the search index has yet to apply (drained by the indexer)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # "upsert" when the public view changed, "delete" when it must disappear.
    action: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # What the change feed calls it: created, updated or deleted; None for a draft's edits.
    change: Mapped[str | None] = mapped_column(String(10))
    # The writing transaction (PostgreSQL; 0 on SQLite, where writers take turns).
    txid: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    __table_args__ = (Index("ix_outbox_feed", "txid", "id"),)


class IndexMark(Base):
    """When the index last changed other than site by site through the outbox: a rebuild
    switched to a fresh index, the daily calendar refresh rewrote opening intervals. One
    row per kind of change; cached answers older than it are not served."""

    __tablename__ = "index_marks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A staff bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    # Room for roles (staff, admin, app) and API keys later.
    role: Mapped[str] = mapped_column(String(20), default="staff")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    # The person the token acts as (their role and organisation); none for older tokens.
    account_id: Mapped[int | None] = mapped_column(BigId, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ImportRun(Base):
    """One import of a file through a profile, with its full report."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    profile: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(120))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    strict: Mapped[bool] = mapped_column(Boolean)
    committed: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[dict] = mapped_column(JSON)
    report: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Media(Base):
    """A photo of a site. The bytes live in the media store under `sha256`."""

    __tablename__ = "media"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(10))
    mime: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    original_name: Mapped[str | None] = mapped_column(String(200))
    caption: Mapped[dict] = mapped_column(JSON, default=dict)
    creator: Mapped[str | None] = mapped_column(String(200))
    licence: Mapped[str | None] = mapped_column(String(60))
    attribution: Mapped[str | None] = mapped_column(String(500))
    taken_at: Mapped[str | None] = mapped_column(String(30))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    camera: Mapped[str | None] = mapped_column(String(200))
    # The original's EXIF, for staff only; public derivatives carry none of it.
    exif: Mapped[dict] = mapped_column(JSON, default=dict)
    phash: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    # Things staff should look at: [{"code": "gps_far", "message": "..."}]
    review: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(120))
    # Not stored: set when the photo is read for a request (whether its site is published,
    # so whether its bytes may be cached publicly).
    public = False


class ServerSecret(Base):
    """Random keys the server signs with (cursors), made on first use and shared by every
    process and host that uses this database, unless TOURISM_SECRET_KEY gives one."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiKey(Base):
    """An app's key: identifies a third-party app and sets its rate plan; read-only access."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str | None] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Organisation(Base):
    """A heritage office or museum; it owns its records and its people's accounts."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Account(Base):
    """A person: signs in with a password (Argon2 hash) and acts with one role."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int] = mapped_column(BigId, index=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language the person reads the workspace in (vi, en, fr); None: the browser's.
    language: Mapped[str | None] = mapped_column(String(8))


class ImportProfile(Base):
    """A mapping profile an office uploaded for its own spreadsheets, kept as TOML text."""

    __tablename__ = "import_profiles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(BigId, index=True)
    toml: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FieldProposal(Base):
    """A value a source sent that waits for a reviewer: a conflict with a person's change,
    or an update to a published site that its import profile sends through review."""

    __tablename__ = "field_proposals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))  # conflict | update
    # The site's value when proposed and the source's; JSON null means "absent".
    current: Mapped[Any] = mapped_column(JSON, nullable=True)
    offered: Mapped[Any] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # open|accepted|dismissed
    proposed_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(String(2000))


class Job(Base):
    """Work that runs in the background (a large import): its state and progress, which
    the API (`/v1/jobs/{id}`) and the workspace's progress bars read."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), index=True)  # queued|running|done|failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(2000))
    created_by: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(BigId, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Webhook(Base):
    """An app's subscription to the change feed: the changes after `position` are POSTed to
    `url`, signed with `secret` (HMAC-SHA256; shown to the app once, kept to sign with)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    # The feed token of the last change delivered; empty: from the registration onwards.
    position: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """One POST of a batch of changes and what became of it, retries included."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    # pending (first try or a retry is due), delivered, or failed (gave up)
    status: Mapped[str] = mapped_column(String(12), index=True)
    body: Mapped[dict] = mapped_column(JSON)
    # The feed token after this batch: the webhook's position once delivered.
    until: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
