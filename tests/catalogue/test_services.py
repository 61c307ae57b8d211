"""Catalogue services on both databases: records, revisions, outbox, transitions."""

from datetime import UTC

import pytest
from sqlalchemy import String, cast, func, select

from tests.factories import site_record, zone_record
from tourism_api.catalogue import record_rules
from tourism_api.catalogue.models import (
    EventOccurrence,
    OpenInterval,
    OutboxEvent,
    Revision,
    Site,
    SiteSource,
)
from tourism_api.catalogue.records import record_view
from tourism_api.catalogue.site_records import SiteRecord
from tourism_api.errors import Conflict, InvalidInput, NotFound, PreconditionFailed


def counts(services) -> tuple[int, int, int]:
    with services.sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Site, Revision, OutboxEvent)
        )


def test_create_writes_record_revision_and_outbox_together(services, catalogue):
    site = catalogue.create_site(site_record(categories=["religious"]), "lan")
    assert site.status == "draft" and site.version == 1
    assert site.created_at.tzinfo is not None and site.created_at.utcoffset().total_seconds() == 0
    stored = catalogue.get_site(site.id, include_unpublished=True)
    assert stored.name == {"vi": "Chùa Thiên Mụ", "en": "Thien Mu Pagoda"}
    assert stored.category_codes == ["religious"]
    assert stored.sort_name == "chua thien mu"
    [revision] = catalogue.revisions(site.id)
    assert (revision.version, revision.action, revision.actor) == (1, "create", "lan")
    assert revision.changes["name"] == {
        "old": None,
        "new": {"vi": "Chùa Thiên Mụ", "en": "Thien Mu Pagoda"},
    }
    assert counts(services) == (1, 1, 1)
    with services.sessions() as session:
        event = session.scalars(select(OutboxEvent)).one()
    # A draft must not be (or stay) in the public search index.
    assert (event.site_id, event.version, event.action) == (site.id, 1, "delete")


def test_invalid_create_writes_nothing(services, catalogue):
    bad = site_record(location={"type": "Point", "coordinates": [16.4531, 107.5446]})
    with pytest.raises(InvalidInput) as err:
        catalogue.create_site(bad, "lan")
    assert "swapped" in err.value.errors["location"][0]
    with pytest.raises(InvalidInput) as err:
        catalogue.create_site(site_record(categories=["no-such-category"]), "lan")
    assert "no-such-category" in err.value.errors["categories"][0]
    assert counts(services) == (0, 0, 0)


def test_update_is_a_merge_patch_with_a_revision_of_the_diff(services, catalogue):
    site = catalogue.create_site(site_record(), "lan")
    updated = catalogue.update_site(
        site.id,
        {"name": {"fr": "Pagode de la Dame céleste", "en": None}, "admin_area": "Thừa Thiên Huế"},
        "minh",
    )
    assert updated.version == 2
    assert updated.name == {"vi": "Chùa Thiên Mụ", "fr": "Pagode de la Dame céleste"}
    assert updated.updated_by == "minh" and updated.created_by == "lan"
    revision = catalogue.revisions(site.id)[-1]
    assert revision.action == "update" and revision.actor == "minh"
    assert set(revision.changes) == {"name", "admin_area"}
    assert revision.changes["admin_area"] == {"old": None, "new": "Thừa Thiên Huế"}
    assert counts(services) == (1, 2, 2)


def test_update_that_changes_nothing_records_nothing(services, catalogue):
    site = catalogue.create_site(site_record(), "lan")
    same = catalogue.update_site(site.id, {"name": {"vi": "Chùa Thiên Mụ"}}, "minh")
    assert same.version == 1
    assert counts(services) == (1, 1, 1)


def test_failed_update_leaves_record_revisions_and_outbox_untouched(services, catalogue):
    site = catalogue.create_site(site_record(), "lan")
    with pytest.raises(InvalidInput) as err:
        catalogue.update_site(site.id, {"name": {"vi": "x" * 301}, "kind": "castle"}, "minh")
    assert set(err.value.errors) == {"name", "kind"}
    stored = catalogue.get_site(site.id, include_unpublished=True)
    assert stored.version == 1 and stored.name["vi"] == "Chùa Thiên Mụ"
    assert counts(services) == (1, 1, 1)


