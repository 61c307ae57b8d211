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
