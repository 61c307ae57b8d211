"""Organisations, accounts and roles: who may do what, on whose records, and four-eyes review."""

from __future__ import annotations

import pytest

from tests.factories import site_record
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
    for method, url, body in (
        ("PATCH", f"/v1/sites/{hue_site}", {"aliases": ["x"]}),
        ("POST", f"/v1/sites/{hue_site}/submit", None),
    ):
        response = client.open(url, method=method, json=body, headers=read(client, hue_site, tuan))
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
