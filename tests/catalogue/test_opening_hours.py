from datetime import UTC, datetime

import pytest

from tourism_api.catalogue.opening_hours import is_open

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
