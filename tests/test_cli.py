"""The `tourism` command, end to end on a real database."""

import pytest
from click.testing import CliRunner

from tourism_api import schema_admin
from tourism_api.app import create_app
from tourism_api.cli import main


def all_commands(group, prefix=()):
    yield prefix
    for name, command in getattr(group, "commands", {}).items():
        yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", list(all_commands(main)), ids=lambda p: " ".join(p) or "tourism")
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.fixture
def run(settings):
    def invoke(*args):
        urls = ["--database-url", settings.database_url, "--search-url", settings.search_url]
        return CliRunner().invoke(main, [*urls, *args])

    return invoke


def test_token_lifecycle(run, client):
    created = run("token", "create", "--name", "Trần Văn Minh")
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("tht_") and len(secret) > 40
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/v1/sites/x/revisions", headers=headers).status_code == 404  # authorised
    listing = run("token", "list")
    assert "Trần Văn Minh" in listing.output and secret not in listing.output
    token_id = listing.output.split()[0]
    assert run("token", "revoke", token_id).exit_code == 0
    assert client.get("/v1/sites/x/revisions", headers=headers).status_code == 401
    assert run("token", "revoke", "999").exit_code != 0


def test_category_add_and_list(run, client):
    added = run(
        "category", "add", "test-communal-house", "--label", "vi=Đình làng", "--parent", "religious"
    )
    assert added.exit_code == 0, added.output
    codes = {c["code"]: c for c in client.get("/v1/categories").json["items"]}
    assert codes["test-communal-house"]["label"] == {"vi": "Đình làng"}
    assert run("category", "add", "Bad Code", "--label", "vi=x").exit_code != 0
    assert run("category", "add", "test-x", "--label", "de=x").exit_code != 0
    assert "test-communal-house" in run("category", "list").output


@pytest.mark.slow
def test_demo_load_serves_hue_and_is_idempotent(run, settings):
    first = run("demo", "load")
    assert first.exit_code == 0, first.output
    # 1,168 records; the three natural World Heritage properties listed both as UNESCO
    # points and as protected-area outlines are merged by the matcher, not made twice.
    assert "1165 created" in first.output and "0 rejected" in first.output
    client = create_app(settings).test_client()
    near = client.get("/v1/sites?lat=16.4637&lon=107.5909&radius=5000").json["items"]
    hue = [s for s in near if s["name"].get("en") == "Complex of Hué Monuments"]
    assert len(hue) == 1 and 1000 < hue[0]["distance_m"] < 2500
    zones = client.get("/v1/zones?limit=100").json["items"]
    assert len(zones) == 14
    ha_long = [z for z in zones if "Hạ Long" in z["name"].get("vi", "")]
    assert len(ha_long) == 1 and ha_long[0]["name"]["en"] == "Ha Long Bay"
    assert {s["source"] for s in ha_long[0]["provenance"]} == {
        "unesco-whc-2021",
        "legocity-vn-protected-areas",
    }
    assert all(z["footprint"]["type"] in ("Polygon", "MultiPolygon") for z in zones)
    assert "Demo administrator: user admin, password " in first.output
    token = first.output.split("Its token for scripts and curl: ")[1].split()[0]
    reviews = client.get("/v1/reviews", headers={"Authorization": f"Bearer {token}"})
    assert reviews.status_code == 200
    again = run("demo", "load")
    assert "0 created, 1168 already present" in again.output
    assert "Demo administrator: user" not in again.output  # the password is shown only once
    assert "tourism account password admin" in again.output
    assert "tourism token create --account admin" in again.output
    assert run("db", "current").output.strip() == schema_admin.head_revision()


def test_a_database_never_upgraded_gets_one_line_saying_what_to_run(backend, tmp_path, request):
    if backend == "spatialite":
        url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    else:  # a schema search path with no tables in it: a database nobody upgraded
        url = request.getfixturevalue("postgis_url") + "?options=-csearch_path%3Dnothing_here"
    search = f"sqlite:///{tmp_path / 'search.sqlite3'}"
    for command in (["token", "create", "--name", "Lan"], ["token", "list"], ["category", "list"]):
        result = CliRunner().invoke(main, ["--database-url", url, "--search-url", search, *command])
        assert result.exit_code == 1, result.output
        assert "run `tourism db upgrade`" in result.output
        assert "Traceback" not in result.output and len(result.output.splitlines()) == 1


def test_api_key_lifecycle(run, client):
    created = run("key", "create", "--name", "Huế Guide", "--plan", "partner")
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("tk_") and len(secret) > 40
    assert client.get("/v1/kinds", headers={"X-API-Key": secret}).status_code == 200
    listing = run("key", "list")
    assert "Huế Guide" in listing.output and "partner" in listing.output
    assert secret not in listing.output
    assert run("key", "revoke", listing.output.split()[0]).exit_code == 0
    assert client.get("/v1/kinds", headers={"X-API-Key": secret}).status_code == 401
    assert run("key", "create", "--name", "X", "--plan", "gold").exit_code != 0


def test_organisations_accounts_and_their_tokens(run, client):
    assert (
        run("org", "create", "hue", "--name", "Trung tâm Bảo tồn Di tích Cố đô Huế").exit_code == 0
    )
    assert run("org", "create", "Bad Code", "--name", "x").exit_code != 0
    assert "hue\tTrung tâm" in run("org", "list").output
    created = CliRunner().invoke(
        main,
        [
            "--database-url",
            client.application.extensions["tourism"].settings.database_url,
            "--search-url",
            client.application.extensions["tourism"].settings.search_url,
            "account",
            "create",
            "minh",
            "--name",
            "Trần Văn Minh",
            "--org",
            "hue",
            "--role",
            "reviewer",
            "--password-stdin",
        ],
        input="một mật khẩu dài đủ\n",
    )
    assert created.exit_code == 0, created.output
    assert "minh\tTrần Văn Minh\thue\treviewer\tactive" in run("account", "list").output
    changed = CliRunner().invoke(
        main,
        [
            "--database-url",
            client.application.extensions["tourism"].settings.database_url,
            "account",
            "password",
            "minh",
            "--password-stdin",
        ],
        input="một mật khẩu mới dài hơn\n",
    )
    assert changed.exit_code == 0, changed.output
    accounts = client.application.extensions["tourism"].accounts
    assert accounts.check_password("minh", "một mật khẩu mới dài hơn").username == "minh"
    token = run("token", "create", "--account", "minh")
    assert token.exit_code == 0 and "Trần Văn Minh (reviewer)" in token.output
    headers = {"Authorization": f"Bearer {token.output.strip().splitlines()[-1]}"}
    assert client.get("/v1/reviews", headers=headers).status_code == 200
    assert run("account", "disable", "minh").exit_code == 0
    assert client.get("/v1/reviews", headers=headers).status_code == 401
    assert run("token", "create", "--account", "nobody").exit_code != 0
    assert run("token", "create").exit_code != 0
