"""The import pipeline on both databases: validation, reports, idempotence, atomicity, matching."""

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from ingest.pipeline import Importer
from ingest.profiles import load_profile
from ingest.readers import read
from ingest.report_io import table, write_report
from search.text import slugify
from tests.factories import site_record
from tourism_api.catalogue import record_rules
from tourism_api.catalogue.models import OutboxEvent, Revision, Site, SiteSource
from tourism_api.catalogue.opening_hours import is_open
from tourism_api.services.demo import demo_path

FIXTURES = Path(__file__).parent / "fixtures"
STAFF_PROFILE = str(FIXTURES / "hue-relics.toml")


def run(catalogue, profile_name, path, **options):
    profile = load_profile(profile_name)
    importer = Importer(catalogue, profile, actor="ingest-test", file_label=str(path), **options)
    return importer.run(read(path, profile))


def count(services, model):
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_staff_spreadsheet_imports_and_reruns_as_a_no_op(services, catalogue):
    report = run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.cp1258.csv")
    assert (report.created, report.rejected, report.records) == (4, 0, 4)
    thien_mu = catalogue.get_site("chua-thien-mu", include_unpublished=True)
    assert thien_mu.status == "draft" and thien_mu.kind == "pagoda"
    assert thien_mu.name == {"vi": "Chùa Thiên Mụ", "en": "Thien Mu Pagoda"}
    assert thien_mu.designations == [{"type": "special_national_relic", "year": 2014}]
    assert thien_mu.category_codes == ["history", "religious"]
    assert thien_mu.opening_hours["weekly"]["sun"] == [{"opens": "07:00", "closes": "17:30"}]
    assert [(s.source, s.source_id) for s in thien_mu.sources] == [("tth-relics", "TTH-001")]
    revisions, outbox = count(services, Revision), count(services, OutboxEvent)
    again = run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert (count(services, Revision), count(services, OutboxEvent)) == (revisions, outbox)


def test_a_new_licence_in_the_profile_reaches_every_site_on_re_import(
    services, catalogue, tmp_path
):
    """The rows are the same as last time, the source's terms are not: not "unchanged"."""
    run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    text = Path(STAFF_PROFILE).read_text(encoding="utf-8")
    relicensed = tmp_path / "hue-relics.toml"
    relicensed.write_text(text.replace('"CC-BY-4.0"', '"CC0-1.0"'), encoding="utf-8")
    report = run(catalogue, str(relicensed), FIXTURES / "hue-relics.utf8.csv")
    assert (report.updated, report.unchanged) == (4, 0)
    site = catalogue.get_site("chua-thien-mu", include_unpublished=True)
    assert [(s.source, s.licence) for s in site.sources] == [("tth-relics", "CC0-1.0")]
    again = run(catalogue, str(relicensed), FIXTURES / "hue-relics.utf8.csv")
    assert (again.updated, again.unchanged) == (0, 4)


def test_a_changed_row_becomes_an_update_with_a_revision(services, catalogue, tmp_path):
    run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    text = (FIXTURES / "hue-relics.utf8.csv").read_text(encoding="utf-8")
    changed = tmp_path / "changed.csv"
    changed.write_text(text.replace("Tomb of Tu Duc", "Tự Đức Royal Tomb"), encoding="utf-8")
    dry = run(catalogue, STAFF_PROFILE, changed, dry_run=True)
    assert (dry.updated, dry.unchanged, dry.committed) == (1, 3, False)
    assert (
        catalogue.get_site("lang-tu-duc", include_unpublished=True).name["en"] == "Tomb of Tu Duc"
    )
    report = run(catalogue, STAFF_PROFILE, changed)
    assert (report.updated, report.unchanged) == (1, 3)
    site = catalogue.get_site("lang-tu-duc", include_unpublished=True)
    assert site.name["en"] == "Tự Đức Royal Tomb" and site.version == 2
    last = catalogue.revisions(site.id)[-1]
    assert last.actor == "ingest-test" and last.changes["name"]["old"]["en"] == "Tomb of Tu Duc"


def test_bad_rows_are_reported_with_position_field_and_reason(services, catalogue, tmp_path):
    report = run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics-bad.csv")
    assert report.created == 4 and report.committed
    problems = {(p.position, p.field) for p in report.rejections}
    assert ("row 4", "record") in problems  # ragged
    assert ("row 7", "location") in problems  # swapped: latitude 107.57 is impossible
    assert ("row 8", "location") in problems  # no coordinates
    assert ("row 9", "id") in problems  # duplicate id
    assert report.rejected == 4
    swapped = next(p for p in report.rejections if p.position == "row 7")
    assert "swapped" in swapped.message
    write_report(report, tmp_path / "report.json")
    assert json.loads((tmp_path / "report.json").read_text())["rejected"] == 4
    write_report(report, tmp_path / "report.csv")
    rows = list(csv.reader((tmp_path / "report.csv").open(encoding="utf-8-sig")))
    assert ["rejected", "row 8", "location", "no coordinates in this record"] in rows
    assert "4 rejected" in table(report)


