import random

import pytest
import shapely

from tourism_api.catalogue.geometry import (
    GeometryError,
    ewkb_hex,
    from_db,
    geojson_from_db,
    parse_geojson,
    to_element,
    to_geojson,
)

POLY = ("Polygon", "MultiPolygon", "LineString")


@pytest.mark.parametrize(
    ("value", "where", "says"),
    [
        ({"type": "Point", "coordinates": [float("nan"), 16]}, "coordinates", "finite"),
        ({"type": "Point", "coordinates": [float("inf"), 16]}, "coordinates", "finite"),
        ({"type": "Point", "coordinates": [107, 16, 5, 1]}, "coordinates", "[lon, lat]"),
        ({"type": "Point", "coordinates": [True, 16]}, "coordinates", "numbers"),
        ({"type": "Point"}, "coordinates", "missing"),
        ({"type": "Point", "coordinates": [1, 2], "crs": {}}, "", "unknown members"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
            "coordinates[0]",
            "at least 4",
        ),
        ({"type": "MultiPolygon", "coordinates": []}, "coordinates", "at least one"),
        ({"type": "LineString", "coordinates": [[0, 0]]}, "coordinates", "at least 2"),
        ({"type": "GeometryCollection", "geometries": []}, "type", "must be one of"),
        ("POINT(1 2)", "", "GeoJSON geometry object"),
    ],
)
def test_rejections_say_where(value, where, says):
    with pytest.raises(GeometryError) as err:
        parse_geojson(value, ("Point", *POLY))
    assert err.value.path == where
    assert says in err.value.message


def test_nested_position_paths():
    ring = [[0, 0], [1, 0], [1, 95], [0, 1], [0, 0]]
    with pytest.raises(GeometryError) as err:
        parse_geojson({"type": "MultiPolygon", "coordinates": [[ring]]}, POLY)
    assert err.value.path == "coordinates[0][0][2]"


def test_valid_polygon_with_hole():
    outer = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]]
    geometry = parse_geojson({"type": "Polygon", "coordinates": [outer, hole]}, POLY)
    assert geometry.area == 96


def _as_stored(geometry, **wkb_options):
    from geoalchemy2.elements import WKBElement

    if wkb_options.get("include_srid"):
        geometry = shapely.set_srid(geometry, 4326)
    return WKBElement(shapely.to_wkb(geometry, **wkb_options), srid=4326)


@pytest.mark.parametrize(
    ("wkb_options", "quick"),
    [
        ({"include_srid": False, "byte_order": 1}, True),
        ({"include_srid": True, "byte_order": 1}, True),  # PostGIS's EWKB
        ({"include_srid": True, "byte_order": 1, "hex": True}, True),  # SpatiaLite's
        ({"include_srid": False, "byte_order": 0}, False),  # big-endian: the general way
        ({"include_srid": True, "byte_order": 0}, False),
    ],
)
def test_stored_geometries_read_as_geojson_the_same_on_the_quick_way(
    wkb_options, quick, monkeypatch
):
    """2D points are read from their bytes directly; the answer equals Shapely's."""
    from tourism_api.catalogue import geometry as module

    rng = random.Random(7)
    points = [shapely.Point(rng.uniform(-180, 180), rng.uniform(-90, 90)) for _ in range(500)]
    points += [
        shapely.Point(107.5796358123456789, 16.4537289012345),
        shapely.Point(-0.0, 0.0),
        shapely.Point(1e-9, -1e-9),
    ]
    others = [
        shapely.Point(107.5, 16.4, 12.0),  # with a height
        shapely.Point(),  # empty: NaN coordinates in WKB
        shapely.box(107.5, 16.4, 107.6, 16.5),
        shapely.LineString([(107.5, 16.4), (107.6, 16.5)]),
    ]
    stored = [_as_stored(g, **wkb_options) for g in points + others]
    expected = [to_geojson(from_db(s)) for s in stored]
    general = []
    shapely_way = module.to_shape
    monkeypatch.setattr(module, "to_shape", lambda v: general.append(v) or shapely_way(v))
    assert [geojson_from_db(s) for s in stored] == expected
    assert len(general) == (len(others) if quick else len(stored))
    assert geojson_from_db(None) is None


def test_geometries_are_written_as_shapely_writes_them():
    """Points are packed by hand for bulk creation: the bytes are Shapely's, and the EWKB
    that COPY sends to PostGIS is Shapely's EWKB with the SRID."""
    shapes = [
        shapely.Point(107.5796358123456789, 16.4537289012345),
        shapely.Point(-0.0, 0.0),
        shapely.Point(107.5, 16.4, 12.0),
        shapely.box(107.5, 16.4, 107.6, 16.5),
        shapely.LineString([(107.5, 16.4), (107.6, 16.5)]),
    ]
    for geometry in shapes:
        element = to_element(geometry, 4326)
        assert bytes(element.data) == shapely.to_wkb(geometry, byte_order=1)
        assert element.srid == 4326 and not element.extended
        assert from_db(element).equals(geometry)
        with_srid = shapely.set_srid(geometry, 4326)
        assert (
            ewkb_hex(element)
            == shapely.to_wkb(with_srid, hex=True, include_srid=True, byte_order=1).lower()
        )
