"""Alembic environment: runs on the engine the caller put in the config."""

from alembic import context

from tourism_api.catalogue.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
