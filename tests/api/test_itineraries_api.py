"""POST /v1/itineraries on both databases: chosen sites, suggestions, reasons, bad input."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import HUE_CENTRE, load_hue
from tourism_api.catalogue import calendars

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
START = {"lon": HUE_CENTRE[0], "lat": HUE_CENTRE[1]}


def next_ordinary_tuesday() -> date:
    day = datetime.now(HUE).date() + timedelta(days=1)
    while day.weekday() != 1 or day in calendars.public_holidays("VN", day.year):
        day += timedelta(days=1)
    return day


@pytest.fixture
def hue(catalogue, client, staff):
    load_hue(catalogue)
    hours = {
        "lang-tu-duc": {"timezone": "Asia/Ho_Chi_Minh", "osm": "Tu-Su 07:00-17:30; Mo off"},
        "cho-dong-ba": {"timezone": "Asia/Ho_Chi_Minh", "osm": "Mo 06:00-18:00"},
    }
    for slug, value in hours.items():
        site = client.get(f"/v1/sites/{slug}", headers=staff)
        answer = client.patch(
            f"/v1/sites/{slug}",
            json={"opening_hours": value},
            headers={**staff, "If-Match": site.headers["ETag"]},
        )
        assert answer.status_code == 200, answer.json
    return catalogue


def plan(client, **body):
    answer = client.post("/v1/itineraries", json={"start": START, **body})
    assert answer.status_code == 200, answer.json
    return answer.json


def test_chosen_sites_are_timed_around_their_hours(client, hue):
    tuesday = next_ordinary_tuesday()
    start = datetime.combine(tuesday, datetime.min.time(), HUE).replace(hour=13)
    result = plan(
        client,
        start_time=start.isoformat(),
        budget_minutes=300,
        mode="car",
        sites=["chua-thien-mu", "lang-tu-duc", "cho-dong-ba"],
        lang="en",
    )
    visited = [s["site"]["slug"] for s in result["stops"]]
    assert set(visited) == {"chua-thien-mu", "lang-tu-duc"}
    tomb = next(s for s in result["stops"] if s["site"]["slug"] == "lang-tu-duc")
    assert datetime.fromisoformat(tomb["depart"]) <= start.replace(hour=17, minute=30)
    assert tomb["visit_minutes"] == 75 and tomb["hours_known"] is True
    (closed,) = result["left_out"]
    assert closed["site"]["slug"] == "cho-dong-ba" and closed["reason"] == "closed"
    assert "Dong Ba Market" in closed["message"]
    assert result["route"]["type"] == "LineString"
    assert len(result["route"]["coordinates"]) == len(visited) + 2
    assert datetime.fromisoformat(result["end"]["arrive"]) <= start + timedelta(minutes=300)


def test_too_late_for_a_tomb_says_when_it_closes(client, hue):
    tuesday = next_ordinary_tuesday()
    late = datetime.combine(tuesday, datetime.min.time(), HUE).replace(hour=16, minute=40)
    result = plan(client, start_time=late.isoformat(), mode="car", sites=["lang-tu-duc"], lang="en")
    assert result["stops"] == []
    (left,) = result["left_out"]
    assert left["reason"] == "unreachable"
    assert left["message"] == "Tomb of Tu Duc closes at 17:30: too late to reach it and visit."


def test_suggestions_near_the_start(client, hue):
    result = plan(client, mode="car", kinds=["tomb"], radius=15000, budget_minutes=600)
    slugs = {s["site"]["slug"] for s in result["stops"]} | {
        s["site"]["slug"] for s in result["left_out"]
    }
    assert slugs == {"lang-tu-duc", "lang-minh-mang", "lang-khai-dinh"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "sites"),
        ({"sites": ["dai-noi"], "kinds": ["tomb"]}, "categories"),
        ({"sites": ["nowhere"]}, "sites"),
        ({"sites": ["dai-noi"], "mode": "boat"}, "mode"),
        ({"sites": ["dai-noi"], "budget_minutes": 5}, "budget_minutes"),
        ({"sites": ["dai-noi"], "start_time": "2027-01-01T08:00:00"}, "start_time"),
    ],
)
def test_bad_requests_say_what_is_wrong(client, hue, body, field):
    answer = client.post("/v1/itineraries", json={"start": START, **body})
    assert answer.status_code == 422 and field in answer.json["errors"], answer.json
