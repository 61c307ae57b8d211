"""The Vietnamese lunar calendar and public holidays, from maintained libraries.

Lunar dates: `lunar-vn` (Hồ Ngọc Đức's astronomical algorithm, the one Vietnamese
almanacs use, computed at UTC+7). The Chinese calendar is computed at UTC+8 and puts some
new moons on another day: Tết 1985 was 21 January in Viet Nam and 20 February in China,
Tết 2007 17 and 18 February. Public holidays: `holidays` (its Vietnam calendar includes the
lunar ones: Tết and the Hùng Kings' day), for any country a site's hours name.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
import lunar_vn

# UTC+7 all year: the almanac's new moons fall on Vietnamese days.
VIETNAM_UTC_OFFSET = 7.0
FIRST_YEAR, LAST_YEAR = lunar_vn.SUPPORTED_YEAR_RANGE


def lunar_to_solar(year: int, month: int, day: int, *, leap: bool = False) -> date | None:
    """The solar date of a lunar one; None when that day does not exist that year.

    A 30th in a 29-day month, or a leap month the year does not have, are not dates: a
    yearly rite on the 30th of the twelfth month falls on the last day of the month
    instead (`last_day_of_lunar_month`)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        solar = lunar_vn.lunar_to_solar(
            lunar_vn.LunarDate(day, month, year, leap), time_zone=VIETNAM_UTC_OFFSET
        )
    except ValueError:
        return None
    # The algorithm counts days from the new moon: day 30 of a short month lands on the
    # next month's 1st. Only a round trip says the date really exists.
    back = solar_to_lunar(solar)
    if (back.day, back.month, back.year, back.leap) != (day, month, year, leap):
        return None
    return solar


def solar_to_lunar(day: date) -> lunar_vn.LunarDate:
    return lunar_vn.solar_to_lunar(day, time_zone=VIETNAM_UTC_OFFSET)


def lunar_dates_between(start: date, end: date, month: int | None, day: int) -> list[date]:
    """Solar dates from start to end (inclusive) that are day `day` of lunar month `month`
    (of every lunar month when month is None; leap months too, as temples keep the 1st and
    15th of a leap month like any other)."""
    found: list[date] = []
    for year in range(start.year - 1, end.year + 1):
        months = [(m, False) for m in range(1, 13)] if month is None else [(month, False)]
        if month is None:
            months += [(m, True) for m in range(1, 13)]
        for lunar_month, leap in months:
            solar = lunar_to_solar(year, lunar_month, day, leap=leap)
            if solar is not None and start <= solar <= end:
                found.append(solar)
    return sorted(set(found))


@lru_cache(maxsize=256)
def public_holidays(country: str, year: int) -> dict[date, str]:
    """The public holidays of a country in a year; an unknown country has none."""
    try:
        return dict(holidays.country_holidays(country, years=year, language="en_US"))
    except (NotImplementedError, KeyError):
        return {}
