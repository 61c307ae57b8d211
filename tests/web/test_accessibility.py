"""Every form field of the workspace has a name a screen reader can say (a label, or an
aria-label), and every page says its language; checked on each page as staff see it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.factories import site_record
from tests.media.helpers import generated_jpeg
from tests.web.conftest import PASSWORD
from tests.web.test_pages import signed_in

FIELDS = ("input", "select", "textarea")
UNLABELLED_TYPES = ("hidden", "submit", "button")


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.labels_for: set[str] = set()
        self.open_labels = 0
        self.fields: list[tuple[str, dict]] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                self.labels_for.add(attributes["for"])
        if tag in FIELDS and attributes.get("type") not in UNLABELLED_TYPES:
            self.fields.append((tag, {**attributes, "_in_label": self.open_labels > 0}))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def unlabelled(self) -> list[str]:
        return [
            f"{tag} name={a.get('name')!r} id={a.get('id')!r}"
            for tag, a in self.fields
            if not (a["_in_label"] or a.get("aria-label") or a.get("id") in self.labels_for)
        ]


@pytest.fixture
def admin_client(client, offices):
    offices.accounts.create("quan", "Quản trị", "hue", "admin", PASSWORD)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    signed_in(client, "quan")
    return client


def test_every_field_of_every_page_is_labelled(admin_client, offices):
    hue = offices.accounts.organisation("hue").id
    site = offices.catalogue.create_site(site_record(), "quan", organisation_id=hue)
    offices.media.add(site.id, generated_jpeg(300, 200), filename="a.jpg", details={}, actor="x")
    offices.lifecycle.change_status(site.id, "in_review", "Nguyễn Thị Lan")
    pages = [
        "/staff/",
        "/staff/sites?q=chua",
        "/staff/sites/new",
        f"/staff/sites/{site.id}",
        f"/staff/sites/{site.id}/history",
        "/staff/reviews",
        "/staff/imports",
        "/staff/admin",
    ]
    for url in pages:
        answer = admin_client.get(url)
        assert answer.status_code == 200, url
        parsed = _Fields()
        parsed.feed(answer.get_data(as_text=True))
        assert parsed.fields or url in ("/staff/", f"/staff/sites/{site.id}/history"), url
        assert parsed.unlabelled() == [], url
        assert parsed.html_lang == "vi", url
    signed_out = admin_client.application.test_client()
    parsed = _Fields()
    parsed.feed(signed_out.get("/staff/sign-in").get_data(as_text=True))
    assert len(parsed.fields) == 2 and parsed.unlabelled() == []
