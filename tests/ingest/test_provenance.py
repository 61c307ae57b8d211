"""Re-imports never undo people's work: field-level provenance, conflicts listed for review,
deleted names not re-added, and updates to published sites queued (on both databases)."""

from pathlib import Path

import pytest

from ingest.pipeline import Importer
from ingest.profiles import load_profile
from ingest.readers import read
from ingest.report_io import table
from tests.factories import site_record
from tests.ingest.test_pipeline import FIXTURES, STAFF_PROFILE, run
from tourism_api.errors import Conflict, NotFound

STAFF = "Nguyễn Thị Lan"
REVIEWER = "Trần Văn Minh"


def edited_copy(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / f"edited-{name}"
    path.write_text(text, encoding="utf-8")
    return path


def field(services, ref: str, path: str) -> dict:
    return next(f for f in services.proposals.fields(ref)["fields"] if f["field"] == path)


def test_a_staff_correction_survives_reimports_and_a_new_value_is_a_conflict(
    services, catalogue, tmp_path
):
    run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    site = catalogue.get_site("chua-thien-mu", include_unpublished=True)
    catalogue.update_site(site.id, {"name": {"en": "Thien Mu Pagoda (Linh Mu)"}}, STAFF)

    again = run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    assert (again.unchanged, again.updated, again.conflicts) == (4, 0, [])
    site = catalogue.get_site(site.id, include_unpublished=True)
    assert site.name["en"] == "Thien Mu Pagoda (Linh Mu)"

    # The office's spreadsheet now says something new for Thiên Mụ (which staff corrected)
    # and for Tự Đức (which nobody touched).
    changed = edited_copy(
        tmp_path,
        "hue-relics.utf8.csv",
        ("Thien Mu Pagoda", "Thiên Mụ Pagoda"),
        ("Tomb of Tu Duc", "Tu Duc Royal Tomb"),
    )
    report = run(catalogue, STAFF_PROFILE, changed)
    assert (report.updated, report.unchanged) == (1, 3)
    assert report.conflicts == [
        {
            "position": "row 2",
            "site_id": site.id,
            "field": "name.en",
            "current": "Thien Mu Pagoda (Linh Mu)",
            "offered": "Thiên Mụ Pagoda",
        }
    ]
    assert report.summary()["conflicts"] == 1
    assert "conflict row 2  name.en: site" in table(report)
    assert catalogue.get_site("lang-tu-duc", include_unpublished=True).name["en"] == (
        "Tu Duc Royal Tomb"
    )
    site = catalogue.get_site(site.id, include_unpublished=True)
    assert site.name["en"] == "Thien Mu Pagoda (Linh Mu)"
    (pending,) = services.proposals.pending(None)
    assert (pending["field"], pending["kind"], pending["source"]) == (
        "name.en",
        "conflict",
        "tth-relics",
    )
    assert (pending["current"], pending["offered"]) == (
        "Thien Mu Pagoda (Linh Mu)",
        "Thiên Mụ Pagoda",
    )
    # Sending the same new value again raises nothing new.
    assert run(catalogue, STAFF_PROFILE, changed).conflicts == []
    assert len(services.proposals.pending(None)) == 1

    # Where each field came from, and what the source last sent where it differs.
    assert field(services, site.id, "name.en") == {
        "field": "name.en",
        "value": "Thien Mu Pagoda (Linh Mu)",
        "origin": {"person": STAFF},
        "sources": {"tth-relics": "Thiên Mụ Pagoda"},
    }
    assert field(services, site.id, "name.vi")["origin"] == {"source": "tth-relics"}

    accepted = services.proposals.accept(pending["id"], REVIEWER, expected_version=site.version)
    assert accepted.name["en"] == "Thiên Mụ Pagoda" and accepted.version == site.version + 1
    assert field(services, site.id, "name.en")["origin"] == {"source": "tth-relics"}
    assert services.proposals.pending(None) == []
    last = catalogue.revisions(site.id)[-1]
    assert last.actor == REVIEWER and "tth-relics" in last.comment
    assert last.changes["name"]["new"]["en"] == "Thiên Mụ Pagoda"


def test_a_name_staff_deleted_is_not_re_added_by_a_merge(services, catalogue, tmp_path):
    run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    run(catalogue, "osm", FIXTURES / "hue-overpass.json")
    assert catalogue.get_site("chua-thien-mu", include_unpublished=True).name["fr"]
    catalogue.update_site("chua-thien-mu", {"name": {"fr": None}}, STAFF)

    again = run(catalogue, "osm", FIXTURES / "hue-overpass.json")
    assert (again.unchanged, again.conflicts) == (3, [])
    assert "fr" not in catalogue.get_site("chua-thien-mu", include_unpublished=True).name

    # OSM later changes its French name: listed for review against the deletion.
    renamed = edited_copy(
        tmp_path, "hue-overpass.json", ("Pagode de la Dame céleste", "Pagode Thiên Mụ")
    )
    report = run(catalogue, "osm", renamed)
    assert [(c["field"], c["current"], c["offered"]) for c in report.conflicts] == [
        ("name.fr", None, "Pagode Thiên Mụ")
    ]
    assert "fr" not in catalogue.get_site("chua-thien-mu", include_unpublished=True).name
    (pending,) = services.proposals.pending(None)
    dismissed = services.proposals.dismiss(pending["id"], REVIEWER, comment="No French name.")
    assert (dismissed["status"], dismissed["decided_by"]) == ("dismissed", REVIEWER)
    # Dismissed stays dismissed: the same value again raises nothing.
    assert run(catalogue, "osm", renamed).conflicts == []
    assert services.proposals.pending(None) == []


def test_a_merged_source_does_not_override_the_owner_s_values(services, catalogue, tmp_path):
    run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    renamed = edited_copy(tmp_path, "hue-overpass.json", ("Thien Mu Pagoda", "Linh Mu Pagoda"))
    report = run(catalogue, "osm", renamed)
    assert report.merged == 1 and report.conflicts == []
    name = catalogue.get_site("chua-thien-mu", include_unpublished=True).name
    assert name["en"] == "Thien Mu Pagoda" and name["fr"] == "Pagode de la Dame céleste"


def test_updates_to_a_published_site_wait_in_the_review_queue(services, catalogue, tmp_path):
    run(catalogue, "unesco-whc-2021", FIXTURES / "whc-2021-excerpt.csv")
    bay = catalogue.get_site("vinh-ha-long")
    assert bay.status == "published"
    moved = edited_copy(tmp_path, "whc-2021-excerpt.csv", ("107.1,20.9,", "107.08,20.91,"))

    dry = run(catalogue, "unesco-whc-2021", moved, dry_run=True)
    assert [q["field"] for q in dry.queued] == ["location"]
    assert services.proposals.pending(None) == []  # a dry run stores nothing

    report = run(catalogue, "unesco-whc-2021", moved)
    assert report.updated == 0 and report.summary()["queued"] == 1
    assert catalogue.get_site("vinh-ha-long").version == bay.version  # still as published
    (pending,) = services.proposals.pending(None)
    assert (pending["kind"], pending["field"], pending["site_status"]) == (
        "update",
        "location",
        "published",
    )
    assert pending["current"]["coordinates"] == [107.1, 20.9]
    assert pending["offered"]["coordinates"] == [107.08, 20.91]
    accepted = services.proposals.accept(pending["id"], REVIEWER, expected_version=bay.version)
    assert accepted.status == "published"
    assert catalogue.get_site("vinh-ha-long").version == bay.version + 1
    assert run(catalogue, "unesco-whc-2021", moved).queued == []


def test_a_profile_can_apply_updates_to_published_sites_at_once(catalogue, tmp_path):
    profile = load_profile("unesco-whc-2021")
    profile.updates = "apply"
    Importer(catalogue, profile, actor="t").run(read(FIXTURES / "whc-2021-excerpt.csv", profile))
    moved = edited_copy(tmp_path, "whc-2021-excerpt.csv", ("107.1,20.9,", "107.08,20.91,"))
    report = Importer(catalogue, profile, actor="t").run(read(moved, profile))
    assert (report.updated, report.queued) == (1, [])
    assert catalogue.get_site("vinh-ha-long").version == 2


def test_a_value_the_source_never_sent_is_not_overwritten(services, catalogue):
    # A record staff typed in before its source was imported, naming that source: the
    # import has no memory of sending these values, so it overwrites none of them.
    record = site_record(
        "chua-thien-mu",
        name={"vi": "Chùa Thiên Mụ", "en": "Linh Mu Pagoda"},
        sources=[{"source": "tth-relics", "source_id": "TTH-001"}],
    )
    site = catalogue.create_site(record, STAFF)
    report = run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    assert ("name.en", "Linh Mu Pagoda", "Thien Mu Pagoda") in {
        (c["field"], c["current"], c["offered"]) for c in report.conflicts
    }
    assert catalogue.get_site(site.id, include_unpublished=True).name["en"] == "Linh Mu Pagoda"


def test_a_proposal_is_decided_once(services, catalogue, tmp_path):
    run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    catalogue.update_site("lang-tu-duc", {"name": {"en": "Tự Đức Tomb"}}, STAFF)
    run(
        catalogue,
        STAFF_PROFILE,
        edited_copy(tmp_path, "hue-relics.utf8.csv", ("Tomb of Tu Duc", "Tu Duc Royal Tomb")),
    )
    (pending,) = services.proposals.pending(None)
    services.proposals.dismiss(pending["id"], REVIEWER)
    with pytest.raises(Conflict):
        services.proposals.accept(pending["id"], REVIEWER, expected_version=None)
    with pytest.raises(NotFound):
        services.proposals.dismiss(2**70, REVIEWER)


def test_a_proposal_someone_already_carried_out_leaves_the_queue(services, catalogue, tmp_path):
    from tourism_api.catalogue.models import FieldProposal

    run(catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    catalogue.update_site("lang-tu-duc", {"name": {"en": "Tự Đức Tomb"}}, STAFF)
    changed = edited_copy(tmp_path, "hue-relics.utf8.csv", ("Tomb of Tu Duc", "Tu Duc Royal Tomb"))
    run(catalogue, STAFF_PROFILE, changed)
    (pending,) = services.proposals.pending(None)
    catalogue.update_site("lang-tu-duc", {"name": {"en": "Tu Duc Royal Tomb"}}, REVIEWER)
    assert services.proposals.pending(None) == []
    with services.sessions() as session:
        assert session.get(FieldProposal, pending["id"]).status == "superseded"
