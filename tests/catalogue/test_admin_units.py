"""The 2025 units: old and new names, codes, wards, and the nearest town for a bare point."""

import pytest

from tourism_api.catalogue.admin_units import find_unit, province_code_of, province_name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Thừa Thiên Huế", "46"),
        ("Thua Thien-Hue Province", "46"),
        ("TP. Huế", "46"),
        ("Thành phố Huế", "46"),
        ("Nam Định", "37"),  # merged into Ninh Bình
        ("tỉnh Hà Nam", "37"),
        ("Ninh Bình", "37"),
        ("Bến Tre", "86"),  # merged into Vĩnh Long
        ("Tra Vinh", "86"),
        ("Vĩnh Long", "86"),
        ("TP Hồ Chí Minh", "79"),
        ("Bình Dương", "79"),
        ("46", "46"),
        ("Paris", None),
        ("99", None),
        ("", None),
    ],
)
def test_old_and_new_names_and_codes(name, code):
    assert province_code_of(name) == code


def test_names_of_the_units():
    assert province_name("46") == "Thành phố Huế"
    assert province_name("37") == "Ninh Bình"
    assert province_name("86") == "Vĩnh Long"


def test_how_a_site_s_unit_is_found():
    # A code given wins; then a province named in the address (old names too), then the
    # admin_area text; then the nearest town (GeoNames) for a bare point in Viet Nam.
    given = find_unit({"province_code": "46", "province": "Nam Định"}, None, 106.17, 20.42)
    assert (given.province_code, given.found_by) == ("46", "code")
    by_name = find_unit({"province": "Nam Định", "ward": "Phường Nam Định"}, None, 0, 0)
    assert (by_name.province_code, by_name.found_by) == ("37", "address")
    assert by_name.ward_code is not None
    assert find_unit({}, "Thừa Thiên Huế", 0, 0).province_code == "46"
    hue = find_unit({}, None, 107.5909, 16.4637)  # the centre of Huế
    assert (hue.province_code, hue.found_by) == ("46", "town")
    assert find_unit({}, None, 106.1746, 20.4200).province_code == "37"  # Nam Định city
    assert find_unit({}, None, 106.3750, 10.2417).province_code == "86"  # Bến Tre town
    # Abroad, or in the sea far from any town: none.
    assert find_unit({}, None, 2.35, 48.85).province_code is None
    assert find_unit({"country": "FR", "province": "Huế"}, None, 0, 0).province_code is None
    assert find_unit({}, None, 112.0, 10.0).province_code is None


def test_the_nearest_town_is_the_one_measuring_every_town_finds():
    """Only the towns near a point are measured; the answer must be the one measuring all
    of Viet Nam's gives: random points, and points a few km from each town."""
    import random

    from search.geo import arc_distance_m
    from tourism_api.catalogue import admin_units

    def every_town(lon: float, lat: float) -> str | None:
        towns = admin_units._towns()
        best = min(towns, key=lambda t: arc_distance_m(lon, lat, t[0], t[1]))
        if arc_distance_m(lon, lat, best[0], best[1]) > admin_units.NEAREST_TOWN_M:
            return None
        return best[2]

    rng = random.Random(4)
    points = [(rng.uniform(102, 110), rng.uniform(8, 24)) for _ in range(1500)]
    points += [
        (lon + rng.uniform(-0.3, 0.3), lat + rng.uniform(-0.3, 0.3))
        for lon, lat, _code in admin_units._towns()
    ]
    answers = [admin_units.nearest_town_province(lon, lat) for lon, lat in points]
    assert answers == [every_town(lon, lat) for lon, lat in points]
    assert sum(a is not None for a in answers) > 300  # most points near a town found one
