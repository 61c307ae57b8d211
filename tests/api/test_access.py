"""Organisations, accounts and roles: who may do what, on whose records, and four-eyes review."""

from __future__ import annotations

import pytest

from tests.factories import site_record, zone_record
from tests.ingest.test_pipeline import FIXTURES, STAFF_PROFILE
from tests.ingest.test_pipeline import run as import_file
from tests.media.helpers import generated_jpeg, post_photo
from tourism_api.catalogue.models import Account
from tourism_api.errors import Unauthorized

PASSWORD = "hương giang 2026"


@pytest.fixture
def people(services):
    """Two offices; in Huế an editor, two reviewers and a viewer; in Vĩnh Long an editor."""
    accounts = services.accounts
    accounts.create_organisation("hue", "Trung tâm Bảo tồn Di tích Cố đô Huế")
    accounts.create_organisation("vinh-long", "Bảo tàng Vĩnh Long")
    made = {}
    for username, name, org, role in (
        ("lan", "Nguyễn Thị Lan", "hue", "editor"),
        ("minh", "Trần Văn Minh", "hue", "reviewer"),
        ("hoa", "Lê Thị Hoa", "hue", "reviewer"),
        ("an", "Phạm An", "hue", "viewer"),
        ("tuan", "Võ Văn Tuấn", "vinh-long", "editor"),
    ):
        account = accounts.create(username, name, org, role, PASSWORD)
        _record, secret = services.tokens.create("", account=account)
        made[username] = {"Authorization": f"Bearer {secret}"}
    return made


def read(client, ref, headers):
    """Headers naming the version just read, as writes need."""
    etag = client.get(f"/v1/sites/{ref}", headers=headers).headers["ETag"]
    return {**headers, "If-Match": etag}


def test_each_role_does_what_it_may_and_no_more(client, people):
    lan, minh, an = people["lan"], people["minh"], people["an"]
    assert client.post("/v1/sites", json=site_record(), headers=an).status_code == 403
    created = client.post("/v1/sites", json=site_record(), headers=lan)
    assert created.status_code == 201
    site = created.json["id"]
    assert client.get(f"/v1/sites/{site}", headers=an).status_code == 200  # viewers read drafts
    assert client.get(f"/v1/sites/{site}/revisions", headers=an).status_code == 200
    patch = {"aliases": ["Linh Mụ"]}
    assert (
        client.patch(f"/v1/sites/{site}", json=patch, headers=read(client, site, an)).status_code
        == 403
    )
    assert (
        client.patch(f"/v1/sites/{site}", json=patch, headers=read(client, site, lan)).status_code
        == 200
    )
    submitted = client.post(f"/v1/sites/{site}/submit", headers=read(client, site, lan))
    assert submitted.status_code == 200
    # An editor cannot publish; a reviewer of the same office can.
    refused = client.post(f"/v1/sites/{site}/publish", headers=read(client, site, lan))
    assert refused.status_code == 403 and "role" in refused.json["errors"]
    assert client.get("/v1/reviews", headers=lan).status_code == 403
    published = client.post(f"/v1/sites/{site}/publish", headers=read(client, site, minh))
    assert published.status_code == 200 and published.json["status"] == "published"
    history = client.get(f"/v1/sites/{site}/revisions", headers=an).json["items"]
    assert [(r["action"], r["actor"]) for r in history] == [
        ("create", "Nguyễn Thị Lan"),
        ("update", "Nguyễn Thị Lan"),
        ("submit", "Nguyễn Thị Lan"),
        ("publish", "Trần Văn Minh"),
    ]


def test_an_office_changes_only_its_own_records(client, people):
    hue_site = client.post("/v1/sites", json=site_record(), headers=people["lan"]).json["id"]
    tuan = people["tuan"]
    etag = read(client, hue_site, people["lan"])["If-Match"]
    for method, url, body in (
        ("PATCH", f"/v1/sites/{hue_site}", {"aliases": ["x"]}),
        ("POST", f"/v1/sites/{hue_site}/submit", None),
    ):
        response = client.open(url, method=method, json=body, headers={**tuan, "If-Match": etag})
        assert response.status_code == 403 and "organisation" in response.json["errors"], method
    photo = post_photo(client, tuan, hue_site, generated_jpeg(200, 100))
    assert photo.status_code == 403
    mine = client.post("/v1/sites", json=site_record("dai-noi"), headers=tuan).json["id"]
    assert (
        client.post(f"/v1/sites/{mine}/submit", headers=read(client, mine, tuan)).status_code == 200
    )
    # The Huế reviewers' queue holds only Huế's records.
    client.post(f"/v1/sites/{hue_site}/submit", headers=read(client, hue_site, people["lan"]))
    queue = client.get("/v1/reviews", headers=people["minh"]).json["items"]
    assert [item["site_id"] for item in queue] == [hue_site]


