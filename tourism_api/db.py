"""Engines and sessions for the two supported databases.

SQLite needs SpatiaLite loaded into every new connection, which the standard
library's `sqlite3` often cannot do (extension loading is compiled out on
many Pythons), so SQLite URLs go through `pysqlite3` when it is installed.
Engines are created once per process and per URL, never per request.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from . import jsonio
from .config import Settings


class SpatialiteUnavailable(RuntimeError):
    """SpatiaLite could not be loaded; the message says what to install."""


def _sqlite_module():
    for name in ("pysqlite3.dbapi2", "sqlite3"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        probe = module.connect(":memory:")
        try:
            if hasattr(probe, "enable_load_extension"):
                return module
        finally:
            probe.close()
    raise SpatialiteUnavailable(
        "No sqlite3 module here can load extensions; install pysqlite3-binary."
    )


def _load_spatialite(library: str):
    def on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.enable_load_extension(True)
        try:
            dbapi_conn.load_extension(library)
        except Exception as exc:  # the driver raises its own OperationalError type
            raise SpatialiteUnavailable(
                f"Could not load SpatiaLite ({library}): {exc}. On Debian/Ubuntu install "
                "libsqlite3-mod-spatialite, or set SPATIALITE_LIBRARY_PATH."
            ) from exc
        finally:
            dbapi_conn.enable_load_extension(False)
        # Let SQLAlchemy's "begin" event issue BEGIN itself (see _sqlite_begin).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        # WAL lets readers go on while a writer commits (no-op in memory).
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    return on_connect


def _sqlite_begin(connection) -> None:
    # A write transaction takes SQLite's write lock up front (BEGIN IMMEDIATE):
    # a deferred one that reads first and writes later fails at once with
    # "database is locked" when another writer committed in between, instead
    # of waiting for busy_timeout.
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_engines: dict[tuple[str, str], Engine] = {}


def _create_engine(url: str, spatialite_library: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, module=_sqlite_module(), json_deserializer=jsonio.loads)
        event.listen(engine, "connect", _load_spatialite(spatialite_library))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True, json_deserializer=jsonio.loads)


def get_engine(settings: Settings) -> Engine:
    key = (settings.database_url, settings.spatialite_library)
    engine = _engines.get(key)
    if engine is None:
        path = settings.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = _engines[key] = _create_engine(*key)
    return engine


def dispose_engine(settings: Settings) -> None:
    engine = _engines.pop((settings.database_url, settings.spatialite_library), None)
    if engine is not None:
        engine.dispose()


def dispose_engines() -> None:
    """Close pooled connections, e.g. before a test drops its database."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for lists, whose every read is one statement: on PostgreSQL in autocommit,
    so a page costs its query alone instead of BEGIN, the query and ROLLBACK, three
    round trips (SQLite's transactions are local calls, and begin through our hook)."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return session_factory(engine)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed together, or not at all."""
    session = factory()
    try:
        session.connection(execution_options={"sqlite_immediate": True})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
