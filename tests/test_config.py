"""Settings come from TOURISM_* variables, each default written once, and are really used."""

from __future__ import annotations

import dataclasses

import pytest

from tests.factories import load_hue, site_record
from tourism_api.app import create_app
from tourism_api.config import Settings
from tourism_api.container import Services

HOURS = {"weekly": {"mon": [{"opens": "07:00", "closes": "17:00"}]}}


def test_defaults_live_on_the_fields_and_variables_override_them():
    assert Settings.from_env({}) == Settings()
    settings = Settings.from_env(
        {
            "TOURISM_MAX_IMAGE_MB": "5",
            "TOURISM_INDEX_INLINE": "off",
            "TOURISM_LANGUAGES": "vi, en",
            "TOURISM_MAX_PAGE_SIZE": "250",
            "TOURISM_DEFAULT_TIMEZONE": "Asia/Bangkok",
            "TOURISM_DATABASE_URL": "",  # empty means unset
        }
    )
    assert settings.max_image_bytes == 5 * 1024 * 1024
    assert settings.index_inline is False
    assert settings.languages == ("vi", "en")
    assert settings.max_page_size == 250
    assert settings.default_timezone == "Asia/Bangkok"
    assert settings.database_url == Settings().database_url


@pytest.mark.parametrize(
    "environ",
    [
        {"TOURISM_MAX_PAGE_SIZE": "many"},
        {"TOURISM_INDEX_INLINE": "perhaps"},
        {"TOURISM_DEFAULT_TIMEZONE": "Mars/Olympus_Mons"},
        {"TOURISM_DEFAULT_PAGE_SIZE": "500"},  # above the maximum
    ],
)
def test_bad_values_are_refused_with_the_variable_named(environ):
    with pytest.raises(ValueError, match=next(iter(environ))):
        Settings.from_env(environ)


def test_default_timezone_is_what_hours_without_one_are_stored_in(settings):
    services = Services.build(dataclasses.replace(settings, default_timezone="Asia/Bangkok"))
    site = services.catalogue.create_site(site_record(opening_hours=HOURS), "lan")
    assert site.opening_hours["timezone"] == "Asia/Bangkok"
    named = {**HOURS, "timezone": "Europe/Paris"}
    other = services.catalogue.create_site(site_record("dai-noi", opening_hours=named), "lan")
    assert other.opening_hours["timezone"] == "Europe/Paris"


def test_search_pages_follow_the_configured_maximum(search_settings, search_services):
    """(`search_services` drops the test's index afterwards.)"""
    settings = dataclasses.replace(search_settings, max_page_size=5, default_page_size=5)
    services = Services.build(settings)
    load_hue(services.catalogue)
    client = create_app(settings).test_client()
    assert len(client.get("/v1/search?q=hue&limit=5").json["items"]) <= 5
    refused = client.get("/v1/search?q=hue&limit=6")
    assert refused.status_code == 422 and "limit" in refused.json["errors"]
    wider = dataclasses.replace(search_settings, max_page_size=150)
    assert create_app(wider).test_client().get("/v1/search?q=hue&limit=150").status_code == 200