def test_strict_commits_nothing_when_a_row_is_rejected(services, catalogue):
    report = run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics-bad.csv", strict=True)
    assert report.rejected == 4 and not report.committed
    assert (count(services, Site), count(services, Revision), count(services, OutboxEvent)) == (
        0,
        0,
        0,
    )
    clean = run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv", strict=True)
    assert clean.committed and count(services, Site) == 4


def test_dry_run_writes_nothing(services, catalogue):
    report = run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv", dry_run=True)
    assert report.created == 4 and not report.committed
    assert count(services, Site) == 0


def test_interrupted_import_leaves_whole_records_and_a_rerun_finishes(services, catalogue):
    profile = load_profile("unesco-whc-2021")
    records = list(read(FIXTURES / "whc-2021-excerpt.csv", profile))

    def interrupted():
        yield from records[:5]
        raise KeyboardInterrupt

    importer = Importer(catalogue, profile, actor="t", batch_size=2)
    with pytest.raises(KeyboardInterrupt):
        importer.run(interrupted())
    # Batches of two: the first two batches committed, the fifth record's batch did not.
    assert count(services, Site) == 4
    assert count(services, Revision) == count(services, OutboxEvent) == 4
    report = run(catalogue, "unesco-whc-2021", FIXTURES / "whc-2021-excerpt.csv")
    assert (report.unchanged, report.created) == (4, len(records) - 4)
    assert count(services, Site) == len(records)


def test_a_batch_whose_flush_fails_is_retried_record_by_record(services, catalogue, monkeypatch):
    # Another site holds the slug the Tự Đức row would get, and the slug check is blinded,
    # as a concurrent writer would: the batch's one flush fails, and the retry refuses
    # only that row.
    catalogue.create_site(site_record("dai-noi", slug="lang-tu-duc"), "lan")
    monkeypatch.setattr(
        record_rules,
        "free_slugs",
        lambda session, records, languages: {
            i: r.get("slug") or slugify(r["name"]["vi"]) for i, r in records.items()
        },
    )
    report = run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    assert (report.created, report.rejected) == (3, 1)
    assert [(p.position, p.field) for p in report.rejections] == [("row 3", "record")]
    assert "duplicate slug" in report.rejections[0].message
    assert count(services, Site) == count(services, Revision) == count(services, OutboxEvent) == 4


