"""Creating and upgrading the catalogue schema with Alembic, without an alembic.ini."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("tourism_api") / "migrations"))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest migration this code ships."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(files("tourism_api") / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()