def test_an_office_reads_only_its_own_drafts(client, people, services):
    lan, tuan, an = people["lan"], people["tuan"], people["an"]
    hue_site = client.post("/v1/sites", json=site_record(), headers=lan).json["id"]
    photo = post_photo(client, lan, hue_site, generated_jpeg(200, 100)).json["id"]
    zone = client.post("/v1/sites", json=zone_record(), headers=lan).json["id"]
    mine = client.post("/v1/sites", json=site_record("dai-noi"), headers=tuan).json["id"]
    # Huế's viewer reads Huế's drafts; Vĩnh Long's editor does not even learn they exist.
    assert client.get(f"/v1/sites/{hue_site}", headers=an).status_code == 200
    for url in (
        f"/v1/sites/{hue_site}",
        f"/v1/zones/{zone}",
        f"/v1/zones/{zone}/sites",
        f"/v1/sites/{hue_site}/media",
        f"/v1/media/{photo}",
        f"/v1/media/{photo}/thumb.jpg",
        f"/iiif/3/{photo}/info.json",
        f"/iiif/3/sites/{hue_site}/manifest",
    ):
        assert client.get(url, headers=tuan).status_code == 404, url
    for url in (f"/v1/sites/{hue_site}/revisions", f"/v1/sites/{hue_site}/provenance"):
        assert client.get(url, headers=tuan).status_code == 403, url
    listed = client.get("/v1/sites?status=any", headers=tuan).json["items"]
    assert [s["id"] for s in listed] == [mine]
    everything = client.get("/v1/sites?status=any", headers=an).json["items"]
    assert {s["id"] for s in everything} == {hue_site, zone}
    # Published, a record is everyone's to read.
    for step in ("submit", "publish"):
        who = lan if step == "submit" else people["minh"]
        client.post(f"/v1/sites/{hue_site}/{step}", headers=read(client, hue_site, who))
    assert client.get(f"/v1/sites/{hue_site}", headers=tuan).status_code == 200
    assert client.get(f"/v1/media/{photo}", headers=tuan).status_code == 200


def test_four_eyes_a_reviewer_cannot_approve_their_own_change(client, people):
    minh, hoa = people["minh"], people["hoa"]
    site = client.post("/v1/sites", json=site_record(), headers=minh).json["id"]
    client.post(f"/v1/sites/{site}/submit", headers=read(client, site, minh))
    own = client.post(f"/v1/reviews/{site}/approve", json={}, headers=read(client, site, minh))
    assert own.status_code == 403 and "four-eyes" in own.json["message"]
    ok = client.post(
        f"/v1/reviews/{site}/approve",
        json={"comment": "Đã kiểm tra"},
        headers=read(client, site, hoa),
    )
    assert ok.status_code == 200 and ok.json["status"] == "published"
    # After publication, a new change by hoa needs minh (or another) to approve it.
    client.patch(
        f"/v1/sites/{site}", json={"aliases": ["Linh Mụ"]}, headers=read(client, site, hoa)
    )
    client.post(f"/v1/sites/{site}/unpublish", headers=read(client, site, hoa))
    client.post(f"/v1/sites/{site}/submit", headers=read(client, site, hoa))
    assert (
        client.post(f"/v1/sites/{site}/publish", headers=read(client, site, hoa)).status_code == 403
    )
    assert (
        client.post(f"/v1/sites/{site}/publish", headers=read(client, site, minh)).status_code
        == 200
    )


def test_the_review_queue_shows_the_changes_and_records_decisions(client, people):
    lan, minh = people["lan"], people["minh"]
    site = client.post("/v1/sites", json=site_record(), headers=lan).json["id"]
    client.patch(
        f"/v1/sites/{site}",
        json={"name": {"fr": "Pagode de la Dame céleste"}},
        headers=read(client, site, lan),
    )
    client.post(f"/v1/sites/{site}/submit", headers=read(client, site, lan))
    (item,) = client.get("/v1/reviews", headers=minh).json["items"]
    assert item["submitted_by"] == "Nguyễn Thị Lan" and item["first_publication"]
    assert item["changes"]["name"]["new"]["fr"] == "Pagode de la Dame céleste"
    assert item["changes"]["name"]["old"] is None  # new since creation
    no_reason = client.post(f"/v1/reviews/{site}/reject", json={}, headers=read(client, site, minh))
    assert no_reason.status_code == 422 and "comment" in no_reason.json["errors"]
    why = "Tên tiếng Pháp chưa đúng"
    rejected = client.post(
        f"/v1/reviews/{site}/reject", json={"comment": why}, headers=read(client, site, minh)
    )
    assert rejected.status_code == 200 and rejected.json["status"] == "draft"
    last = client.get(f"/v1/sites/{site}/revisions", headers=lan).json["items"][-1]
    assert (last["action"], last["actor"], last["comment"]) == ("reject", "Trần Văn Minh", why)
    assert client.get("/v1/reviews", headers=minh).json["items"] == []


