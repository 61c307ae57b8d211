"""Organisations, accounts and roles; who acted in revisions; owning organisation of sites.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from tourism_api.catalogue.models import BigId, UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(60), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("organisation_id", BigId, nullable=False, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", UTCDateTime()),
        sa.Column("disabled_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_login_at", UTCDateTime()),
    )
    op.add_column("api_tokens", sa.Column("account_id", BigId))
    op.create_index("ix_api_tokens_account_id", "api_tokens", ["account_id"])
    op.add_column("sites", sa.Column("organisation_id", BigId))
    op.create_index("ix_sites_organisation_id", "sites", ["organisation_id"])
    op.add_column("revisions", sa.Column("actor_id", BigId))
    op.add_column("revisions", sa.Column("comment", sa.String(2000)))


def downgrade() -> None:
    op.drop_column("revisions", "comment")
    op.drop_column("revisions", "actor_id")
    op.drop_index("ix_sites_organisation_id", "sites")
    op.drop_column("sites", "organisation_id")
    op.drop_index("ix_api_tokens_account_id", "api_tokens")
    op.drop_column("api_tokens", "account_id")
    op.drop_table("accounts")
    op.drop_table("organisations")
