"""The tourist app in a real Chromium on a phone-sized screen, on both databases: search with
suggestions, a site page, another language, the open-now filter, near me, and a page seen
once that opens again when the server can no longer be reached (the service worker)."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen

from tests.factories import load_hue
from tests.http_server import serving
from tests.web.test_journeys import wait
from tourism_api.app import create_app

ALWAYS = {"timezone": "Asia/Ho_Chi_Minh", "osm": "24/7"}
NEVER = {"timezone": "Asia/Ho_Chi_Minh", "osm": "off"}


def results(browser) -> list[str]:
    return [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#results li a")]


def test_a_tourist_searches_opens_a_site_filters_and_reads_it_offline(browser, settings, services):
    ids = load_hue(services.catalogue)
    for slug, hours in (("chua-thien-mu", ALWAYS), ("lang-tu-duc", NEVER)):
        site = services.catalogue.get_site(slug)
        services.catalogue.update_site(
            slug, {"opening_hours": hours}, "t", expected_version=site.version
        )
    browser.set_window_size(412, 900)
    app = create_app(settings)
    with serving(app) as base:
        browser.get(f"{base}/explore/?lang=vi")
        # The first list came with the page; the map asks for the API's own vector tiles.
        assert "Chùa Thiên Mụ" in results(browser)
        wait(browser).until(
            lambda b: b.execute_script(
                "return performance.getEntriesByType('resource')"
                ".some(e => e.name.includes('/tiles/WebMercatorQuad/'))"
            )
        )
        # Typed without diacritics, found with them; the suggestion opens the page.
        browser.find_element(By.ID, "q").send_keys("chua thien mu")
        option = wait(browser).until(
            seen.visibility_of_element_located((By.CSS_SELECTOR, "#suggestions li"))
        )
        assert option.text == "Chùa Thiên Mụ"
        option.click()
        wait(browser).until(seen.url_contains("/explore/sites/chua-thien-mu"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Chùa Thiên Mụ"
        assert "Đang mở cửa" in browser.find_element(By.ID, "hours-now").text
        # In English: the interface and the name.
        browser.find_element(By.LINK_TEXT, "EN").click()
        wait(browser).until(lambda b: b.find_element(By.TAG_NAME, "h1").text == "Thien Mu Pagoda")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert "Open" in browser.find_element(By.ID, "hours-now").text
        # Open now: the tomb (closed) leaves the list, the pagoda (24/7) stays.
        browser.get(f"{base}/explore/")
        assert "Tomb of Tu Duc" in results(browser)
        browser.find_element(By.ID, "f-open").click()
        wait(browser).until(lambda b: "Tomb of Tu Duc" not in results(b))
        assert "Thien Mu Pagoda" in results(browser)
        browser.find_element(By.ID, "f-open").click()
        # Near me, from the phone's position at the pagoda's gate.
        browser.execute_cdp_cmd(
            "Browser.grantPermissions", {"origin": base, "permissions": ["geolocation"]}
        )
        browser.execute_cdp_cmd(
            "Emulation.setGeolocationOverride",
            {"latitude": 16.4535, "longitude": 107.5450, "accuracy": 10},
        )
        browser.find_element(By.ID, "near-me").click()
        wait(browser).until(lambda b: results(b)[:1] == ["Thien Mu Pagoda"])
        first = browser.find_element(By.CSS_SELECTOR, "#results li .distance").text
        assert first.endswith(" m")  # metres away
        # The service worker has taken over the app; the page seen is kept.
        wait(browser, 20).until(
            lambda b: b.execute_script("return !!navigator.serviceWorker.controller")
        )
        browser.get(f"{base}/explore/sites/chua-thien-mu")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Thien Mu Pagoda"
    # The server is gone (a weak signal at the monument): the page opens from the phone.
    browser.get(f"{base}/explore/sites/chua-thien-mu")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Thien Mu Pagoda"
    assert ids["chua-thien-mu"]


def test_a_tourist_plans_a_day_and_sees_it_on_the_map(browser, settings, services):
    load_hue(services.catalogue)
    app = create_app(settings)
    with serving(app) as base:
        browser.set_window_size(412, 900)
        browser.get(f"{base}/explore/plan?sites=chua-thien-mu&sites=lang-tu-duc&lang=en")
        field = browser.find_element(By.ID, "p-start")
        browser.execute_script("arguments[0].value = '2031-03-04T08:00'", field)
        browser.find_element(By.CSS_SELECTOR, "#plan-form button[type=submit]").click()
        wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#plan-stops li")) == 2)
        stops = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#plan-stops li")]
        assert {s.split("\n")[0][3:] for s in stops} == {"Thien Mu Pagoda", "Tomb of Tu Duc"}
        assert all("min of travel" in s for s in stops)
        # The route is drawn: a line and a marker per stop.
        assert browser.find_elements(By.CSS_SELECTOR, "#plan-map .leaflet-overlay-pane path")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#plan-map .leaflet-marker-icon")) == 2
        assert browser.find_element(By.ID, "plan-status").text.startswith("Back at")