def test_stale_version_is_refused(catalogue):
    site = catalogue.create_site(site_record(), "lan")
    catalogue.update_site(site.id, {"admin_area": "Huế"}, "minh", expected_version=1)
    with pytest.raises(PreconditionFailed):
        catalogue.update_site(site.id, {"admin_area": "Hue"}, "lan", expected_version=1)
    assert catalogue.get_site(site.id, include_unpublished=True).admin_area == "Huế"


def test_status_workflow_and_outbox_actions(services, catalogue):
    site = catalogue.create_site(site_record(), "lan")
    assert services.lifecycle.change_status(site.id, "in_review", "lan").status == "in_review"
    published = services.lifecycle.change_status(site.id, "published", "minh")
    assert published.published_at is not None and published.version == 3
    assert catalogue.get_site("chua-thien-mu").id == site.id  # public read by slug
    archived = services.lifecycle.change_status(site.id, "archived", "minh")
    with pytest.raises(NotFound):
        catalogue.get_site(site.id)
    with pytest.raises(Conflict):
        services.lifecycle.change_status(site.id, "in_review", "lan")
    assert archived.version == 4
    actions = [r.action for r in catalogue.revisions(site.id)]
    assert actions == ["create", "submit", "publish", "archive"]
    with services.sessions() as session:
        outbox = [e.action for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
    assert outbox == ["delete", "delete", "upsert", "delete"]


def test_slugs_are_generated_unique_and_checked(catalogue):
    record = site_record()
    del record["slug"]
    first = catalogue.create_site(record, "lan")
    second = catalogue.create_site(record, "lan")
    assert (first.slug, second.slug) == ("chua-thien-mu", "chua-thien-mu-2")
    with pytest.raises(Conflict):
        catalogue.create_site(site_record(slug="chua-thien-mu"), "lan")
    with pytest.raises(Conflict):
        catalogue.update_site(second.id, {"slug": "chua-thien-mu"}, "lan")


def test_a_source_key_belongs_to_one_site(services, catalogue):
    source = {"source": "wikidata", "source_id": "Q1056981", "licence": "CC0-1.0"}
    site = catalogue.create_site(site_record(sources=[source]), "lan")
    with pytest.raises(Conflict):
        catalogue.create_site(site_record("dai-noi", sources=[source]), "lan")
    with services.sessions() as session:
        assert session.scalars(select(SiteSource.site_id)).all() == [site.id]
    assert counts(services) == (1, 1, 1)


def test_zone_footprint_marks_a_zone(catalogue):
    zone = catalogue.create_site(zone_record(), "lan")
    route = catalogue.create_site(
        site_record(
            "dai-noi",
            kind="route",
            footprint={"type": "LineString", "coordinates": [[107.57, 16.46], [107.58, 16.47]]},
        ),
        "lan",
    )
    assert zone.is_zone and not route.is_zone
    assert catalogue.get_site(zone.id, include_unpublished=True).updated_at.tzinfo == UTC


def test_concurrent_edits_are_serialised_not_lost(catalogue):
    """Staff editing the same site at once: every edit lands, each as its own version."""
    from concurrent.futures import ThreadPoolExecutor

    site = catalogue.create_site(site_record(), "lan")
    languages = ("fr", "en", "vi")

    def edit(i: int):
        lang = languages[i % 3]
        updated = catalogue.update_site(site.id, {"description": {lang: f"edit {i}"}}, f"ed-{i}")
        return i, lang, updated.version

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(edit, range(12)))
    assert sorted(version for _, _, version in results) == list(range(2, 14))
    assert [r.version for r in catalogue.revisions(site.id)] == list(range(1, 14))
    final = catalogue.get_site(site.id, include_unpublished=True)
    assert final.version == 13
    for lang in languages:
        latest = max((version, i) for i, edited, version in results if edited == lang)[1]
        assert final.description[lang] == f"edit {latest}"


