"""Events at sites (festivals, rites, night tours) with their materialised occurrences, the
pieces of time each site is open over the days ahead (open_now in SQL),
each site's current province and ward by official code (the 2025 units), and how long a
visit takes (itineraries).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from tourism_api.catalogue.models import BigId

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("events", sa.JSON, nullable=False, server_default="[]"))
    op.add_column("sites", sa.Column("province_code", sa.String(2), nullable=True))
    op.add_column("sites", sa.Column("ward_code", sa.String(5), nullable=True))
    op.add_column("sites", sa.Column("unit_found_by", sa.String(10), nullable=True))
    op.add_column("sites", sa.Column("visit_minutes", sa.Integer, nullable=True))
    op.create_index("ix_sites_province_code", "sites", ["province_code"])
    op.create_table(
        "event_occurrences",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "site_id",
            sa.String(36),
            sa.ForeignKey("sites.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
    )
    op.create_index("ix_event_occurrences_dates", "event_occurrences", ["ends_on", "starts_on"])
    op.create_table(
        "open_intervals",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "site_id",
            sa.String(36),
            sa.ForeignKey("sites.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("opens", sa.Integer, nullable=False),
        sa.Column("closes", sa.Integer, nullable=False),
    )
    op.create_index("ix_open_intervals_opens", "open_intervals", ["opens", "closes"])


def downgrade() -> None:
    op.drop_table("open_intervals")
    op.drop_table("event_occurrences")
    op.drop_index("ix_sites_province_code", "sites")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("visit_minutes")
        batch.drop_column("unit_found_by")
        batch.drop_column("ward_code")
        batch.drop_column("province_code")
        batch.drop_column("events")
