"""Every reader on small real-shaped fixtures, and the bad files they must survive."""

import json
import zipfile
from pathlib import Path

import pytest

from ingest.csv_reader import read_csv
from ingest.encoding import detect
from ingest.geojson_reader import read_geojson
from ingest.opening_hours_osm import parse_osm_hours
from ingest.osm_reader import read_osm
from ingest.raw import SourceError
from ingest.wikidata_reader import read_wikidata

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("hue-relics.utf8.csv", "utf-8"),
        ("hue-relics.utf16.csv", "utf-16"),
        ("hue-relics.cp1258.csv", "cp1258"),
    ],
)
def test_csv_encodings_and_delimiters_are_detected(name, encoding):
    assert detect((FIXTURES / name).read_bytes()) == encoding
    records = list(read_csv(FIXTURES / name))
    assert [r.position for r in records] == ["row 2", "row 3", "row 4", "row 5"]
    assert records[0].fields["Tên di tích"] == "Chùa Thiên Mụ"
    assert records[3].fields["Địa chỉ"] == "Xã Phong Hòa"


def test_latin1_and_bom():
    assert detect((FIXTURES / "whc-2019-excerpt.latin1.csv").read_bytes()) == "latin-1"
    french = [r.fields["name_fr"] for r in read_csv(FIXTURES / "whc-2019-excerpt.latin1.csv")]
    assert "Ensemble de monuments de Huê" in french
    assert detect((FIXTURES / "whc-2021-excerpt.csv").read_bytes()) == "utf-8-sig"
    first = next(read_csv(FIXTURES / "whc-2021-excerpt.csv"))
    assert "name_en" in first.fields  # the BOM is not part of the first column's name


def test_ragged_row_is_reported_and_reading_goes_on():
    records = list(read_csv(FIXTURES / "hue-relics-bad.csv"))
    ragged = [r for r in records if r.error]
    assert [(r.position, r.error) for r in ragged] == [
        ("row 4", "row has 3 fields, the header has 10")
    ]
    assert len(records) == 8


def test_wrong_encoding_given_is_reported_not_a_traceback(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("Mã,Tên\n1,Huế\n".encode() + b"2,\xff\xfe broken\n" + "3,Hội An\n".encode())
    records = list(read_csv(path, encoding="utf-8"))
    assert records[0].fields["Tên"] == "Huế"
    assert records[1].position == "row 3" and "not valid utf-8" in records[1].error
    assert records[2].fields["Tên"] == "Hội An"


def test_binary_and_empty_files_are_refused(tmp_path):
    bomb = tmp_path / "sites.csv"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.csv", "0" * 10_000_000)
    with pytest.raises(SourceError, match="binary"):
        list(read_csv(bomb))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        list(read_csv(empty))


def test_geojson_features_and_problems(tmp_path):
    records = list(read_geojson(Path("tourism_api/demo_data/vn-protected-areas.geojson")))
    assert len(records) == 14 and records[5].fields["Ten"] == "Xuân Thủy - Nam Định"
    assert records[0].geometry["type"] == "MultiPolygon"
    broken = tmp_path / "broken.geojson"
    feature = {
        "type": "Feature",
        "properties": {"n": 1},
        "geometry": {"type": "Point", "coordinates": [107.5, 16.4]},
    }
    text = json.dumps({"type": "FeatureCollection", "features": [feature, feature]})
    broken.write_text(text[:-30])  # truncated in the second feature
    records = list(read_geojson(broken))
    assert records[0].error is None and "truncated" in records[-1].error
    strings = tmp_path / "strings.geojson"
    bad = {**feature, "geometry": {"type": "Point", "coordinates": ["107.5", 16.4]}}
    strings.write_text(json.dumps({"type": "FeatureCollection", "features": [bad]}))
    assert "non-numeric" in next(read_geojson(strings)).error
    nan = tmp_path / "nan.geojson"
    nan.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [NaN, 16.4]}}]}'
    )
    assert next(read_geojson(nan)).error


