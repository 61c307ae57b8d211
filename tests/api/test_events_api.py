"""Events through the API on both databases: by date and place, per site, paged, and kept in
step with every write of their site."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import HUE_CENTRE, site_record
from tourism_api.catalogue import calendars

LON, LAT = HUE_CENTRE


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def weekly_days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


@pytest.fixture
def festivals(catalogue):
    soon = today() + timedelta(days=3)
    rites = {
        "id": "le-ram",
        "name": {"vi": "Lễ rằm", "en": "Full-moon rite"},
        "kind": "ceremony",
        "calendar": "lunar",
        "recurrence": "monthly",
        "days_of_month": [15],
        "start_time": "19:00",
        "end_time": "21:00",
    }
    night = {
        "id": "dem-hoang-cung",
        "name": {"vi": "Đêm Hoàng cung", "en": "Royal Palace by night"},
        "kind": "night_tour",
        "start": soon.isoformat(),
        "end": (soon + timedelta(days=2)).isoformat(),
    }
    pagoda = catalogue.create_site(site_record(events=[rites]), "t", status="published")
    palace = catalogue.create_site(site_record("dai-noi", events=[night]), "t", status="published")
    hoi_an = catalogue.create_site(
        site_record("pho-co-hoi-an", events=[{**night, "id": "dem-pho-co"}]),
        "t",
        status="published",
    )
    catalogue.create_site(  # a draft's events are nobody's business yet
        site_record("cho-dong-ba", events=[{**night, "id": "cho-dem"}]), "t"
    )
    return pagoda, palace, hoi_an, soon


def test_events_by_date_and_place(client, festivals):
    pagoda, palace, hoi_an, soon = festivals
    window = f"from={today().isoformat()}&to={(today() + timedelta(days=40)).isoformat()}"
    answer = client.get(f"/v1/events?{window}&lat={LAT}&lon={LON}&radius=20000&lang=en")
    assert answer.status_code == 200, answer.json
    items = answer.json["items"]
    assert {i["site"]["slug"] for i in items} == {"chua-thien-mu", "dai-noi"}  # not Hội An
    starts = [i["starts"][:10] for i in items]
    assert starts == sorted(starts)
    tour = next(i for i in items if i["event"]["id"] == "dem-hoang-cung")
    assert (tour["starts"], tour["ends"]) == (
        soon.isoformat(),
        (soon + timedelta(days=2)).isoformat(),
    )
    assert tour["display"] == {
        "lang": "en",
        "name": "Royal Palace by night",
        "description": None,
        "description_lang": None,
    }
    assert tour["distance_m"] < 2000
    # Full moons: the 15th of each lunar month, at 19:00 in Huế.
    fifteenths = [i for i in items if i["event"]["id"] == "le-ram"]
    assert fifteenths
    for item in fifteenths:
        day = date.fromisoformat(item["starts"][:10])
        assert calendars.solar_to_lunar(day).day == 15
        assert item["starts"].endswith("T19:00:00+07:00")
    # Everywhere: Hội An's too; by kind.
    everywhere = client.get(f"/v1/events?{window}&limit=100").json["items"]
    assert "pho-co-hoi-an" in {i["site"]["slug"] for i in everywhere}
    tours = client.get(f"/v1/events?{window}&kind=night_tour").json["items"]
    assert {i["site"]["slug"] for i in tours} == {"dai-noi", "pho-co-hoi-an"}


def test_a_site_s_events_and_pages(client, festivals):
    pagoda, *_ = festivals
    window = f"from={today().isoformat()}&to={(today() + timedelta(days=120)).isoformat()}"
    first = client.get(f"/v1/sites/chua-thien-mu/events?{window}&limit=2")
    assert first.status_code == 200
    seen = [i["starts"] for i in first.json["items"]]
    next_link = first.json["links"]["next"]
    while next_link:
        page = client.get(next_link.split("localhost", 1)[-1])
        assert page.status_code == 200, page.json
        seen += [i["starts"] for i in page.json["items"]]
        next_link = page.json["links"]["next"]
    assert len(seen) == len(set(seen)) >= 3 and seen == sorted(seen)
    assert client.get("/v1/sites/cho-dong-ba/events").status_code == 404  # a draft
    assert client.get("/v1/sites/nowhere/events").status_code == 404


def test_a_write_replaces_the_occurrences(client, staff, festivals):
    _, palace, *_ = festivals
    etag = client.get(f"/v1/sites/{palace.id}", headers=staff).headers["ETag"]
    moved = {
        "id": "dem-hoang-cung",
        "name": {"vi": "Đêm Hoàng cung"},
        "kind": "night_tour",
        "start": (today() + timedelta(days=20)).isoformat(),
    }
    patched = client.patch(
        f"/v1/sites/{palace.id}",
        json={"events": [moved]},
        headers={**staff, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["events"] == [{**moved, "calendar": "solar", "days": 1}]
    items = client.get("/v1/sites/dai-noi/events?to=" + (today() + timedelta(days=40)).isoformat())
    assert [i["starts"] for i in items.json["items"]] == [moved["start"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2027-02-10&to=2027-02-01", "to"),
        ("from=2027-01-01&to=2028-06-01", "to"),
        ("from=tomorrow", "from"),
        ("lat=16.4", "lon"),
        ("kind=party", "kind"),
        ("cursor=forged", "cursor"),
    ],
)
def test_bad_event_queries_say_what_is_wrong(client, query, field):
    answer = client.get(f"/v1/events?{query}")
    assert answer.status_code in (400, 422) and field in answer.json["errors"], answer.json


@pytest.mark.parametrize(
    ("event", "where"),
    [
        ({"id": "x", "name": {"vi": "x"}}, "start"),
        ({"id": "x", "name": {"vi": "x"}, "calendar": "lunar", "start": "2027-01-01"}, "calendar"),
        ({"id": "x", "name": {"vi": "x"}, "recurrence": "yearly", "month": 1}, "day"),
        (
            {
                "id": "x",
                "name": {"vi": "x"},
                "calendar": "lunar",
                "recurrence": "monthly",
                "days_of_month": [31],
            },
            "days_of_month",
        ),
        ({"id": "Not A Slug", "name": {"vi": "x"}, "start": "2027-01-01"}, "id"),
        (
            {"id": "x", "name": {"vi": "x"}, "start": "2027-01-01", "timezone": "Mars/Olympus"},
            "unknown time zone",
        ),
    ],
)
def test_bad_events_are_a_422_that_says_where(client, staff, event, where):
    answer = client.post("/v1/sites", json=site_record(events=[event]), headers=staff)
    assert answer.status_code == 422
    assert where in str(answer.json["errors"]["events"])


def test_two_events_with_one_id_are_refused(client, staff):
    event = {"id": "x", "name": {"vi": "x"}, "start": "2027-01-01"}
    answer = client.post("/v1/sites", json=site_record(events=[event, event]), headers=staff)
    assert answer.status_code == 422 and "own id" in str(answer.json["errors"]["events"])
