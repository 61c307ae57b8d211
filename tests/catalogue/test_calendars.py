"""The Vietnamese lunar calendar (UTC+7), checked against dates the Chinese one gets
otherwise and against the holidays library's own Vietnamese Tết."""

from datetime import date

import holidays
import pytest

from tourism_api.catalogue import calendars


@pytest.mark.parametrize(
    ("year", "tet"),
    [
        (1985, date(1985, 1, 21)),  # China: 20 February
        (2007, date(2007, 2, 17)),  # China: 18 February
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
    ],
)
def test_tet_is_the_vietnamese_one(year, tet):
    assert calendars.lunar_to_solar(year, 1, 1) == tet
    # An independent computation: the holidays library's Vietnamese calendar.
    names = holidays.country_holidays("VN", years=year, language="en_US")
    assert names.get(tet) == "Lunar New Year"


def test_days_that_do_not_exist_are_none():
    # The 12th month of lunar 2026 has 29 days (Tết 2027 is the day after the 29th).
    assert calendars.lunar_to_solar(2026, 12, 29) == date(2027, 2, 5)
    assert calendars.lunar_to_solar(2026, 12, 30) is None
    # 2025 has a leap 6th month, 2026 none.
    assert calendars.lunar_to_solar(2025, 6, 1, leap=True) is not None
    assert calendars.lunar_to_solar(2026, 6, 1, leap=True) is None
    assert calendars.lunar_to_solar(1800, 1, 1) is None


def test_first_and_fifteenth_of_every_lunar_month():
    days = calendars.lunar_dates_between(date(2027, 1, 1), date(2027, 3, 31), None, 15)
    assert [calendars.solar_to_lunar(d).day for d in days] == [15, 15, 15]
    assert date(2027, 2, 20) in days  # Rằm tháng Giêng, the first full moon


def test_public_holidays_of_an_unknown_country_are_none():
    assert calendars.public_holidays("XX", 2027) == {}
    assert calendars.public_holidays("VN", 2027)[date(2027, 9, 2)]