def test_geojson_crs_axis_order(tmp_path):
    def collection(crs):
        return {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": crs}},
            "features": [
                {
                    "type": "Feature",
                    "properties": {},
                    "geometry": {"type": "Point", "coordinates": [16.45, 107.54]},
                }
            ],
        }

    urn = tmp_path / "urn.geojson"
    urn.write_text(json.dumps(collection("urn:ogc:def:crs:EPSG::4326")))
    assert next(read_geojson(urn)).geometry["coordinates"] == [107.54, 16.45]
    crs84 = tmp_path / "crs84.geojson"
    crs84.write_text(json.dumps(collection("urn:ogc:def:crs:OGC:1.3:CRS84")))
    assert next(read_geojson(crs84)).geometry["coordinates"] == [16.45, 107.54]
    # VN-2000 / UTM 48N, as a GIS exports it (easting, northing): moved to WGS 84.
    vn2000 = tmp_path / "vn2000.geojson"
    utm = collection("urn:ogc:def:crs:EPSG::3405")
    utm["features"][0]["geometry"]["coordinates"] = [770_000.0, 1_822_000.0]
    vn2000.write_text(json.dumps(utm))
    lon, lat = next(read_geojson(vn2000)).geometry["coordinates"]
    assert 107.5 < lon < 107.6 and 16.4 < lat < 16.5
    # A CRS the server does not transform from is refused, saying what to do.
    lambert = tmp_path / "lambert93.geojson"
    lambert.write_text(json.dumps(collection("urn:ogc:def:crs:EPSG::2154")))
    with pytest.raises(SourceError, match="reproject"):
        list(read_geojson(lambert))


@pytest.mark.parametrize("name", ["hue-overpass.json", "hue.osm"])
def test_osm_nodes_ways_relations_and_missing_nodes(name):
    records = {r.position: r for r in read_osm(FIXTURES / name)}
    pagoda = records["node/101"]
    assert pagoda.geometry == {"type": "Point", "coordinates": [107.5446, 16.4531]}
    assert pagoda.fields["name"] == "Chùa Thiên Mụ"
    palace = records["way/300"]
    assert palace.geometry["type"] == "Polygon" and len(palace.geometry["coordinates"][0]) == 5
    gate = records["way/301"]
    assert gate.error.startswith("nodes missing from the file")
    assert "node/700" not in records  # a bakery is not heritage
    if name.endswith(".json"):
        zone = records["relation/600"]
        assert zone.geometry["type"] == "MultiPolygon"
        ring = zone.geometry["coordinates"][0][0]
        assert ring[0] == ring[-1] and len(ring) == 5


def test_wikidata_rows_merge_per_item():
    records = list(read_wikidata(FIXTURES / "hue-wikidata.json"))
    thien_mu = records[0]
    assert thien_mu.fields["@id"] == "Q1056981"
    assert (
        thien_mu.fields["label@vi"] == "Chùa Thiên Mụ"
        and thien_mu.fields["label@en"] == "Thien Mu Pagoda"
    )
    assert thien_mu.geometry == {"type": "Point", "coordinates": [107.5446, 16.4532]}
    assert thien_mu.fields["heritage"] == "Q10843044"
    assert "not a Point" in records[2].error


def test_osm_opening_hours():
    assert parse_osm_hours("24/7", "Asia/Ho_Chi_Minh")["weekly"]["sun"] == [
        {"opens": "00:00", "closes": "24:00"}
    ]
    hours = parse_osm_hours("Mo-Fr 08:00-11:30,13:30-17:00; Sa 08:00-12:00", "Asia/Ho_Chi_Minh")
    assert hours["weekly"]["tue"] == [
        {"opens": "08:00", "closes": "11:30"},
        {"opens": "13:30", "closes": "17:00"},
    ]
    assert (
        hours["weekly"]["sat"] == [{"opens": "08:00", "closes": "12:00"}]
        and "sun" not in hours["weekly"]
    )
    assert parse_osm_hours("Su-Tu 09:00-17:00", "Asia/Ho_Chi_Minh")["weekly"].keys() == {
        "sun",
        "mon",
        "tue",
    }
    assert parse_osm_hours("Mo-Fr 08:00-17:00; PH off", "UTC") is None
    assert parse_osm_hours("sunrise-sunset", "UTC") is None
