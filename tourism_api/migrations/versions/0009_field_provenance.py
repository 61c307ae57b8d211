"""Field-level provenance: each source's last-sent values, each field's origin, and the
values that wait for a reviewer (conflicts and queued updates).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from tourism_api.catalogue.models import BigId, UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("field_origins", sa.JSON, nullable=False, server_default="{}"))
    op.add_column("site_sources", sa.Column("sent", sa.JSON, nullable=True))
    op.create_table(
        "field_proposals",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "site_id",
            sa.String(36),
            sa.ForeignKey("sites.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("field", sa.String(120), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("current", sa.JSON, nullable=True),
        sa.Column("offered", sa.JSON, nullable=True),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("proposed_by", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(120)),
        sa.Column("decided_at", UTCDateTime()),
        sa.Column("comment", sa.String(2000)),
    )


def downgrade() -> None:
    op.drop_table("field_proposals")
    with op.batch_alter_table("site_sources") as batch:
        batch.drop_column("sent")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("field_origins")
