"""Import runs and their reports, for staff to fetch later.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from tourism_api.catalogue.models import BigId, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("profile", sa.String(120), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("strict", sa.Boolean, nullable=False),
        sa.Column("committed", sa.Boolean, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("imports")
