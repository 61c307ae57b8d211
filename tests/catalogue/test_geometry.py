import pytest

from tourism_api.catalogue.geometry import GeometryError, parse_geojson

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