def test_same_place_from_other_sources_is_merged(services, catalogue):
    run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    osm = run(catalogue, "osm", FIXTURES / "hue-overpass.json")
    # Thiên Mụ: same name within metres of the spreadsheet's record.
    assert {m["position"] for m in osm.merges} == {"node/101"}
    assert osm.created == 2 and osm.rejected == 1  # the palace and the zone; the gate lacks nodes
    thien_mu = catalogue.get_site("chua-thien-mu", include_unpublished=True)
    assert {(s.source, s.source_id) for s in thien_mu.sources} == {
        ("tth-relics", "TTH-001"),
        ("osm", "node/101"),
    }
    assert thien_mu.name["fr"] == "Pagode de la Dame céleste"  # a language it lacked
    # OSM hours beyond a weekly table are kept as OSM text and evaluated (PH: Tết too);
    # text that is not OSM syntax is left out with a warning that says where.
    palace = catalogue.get_site("dien-thai-hoa", include_unpublished=True)
    assert palace.opening_hours == {
        "timezone": "Asia/Ho_Chi_Minh",
        "osm": "Tu-Su 07:00-17:00; Mo off; PH off",
    }
    tet = datetime(2027, 2, 6, 10, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert is_open(palace.opening_hours, tet) is False
    assert is_open(palace.opening_hours, tet + timedelta(days=7)) is True
    (warning,) = [w.message for w in osm.warnings if "opening_hours" in w.message]
    assert "until the gate" in warning and "at character" in warning
    wikidata = run(catalogue, "wikidata", FIXTURES / "hue-wikidata.json")
    # Q1056981 was never a source id here, but the name and place match again.
    assert "Q1056981 (result 0)" in {m["position"] for m in wikidata.merges}
    with services.sessions() as session:
        owners = session.scalars(
            select(SiteSource.site_id).where(SiteSource.source_id == "Q1056981")
        ).all()
    assert owners == [thien_mu.id]
    # Re-running both changes nothing.
    assert run(catalogue, "osm", FIXTURES / "hue-overpass.json").unchanged == 3
    assert run(catalogue, "wikidata", FIXTURES / "hue-wikidata.json").unchanged == 2


def test_uncertain_match_is_listed_for_review(services, catalogue, tmp_path):
    run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    nearby = tmp_path / "nearby.csv"
    nearby.write_text(
        "Mã,Tên di tích,Tên tiếng Anh,Loại hình,Kinh độ,Vĩ độ,Xếp hạng,Năm xếp hạng,Giờ mở cửa,Địa chỉ\n"
        "OTHER-1,Chùa Thiên Mụ Tự,,Chùa,107.5470,16.4531,,,,\n",
        encoding="utf-8",
    )
    profile = load_profile(STAFF_PROFILE)
    profile.source = "another-office"
    report = Importer(catalogue, profile, actor="t").run(read(nearby, profile))
    assert report.created == 1 and len(report.review) == 1
    item = report.review[0]
    assert (
        item["candidates"][0]["site_id"]
        == catalogue.get_site("chua-thien-mu", include_unpublished=True).id
    )
    assert catalogue.get_site(item["site_id"], include_unpublished=True).status == "draft"


@pytest.mark.slow
def test_shipped_files_import_with_no_rejection_and_correct_vietnamese(services, catalogue):
    unesco = run(catalogue, "unesco-whc-2021", demo_path("whc-sites-2021.csv"))
    zones = run(catalogue, "vn-protected-areas", demo_path("vn-protected-areas.geojson"))
    assert (unesco.records, unesco.rejected, unesco.created) == (1154, 0, 1154)
    # Hạ Long, Phong Nha - Kẻ Bàng and Tràng An merge into the UNESCO list's points.
    assert (zones.records, zones.rejected, zones.created, zones.merged) == (14, 0, 11, 3)
    assert catalogue.get_site("quan-the-danh-thang-trang-an").is_zone
    assert [w.message for w in zones.warnings] == [
        "invalid footprint repaired (make_valid); check it"
    ]
    xuan_thuy = catalogue.get_site("xuan-thuy-nam-dinh")
    assert xuan_thuy.name == {"vi": "Xuân Thủy - Nam Định"} and xuan_thuy.is_zone
    assert {d["type"] for d in xuan_thuy.designations} == {
        "ramsar_site",
        "unesco_biosphere_reserve",
    }
    hue = catalogue.get_site("quan-the-di-tich-co-do-hue")
    assert hue.name["en"] == "Complex of Hué Monuments"
    again = run(catalogue, "unesco-whc-2021", demo_path("whc-sites-2021.csv"))
    assert (again.unchanged, again.created, again.updated) == (1154, 0, 0)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ((STAFF_PROFILE, "hue-relics.utf8.csv"), ("osm", "hue-overpass-nameless.json")),
        (("osm", "hue-overpass.json"), (STAFF_PROFILE, "hue-relics-nameless.csv")),
    ],
    ids=["osm after a spreadsheet", "spreadsheet after osm"],
)
def test_a_record_without_a_name_is_reported_and_the_import_goes_on(catalogue, first, then):
    # Another source is in the catalogue, so each new record is matched by name and place:
    # a record with no name used to stop the whole run with KeyError: 'name'.
    assert run(catalogue, first[0], FIXTURES / first[1]).created >= 3
    report = run(catalogue, then[0], FIXTURES / then[1])
    assert report.records == 2 and report.rejected == 1
    (problem,) = report.rejections
    assert problem.field.startswith("name") and problem.position in ("row 2", "node/801")
    assert report.created + report.merged == 1


