"""Other names a site is known by.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SpatiaLite's geometry triggers survive it, a batch table copy would not.
    op.add_column("sites", sa.Column("aliases", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("aliases")