def test_create_many_refuses_only_the_bad_records(services, catalogue):
    catalogue.create_site(site_record(), "lan")  # takes the slug chua-thien-mu
    unnamed = site_record()
    del unnamed["slug"]
    source = {"source": "tth-relics", "source_id": "TTH-001", "licence": "CC-BY-4.0"}
    items = [
        (unnamed, "draft"),  # wants chua-thien-mu: taken, so -2
        (unnamed, "published"),  # and this one -3
        (site_record("dai-noi", sources=[source]), "draft"),
        (site_record("lang-tu-duc", slug="dai-noi"), "draft"),  # slug taken earlier in the call
        (site_record("lang-minh-mang", sources=[source]), "draft"),  # source taken in the call
        (site_record("cho-dong-ba", categories=["no-such-category"]), "draft"),
        (
            site_record("cau-truong-tien", location={"type": "Point", "coordinates": [200, 0]}),
            "draft",
        ),
        ("not an object", "draft"),
    ]
    with services.sessions.begin() as session:
        results = catalogue.create_many_in(session, items, "ingest")
    created = [r for r in results if isinstance(r, SiteRecord)]
    assert [s.slug for s in created] == ["chua-thien-mu-2", "chua-thien-mu-3", "dai-noi"]
    assert [s.status for s in created] == ["draft", "published", "draft"]
    assert [type(r).__name__ for r in results[3:]] == [
        "Conflict",
        "Conflict",
        "InvalidInput",
        "InvalidInput",
        "InvalidInput",
    ]
    assert "slug" in results[3].errors and "sources" in results[4].errors
    assert "categories" in results[5].errors and "location" in results[6].errors
    # Each created site has its revision and outbox row; the refused ones left nothing.
    assert counts(services) == (4, 4, 4)
    assert catalogue.revisions(created[2].id)[0].changes["sources"]["new"][0]["source_id"] == (
        "TTH-001"
    )


def test_numbered_slugs_skip_those_the_catalogue_and_the_batch_hold(services, catalogue):
    catalogue.create_site(site_record(), "lan")  # chua-thien-mu
    catalogue.create_site(site_record("dai-noi", slug="chua-thien-mu-2"), "lan")
    catalogue.create_site(site_record("lang-tu-duc", slug="chua-thien-mu-4"), "lan")
    unnamed = site_record()
    del unnamed["slug"]
    with services.sessions.begin() as session:
        created = catalogue.create_many_in(
            session, [(unnamed, "draft"), (unnamed, "draft"), (unnamed, "draft")], "ingest"
        )
    assert [site.slug for site in created] == [
        "chua-thien-mu-3",
        "chua-thien-mu-5",
        "chua-thien-mu-6",
    ]


def test_create_many_is_all_or_nothing_when_the_flush_fails(services, catalogue, monkeypatch):
    # A slug that was free when checked but taken at the flush: what a concurrent writer
    # on PostgreSQL can cause. Simulated by hiding the taken slug from the check.
    catalogue.create_site(site_record(), "lan")
    monkeypatch.setattr(
        record_rules,
        "free_slugs",
        lambda session, records, languages: {i: r["slug"] for i, r in records.items()},
    )
    items = [(site_record("dai-noi"), "draft"), (site_record(), "draft")]
    with pytest.raises(Conflict), services.sessions.begin() as session:
        catalogue.create_many_in(session, items, "ingest")
    assert counts(services) == (1, 1, 1)