def test_a_property_listed_as_a_point_and_as_an_area_is_merged_once(services, catalogue, tmp_path):
    """The same designated property from two lists, either way round, merges; a monument
    inside a designated area that is not the property itself (other names) does not."""
    zones = tmp_path / "zones.geojson"
    area = {
        "type": "Polygon",
        "coordinates": [
            [[107.0, 20.7], [107.4, 20.7], [107.4, 21.0], [107.0, 21.0], [107.0, 20.7]]
        ],
    }
    features = [
        {
            "type": "Feature",
            "properties": {
                "Ten": "Vịnh Hạ Long",
                "Kieu_BT": "Di sản thiên nhiên thế giới",
                "Nam_Dexuat": "1994",
                "Cap_BT": "Quốc Tế",
            },
            "geometry": area,
        }
    ]
    zones.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    points = tmp_path / "whc.csv"
    header = "name_en,short_description_en,justification_en,date_inscribed,longitude,latitude,area_hectares,category,states_name_en,region_en,iso_code\n"
    points.write_text(
        header
        + "Ha Long Bay,<p>Bay</p>,,1994,107.1,20.9,43400,Natural,Viet Nam,Asia,vn\n"
        + "Cat Ba Archipelago,<p>Islands</p>,,1994,107.05,20.8,100,Natural,Viet Nam,Asia,vn\n",
        encoding="utf-8",
    )
    # The area first, then the points (the demo loads them the other way round).
    run(catalogue, "vn-protected-areas", zones)
    report = run(catalogue, "unesco-whc-2021", points)
    assert (report.created, report.merged) == (1, 1)
    (merge,) = report.merges
    assert "unesco_world_heritage (1994)" in merge["reason"] and "ha long" in merge["reason"]
    ha_long = catalogue.get_site("vinh-ha-long")
    assert ha_long.is_zone
    assert {s.source for s in ha_long.sources} == {
        "legocity-vn-protected-areas",
        "unesco-whc-2021",
    }
    # The English name waits for a reviewer, as the UNESCO profile asks for published sites.
    assert [q["field"] for q in report.queued] == ["name.en"]
    # Cát Bà lies in the area with the same designation, but is another place.
    assert not catalogue.get_site("cat-ba-archipelago").is_zone


BULK_PROFILE = """
[source]
name = "bulk-test"
format = "geojson"
licence = "CC0-1.0"

[id]
field = "id"

[fields]
"name.vi" = "name"

[location]
from_geometry = true

[kind]
default = "monument"
"""


@pytest.mark.parametrize("backend", ["postgis"])
def test_an_import_that_grows_the_catalogue_keeps_the_planner_informed(
    services, catalogue, tmp_path
):
    """PostgreSQL only (SQLite's planner keeps no row counts to go stale): after a file
    of 1,500 records into an empty catalogue, the statistics describe the table as it is,
    not as it was (autovacuum would take a minute or more)."""
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"b-{i}", "name": f"Đình làng {i}"},
            "geometry": {"type": "Point", "coordinates": [107.5 + i * 1e-4, 16.4]},
        }
        for i in range(1500)
    ]
    path = tmp_path / "bulk.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    profile_path = tmp_path / "bulk.toml"
    profile_path.write_text(BULK_PROFILE)
    report = run(catalogue, str(profile_path), path, batch_size=200)
    assert (report.created, report.rejected) == (1500, 0)
    with services.sessions() as session:
        believed = session.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = 'site_sources'::regclass")
        )
    assert believed >= 1000


@pytest.mark.parametrize("batch_size", [2, 1000])
def test_file_checks_find_the_same_whatever_the_batches(catalogue, tmp_path, batch_size):
    """Duplicate ids and same-place names are found across batches as within one, and the
    report lists each record's findings in file order however the file was cut."""
    rows = [
        ("a", "Đình làng Kim Long", [107.55, 16.45]),
        ("b", "Chùa Thiên Mụ", [107.545, 16.453]),
        ("c", "Chua Thien Mu", [107.5451, 16.4531]),  # 15 m away, same folded name
        ("a", "Lăng Tự Đức", [107.57, 16.43]),  # an id met before
        ("d", "Chùa Thiên Mụ", [107.5452, 16.4532]),
        ("e", "Điện Hòn Chén", None),  # no place at all
        ("f", "Cầu ngói Thanh Toàn", [0, 0]),
        ("g", "Chùa Thiên Mụ", [107.7, 16.3]),  # same name, another place
    ]
    features = [
        {
            "type": "Feature",
            "properties": {"id": source_id, "name": name},
            "geometry": {"type": "Point", "coordinates": where} if where else None,
        }
        for source_id, name, where in rows
    ]
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    profile_path = tmp_path / "bulk.toml"
    profile_path.write_text(BULK_PROFILE)
    report = run(catalogue, str(profile_path), path, batch_size=batch_size)

    def listed(problems):
        return [(p.position, p.field, p.message.split(":")[0]) for p in problems]

    assert listed(report.rejections) == [
        ("feature 3", "id", "duplicate source id 'a' (first at feature 0)"),
        ("feature 5", "location", "no coordinates in this record"),
    ]
    assert listed(report.warnings) == [
        ("feature 2", "name", "same name and place as feature 1"),
        ("feature 4", "name", "same name and place as feature 1"),
        ("feature 6", "location", "point at 0,0"),
    ]
    assert (report.records, report.created, report.rejected) == (8, 6, 2)
