from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tourism_api.catalogue.opening_hours import (
    DAYS,
    HoursNow,
    check_osm,
    hours_now,
    is_open,
    open_intervals,
)

HOURS = {
    "timezone": "Asia/Ho_Chi_Minh",
    "weekly": {
        "mon": [{"opens": "07:00", "closes": "11:30"}, {"opens": "13:30", "closes": "17:00"}],
        "sat": [{"opens": "19:00", "closes": "02:00"}],  # night market, past midnight
    },
    "closures": [{"start": "2027-02-15", "end": "2027-02-17", "reason": {"vi": "Tết"}}],
}


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 11, 23, 1, 0), True),  # Monday 08:00 in Huế
        (utc(2026, 11, 23, 5, 0), False),  # Monday 12:00, lunch break
        (utc(2026, 11, 23, 10, 0), False),  # Monday 17:00, just closed
        (utc(2026, 11, 24, 1, 0), False),  # Tuesday: no hours
        (utc(2026, 11, 28, 13, 0), True),  # Saturday 20:00
        (utc(2026, 11, 28, 18, 30), True),  # Sunday 01:30, still Saturday's night
        (utc(2026, 11, 28, 19, 30), False),  # Sunday 02:30
        (utc(2027, 2, 15, 1, 0), False),  # Monday in the Tết closure
    ],
)
def test_is_open_in_the_sites_time_zone(moment, expected):
    assert is_open(HOURS, moment) is expected


def test_unknown_hours():
    assert is_open(None, utc(2026, 11, 23, 1, 0)) is None
    assert is_open({"timezone": "Asia/Ho_Chi_Minh"}, utc(2026, 11, 23, 1, 0)) is None


HUE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args):
    return datetime(*args, tzinfo=HUE)


MUSEUM = {"timezone": "Asia/Ho_Chi_Minh", "osm": "Tu-Su 07:00-17:00; Mo off; PH off"}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2027, 2, 13, 10), True),  # a Saturday after Tết
        (local(2027, 2, 15, 10), False),  # Monday: "Mo off"
        (local(2027, 2, 6, 10), False),  # Saturday, first day of Tết (lunar 1/1)
        (local(2027, 2, 9, 10), False),  # Tuesday, still in Tết's public holidays
        (local(2027, 4, 16, 10), False),  # Friday, Hùng Kings' day (lunar 10/3)
        (local(2027, 4, 23, 10), True),  # the Friday after
        (local(2026, 9, 2, 10), False),  # National Day (a solar holiday)
        (local(2027, 2, 13, 17, 0), False),  # closing time is not open
    ],
)
def test_osm_hours_with_vietnamese_public_holidays(moment, expected):
    assert is_open(MUSEUM, moment) is expected


def test_ph_combined_with_weekdays_keeps_the_weekdays_too():
    hours = {"timezone": "Asia/Ho_Chi_Minh", "osm": "Mo-Fr 08:00-12:00; Sa,PH 09:00-11:00"}
    assert is_open(hours, local(2027, 2, 13, 9, 30)) is True  # Saturday
    assert is_open(hours, local(2027, 2, 13, 11, 30)) is False
    assert is_open(hours, local(2027, 2, 9, 10, 30)) is True  # Tuesday in Tết: PH hours
    assert is_open(hours, local(2027, 2, 9, 11, 30)) is False  # ...which end at 11
    assert is_open(hours, local(2027, 2, 16, 11, 30)) is True  # an ordinary Tuesday


def test_lunar_closures_recur_every_year():
    hours = {
        "timezone": "Asia/Ho_Chi_Minh",
        "weekly": {day: [{"opens": "06:00", "closes": "18:00"}] for day in DAYS},
        "country": "FR",  # no Vietnamese public holidays: only the closure closes it
        "closures": [{"lunar_start": "01-01", "lunar_end": "01-03", "reason": {"vi": "Tết"}}],
    }
    # Tết: 6 February 2027, 26 January 2028.
    for day, expected in [
        (local(2027, 2, 5, 10), True),
        (local(2027, 2, 6, 10), False),
        (local(2027, 2, 8, 10), False),
        (local(2027, 2, 9, 10), True),
        (local(2028, 1, 26, 10), False),
        (local(2028, 1, 29, 10), True),
    ]:
        assert is_open(hours, day) is expected, day
    now = hours_now(hours, local(2027, 2, 7, 10))
    assert now.open is False and now.closed_for == {"vi": "Tết"}
    assert now.next_change == local(2027, 2, 9, 6)


def test_hours_now_says_until_when_and_why():
    open_ = hours_now(MUSEUM, local(2027, 2, 13, 10))
    assert open_.open is True and open_.next_change == local(2027, 2, 13, 17)
    assert open_.closed_for is None
    tet = hours_now(MUSEUM, local(2027, 2, 6, 10))
    assert tet.open is False
    assert tet.closed_for == {"en": "Lunar New Year"}
    assert tet.next_change is not None and tet.next_change.date() > date(2027, 2, 6)
    unknown = hours_now(None, local(2027, 2, 6, 10))
    assert unknown == HoursNow(None, None, None)


def test_open_intervals_merge_and_skip_closed_days():
    start, end = local(2027, 2, 12), local(2027, 2, 16)
    spans = open_intervals(MUSEUM, start.astimezone(UTC), end.astimezone(UTC))
    assert [(a.astimezone(HUE), b.astimezone(HUE)) for a, b in spans] == [
        (local(2027, 2, 12, 7), local(2027, 2, 12, 17)),
        (local(2027, 2, 13, 7), local(2027, 2, 13, 17)),
        (local(2027, 2, 14, 7), local(2027, 2, 14, 17)),
    ]
    assert all(a.tzinfo == UTC for a, _ in spans)
    assert open_intervals(None, start, end) is None


def test_a_bad_osm_expression_says_where():
    with pytest.raises(ValueError, match="character 22"):
        check_osm("Tu-Su 07:00-17:00; Mox off")
    check_osm("Mo-Su 07:00-17:30; PH off")


def test_long_open_spans_come_in_pieces_of_at_most_a_day():
    always = {"timezone": "Asia/Ho_Chi_Minh", "osm": "24/7"}
    start = datetime(2027, 3, 1, tzinfo=UTC)
    pieces = open_intervals(always, start, start + timedelta(days=3), max_span=timedelta(days=1))
    assert pieces == [(start + timedelta(days=i), start + timedelta(days=i + 1)) for i in range(3)]