def test_restoring_an_earlier_version_adds_a_version_and_erases_nothing(catalogue):
    site = catalogue.create_site(site_record(opening_hours=None), "lan")
    catalogue.update_site(
        site.id, {"name": {"en": "Linh Mu Pagoda"}, "aliases": ["Linh Mụ"]}, "lan"
    )
    catalogue.update_site(
        site.id,
        {"name": {"fr": "Pagode"}, "contact": {"phone": "+84 234 3523 237"}, "aliases": None},
        "minh",
    )
    with pytest.raises(PreconditionFailed):
        catalogue.restore(site.id, 1, "hoa", expected_version=2)
    with pytest.raises(InvalidInput):
        catalogue.restore(site.id, 3, "hoa", expected_version=3)
    restored = catalogue.restore(site.id, 2, "hoa", expected_version=3)
    assert restored.version == 4
    assert restored.name == {"vi": "Chùa Thiên Mụ", "en": "Linh Mu Pagoda"}
    assert restored.aliases == ["Linh Mụ"] and restored.contact == {}
    back = catalogue.restore(site.id, 1, "hoa", expected_version=4)
    assert back.name == site.name and back.aliases == [] and back.version == 5
    history = catalogue.revisions(site.id)
    assert [r.version for r in history] == [1, 2, 3, 4, 5]
    assert history[-1].comment == "Restored version 1." and history[-1].actor == "hoa"


RICH_HOURS = {
    "timezone": "Asia/Ho_Chi_Minh",
    "weekly": {day: [{"opens": "07:00", "closes": "17:30"}] for day in ("mon", "wed", "sat")},
}


def test_a_bulk_created_site_reads_back_as_it_was_written(services, catalogue):
    # Bulk creation writes plain rows (COPY on PostgreSQL): every kind of column must come
    # back as the ORM reads it, and the revision must record what is stored.
    record = zone_record(
        aliases=["Hoàng thành", "Đại Nội"],
        short_description={"vi": "Kinh thành nhà Nguyễn", "fr": "Citadelle « impériale »"},
        address={"street": "23 Tháng 8", "province": "Thừa Thiên Huế", "country": "VN"},
        contact={"phone": "+84 234 3523 237", "website": "https://hueworldheritage.org.vn"},
        admission={"prices": [{"label": {"vi": "Người lớn"}, "amount": 200000}]},
        designations=[{"type": "special_national_relic", "year": 2009, "reference": "QĐ 1"}],
        visit_minutes=180,
        opening_hours=RICH_HOURS,
        events=[
            {
                "id": "vu-lan",
                "name": {"vi": "Vu Lan"},
                "calendar": "lunar",
                "recurrence": "yearly",
                "month": 7,
                "day": 15,
            }
        ],
        sources=[{"source": "tth-relics", "source_id": "TTH-9", "licence": "CC-BY-4.0"}],
    )
    sent = {"name.vi": "Kinh thành Huế", "visit_minutes": 180}
    with services.sessions.begin() as session:
        [created] = catalogue.create_many_in(
            session, [(record, "published")], "ingest", origin={"source": "tth-relics"}, sent=[sent]
        )
    stored = catalogue.get_site(created.id)
    [revision] = catalogue.revisions(created.id)
    assert record_view(stored) == {path: change["new"] for path, change in revision.changes.items()}
    assert record_view(stored)["address"] == record["address"]
    assert stored.footprint is not None and stored.is_zone
    assert (stored.province_code, stored.unit_found_by) == ("46", "address")
    assert stored.field_origins["name.vi"] == {"source": "tth-relics"}
    with services.sessions() as session:
        [source] = session.scalars(select(SiteSource).where(SiteSource.site_id == created.id))
        assert (source.source_id, source.licence, source.sent) == ("TTH-9", "CC-BY-4.0", sent)
        occurrences = session.scalar(
            select(func.count()).where(EventOccurrence.site_id == created.id)
        )
        intervals = session.scalar(select(func.count()).where(OpenInterval.site_id == created.id))
    assert occurrences >= 1 and intervals >= 3
    # A site whose hours are unknown holds JSON null, as a site written by the ORM does.
    with services.sessions.begin() as session:
        [plain] = catalogue.create_many_in(session, [(site_record("dai-noi"), "draft")], "x")
    orm = catalogue.create_site(site_record("lang-tu-duc", opening_hours=RICH_HOURS), "x")
    catalogue.update_site(orm.id, {"opening_hours": None}, "x")  # through the ORM
    with services.sessions() as session:
        hours = dict(
            session.execute(
                select(Site.id, cast(Site.opening_hours, String)).where(
                    Site.id.in_([plain.id, orm.id])
                )
            ).all()
        )
    assert hours[plain.id] == hours[orm.id] == "null"
