"""The catalogue: sites, taxonomy, provenance, revisions, outbox and tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

from tourism_api.catalogue.models import BigId, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _enable_spatial() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        has_metadata = bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'spatial_ref_sys'"
        ).first()
        if not has_metadata:
            # WGS 84 only: the full EPSG table would add seconds and megabytes.
            # transaction=0: we are already inside the migration's transaction.
            done = bind.exec_driver_sql("SELECT InitSpatialMetadata(0, 'WGS84')").scalar()
            if done != 1:
                raise RuntimeError("SpatiaLite could not initialise its metadata tables")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def upgrade() -> None:
    _enable_spatial()
    op.create_table(
        "sites",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("name", sa.JSON, nullable=False),
        sa.Column("sort_name", sa.String(300), nullable=False, index=True),
        sa.Column("short_description", sa.JSON, nullable=False),
        sa.Column("description", sa.JSON, nullable=False),
        sa.Column("location", Geometry("POINT", srid=4326, spatial_index=True), nullable=False),
        sa.Column("footprint", Geometry("GEOMETRY", srid=4326, spatial_index=True)),
        sa.Column("is_zone", sa.Boolean, nullable=False, index=True),
        sa.Column("address", sa.JSON, nullable=False),
        sa.Column("admin_area", sa.String(120), index=True),
        sa.Column("opening_hours", sa.JSON),
        sa.Column("accessibility", sa.JSON, nullable=False),
        sa.Column("contact", sa.JSON, nullable=False),
        sa.Column("admission", sa.JSON, nullable=False),
        sa.Column("designations", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("published_at", UTCDateTime()),
    )
    op.create_table(
        "categories",
        sa.Column("code", sa.String(60), primary_key=True),
        sa.Column("parent_code", sa.String(60), sa.ForeignKey("categories.code")),
        sa.Column("label", sa.JSON, nullable=False),
    )
    op.create_table(
        "site_categories",
        sa.Column(
            "site_id",
            sa.String(36),
            sa.ForeignKey("sites.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "category_code", sa.String(60), sa.ForeignKey("categories.code"), primary_key=True
        ),
    )
    op.create_index("ix_site_categories_category", "site_categories", ["category_code"])
    op.create_table(
        "site_sources",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "site_id",
            sa.String(36),
            sa.ForeignKey("sites.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("licence", sa.String(120)),
        sa.Column("attribution", sa.String(500)),
        sa.Column("url", sa.String(500)),
        sa.UniqueConstraint("source", "source_id", name="uq_site_sources_key"),
    )
    op.create_table(
        "revisions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(36), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.UniqueConstraint("site_id", "version", name="uq_revisions_site_version"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(36), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("processed_at", UTCDateTime(), index=True),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime()),
        sa.Column("last_used_at", UTCDateTime()),
    )


def downgrade() -> None:
    for table in (
        "api_tokens",
        "outbox",
        "revisions",
        "site_sources",
        "site_categories",
        "categories",
    ):
        op.drop_table(table)
    op.drop_table("sites")
