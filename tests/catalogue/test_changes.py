"""What a write leaves behind: revisions and outbox rows, whether written one site at a
time or as a batch of new sites, on both databases."""

from sqlalchemy import select, text

from tests.factories import site_record
from tourism_api.catalogue.models import OutboxEvent, Revision, SiteSource
from tourism_api.db import transaction


def _current_txid(session) -> int:
    if session.get_bind().dialect.name != "postgresql":
        return 0
    return session.scalar(text("SELECT pg_current_xact_id()::text::bigint"))


def test_a_batch_of_new_sites_leaves_a_revision_and_an_outbox_row_each(services):
    catalogue = services.catalogue
    items = [
        (site_record("chua-thien-mu"), "published"),
        (site_record("dai-noi"), "draft"),
        (site_record("lang-tu-duc"), "published"),
    ]
    with transaction(services.sessions) as session:
        created = catalogue.create_many_in(session, items, "importer")
        txid = _current_txid(session)
    ids = [site.id for site in created]
    with services.sessions() as session:
        revisions = {
            r.site_id: r for r in session.scalars(select(Revision).where(Revision.site_id.in_(ids)))
        }
        outbox = {
            o.site_id: o
            for o in session.scalars(select(OutboxEvent).where(OutboxEvent.site_id.in_(ids)))
        }
    assert set(revisions) == set(outbox) == set(ids)
    for site, (record, status) in zip(created, items, strict=True):
        revision = revisions[site.id]
        assert (revision.version, revision.action, revision.actor) == (1, "create", "importer")
        assert revision.changes["name"] == {"old": None, "new": record["name"]}
        row = outbox[site.id]
        assert row.version == 1
        # The feed calls a published site's first row "created"; a draft is not public.
        if status == "published":
            assert (row.action, row.change) == ("upsert", "created")
        else:
            assert (row.action, row.change) == ("delete", None)
        # The feed orders by the writing transaction: all three share the real one.
        assert row.txid == txid


def test_each_transaction_stamps_its_own_id_on_its_outbox_rows(services):
    """One session, two transactions: the second must not reuse the first one's id."""
    catalogue = services.catalogue
    session = services.sessions()
    try:
        first = catalogue.create_in(session, site_record("chua-thien-mu"), "a", status="published")
        first_txid = _current_txid(session)
        session.commit()
        site = catalogue.find_in(session, first.id, include_unpublished=True, lock=True)
        catalogue.update_in(session, site, {"name": {"fr": "Pagode de la Dame céleste"}}, "b")
        second_txid = _current_txid(session)
        session.commit()
        rows = session.execute(
            select(OutboxEvent.version, OutboxEvent.change, OutboxEvent.txid)
            .where(OutboxEvent.site_id == first.id)
            .order_by(OutboxEvent.version)
        ).all()
    finally:
        session.close()
    assert [tuple(r) for r in rows] == [(1, "created", first_txid), (2, "updated", second_txid)]
    if services.engine.dialect.name == "postgresql":
        assert second_txid > first_txid


def test_what_an_import_sent_is_kept_with_the_new_sites_provenance(services):
    record = site_record("chua-thien-mu", sources=[{"source": "tth-relics", "source_id": "TTH-7"}])
    sent = {"name.vi": "Chùa Thiên Mụ", "kind": "pagoda"}
    with transaction(services.sessions) as session:
        site = services.catalogue.create_in(
            session, record, "importer", origin={"source": "tth-relics"}, sent=sent
        )
    with services.sessions() as session:
        kept = session.scalar(select(SiteSource.sent).where(SiteSource.site_id == site.id))
    assert kept == sent


def test_lists_read_without_a_transaction_and_writes_keep_theirs(services):
    """On PostgreSQL a list page is one statement sent alone (no BEGIN and ROLLBACK round
    trips); every write still commits or rolls back as a whole."""
    postgres = services.engine.dialect.name == "postgresql"

    def autocommit(session) -> bool:
        connection = session.connection()
        if postgres:  # the driver's own flag: no BEGIN is sent
            return connection.connection.dbapi_connection.autocommit
        return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"

    with services.lister.sessions() as session:
        assert autocommit(session) == postgres
    with transaction(services.sessions) as session:
        assert not autocommit(session)
