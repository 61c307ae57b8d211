"""Fixtures: every catalogue test runs on SpatiaLite and on PostGIS.

PostGIS comes from TOURISM_TEST_POSTGRES_URL (a role allowed to create
databases); the suite makes its own database and drops it afterwards. When
TOURISM_TEST_REQUIRE_POSTGIS=1 (as `scripts/test` and CI set it) a missing
server fails the run instead of skipping those tests.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from tourism_api import schema_admin
from tourism_api.app import create_app
from tourism_api.config import Settings
from tourism_api.container import Services
from tourism_api.db import dispose_engine, dispose_engines

BACKENDS = ("spatialite", "postgis")
# The test client calls from loopback; tests of the limits themselves turn this off.
UNLIMITED = ("127.0.0.0/8",)
# Tables emptied between tests on PostGIS (categories stay: they are seeded once).
DATA_TABLES = (
    "media",
    "site_categories",
    "site_sources",
    "sites",
    "revisions",
    "outbox",
    "index_marks",
    "webhook_deliveries",
    "webhooks",
    "api_tokens",
    "api_keys",
    "accounts",
    "organisations",
    "import_profiles",
    "field_proposals",
    "jobs",
    "imports",
)


def server_url(variable: str, required_by: str, what: str) -> str:
    """A test server's URL; when missing, a failure if the run requires that server
    (`scripts/test` and CI do, so no backend is skipped there), else a skip."""
    url = os.environ.get(variable)
    if not url:
        if os.environ.get(required_by) == "1":
            pytest.fail(f"{required_by}=1 but {variable} is not set")
        pytest.skip(f"set {variable} to run the {what} tests (scripts/test does)")
    return url


def pytest_collection_modifyitems(items):
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and callspec.params.get("backend") == "postgis":
            item.add_marker(pytest.mark.postgis)
        if callspec and callspec.params.get("search_backend_name") == "elasticsearch":
            item.add_marker(pytest.mark.elasticsearch)
        if callspec and "redis" in (
            callspec.params.get("ratelimit_storage"),
            callspec.params.get("jobs_url"),
        ):
            item.add_marker(pytest.mark.redis)


def _prepare(settings: Settings) -> None:
    services = Services.build(settings)
    schema_admin.upgrade(services.engine)
    services.taxonomy.seed()
    dispose_engine(settings)


@pytest.fixture(scope="session")
def spatialite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "catalogue.sqlite3"
    _prepare(Settings(database_url=f"sqlite:///{path}"))
    return str(path)


@pytest.fixture(scope="session")
def postgis_url():
    base = server_url("TOURISM_TEST_POSTGRES_URL", "TOURISM_TEST_REQUIRE_POSTGIS", "PostGIS")
    name = f"tourism_test_{uuid.uuid4().hex[:12]}"
    admin_url = "postgresql+psycopg://" + base.split("://", 1)[1]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    _prepare(Settings(database_url=url))
    yield url
    dispose_engines()
    # An autovacuum worker on the new database cannot be stopped by a non-superuser role;
    # it finishes within moments, so try again.
    for attempt in range(10):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            break
        except ProgrammingError:
            if attempt == 9:
                raise
            time.sleep(0.5)
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def settings(backend, request, tmp_path) -> Settings:
    search_url = f"sqlite:///{tmp_path / 'search.sqlite3'}"
    if backend == "spatialite":
        template = request.getfixturevalue("spatialite_template")
        path = tmp_path / "catalogue.sqlite3"
        shutil.copyfile(template, path)
        settings = Settings(
            database_url=f"sqlite:///{path}",
            search_url=search_url,
            media_root=str(tmp_path / "media"),
            ratelimit_exempt=UNLIMITED,
            jobs_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
            upload_root=str(tmp_path / "uploads"),
            export_root=str(tmp_path / "exports"),
        )
    else:
        url = request.getfixturevalue("postgis_url")
        settings = Settings(
            database_url=url,
            search_url=search_url,
            media_root=str(tmp_path / "media"),
            ratelimit_exempt=UNLIMITED,
            jobs_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
            upload_root=str(tmp_path / "uploads"),
            export_root=str(tmp_path / "exports"),
        )
        services = Services.build(settings)
        with services.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
            conn.execute(text("DELETE FROM categories WHERE code LIKE 'test-%'"))
    yield settings
    if backend == "spatialite":
        dispose_engine(settings)


@pytest.fixture
def services(settings) -> Services:
    return Services.build(settings)


@pytest.fixture
def catalogue(services):
    return services.catalogue


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def staff_token(services) -> str:
    _record, secret = services.tokens.create("Nguyễn Thị Lan")
    return secret


@pytest.fixture
def staff(staff_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff_token}"}


# -- search backends ------------------------------------------------------------

SEARCH_BACKENDS = ("embedded", "elasticsearch")


@pytest.fixture(scope="session")
def elasticsearch_url():
    return server_url(
        "TOURISM_TEST_ELASTICSEARCH_URL", "TOURISM_TEST_REQUIRE_ELASTICSEARCH", "Elasticsearch"
    )


@pytest.fixture(params=SEARCH_BACKENDS)
def search_backend_name(request) -> str:
    return request.param


@pytest.fixture
def search_settings(search_backend_name, request, tmp_path, spatialite_template) -> Settings:
    """A SpatiaLite catalogue with either search backend, indexing inline after each write."""
    path = tmp_path / "catalogue.sqlite3"
    shutil.copyfile(spatialite_template, path)
    if search_backend_name == "embedded":
        search_url, prefix = f"sqlite:///{tmp_path / 'search.sqlite3'}", "tourism"
    else:
        search_url = request.getfixturevalue("elasticsearch_url")
        prefix = f"test-{uuid.uuid4().hex[:10]}"
    settings = Settings(
        database_url=f"sqlite:///{path}",
        search_url=search_url,
        search_index_prefix=prefix,
        index_inline=True,
        media_root=str(tmp_path / "media"),
        ratelimit_exempt=UNLIMITED,
        jobs_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        upload_root=str(tmp_path / "uploads"),
    )
    yield settings
    dispose_engine(settings)


@pytest.fixture
def search_services(search_settings):
    services = Services.build(search_settings)
    yield services
    if hasattr(services.search, "drop"):
        services.search.drop()
    services.search.close()


@pytest.fixture
def search_client(search_settings, search_services):
    return create_app(search_settings).test_client()


@pytest.fixture
def staff_headers_for():
    """Headers with a fresh staff token for any Services (e.g. the search ones)."""

    def make(services) -> dict[str, str]:
        _record, secret = services.tokens.create("Lê Văn Hùng")
        return {"Authorization": f"Bearer {secret}"}

    return make


# -- rate-limit counters ------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url():
    return server_url("TOURISM_TEST_REDIS_URL", "TOURISM_TEST_REQUIRE_REDIS", "Redis")


@pytest.fixture(params=("sqlite", "redis"))
def jobs_url(request, tmp_path) -> str:
    """Where background jobs queue: a SQLite file (embedded default) or a real Redis."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    return request.getfixturevalue("redis_url")


@pytest.fixture(params=("memory", "redis"))
def ratelimit_storage(request) -> str:
    """Where rate-limit counters live: one process's memory, or a real Redis shared by all."""
    if request.param == "memory":
        return "memory://"
    return request.getfixturevalue("redis_url")
