"""When events happen: solar and lunar, once, every year or every month."""

from datetime import date

from tourism_api.catalogue import calendars
from tourism_api.catalogue.events import describe_schedule, moments, occurrences

KHAI_AN = {  # Đền Trần's seal-opening festival: the 14th-15th of the first lunar month
    "id": "le-khai-an",
    "name": {"vi": "Lễ khai ấn Đền Trần"},
    "kind": "festival",
    "calendar": "lunar",
    "recurrence": "yearly",
    "month": 1,
    "day": 14,
    "days": 2,
}


def spans(event, start, end):
    return [(o.starts_on, o.ends_on) for o in occurrences(event, start, end)]


def test_a_lunar_yearly_festival_falls_on_its_solar_days():
    # Tết 2027 is 6 February, so the 14th of the first month is 19 February.
    assert spans(KHAI_AN, date(2027, 1, 1), date(2027, 12, 31)) == [
        (date(2027, 2, 19), date(2027, 2, 20))
    ]
    # 2028: Tết on 26 January.
    assert spans(KHAI_AN, date(2028, 1, 1), date(2028, 12, 31)) == [
        (date(2028, 2, 8), date(2028, 2, 9))
    ]
    # An occurrence that overlaps the window's first day is in it.
    assert spans(KHAI_AN, date(2027, 2, 20), date(2027, 2, 25)) == [
        (date(2027, 2, 19), date(2027, 2, 20))
    ]


def test_rites_on_the_first_and_fifteenth_of_every_lunar_month():
    rites = {
        "id": "ram",
        "name": {"vi": "Lễ rằm"},
        "calendar": "lunar",
        "recurrence": "monthly",
        "days_of_month": [1, 15],
    }
    found = spans(rites, date(2027, 2, 1), date(2027, 3, 31))
    lunar = [calendars.solar_to_lunar(a) for a, _ in found]
    assert [d.day for d in lunar] == [1, 15, 1, 15]
    assert found[0][0] == date(2027, 2, 6)  # Tết itself is the 1st of the first month


def test_solar_events_once_and_every_year():
    once = {
        "id": "festival-hue",
        "name": {"en": "Huế Festival"},
        "start": "2026-06-01",
        "end": "2026-06-08",
    }
    assert spans(once, date(2026, 1, 1), date(2026, 12, 31)) == [
        (date(2026, 6, 1), date(2026, 6, 8))
    ]
    assert spans(once, date(2027, 1, 1), date(2027, 12, 31)) == []
    leap = {
        "id": "x",
        "name": {"en": "x"},
        "calendar": "solar",
        "recurrence": "yearly",
        "month": 2,
        "day": 29,
    }
    assert spans(leap, date(2027, 1, 1), date(2028, 12, 31)) == [
        (date(2028, 2, 29), date(2028, 2, 29))
    ]


def test_times_of_day_and_the_schedule_in_words():
    night = {**KHAI_AN, "start_time": "20:00", "end_time": "02:00"}
    (first,) = occurrences(night, date(2027, 2, 1), date(2027, 2, 28))
    assert moments(night, first, "Asia/Ho_Chi_Minh") == (
        "2027-02-19T20:00:00+07:00",
        "2027-02-21T02:00:00+07:00",
    )
    assert moments(KHAI_AN, first, "Asia/Ho_Chi_Minh") == ("2027-02-19", "2027-02-20")
    assert describe_schedule(KHAI_AN) == "every year on lunar month 1, day 14 for 2 days"
