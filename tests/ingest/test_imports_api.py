"""POST /v1/imports and the stored reports."""

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest

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


def test_offices_upload_their_own_profiles_and_import_with_them(client, services):
    accounts = services.accounts
    accounts.create_organisation("hue", "Huế")
    accounts.create_organisation("vinh-long", "Vĩnh Long")
    heads = {}
    for username, org in (("lan", "hue"), ("tuan", "vinh-long")):
        account = accounts.create(username, username, org, "editor", "một mật khẩu dài đủ")
        heads[username] = {
            "Authorization": f"Bearer {services.tokens.create('', account=account)[1]}"
        }
    toml = (FIXTURES / "hue-relics.toml").read_text(encoding="utf-8")
    saved = client.put("/v1/profiles/hue-relics", json={"toml": toml}, headers=heads["lan"])
    assert saved.status_code == 200, saved.json
    assert (saved.json["source"], saved.json["shipped"]) == ("tth-relics", False)
    names = [p["name"] for p in client.get("/v1/profiles", headers=heads["lan"]).json["items"]]
    assert "hue-relics" in names and "unesco-whc-2021" in names
    done = upload(client, heads["lan"], FIXTURES / "hue-relics.utf8.csv", profile="hue-relics")
    assert done.status_code == 201 and done.json["summary"]["created"] == 4
    # Another office neither sees nor uses nor overwrites it.
    assert "hue-relics" not in [
        p["name"] for p in client.get("/v1/profiles", headers=heads["tuan"]).json["items"]
    ]
    other = upload(client, heads["tuan"], FIXTURES / "hue-relics.utf8.csv", profile="hue-relics")
    assert other.status_code == 422 and "profile" in other.json["errors"]
    assert (
        client.put(
            "/v1/profiles/hue-relics", json={"toml": toml}, headers=heads["tuan"]
        ).status_code
        == 409
    )
    assert client.get("/v1/profiles/hue-relics", headers=heads["tuan"]).status_code == 422


@pytest.mark.parametrize(
    ("name", "toml", "field"),
    [
        ("hue-x", "not = [toml", "profile"),
        ("hue-x", '[source]\nname = "x"\nformat = "csv"\n', "profile"),  # no [id]
        ("hue-x", '[source]\nname = "x"\nformat = "csv"\n[id]\nfield = "id"\n[extra]\n', "profile"),
        (
            "hue-x",
            'fields = "name"\n[source]\nname = "x"\nformat = "csv"\n[id]\nfield = "id"\n',
            "profile",
        ),
        (
            "hue-x",
            '[source]\nname = "x"\nformat = "csv"\n[id]\nfield = "id"\n[fields]\n"name.vi" = { field = "n", pattern = "(" }\n',
            "profile",
        ),
        ("Bad Name", '[source]\nname = "x"\nformat = "csv"\n[id]\nfield = "id"\n', "name"),
        ("unesco-whc-2021", '[source]\nname = "x"\nformat = "csv"\n[id]\nfield = "id"\n', "name"),
    ],
)
def test_a_wrong_profile_is_refused_with_the_key_at_fault(client, staff, name, toml, field):
    response = client.put(f"/v1/profiles/{name}", json={"toml": toml}, headers=staff)
    assert response.status_code in (409, 422), response.json
    assert field in response.json["errors"]
