"""A running workspace (a real HTTP server on a free port) and a real Chromium driving it.

The browser is Debian's `chromium` through `chromium-driver` (scripts/bootstrap --test
installs both). Without them the tests skip, unless TOURISM_TEST_REQUIRE_BROWSER=1
(scripts/test and CI) makes that a failure. A failing test leaves a screenshot and the
page's HTML in var/test-screenshots/."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tourism_api.app import create_app
from tourism_api.jobs.queue import Worker

from ..http_server import serving

ROOT = Path(__file__).parents[2]
SHOTS = ROOT / "var" / "test-screenshots"
VENDOR = ROOT / "tourism_api" / "web" / "static" / "vendor" / ".built"
PASSWORD = "một mật khẩu dài đủ"


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _unavailable(reason: str):
    if os.environ.get("TOURISM_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TOURISM_TEST_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def live_server(settings):
    """The whole application, served over HTTP in a thread, on a free port."""
    if not VENDOR.exists():
        _unavailable("the workspace's front-end libraries are not built (scripts/build-web-assets)")
    app = create_app(settings)
    # Background jobs run as `tourism serve` runs them: a worker thread beside the server.
    worker = Worker(app.extensions["tourism"].jobs.queue)
    worker.start()
    with serving(app) as url:
        yield url
    worker.stop()


@pytest.fixture
def browser(request, tmp_path):
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        _unavailable("Debian's chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--lang=en-GB",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(0)
    yield driver
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::")[-1])
        driver.save_screenshot(str(SHOTS / f"{name}.png"))
        (SHOTS / f"{name}.html").write_text(driver.page_source, encoding="utf-8")
    driver.quit()


@pytest.fixture
def offices(services):
    """Huế (an editor and a reviewer) and Vĩnh Long (an editor)."""
    accounts = services.accounts
    accounts.create_organisation("hue", "Trung tâm Bảo tồn Di tích Cố đô Huế")
    accounts.create_organisation("vinh-long", "Bảo tàng Vĩnh Long")
    for username, name, org, role in (
        ("lan", "Nguyễn Thị Lan", "hue", "editor"),
        ("minh", "Trần Văn Minh", "hue", "reviewer"),
        ("tuan", "Võ Văn Tuấn", "vinh-long", "editor"),
    ):
        accounts.create(username, name, org, role, PASSWORD)
    return services
