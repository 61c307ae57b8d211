"""The staff workspace in a real Chromium against a running server, on both databases."""

from __future__ import annotations

import json

import requests
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import site_record
from tests.ingest.test_pipeline import FIXTURES, STAFF_PROFILE
from tests.ingest.test_pipeline import run as import_file
from tests.media.helpers import generated_jpeg
from tests.web.conftest import PASSWORD, ROOT

SCREENSHOTS = ROOT / "docs" / "screenshots"


def wait(browser, seconds: float = 10) -> WebDriverWait:
    """Waits through pages being replaced (an element read as the next page loads)."""
    return WebDriverWait(
        browser,
        seconds,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    )


def screenshot(browser, name: str) -> None:
    """The pictures README shows, made by the suite so that they show the workspace as it is."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(SCREENSHOTS / name))


def fits_a_phone(browser, url: str) -> bool:
    """Whether the page, on a 390 px wide screen, needs no sideways scrolling (tables scroll
    inside their own boxes)."""
    browser.set_window_size(390, 844)
    try:
        browser.get(url)
        return browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )
    finally:
        browser.set_window_size(1280, 1000)


def sign_in(browser, base: str, username: str, then: str = "/staff/") -> None:
    browser.delete_all_cookies()
    browser.get(f"{base}/staff/sign-in?next={then}")
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(browser).until(seen.presence_of_element_located((By.CSS_SELECTOR, ".who .person")))


def fill(browser, field_id: str, text: str) -> None:
    element = browser.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(text)


def test_an_editor_creates_a_site_on_the_map_and_a_reviewer_publishes_it(
    browser, live_server, offices, tmp_path
):
    sign_in(browser, live_server, "lan")
    browser.find_element(By.LINK_TEXT, "New site").click()
    # The map is live (Leaflet from the npm build); a click on it places the site.
    map_element = wait(browser).until(
        seen.visibility_of_element_located((By.CSS_SELECTOR, "#map.live"))
    )
    assert browser.find_element(By.ID, "f-lat").get_attribute("value") == ""
    map_element.click()
    lat = float(browser.find_element(By.ID, "f-lat").get_attribute("value"))
    lon = float(browser.find_element(By.ID, "f-lon").get_attribute("value"))
    assert abs(lat - 16.4637) < 0.05 and abs(lon - 107.5909) < 0.05  # around Huế
    browser.find_element(By.CSS_SELECTOR, ".leaflet-marker-icon")  # the marker is shown
    # Its grounds, drawn as a polygon with Leaflet-Geoman: four corners, then the first again.
    browser.find_element(By.CSS_SELECTOR, ".leaflet-pm-icon-polygon").click()
    for dx, dy in ((-60, -40), (60, -40), (60, 40), (-60, 40), (-60, -40)):
        ActionChains(browser).move_to_element_with_offset(map_element, dx, dy).click().perform()
    area = json.loads(browser.find_element(By.ID, "f-footprint").get_attribute("value"))
    assert area["type"] == "Polygon" and len(area["coordinates"][0]) == 5
    # The corners did not move the site's own place.
    assert float(browser.find_element(By.ID, "f-lat").get_attribute("value")) == lat
    assert float(browser.find_element(By.ID, "f-lon").get_attribute("value")) == lon
    fill(browser, "f-name-vi", "Chùa Từ Hiếu")
    fill(browser, "f-name-en", "Tu Hieu Pagoda")
    browser.find_element(By.CSS_SELECTOR, "#f-kind option[value=pagoda]").click()
    fill(browser, "f-hours-mon", "07:00-11:30, 13:30-17:00")
    fill(browser, "f-hours-sun", "06:00-18:00")
    browser.find_element(By.ID, "save").click()
    wait(browser).until(seen.presence_of_element_located((By.ID, "saved")))
    site_id = browser.current_url.rsplit("/", 1)[1].split("?")[0]
    assert browser.find_element(By.ID, "site-status").text == "draft"
    stored = offices.catalogue.get_site(site_id, include_unpublished=True)
    assert stored.is_zone  # the drawn polygon is its footprint
    # On a phone's screen the pages fit its width: nothing to scroll sideways.
    for page in (f"/staff/sites/{site_id}", "/staff/", "/staff/sites", "/staff/imports"):
        assert fits_a_phone(browser, live_server + page), page
    browser.get(f"{live_server}/staff/sites/{site_id}")
    # A mistake is shown next to its field, and nothing is saved.
    fill(browser, "f-hours-tue", "7 to 5")
    browser.find_element(By.ID, "save").click()
    problem = wait(browser).until(seen.presence_of_element_located((By.ID, "problem-hours-tue")))
    assert "07:00-11:30" in problem.text
    fill(browser, "f-hours-tue", "")
    browser.find_element(By.ID, "save").click()
    wait(browser).until(seen.presence_of_element_located((By.ID, "saved")))
    # Two photos at once, each with its own progress bar, then the page shows them.
    files = []
    for number, size in enumerate(((800, 600), (640, 900))):
        path = tmp_path / f"tu-hieu-{number}.jpg"
        path.write_bytes(generated_jpeg(*size))
        files.append(str(path))
    browser.find_element(By.ID, "photo-files").send_keys("\n".join(files))
    browser.find_element(By.ID, "upload-photos").click()
    wait(browser, 30).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "article.photo")) == 2)
    first = browser.find_elements(By.CSS_SELECTOR, "article.photo")[0]
    assert "primary" in first.text.lower()
    fill(
        browser,
        first.find_element(By.CSS_SELECTOR, "input[name='caption.vi']").get_attribute("id"),
        "Cổng tam quan",
    )
    first.find_element(By.CSS_SELECTOR, "input[name=licence]").send_keys("CC-BY-4.0")
    first.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    wait(browser).until(seen.presence_of_element_located((By.CSS_SELECTOR, "p.flash.saved")))
    screenshot(browser, "workspace-site.png")
    # Deep zoom through the site's own IIIF service (a draft's photo: the session's cookie).
    browser.find_element(By.CSS_SELECTOR, "article.photo button.zoom").click()
    wait(browser).until(
        lambda b: b.execute_script(
            "return performance.getEntriesByType('resource')"
            ".some(e => /\\/iiif\\/3\\/[^/]+\\/.+\\/default\\.(jpg|png|webp)/.test(e.name))"
        )
    )  # the viewer read info.json and fetched image tiles
    browser.find_element(By.CSS_SELECTOR, "#zoom-dialog form button").click()
    browser.find_element(By.ID, "submit").click()
    wait(browser).until(seen.text_to_be_present_in_element((By.ID, "site-status"), "in_review"))
    assert requests.get(f"{live_server}/v1/sites/{site_id}", timeout=5).status_code == 404

    sign_in(browser, live_server, "minh", then="/staff/reviews")
    assert fits_a_phone(browser, f"{live_server}/staff/reviews")
    browser.get(f"{live_server}/staff/reviews")
    review = wait(browser).until(seen.presence_of_element_located((By.ID, f"review-{site_id}")))
    assert "Tu Hieu Pagoda" in review.text and "Nguyễn Thị Lan" in review.text
    new_values = review.find_element(By.CSS_SELECTOR, "table.diff").text
    assert "07:00" in new_values  # the opening hours are in the diff
    # The new place is drawn on a map beside the diff.
    review.find_element(By.CSS_SELECTOR, ".diff-map.live path.leaflet-interactive")
    screenshot(browser, "workspace-review.png")
    review.find_element(By.CSS_SELECTOR, "textarea").send_keys("Đã kiểm tra tại chỗ")
    review.find_element(By.CSS_SELECTOR, "button.approve").click()
    wait(browser).until(seen.presence_of_element_located((By.ID, "no-reviews")))

    public = requests.get(f"{live_server}/v1/sites/{site_id}", timeout=5).json()
    assert public["status"] == "published" and public["name"]["en"] == "Tu Hieu Pagoda"
    assert public["opening_hours"]["weekly"]["mon"] == [
        {"opens": "07:00", "closes": "11:30"},
        {"opens": "13:30", "closes": "17:00"},
    ]
    photos = requests.get(f"{live_server}/v1/sites/{site_id}/media", timeout=5).json()["items"]
    assert len(photos) == 2 and photos[0]["caption"] == {"vi": "Cổng tam quan"}
    assert photos[0]["licence"] == "CC-BY-4.0"
    found = requests.get(f"{live_server}/v1/search", params={"q": "chua tu hieu"}, timeout=5)
    assert site_id in [hit["id"] for hit in found.json()["items"]]
    history = [(r.action, r.actor) for r in offices.catalogue.revisions(site_id)]
    # The refused save left nothing; saving the unchanged form again adds no version.
    assert history == [
        ("create", "Nguyễn Thị Lan"),
        ("media", "Nguyễn Thị Lan"),
        ("media", "Nguyễn Thị Lan"),
        ("media", "Nguyễn Thị Lan"),
        ("submit", "Nguyễn Thị Lan"),
        ("publish", "Trần Văn Minh"),
    ]


def test_another_office_cannot_edit_and_a_stale_save_shows_both_versions(
    browser, live_server, offices
):
    site = offices.catalogue.create_site(
        site_record(), "Nguyễn Thị Lan", organisation_id=offices.accounts.organisation("hue").id
    )
    sign_in(browser, live_server, "tuan", then=f"/staff/sites/{site.id}")
    # Vĩnh Long can neither open Huế's record nor find it.
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not allowed"
    assert "another organisation" in browser.page_source
    assert not browser.find_elements(By.ID, "save")
    browser.get(f"{live_server}/staff/sites?q=chua")
    assert "Nothing found." in browser.find_element(By.ID, "results").text

    sign_in(browser, live_server, "lan", then="/staff/sites?q=chua+thien+mu")
    # Found by its Vietnamese name typed without diacritics, in the list (named in the
    # page's language) and on the map.
    assert "Thien Mu Pagoda" in browser.find_element(By.ID, "results").text
    marker = browser.find_element(By.CSS_SELECTOR, "#results-map.live .leaflet-marker-icon")
    assert marker.get_attribute("title") == "Thien Mu Pagoda"
    browser.get(f"{live_server}/staff/sites/{site.id}")
    fill(browser, "f-name-fr", "Pagode de la Dame céleste")
    # Meanwhile a colleague saves another name.
    offices.catalogue.update_site(site.id, {"name": {"en": "Linh Mu Pagoda"}}, "Trần Văn Minh")
    browser.find_element(By.ID, "save").click()
    stale = wait(browser).until(seen.presence_of_element_located((By.ID, "stale")))
    assert "Trần Văn Minh" in stale.text and "Linh Mu Pagoda" in stale.text
    # The person's input is still in the form; saving again is a deliberate choice.
    assert browser.find_element(By.ID, "f-name-fr").get_attribute("value") == (
        "Pagode de la Dame céleste"
    )
    browser.find_element(By.ID, "save").click()
    wait(browser).until(seen.presence_of_element_located((By.ID, "saved")))
    saved = offices.catalogue.get_site(site.id, include_unpublished=True)
    assert saved.name["fr"] == "Pagode de la Dame céleste" and saved.version == 3


def test_an_editor_imports_a_spreadsheet_with_a_bad_row_and_a_conflict_is_resolved(
    browser, live_server, offices, tmp_path
):
    hue = offices.accounts.organisation("hue").id
    profile = (FIXTURES / "hue-relics.toml").read_text(encoding="utf-8")
    offices.imports.save_profile("hue-relics", profile, organisation_id=hue, actor="lan")
    import_file(
        offices.catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv", organisation_id=hue
    )
    offices.catalogue.update_site(
        "chua-thien-mu", {"name": {"en": "Thien Mu Pagoda (Linh Mu)"}}, "Nguyễn Thị Lan"
    )
    sheet = (FIXTURES / "hue-relics.utf8.csv").read_text(encoding="utf-8")
    sheet = sheet.replace("Thien Mu Pagoda", "Thiên Mụ Pagoda")
    sheet += "TTH-005,Cầu ngói Thanh Toàn,Thanh Toan Bridge,Cầu,,,Quốc gia,1990,,Thủy Thanh\n"
    sheet += "TTH-006,Cung An Định,An Dinh Palace,Cung,107.5893,16.4589,Quốc gia,1990,,Phú Hội\n"
    path = tmp_path / "di-tich-hue-2026.csv"
    path.write_text(sheet, encoding="utf-8")

    sign_in(browser, live_server, "lan", then="/staff/imports")
    browser.find_element(By.ID, "import-file").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "#import-profile option[value=hue-relics]").click()
    assert browser.find_element(By.NAME, "dry_run").is_selected()
    browser.find_element(By.ID, "start-import").click()
    # The progress page follows the job, then shows the report.
    problems = wait(browser, 30).until(seen.presence_of_element_located((By.ID, "problems")))
    rejected = [r.text for r in problems.find_elements(By.CSS_SELECTOR, "tr.rejected")]
    assert len(rejected) == 1 and "row 6" in rejected[0] and "location" in rejected[0]
    assert "Nothing was written yet." in browser.find_element(By.ID, "summary").text
    csv_link = browser.find_element(By.ID, "download").get_attribute("href")
    assert "row 6,location" in requests.get(
        csv_link, cookies={c["name"]: c["value"] for c in browser.get_cookies()}, timeout=5
    ).content.decode("utf-8-sig")
    commit = browser.find_element(By.ID, "commit")
    commit.click()
    wait(browser).until(seen.staleness_of(commit))
    wait(browser, 30).until(
        lambda b: "Nothing was written yet." not in b.find_element(By.ID, "summary").text
    )
    waiting = browser.find_element(By.ID, "waiting")
    assert "name.en" in waiting.text and "Thiên Mụ Pagoda" in waiting.text
    assert "1 created" in browser.find_element(By.ID, "summary").text
    assert offices.catalogue.get_site("cung-an-dinh", include_unpublished=True).name["en"] == (
        "An Dinh Palace"
    )
    thien_mu = offices.catalogue.get_site("chua-thien-mu", include_unpublished=True)
    assert thien_mu.name["en"] == "Thien Mu Pagoda (Linh Mu)"  # the person's value stays

    sign_in(browser, live_server, "minh", then="/staff/reviews")
    row = wait(browser).until(
        seen.presence_of_element_located((By.CSS_SELECTOR, "table.proposals tbody tr"))
    )
    assert "Thien Mu Pagoda (Linh Mu)" in row.text and "Thiên Mụ Pagoda" in row.text
    row.find_element(By.CSS_SELECTOR, "button.accept").click()
    wait(browser).until(seen.staleness_of(row))
    assert not browser.find_elements(By.CSS_SELECTOR, "table.proposals")
    thien_mu = offices.catalogue.get_site("chua-thien-mu", include_unpublished=True)
    assert thien_mu.name["en"] == "Thiên Mụ Pagoda"
