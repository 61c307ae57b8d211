"""POST /v1/imports and the stored reports."""

import dataclasses
import io
import zipfile
from pathlib import Path

from tourism_api.app import create_app

FIXTURES = Path(__file__).parent / "fixtures"


def upload(client, headers, path_or_bytes, name="sites.csv", **form):
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    fields = {
        "file": (io.BytesIO(data), name),
        **{k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()},
    }
    return client.post(
        "/v1/imports", data=fields, headers=headers, content_type="multipart/form-data"
    )


def test_upload_runs_the_pipeline_and_keeps_the_report(client, staff, catalogue):
    response = upload(
        client, staff, FIXTURES / "whc-2021-excerpt.csv", "whc.csv", profile="unesco-whc-2021"
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert (
        body["summary"]["created"] == 8 and body["summary"]["rejected"] == 0 and body["committed"]
    )
    assert body["actor"] == "Nguyễn Thị Lan" and body["filename"] == "whc.csv"
    again = client.get(body["links"]["self"], headers=staff).json
    assert again["report"]["created"] == 8
    listing = client.get("/v1/imports", headers=staff).json["items"]
    assert [i["id"] for i in listing] == [body["id"]] and "report" not in listing[0]
    assert (
        catalogue.get_site("quan-the-di-tich-co-do-hue").name["vi"] == "Quần thể di tích Cố đô Huế"
    )
    rerun = upload(
        client, staff, FIXTURES / "whc-2021-excerpt.csv", profile="unesco-whc-2021", dry_run=True
    )
    assert rerun.json["summary"]["unchanged"] == 8 and not rerun.json["committed"]


def test_rejected_rows_come_back_with_positions(client, staff):
    body = upload(client, staff, FIXTURES / "hue-relics-bad.csv", profile="unesco-whc-2021").json
    assert body["summary"]["rejected"] >= 1
    assert all({"position", "field", "message"} <= set(r) for r in body["report"]["rejections"])


def test_bad_uploads_get_clear_errors(client, staff, settings):
    assert (
        upload(client, {}, FIXTURES / "whc-2021-excerpt.csv", profile="unesco-whc-2021").status_code
        == 401
    )
    unknown = upload(client, staff, FIXTURES / "whc-2021-excerpt.csv", profile="../../etc/passwd")
    assert unknown.status_code == 422 and "profile" in unknown.json["errors"]
    missing = client.post(
        "/v1/imports", data={"profile": "osm"}, headers=staff, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and "file" in missing.json["errors"]
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.csv", "0," * 20_000_000)
    bomb = upload(client, staff, zipped.getvalue(), "sites.csv", profile="unesco-whc-2021")
    assert bomb.status_code == 422 and "binary" in bomb.json["errors"]["file"][0]
    empty = upload(client, staff, b"", profile="unesco-whc-2021")
    assert empty.status_code == 422
    not_multipart = client.post(
        "/v1/imports", data=b"x", headers={**staff, "Content-Type": "text/csv"}
    )
    assert not_multipart.status_code == 422
    small = create_app(dataclasses.replace(settings, max_upload_bytes=1024)).test_client()
    too_big = upload(small, staff, b"a,b\n" + b"1,2\n" * 1000, profile="unesco-whc-2021")
    assert too_big.status_code == 413 and too_big.json["code"] == 413
    assert client.get("/v1/imports/999", headers=staff).status_code == 404


def test_cli_and_api_imports_are_stored_alike(client, staff, settings, tmp_path):
    from click.testing import CliRunner

    from tourism_api.cli import main

    path = FIXTURES / "whc-2021-excerpt.csv"
    urls = ["--database-url", settings.database_url, "--search-url", settings.search_url]
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        [*urls, "ingest", "run", str(path), "--profile", "unesco-whc-2021", "--actor", "Lan"]
        + ["--report", str(report)],
    )
    assert result.exit_code == 0, result.output
    uploaded = upload(client, staff, path, "whc.csv", profile="unesco-whc-2021").json
    listing = client.get("/v1/imports", headers=staff).json["items"]
    assert [run["id"] for run in listing] == [uploaded["id"], uploaded["id"] - 1]
    from_cli = client.get(listing[1]["links"]["self"], headers=staff).json
    assert from_cli.keys() == uploaded.keys()
    assert (from_cli["actor"], from_cli["profile"]) == ("Lan", "unesco-whc-2021")
    assert from_cli["summary"]["created"] == 8 and uploaded["summary"]["unchanged"] == 8
    assert from_cli["report"]["created"] == 8
    assert f"Stored as import {from_cli['id']}" in result.output
