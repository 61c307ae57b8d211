"""The workspace's pages without a browser: languages, CSRF, redirects, offices, errors."""

from __future__ import annotations

import re

import pytest

from tests.factories import site_record
from tests.web.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _in_english(client):
    """Messages are asserted in English; the language test sends its own header."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def signed_in(client, username: str) -> str:
    """Sign in through the form; the CSRF token the pages carry."""
    answer = client.post("/staff/sign-in", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 303
    page = client.get("/staff/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.mark.parametrize(
    ("accept", "ui", "heading"),
    [
        ("vi-VN,vi;q=0.9", None, "Đăng nhập"),
        ("fr-FR", None, "Se connecter"),
        ("vi", "en", "Sign in"),
    ],
)
def test_pages_speak_the_browser_s_language_or_the_chosen_one(client, accept, ui, heading):
    url = "/staff/sign-in" + (f"?ui={ui}" if ui else "")
    page = client.get(url, headers={"Accept-Language": accept})
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy  # no script from anywhere else
    # The base map's tiles (OpenStreetMap's by default) are the only outside images.
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy


def test_signing_in_goes_back_only_to_workspace_pages(client, offices):
    wrong = client.post("/staff/sign-in", data={"username": "lan", "password": "wrong one"})
    assert wrong.status_code == 401 and "Wrong username" in wrong.get_data(as_text=True)
    for target, expected in (
        ("/staff/sites", "/staff/sites"),
        ("https://evil.example/staff", "/staff/"),
        ("//evil.example/staff", "/staff/"),
        ("/v1/sites", "/staff/"),
    ):
        client.delete_cookie("tourism_session")
        answer = client.post(
            "/staff/sign-in", data={"username": "lan", "password": PASSWORD, "next": target}
        )
        assert answer.headers["Location"] == expected, target


def test_pages_need_a_person_and_forms_need_the_csrf_token(client, offices):
    assert client.get("/staff/sites").headers["Location"] == "/staff/sign-in?next=/staff/sites"
    csrf = signed_in(client, "lan")
    form = {"kind": "pagoda", "name.vi": "Chùa Từ Hiếu", "lat": "16.45", "lon": "107.58"}
    refused = client.post("/staff/sites/new", data=form)
    assert refused.status_code == 403 and "CSRF" in refused.get_data(as_text=True)
    created = client.post("/staff/sites/new", data={**form, "csrf_token": csrf})
    assert created.status_code == 303
    site_id = created.headers["Location"].split("/")[-1].split("?")[0]
    site = offices.catalogue.get_site(site_id, include_unpublished=True)
    assert site.organisation_id == offices.accounts.organisation("hue").id
    assert site.created_by == "Nguyễn Thị Lan" and site.name == {"vi": "Chùa Từ Hiếu"}


def test_an_editor_cannot_review_or_change_another_office_s_record(client, offices):
    hue = offices.accounts.organisation("hue").id
    site = offices.catalogue.create_site(site_record(), "lan", organisation_id=hue)
    csrf = signed_in(client, "tuan")
    assert client.get("/staff/reviews").status_code == 403
    opened = client.get(f"/staff/sites/{site.id}")  # an office opens its own records only
    assert opened.status_code == 403 and "another organisation" in opened.get_data(as_text=True)
    save = client.post(
        f"/staff/sites/{site.id}",
        data={
            "csrf_token": csrf,
            "version": "1",
            "kind": "pagoda",
            "name.vi": "x",
            "lat": "16",
            "lon": "107",
        },
    )
    assert save.status_code == 403 and "another organisation" in save.get_data(as_text=True)
    assert offices.catalogue.get_site(site.id, include_unpublished=True).version == 1
    assert client.get("/staff/sites/no-such-site").status_code == 404


def test_the_edit_form_keeps_what_it_does_not_show(client, offices):
    hue = offices.accounts.organisation("hue").id
    record = site_record(
        admission={
            "free": False,
            "prices": [
                {"label": {"vi": "Người lớn", "en": "Adults"}, "amount": 50000, "currency": "VND"}
            ],
            "notes": {"vi": "Miễn phí cho trẻ em dưới 7 tuổi"},
        },
        opening_hours={
            "weekly": {"mon": [{"opens": "08:00", "closes": "17:00"}]},
            "closures": [
                {
                    "start": "2027-02-06",
                    "end": "2027-02-08",
                    "reason": {"vi": "Tết", "en": "Lunar New Year"},
                },
                {"lunar_start": "07-15", "reason": {"vi": "Vu Lan", "en": "Ghost Festival"}},
            ],
        },
        designations=[{"type": "special_national_relic", "year": 2014, "reference": "QĐ 2383"}],
        sources=[{"source": "tth-relics", "source_id": "TTH-001"}],
        events=[
            {
                "id": "le-ram",
                "name": {"vi": "Lễ rằm", "en": "Full-moon rite"},
                "kind": "ceremony",
                "calendar": "lunar",
                "recurrence": "monthly",
                "days_of_month": [1, 15],
                "start_time": "19:00",
                "end_time": "21:00",
            },
            {
                "id": "vu-lan",
                "name": {"vi": "Vu Lan"},
                "calendar": "lunar",
                "recurrence": "yearly",
                "month": 7,
                "day": 15,
            },
        ],
    )
    site = offices.catalogue.create_site(record, "lan", organisation_id=hue)
    csrf = signed_in(client, "lan")
    page = client.get(f"/staff/sites/{site.id}").get_data(as_text=True)
    assert 'value="08:00-17:00"' in page and "tth-relics" in page
    assert "2027-02-06 2027-02-08 | Tết" in page and "Người lớn = 50000 VND" in page
    assert "lunar 07-15 | Vu Lan" in page
    assert "le-ram | lunar monthly 1,15 19:00-21:00 | Lễ rằm" in page
    form = {
        "csrf_token": csrf,
        "version": "1",
        "kind": site.kind,
        "slug": site.slug,
        "name.vi": site.name["vi"],
        "name.en": site.name["en"],
        "name.fr": "Pagode de la Dame céleste",
        "lat": "16.4531",
        "lon": "107.5446",
        "hours.mon": "08:00-17:00",
        "hours.sat": "08:00-12:00",
        "closures": "2027-02-06 2027-02-08 | Tết\nlunar 07-15 | Vu Lan\n"
        "2027-09-02 | Quốc khánh\nâm 01-01 01-03 | Tết âm lịch",
        "hours.osm": "Tu-Su 07:00-17:00; PH off",
        # The rite as it was; Vu Lan moved to two days; a new one-off exhibition.
        "events": "le-ram | lunar monthly 1,15 19:00-21:00 | Lễ rằm\n"
        "vu-lan | lunar yearly 07-15 2 days | Vu Lan\n"
        "trien-lam | 2027-03-01 2027-03-31 | Triển lãm ảnh",
        "prices": "Người lớn = 50000 VND\nSinh viên = 20.000 VND",
        "designations": "special_national_relic 2014",
    }
    bad = client.post(f"/staff/sites/{site.id}", data={**form, "closures": "6/2/2027 Tết"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    bad = client.post(f"/staff/sites/{site.id}", data={**form, "events": "x | someday | X"})
    assert bad.status_code == 422 and "Line 1" in bad.get_data(as_text=True)
    bad = client.post(f"/staff/sites/{site.id}", data={**form, "hours.osm": "Mox 07:00-17:00"})
    assert bad.status_code == 422 and "OSM opening_hours syntax" in bad.get_data(as_text=True)
    assert client.post(f"/staff/sites/{site.id}", data=form).status_code == 303
    saved = offices.catalogue.get_site(site.id, include_unpublished=True)
    assert saved.name["fr"] == "Pagode de la Dame céleste"
    # Lines left as they were keep what the form does not show (other languages, notes).
    assert saved.admission["notes"] == record["admission"]["notes"]
    assert saved.admission["prices"] == [
        record["admission"]["prices"][0],
        {"label": {"vi": "Sinh viên"}, "amount": 20000, "currency": "VND"},
    ]
    assert saved.opening_hours["closures"] == [
        *record["opening_hours"]["closures"],
        {"start": "2027-09-02", "reason": {"vi": "Quốc khánh"}},
        {"lunar_start": "01-01", "lunar_end": "01-03", "reason": {"vi": "Tết âm lịch"}},
    ]
    assert saved.opening_hours["osm"] == "Tu-Su 07:00-17:00; PH off"
    assert saved.events == [
        site.events[0],  # kept whole: its English name and kind are not on the line
        {
            "id": "vu-lan",
            "name": {"vi": "Vu Lan"},
            "calendar": "lunar",
            "recurrence": "yearly",
            "month": 7,
            "day": 15,
            "days": 2,
            "kind": "festival",
        },
        {
            "id": "trien-lam",
            "name": {"vi": "Triển lãm ảnh"},
            "calendar": "solar",
            "start": "2027-03-01",
            "end": "2027-03-31",
            "days": 1,
            "kind": "festival",
        },
    ]
    assert saved.designations == record["designations"]
    assert saved.opening_hours["weekly"]["sat"] == [{"opens": "08:00", "closes": "12:00"}]
    assert [(s.source, s.source_id) for s in saved.sources] == [("tth-relics", "TTH-001")]
    changes = offices.catalogue.revisions(site.id)[-1].changes
    assert set(changes) == {"name", "opening_hours", "admission", "events"}


def test_photos_go_up_through_the_plain_form_too(client, offices):
    import io

    from tests.media.helpers import generated_jpeg

    hue = offices.accounts.organisation("hue").id
    site = offices.catalogue.create_site(site_record(), "lan", organisation_id=hue)
    csrf = signed_in(client, "lan")
    files = [
        (io.BytesIO(generated_jpeg(400, 300)), "a.jpg"),
        (io.BytesIO(b"not an image"), "notes.txt"),
    ]
    answer = client.post(
        f"/staff/sites/{site.id}/photos",
        data={"csrf_token": csrf, "files": files},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "1 photos added." in page and "notes.txt was not added" in page
    (photo,) = offices.media.list_for_site(site.id, staff=True)
    described = client.post(
        f"/staff/media/{photo.id}",
        data={"csrf_token": csrf, "caption.vi": "Tháp Phước Duyên", "licence": "no such"},
        follow_redirects=True,
    )
    assert "The photo was not saved" in described.get_data(as_text=True)
    client.post(
        f"/staff/media/{photo.id}",
        data={"csrf_token": csrf, "caption.vi": "Tháp Phước Duyên", "licence": "CC-BY-SA-4.0"},
    )
    (photo,) = offices.media.list_for_site(site.id, staff=True)
    assert (photo.caption, photo.licence) == ({"vi": "Tháp Phước Duyên"}, "CC-BY-SA-4.0")
    client.post(f"/staff/media/{photo.id}/delete", data={"csrf_token": csrf})
    assert offices.media.list_for_site(site.id, staff=True) == []


def test_the_history_page_restores_an_earlier_version(client, offices):
    hue = offices.accounts.organisation("hue").id
    site = offices.catalogue.create_site(site_record(), "Nguyễn Thị Lan", organisation_id=hue)
    offices.catalogue.update_site(site.id, {"name": {"en": "Wrong name"}}, "Trần Văn Minh")
    csrf = signed_in(client, "lan")
    page = client.get(f"/staff/sites/{site.id}/history").get_data(as_text=True)
    assert "Wrong name" in page and "Trần Văn Minh" in page and 'id="version-2"' in page
    done = client.post(
        f"/staff/sites/{site.id}/restore",
        data={"csrf_token": csrf, "version": "2", "restore": "1"},
        follow_redirects=True,
    )
    assert "Version 1 restored as a new version." in done.get_data(as_text=True)
    restored = offices.catalogue.get_site(site.id, include_unpublished=True)
    assert restored.name == site.name and restored.version == 3


def test_administrators_manage_people_keys_and_categories_in_the_workspace(client, offices):
    offices.accounts.create("quan", "Quản trị", "hue", "admin", PASSWORD)
    csrf = signed_in(client, "lan")
    assert client.get("/staff/admin").status_code == 403
    client.delete_cookie("tourism_session")
    csrf = signed_in(client, "quan")
    page = client.get("/staff/admin").get_data(as_text=True)
    assert 'id="account-lan"' in page and "vinh-long" in page
    made = client.post(
        "/staff/admin/accounts",
        data={
            "csrf_token": csrf,
            "username": "mai",
            "display_name": "Đỗ Thị Mai",
            "organisation": "vinh-long",
            "role": "reviewer",
            "password": PASSWORD,
        },
        follow_redirects=True,
    )
    assert "Account created." in made.get_data(as_text=True)
    assert offices.accounts.find("mai").role == "reviewer"
    short = client.post(
        "/staff/admin/accounts",
        data={
            "csrf_token": csrf,
            "username": "x",
            "display_name": "X",
            "organisation": "hue",
            "role": "editor",
            "password": "short",
        },
        follow_redirects=True,
    )
    assert "password" in short.get_data(as_text=True) and offices.accounts.find("x") is None
    client.post(
        "/staff/admin/accounts/lan",
        data={"csrf_token": csrf, "role": "reviewer", "organisation": "hue", "disabled": "1"},
    )
    lan = offices.accounts.find("lan")
    assert lan.role == "reviewer" and lan.disabled_at is not None
    mine = client.post(
        "/staff/admin/accounts/quan",
        data={"csrf_token": csrf, "role": "viewer", "organisation": "hue", "disabled": "0"},
        follow_redirects=True,
    )
    assert "your own administrator role" in mine.get_data(as_text=True)
    assert offices.accounts.find("quan").role == "admin"
    key_page = client.post(
        "/staff/admin/api-keys", data={"csrf_token": csrf, "name": "Huế Guide", "plan": "partner"}
    )
    assert key_page.status_code == 201
    secret = re.search(r'id="new-key" class="secret">([^<]+)<', key_page.get_data(as_text=True))
    assert offices.api_keys.authenticate(secret.group(1)).plan == "partner"
    added = client.post(
        "/staff/admin/categories",
        data={
            "csrf_token": csrf,
            "code": "test-dinh-lang",
            "label.vi": "Đình làng",
            "parent": "religious",
        },
        follow_redirects=True,
    )
    assert "Category added." in added.get_data(as_text=True)
    assert "test-dinh-lang" in [c.code for c in offices.taxonomy.categories()]


def test_a_malformed_form_gets_a_page_not_a_crash(client, offices):
    hue = offices.accounts.organisation("hue").id
    site = offices.catalogue.create_site(site_record(), "lan", organisation_id=hue)
    csrf = signed_in(client, "lan")
    form = {"csrf_token": csrf, "kind": "pagoda", "name.vi": "Chùa", "lat": "16.4", "lon": "107.5"}
    answer = client.post(f"/staff/sites/{site.id}", data={**form, "version": "x"})
    assert answer.status_code == 400 and answer.mimetype == "text/html"
    empty = client.post(f"/staff/sites/{site.id}", data={"csrf_token": csrf, "version": "1"})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    assert client.get("/staff/no-such-page").mimetype == "text/html"


def test_a_flagged_photo_is_checked_and_its_flags_go(client, offices):
    import io

    from tests.media.helpers import generated_jpeg

    hue = offices.accounts.organisation("hue").id
    site = offices.catalogue.create_site(site_record(), "lan", organisation_id=hue)
    csrf = signed_in(client, "lan")
    same = generated_jpeg(400, 300)
    for name in ("a.jpg", "b.jpg"):
        client.post(
            f"/staff/sites/{site.id}/photos",
            data={"csrf_token": csrf, "files": [(io.BytesIO(same), name)]},
            content_type="multipart/form-data",
        )
    first, second = offices.media.list_for_site(site.id, staff=True)
    assert [f["code"] for f in second.review] == ["near_duplicate"]
    page = client.get(f"/staff/sites/{site.id}").get_data(as_text=True)
    assert "looks like photo" in page
    dashboard = client.get("/staff/").get_data(as_text=True)
    assert 'id="flagged-link"' in dashboard
    listed = client.get("/staff/sites?flagged=1").get_data(as_text=True)
    assert f'href="/staff/sites/{site.id}"' in listed
    client.post(f"/staff/media/{second.id}/checked", data={"csrf_token": csrf})
    assert f'href="/staff/sites/{site.id}"' not in client.get("/staff/sites?flagged=1").get_data(
        as_text=True
    )
    assert offices.media.get(second.id, staff=True).review == []
    last = offices.catalogue.revisions(site.id)[-1]
    assert last.changes["media"]["new"]["checked"] == ["near_duplicate"]


def test_the_language_a_person_picks_follows_their_account(app, offices):
    first = app.test_client()
    signed_in(first, "lan")
    assert "<h1>Tableau de bord</h1>" in first.get("/staff/?ui=fr").get_data(as_text=True)
    assert offices.accounts.find("lan").language == "fr"
    elsewhere = app.test_client()  # another browser, asking for English
    elsewhere.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    signed_in(elsewhere, "lan")
    assert "<h1>Tableau de bord</h1>" in elsewhere.get("/staff/").get_data(as_text=True)


def test_records_are_found_by_category_province_and_what_they_lack(client, offices):
    hue = offices.accounts.organisation("hue").id
    make = offices.catalogue.create_site
    make(
        site_record("chua-thien-mu", categories=["religious"], admin_area="Huế"),
        "lan",
        organisation_id=hue,
    )
    make(site_record("lang-tu-duc", admin_area="Huế"), "lan", organisation_id=hue)
    make(site_record("dai-noi", admin_area="Quảng Trị"), "lan", organisation_id=hue)
    signed_in(client, "lan")

    def names(**query) -> set[str]:
        page = client.get("/staff/sites", query_string=query).get_data(as_text=True)
        return set(re.findall(r'<td><a href="/staff/sites/[^"]+">([^<]+)</a>', page))

    assert names(category="religious") == {"Thien Mu Pagoda"}
    assert names(area="Huế") == {"Thien Mu Pagoda", "Tomb of Tu Duc"}
    assert len(names()) == 3 and names(missing="photo") == names()
    assert names(q="lang tu duc") == {"Tomb of Tu Duc"}
    assert names(q="TOMB of tu") == {"Tomb of Tu Duc"}  # any language, folded
    assert names(q="chua-thien-mu") == {"Thien Mu Pagoda"}  # its slug


def test_an_office_uploads_its_own_mapping_profile(client, offices):
    from tests.ingest.test_pipeline import FIXTURES

    csrf = signed_in(client, "lan")
    text = (FIXTURES / "hue-relics.toml").read_text(encoding="utf-8")
    wrong = client.post(
        "/staff/imports/profiles",
        data={"csrf_token": csrf, "name": "di-tich-hue", "toml": "[source"},
        follow_redirects=True,
    )
    assert "di-tich-hue" not in [p.name for p in offices.imports.stored_profiles(None)]
    assert 'class="problem flash"' in wrong.get_data(as_text=True)
    saved = client.post(
        "/staff/imports/profiles",
        data={"csrf_token": csrf, "name": "di-tich-hue", "toml": text},
        follow_redirects=True,
    )
    page = saved.get_data(as_text=True)
    assert "Profile di-tich-hue saved" in page and '<option value="di-tich-hue">' in page
    (stored,) = offices.imports.stored_profiles(offices.accounts.organisation("hue").id)
    assert stored.created_by == "Nguyễn Thị Lan"


def test_the_page_policy_follows_the_configured_base_map():
    from tourism_api.api.security_headers import tile_source

    assert tile_source("https://{s}.tile.example.vn/{z}/{x}/{y}.png") == "https://*.tile.example.vn"
    assert tile_source("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png") == "http://127.0.0.1:8080"
    assert tile_source("/tiles/{z}/{x}/{y}.png") == ""  # this server's own: 'self' covers it


def test_visitors_reports_reach_the_office_s_reviewers(client, offices):
    hue = offices.accounts.organisation("hue").id
    offices.catalogue.create_site(site_record(), "lan", status="published", organisation_id=hue)
    sent = client.post(
        "/v1/sites/chua-thien-mu/reports",
        json={"category": "closed", "text": "Hôm nay chùa đóng cửa để sửa chữa."},
    )
    assert sent.status_code == 202
    csrf = signed_in(client, "minh")
    page = client.get("/staff/reviews").get_data(as_text=True)
    assert "Hôm nay chùa đóng cửa để sửa chữa." in page and f"report-{sent.json['id']}" in page
    done = client.post(
        f"/staff/reports/{sent.json['id']}/resolve", data={"csrf_token": csrf, "comment": "Đã ghi"}
    )
    assert done.status_code == 303
    assert "Hôm nay chùa đóng cửa" not in client.get("/staff/reviews").get_data(as_text=True)
    # Another office's reviewer would not see it; an editor cannot decide.
    client.post("/staff/sign-out", data={"csrf_token": csrf})
    csrf = signed_in(client, "lan")
    refused = client.post(f"/staff/reports/{sent.json['id']}/dismiss", data={"csrf_token": csrf})
    assert refused.status_code == 403
