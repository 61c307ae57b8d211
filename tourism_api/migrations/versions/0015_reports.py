"""Visitors' reports on sites, for the owning office's reviewers.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from tourism_api.catalogue.models import BigId, UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "site_id",
            sa.String(36),
            sa.ForeignKey("sites.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("organisation_id", BigId, nullable=True, index=True),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("folded_text", sa.String(500), nullable=False),
        sa.Column("contact", sa.String(200)),
        sa.Column("language", sa.String(20)),
        sa.Column("photo_key", sa.String(80)),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("client_hash", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(120)),
        sa.Column("decided_at", UTCDateTime()),
        sa.Column("comment", sa.String(2000)),
    )


def downgrade() -> None:
    op.drop_table("reports")
