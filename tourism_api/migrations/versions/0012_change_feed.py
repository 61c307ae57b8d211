"""The public change feed: what each outbox row means to apps, and its transaction.

`change` is created / updated / deleted (a tombstone) for changes the public sees, NULL for
edits of unpublished drafts. On PostgreSQL, `txid` is the writing transaction's id: the feed
hands out rows only below the oldest transaction still running, so a change committed late
by a transaction that started early is never skipped.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("change", sa.String(10)))
        batch.add_column(sa.Column("txid", sa.BigInteger, nullable=False, server_default="0"))
    op.create_index("ix_outbox_feed", "outbox", ["txid", "id"])
    # What the existing rows meant, site by site in write order.
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, site_id, action FROM outbox ORDER BY id")).all()
    public: dict[str, bool] = {}
    for row_id, site_id, action in rows:
        was = public.get(site_id, False)
        now = action == "upsert"
        change = ("updated" if was else "created") if now else ("deleted" if was else None)
        public[site_id] = now
        if change:
            connection.execute(
                sa.text("UPDATE outbox SET change = :change WHERE id = :id"),
                {"change": change, "id": row_id},
            )


def downgrade() -> None:
    op.drop_index("ix_outbox_feed", "outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("txid")
        batch.drop_column("change")