def test_reviewers_decide_import_conflicts_of_their_own_office(client, services, people, tmp_path):
    lan, minh, tuan = people["lan"], people["minh"], people["tuan"]
    record = site_record(sources=[{"source": "tth-relics", "source_id": "TTH-001"}])
    record["name"]["en"] = "Linh Mu Pagoda"
    site = client.post("/v1/sites", json=record, headers=lan).json["id"]
    other = site_record("lang-tu-duc", sources=[{"source": "tth-relics", "source_id": "TTH-002"}])
    other["name"]["en"] = "Tự Đức Tomb"
    client.post("/v1/sites", json=other, headers=people["tuan"])
    import_file(services.catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    assert client.get("/v1/reviews/proposals", headers=lan).status_code == 403
    items = client.get("/v1/reviews/proposals", headers=minh).json["items"]
    # Only Huế's site: the Vĩnh Long record's conflict is not Huế's to decide.
    assert {(i["site_id"], i["field"]) for i in items} == {(site, "name.en")}
    (conflict,) = items
    assert (conflict["current"], conflict["offered"]) == ("Linh Mu Pagoda", "Thien Mu Pagoda")
    shown = client.get(f"/v1/sites/{site}/provenance", headers=people["an"]).json
    name_en = next(f for f in shown["fields"] if f["field"] == "name.en")
    assert name_en["origin"] == {"person": "Nguyễn Thị Lan"}
    assert name_en["sources"] == {"tth-relics": "Thien Mu Pagoda"}
    assert [p["id"] for p in shown["proposals"]] == [conflict["id"]]

    accept = f"/v1/reviews/proposals/{conflict['id']}/accept"
    assert client.post(accept, headers=minh).status_code == 428
    assert client.post(accept, headers=read(client, site, lan)).status_code == 403
    tuan_items = client.get("/v1/reviews/proposals", headers=tuan)
    assert tuan_items.status_code == 403  # editors have no queue
    done = client.post(accept, json={"comment": "Tên đúng"}, headers=read(client, site, minh))
    assert done.status_code == 200 and done.json["name"]["en"] == "Thien Mu Pagoda"
    again = client.post(accept, headers=read(client, site, minh))
    assert again.status_code == 409
    assert client.get("/v1/reviews/proposals", headers=minh).json["items"] == []
    missing = client.post(f"/v1/reviews/proposals/{2**70}/dismiss", headers=minh)
    assert missing.status_code == 404 and missing.json["code"] == 404


def test_passwords_are_argon2_and_repeated_failures_lock_the_account(services, people):
    accounts = services.accounts
    with services.sessions() as session:
        stored = session.query(Account).filter_by(username="lan").one().password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.check_password("lan", PASSWORD).username == "lan"
    for _ in range(5):
        with pytest.raises(Unauthorized):
            accounts.check_password("lan", "wrong password")
    with pytest.raises(Unauthorized):  # locked now, even with the right password
        accounts.check_password("lan", PASSWORD)
    with pytest.raises(Unauthorized):
        accounts.check_password("nobody", PASSWORD)


def test_a_disabled_account_s_tokens_stop_working(client, services, people):
    assert client.get("/v1/reviews", headers=people["minh"]).status_code == 200
    services.accounts.disable("minh")
    assert client.get("/v1/reviews", headers=people["minh"]).status_code == 401


def test_people_sign_in_and_writes_need_the_csrf_token(client, people):
    wrong = client.post("/v1/session", json={"username": "lan", "password": "nope"})
    assert wrong.status_code == 401 and "locked" in wrong.json["message"]
    assert client.get("/v1/session").status_code == 401
    signed_in = client.post("/v1/session", json={"username": "lan", "password": PASSWORD})
    assert signed_in.status_code == 200 and signed_in.json["role"] == "editor"
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    csrf = signed_in.json["csrf_token"]
    assert client.get("/v1/session").json["username"] == "lan"
    # The cookie alone does not make a change: a page on another site could send it.
    forged = client.post("/v1/sites", json=site_record())
    assert forged.status_code == 403 and "X-CSRF-Token" in forged.json["errors"]
    created = client.post("/v1/sites", json=site_record(), headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201 and created.json["created_by"] == "Nguyễn Thị Lan"
    assert client.delete("/v1/session").status_code == 204
    assert client.get("/v1/session").status_code == 401
    assert client.post("/v1/sites", json=site_record("dai-noi")).status_code == 401


def test_a_disabled_account_s_session_ends(client, services, people):
    signed_in = client.post("/v1/session", json={"username": "minh", "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.json
    assert client.get("/v1/reviews").status_code == 200
    services.accounts.disable("minh")
    assert client.get("/v1/reviews").status_code == 401


def test_administrators_manage_organisations_accounts_keys_and_categories(client, services, people):
    admin = services.accounts.create("quan", "Quản trị", "hue", "admin", PASSWORD)
    _record, secret = services.tokens.create("", account=admin)
    root = {"Authorization": f"Bearer {secret}"}
    for url in ("organisations", "accounts", "api-keys"):
        assert client.get(f"/v1/admin/{url}", headers=people["minh"]).status_code == 403
        assert client.get(f"/v1/admin/{url}").status_code == 401

    org = client.post(
        "/v1/admin/organisations",
        json={"code": "ninh-binh", "name": "Sở VHTT Ninh Bình"},
        headers=root,
    )
    assert org.status_code == 201 and org.json["code"] == "ninh-binh"
    again = client.post(
        "/v1/admin/organisations", json={"code": "ninh-binh", "name": "x"}, headers=root
    )
    assert again.status_code == 409
    bad = client.post("/v1/admin/organisations", json={"code": "Ninh Bình"}, headers=root)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"name"}
    codes = [o["code"] for o in client.get("/v1/admin/organisations", headers=root).json["items"]]
    assert codes == ["hue", "ninh-binh", "vinh-long"]

    person = {
        "username": "mai",
        "display_name": "Đỗ Thị Mai",
        "organisation": "ninh-binh",
        "role": "editor",
        "password": "short",
    }
    short = client.post("/v1/admin/accounts", json=person, headers=root)
    assert short.status_code == 422 and "password" in short.json["errors"]
    made = client.post("/v1/admin/accounts", json={**person, "password": PASSWORD}, headers=root)
    assert made.status_code == 201 and "password" not in made.json
    assert (made.json["organisation"], made.json["role"], made.json["disabled"]) == (
        "ninh-binh",
        "editor",
        False,
    )
    stored = services.accounts.find("mai")
    assert stored.password_hash.startswith("$argon2id$")
    promoted = client.patch("/v1/admin/accounts/mai", json={"role": "reviewer"}, headers=root)
    assert promoted.status_code == 200 and promoted.json["role"] == "reviewer"
    off = client.patch("/v1/admin/accounts/lan", json={"disabled": True}, headers=root)
    assert off.status_code == 200 and off.json["disabled"]
    assert client.get("/v1/reviews", headers=people["lan"]).status_code == 401
    assert client.patch("/v1/admin/accounts/nobody", json={}, headers=root).status_code == 404
    own = client.patch("/v1/admin/accounts/quan", json={"role": "viewer"}, headers=root)
    assert own.status_code == 409
    listed = client.get("/v1/admin/accounts", headers=root).json["items"]
    assert {a["username"]: a["disabled"] for a in listed}["lan"] is True

    key = client.post(
        "/v1/admin/api-keys", json={"name": "Huế Guide", "plan": "partner"}, headers=root
    )
    assert key.status_code == 201 and key.json["key"].startswith(key.json["prefix"])
    assert client.get("/v1/sites", headers={"X-API-Key": key.json["key"]}).status_code == 200
    (listed_key,) = client.get("/v1/admin/api-keys", headers=root).json["items"]
    assert "key" not in listed_key and listed_key["plan"] == "partner"
    assert (
        client.post(
            "/v1/admin/api-keys", json={"name": "x", "plan": "gold"}, headers=root
        ).status_code
        == 422
    )
    revoked = client.delete(f"/v1/admin/api-keys/{key.json['id']}", headers=root)
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert client.get("/v1/sites", headers={"X-API-Key": key.json["key"]}).status_code == 401
    assert client.delete(f"/v1/admin/api-keys/{2**70}", headers=root).status_code == 404

    category = {"code": "test-communal-house", "label": {"vi": "Đình làng"}, "parent": "religious"}
    assert (
        client.post("/v1/admin/categories", json=category, headers=people["minh"]).status_code
        == 403
    )
    added = client.post("/v1/admin/categories", json=category, headers=root)
    assert added.status_code == 201 and added.json["label"] == {"vi": "Đình làng"}
    assert "test-communal-house" in {c["code"] for c in client.get("/v1/categories").json["items"]}
    wrong = client.post(
        "/v1/admin/categories", json={"code": "x", "label": {"de": "Haus"}}, headers=root
    )
    assert wrong.status_code == 422 and "label" in wrong.json["errors"]
    assert client.post("/v1/admin/categories", json=category, headers=root).status_code == 409
