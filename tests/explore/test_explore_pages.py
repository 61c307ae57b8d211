"""The tourist app's pages without a browser (both databases): the shell with its first
results, a site page with JSON-LD, hours, events and the report form, languages, the
manifest and the service worker."""

from __future__ import annotations

import json
import re

import pytest
from pyld import jsonld

from tests.factories import load_hue, site_record
from tests.media.helpers import generated_jpeg, post_photo
from tests.standards.test_jsonld import SDO, _offline_loader


@pytest.fixture
def hue(catalogue, client, staff):
    ids = load_hue(catalogue)
    etag = client.get("/v1/sites/chua-thien-mu", headers=staff).headers["ETag"]
    answer = client.patch(
        "/v1/sites/chua-thien-mu",
        json={
            "name": {"fr": "Pagode de la Dame céleste"},
            "short_description": {"en": "Seven-storey pagoda on the Perfume River"},
            "opening_hours": {"timezone": "Asia/Ho_Chi_Minh", "osm": "24/7"},
            "events": [
                {
                    "id": "le-ram",
                    "name": {"vi": "Lễ rằm", "en": "Full-moon rite"},
                    "calendar": "lunar",
                    "recurrence": "monthly",
                    "days_of_month": [1, 15],
                }
            ],
        },
        headers={**staff, "If-Match": etag},
    )
    assert answer.status_code == 200, answer.json
    return ids


def text(answer) -> str:
    assert answer.status_code == 200, answer.data[:400]
    return answer.get_data(as_text=True)


def test_the_shell_lists_what_is_near_hue_in_the_browser_s_language(client, hue):
    page = text(client.get("/explore/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}))
    assert '<html lang="fr">' in page
    assert "Patrimoine de Huế" in page and "Autour de moi" in page
    assert "Pagode de la Dame céleste" in page  # the French name where there is one
    assert 'lang="vi">Đại Nội Huế' in page  # and the Vietnamese one, marked, where not
    strings = json.loads(re.search(r'id="strings">(.*?)</script>', page).group(1))
    assert strings["open"] == "Ouvert"
    # ?lang= switches and is remembered.
    english = client.get("/explore/?lang=en", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in text(english)
    assert "explore_lang=en" in english.headers["Set-Cookie"]
    assert '<html lang="en">' in text(client.get("/explore/", headers={"Accept-Language": "fr"}))


def test_a_site_page_has_json_ld_hours_events_and_a_report_form(client, hue):
    page = text(client.get("/explore/sites/chua-thien-mu?lang=en"))
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    (node,) = jsonld.expand(data, {"documentLoader": _offline_loader})
    assert SDO + "TouristAttraction" in node["@type"]
    assert "Open" in re.search(r'id="hours-now">([^<]*)<', page).group(1)
    assert "Full-moon rite" in page  # the next rites (1st and 15th) within two months
    assert "Seven-storey pagoda" in page
    assert 'action="/explore/sites/chua-thien-mu/report"' in page
    # An id redirects to the slug, the page's stable address.
    assert client.get(f"/explore/sites/{hue['chua-thien-mu']}").status_code == 301


def test_the_report_form_reaches_the_office_and_thanks(client, hue, staff):
    answer = client.post(
        "/explore/sites/chua-thien-mu/report",
        data={"category": "closed", "text": "Hôm nay đóng cửa", "website": ""},
    )
    assert answer.status_code == 303 and "reported=1" in answer.headers["Location"]
    location = answer.headers["Location"].split("#")[0]
    assert "Thank you" in text(client.get(location + "&lang=en"))
    (report,) = client.get("/v1/reviews/reports", headers=staff).json["items"]
    assert report["text"] == "Hôm nay đóng cửa" and report["lang"] == "vi"


def test_unknown_and_unpublished_sites_get_a_page(client, catalogue):
    catalogue.create_site(site_record(), "t")  # a draft
    for path in ("/explore/sites/chua-thien-mu", "/explore/sites/nowhere"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.mimetype == "text/html"
        assert "All sites" in answer.get_data(as_text=True) or "Tất cả" in answer.get_data(
            as_text=True
        )


def test_manifest_and_service_worker(client):
    manifest = client.get("/explore/manifest.webmanifest?lang=en")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.json
    assert body["start_url"] == "/explore/" and body["display"] == "standalone"
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/explore/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Cache-Control"] == "no-cache"
    script = worker.get_data(as_text=True)
    assert "__VERSION__" not in script
    for path in re.findall(r'"(/explore/static/[^"]+)"', script):
        assert client.get(path).status_code == 200, path


def test_the_plan_page_lists_sites_and_keeps_the_chosen_one(client, hue):
    page = text(client.get("/explore/plan?sites=chua-thien-mu&lang=en"))
    assert '<option value="chua-thien-mu" lang="en" selected>Thien Mu Pagoda</option>' in page
    assert '<option value="dai-noi"' in page and "Plan my day" in page
    assert "/explore/plan?sites=chua-thien-mu" in text(client.get("/explore/sites/chua-thien-mu"))


def test_a_bad_report_form_gets_a_page_that_says_why(client, hue):
    for data, word in (
        ({"category": "party", "text": "x"}, "Choose what is wrong"),
        ({"category": "hours", "text": "x" * 2001}, "too long"),
        ({"category": "other", "text": "!"}, "Say what is wrong"),
    ):
        answer = client.post("/explore/sites/chua-thien-mu/report?lang=en", data=data)
        assert answer.status_code == 422 and answer.mimetype == "text/html"
        assert word in answer.get_data(as_text=True)


def test_a_site_page_shows_its_photos_with_their_credits(client, hue, staff):
    answer = post_photo(
        client,
        staff,
        "chua-thien-mu",
        generated_jpeg(800, 600),
        creator="Lê Văn Hùng",
        licence="CC-BY-SA-4.0",
        **{"caption.en": "The Phước Duyên tower"},
    )
    assert answer.status_code == 201, answer.json
    page = text(client.get("/explore/sites/chua-thien-mu?lang=en"))
    assert f"/v1/media/{answer.json['id']}/thumb.webp" in page
    assert 'alt="The Phước Duyên tower"' in page and "© Lê Văn Hùng · CC-BY-SA-4.0" in page
    assert f'data-info="/iiif/3/{answer.json["id"]}/info.json"' in page
    # An id with odd parameters still redirects to the slug, never fails.
    moved = client.get(f"/explore/sites/{hue['chua-thien-mu']}?ref=x&_external=1&lang=en")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("?lang=en")
