"""Sites read in bulk as plain records give the same views and index documents as the ORM."""

from datetime import UTC, datetime

from sqlalchemy import select

from search.documents import site_document
from tests.factories import load_hue, site_record, zone_record
from tests.media.helpers import generated_jpeg
from tourism_api.catalogue.models import Site
from tourism_api.catalogue.records import stored_view
from tourism_api.catalogue.site_records import iter_sites, read_sites

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def _rich_sites(services) -> list[str]:
    catalogue = services.catalogue
    rich = catalogue.create_site(
        site_record(
            "dai-noi",
            slug="dai-noi-rich",
            name={"vi": "Đại Nội", "en": "Imperial City", "fr": "Cité impériale"},
            aliases=["Hoàng thành Huế"],
            short_description={"en": "The walled palace of the Nguyễn emperors."},
            description={"vi": "Quần thể di tích Cố đô Huế."},
            categories=["royal"],
            designations=[{"type": "unesco_world_heritage", "year": 1993}],
            address={"street": "23 Tháng 8", "province": "Thừa Thiên Huế"},
            opening_hours={"timezone": "Asia/Ho_Chi_Minh", "osm": "Mo-Su 07:00-17:30"},
            accessibility={"wheelchair": "limited"},
            admission={"free": False},
            contact={"phone": "+84 234 3523 237"},
            sources=[
                {"source": "tth-relics", "source_id": "TTH-001", "licence": "CC-BY-4.0"},
                {"source": "wikidata", "source_id": "Q1140316", "url": "https://wikidata.org"},
            ],
        ),
        "test",
        status="published",
    )
    services.media.add(
        rich.id,
        generated_jpeg(),
        filename="gate.jpg",
        details={"caption": {"en": "The Noon Gate"}, "licence": "CC-BY-4.0", "primary": True},
        actor="test",
        background=False,
    )
    services.media.add(
        rich.id,
        generated_jpeg(color=(10, 200, 30)),
        filename="wall.jpg",
        details={},
        actor="test",
        background=False,
    )
    zone = catalogue.create_site(zone_record(), "test", status="published")
    draft = catalogue.create_site(site_record("lang-tu-duc"), "test", status="draft")
    return [rich.id, zone.id, draft.id]


def test_records_give_the_documents_and_views_the_orm_gives(services):
    ids = _rich_sites(services)
    with services.sessions() as session:
        orm = {site.id: site for site in session.scalars(select(Site).where(Site.id.in_(ids)))}
        records = {record.id: record for record in read_sites(session, ids + ["no-such-id"])}
        assert set(records) == set(ids)
        for site_id, site in orm.items():
            record = records[site_id]
            assert site_document(record, now=NOW) == site_document(site, now=NOW)
            assert stored_view(record, summary=True) == stored_view(site, summary=True)
    rich = records[ids[0]]
    # What the comparison covers is really there.
    assert rich.category_codes == ["royal"]
    assert [s.source_id for s in rich.sources] == ["TTH-001", "Q1140316"]
    assert rich.primary_media is not None
    assert stored_view(rich, summary=True)["image"]["caption"] == {"en": "The Noon Gate"}
    assert site_document(rich, now=NOW)["open_intervals"]


def test_batches_cover_every_matching_site_once_in_id_order(services):
    ids = load_hue(services.catalogue)
    services.catalogue.create_site(
        site_record("lang-tu-duc", slug="draft-site"), "test", status="draft"
    )
    with services.sessions() as session:
        batches = list(iter_sites(session, Site.status == "published", batch_size=3))
    assert all(len(batch) == 3 for batch in batches[:-1])
    seen = [record.id for batch in batches for record in batch]
    assert seen == sorted(ids.values())
    # Each batch's related rows are its own, though they are read by id range.
    zone = next(r for batch in batches for r in batch if r.id == ids["kinh-thanh-hue"])
    assert zone.category_codes == ["royal"]
    assert all(r.category_codes == [] for batch in batches for r in batch if r.id != zone.id)
