"""Photos of sites.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from tourism_api.catalogue.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("site_id", sa.String(36), sa.ForeignKey("sites.id"), nullable=False, index=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("mime", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("original_name", sa.String(200)),
        sa.Column("caption", sa.JSON, nullable=False),
        sa.Column("creator", sa.String(200)),
        sa.Column("licence", sa.String(60)),
        sa.Column("attribution", sa.String(500)),
        sa.Column("taken_at", sa.String(30)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("camera", sa.String(200)),
        sa.Column("exif", sa.JSON, nullable=False),
        sa.Column("phash", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("is_primary", sa.Boolean, nullable=False),
        sa.Column("review", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("media")
