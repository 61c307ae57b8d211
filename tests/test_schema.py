"""The migrations build exactly the tables the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tourism_api.catalogue.models import Base


def test_migrated_schema_matches_models(services):
    with services.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        ours = set(Base.metadata.tables)
        diffs = [
            d
            for d in compare_metadata(context, Base.metadata)
            # Tables that SpatiaLite and PostGIS create for themselves are not ours.
            if not (d[0] == "remove_table" and d[1].name not in ours)
            and not (d[0] == "remove_index" and d[1].table.name not in ours)
            # Spatial indexes are created by GeoAlchemy2 outside the table definition.
            and not (d[0] in ("remove_index", "add_index") and d[1].name.startswith("idx_sites_"))
        ]
    assert diffs == []


def test_upgrade_keeps_existing_spatialite_data_and_spatial_index(tmp_path):
    from sqlalchemy import text

    from tests.factories import HUE_CENTRE
    from tourism_api import schema_admin
    from tourism_api.catalogue.queries import SiteQuery
    from tourism_api.config import Settings
    from tourism_api.container import Services
    from tourism_api.db import dispose_engine

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'old.sqlite3'}",
        search_url=f"sqlite:///{tmp_path / 'search.sqlite3'}",
    )
    services = Services.build(settings)
    schema_admin.upgrade(services.engine, "0001")
    with services.engine.begin() as conn:
        conn.execute(
            text(
                """INSERT INTO sites (id, slug, kind, status, name, sort_name, short_description,
                   description, location, is_zone, address, accessibility, contact, admission,
                   designations, version, created_at, updated_at, created_by, updated_by)
                   VALUES ('old-1', 'chua-thien-mu', 'pagoda', 'published', '{"vi": "Chùa Thiên Mụ"}',
                   'chua thien mu', '{}', '{}', GeomFromText('POINT(107.5446 16.4531)', 4326), 0,
                   '{}', '{}', '{}', '{}', '[]', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00',
                   'old', 'old')"""
            )
        )
    schema_admin.upgrade(services.engine)
    assert schema_admin.current_revision(services.engine) == schema_admin.head_revision()
    site = services.catalogue.get_site("old-1")
    assert site.aliases == [] and site.name == {"vi": "Chùa Thiên Mụ"}
    services.catalogue.update_site("old-1", {"aliases": ["Linh Mụ"]}, "t")
    near = services.lister.list(SiteQuery(near=HUE_CENTRE, radius_m=6000))
    assert [s.id for s, _ in near.items] == ["old-1"]
    dispose_engine(settings)
