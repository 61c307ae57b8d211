"""Visitors' reports on both databases: taken without an account (with a photo or not),
counted when repeated, kept from spam, rate-limited, and only for the owning office."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.api.test_access import people  # noqa: F401 - the offices and their people
from tests.factories import site_record
from tests.media.helpers import photo


@pytest.fixture
def pagoda(client, services, people):  # noqa: F811
    hue = services.accounts.organisation("hue").id
    return services.catalogue.create_site(
        site_record(), "lan", status="published", organisation_id=hue
    )


def send(client, ref="chua-thien-mu", **body):
    return client.post(f"/v1/sites/{ref}/reports", json={"category": "hours", **body})


def test_a_visitor_reports_and_the_office_s_reviewer_decides(client, people, pagoda):  # noqa: F811
    answer = send(client, text="Đóng cửa lúc 17:00, không phải 17:30.", contact="an@example.vn")
    assert answer.status_code == 202
    assert answer.json["status"] == "received"
    again = send(client, text="Đóng cửa lúc 17:00, không phải 17:30.")
    assert again.json["id"] == answer.json["id"]  # the same report: counted, not repeated
    queue = client.get("/v1/reviews/reports", headers=people["minh"]).json["items"]
    (report,) = queue
    assert (report["count"], report["category"], report["contact"]) == (2, "hours", "an@example.vn")
    assert report["site"]["slug"] == "chua-thien-mu"
    # Another office sees nothing and can decide nothing; an editor may not review.
    assert client.get("/v1/reviews/reports", headers=people["tuan"]).status_code == 403
    assert client.get("/v1/reviews/reports", headers=people["lan"]).status_code == 403
    resolved = client.post(
        f"/v1/reviews/reports/{report['id']}/resolve",
        json={"comment": "Giờ đã sửa."},
        headers=people["minh"],
    )
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved"
    assert resolved.json["decided_by"] == "Trần Văn Minh"
    twice = client.post(f"/v1/reviews/reports/{report['id']}/dismiss", headers=people["minh"])
    assert twice.status_code == 409
    assert client.get("/v1/reviews/reports", headers=people["minh"]).json["items"] == []
    # The record itself never changed.
    assert client.get("/v1/sites/chua-thien-mu").json["version"] == pagoda.version


def test_a_report_with_a_photo_loses_its_exif(client, people, pagoda):  # noqa: F811
    jpeg = photo("DSCN0010.jpg")  # a camera photo with GPS in its EXIF
    answer = client.post(
        "/v1/sites/chua-thien-mu/reports",
        data={
            "category": "photo",
            "text": "Ảnh này là chùa khác",
            "photo": (io.BytesIO(jpeg), "x.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 202, answer.json
    (report,) = client.get("/v1/reviews/reports", headers=people["minh"]).json["items"]
    image = client.get(report["photo"], headers=people["minh"])
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(image.data)).getexif()
    assert client.get(report["photo"]).status_code == 401
    bad = client.post(
        "/v1/sites/chua-thien-mu/reports",
        data={"category": "photo", "photo": (io.BytesIO(b"not an image"), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 415 and "file" in bad.json["errors"]


def test_spam_is_kept_out_of_the_queue(client, people, pagoda):  # noqa: F811
    assert send(client, text="cheap", website="http://spam.example").status_code == 202
    links = "http://a.example http://b.example http://c.example"
    assert send(client, text=links).status_code == 202
    assert client.get("/v1/reviews/reports", headers=people["minh"]).json["items"] == []
    spam = client.get("/v1/reviews/reports?status=spam", headers=people["minh"]).json["items"]
    assert len(spam) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "rude"}, "category"),
        ({"category": "other", "text": "!!"}, "text"),
        ({"category": "hours", "text": "x" * 2001}, "text"),
        ({"category": "hours", "extra": 1}, "extra"),
    ],
)
def test_bad_reports_say_what_is_wrong(client, pagoda, body, field):
    answer = client.post("/v1/sites/chua-thien-mu/reports", json=body)
    assert answer.status_code == 422 and field in answer.json["errors"]


def test_only_published_sites_take_reports(client, services):
    services.catalogue.create_site(site_record(), "lan")  # a draft
    assert send(client).status_code == 404
