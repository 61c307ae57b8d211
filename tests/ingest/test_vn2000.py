"""Provincial GIS files in VN-2000 TM-3 import to the right place and come back out of the
OGC API in TM-3 to the centimetre.

The reference is written independently of the EPSG codes the server uses: VN-2000's
published Helmert parameters to WGS 84 and the TM-3 107-00 zone's definition (central
meridian 107°E, scale 0.9999, false easting 500 km), as a PROJ string."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyproj import Transformer

from ingest.pipeline import Importer
from ingest.profiles import ProfileError, load_profile, parse_profile
from ingest.readers import read
from search.text import slugify
from tests.factories import HUE_SITES

TM3_107 = (
    "+proj=tmerc +lat_0=0 +lon_0=107 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,"
    "0.252906278 +units=m +no_defs"
)
TO_TM3 = Transformer.from_crs("OGC:CRS84", TM3_107, always_xy=True)
TM3_URI = "http://www.opengis.net/def/crs/EPSG/0/9214"

PROFILE = """
[source]
name = "hue-gis"
format = "{format}"
crs = "EPSG:9214"
status = "published"
country = "VN"

[id]
field = "ma"

[fields]
"name.vi" = "ten"

[location]
{location}

[footprint]
{footprint}

[kind]
default = "{kind}"
"""


def import_file(catalogue, tmp_path: Path, text: str, name: str, profile_text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    profile_path = tmp_path / "profile.toml"
    profile_path.write_text(profile_text, encoding="utf-8")
    profile = load_profile(str(profile_path))
    return Importer(catalogue, profile, actor="gis", file_label=name).run(read(path, profile))


def test_a_tm3_spreadsheet_round_trips_to_a_centimetre(client, catalogue, tmp_path):
    rows = ["ma,ten,X,Y"]
    expected = {}
    for slug, vi, _en, _kind, lon, lat in HUE_SITES:
        x, y = TO_TM3.transform(lon, lat)
        rows.append(f"{slug},{vi},{x:.3f},{y:.3f}")
        expected[slugify(vi)] = (lon, lat, round(x, 3), round(y, 3))
    profile = PROFILE.format(
        format="csv", location='x = "X"\ny = "Y"', footprint="", kind="monument"
    )
    report = import_file(catalogue, tmp_path, "\n".join(rows) + "\n", "hue.csv", profile)
    assert (report.created, report.rejected) == (len(HUE_SITES), 0)
    for slug, (lon, lat, x, y) in expected.items():
        site = client.get(f"/v1/sites/{slug}").json
        # Stored in WGS 84: within 1e-7° (about a centimetre) of where the point really is.
        assert site["location"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
        back = client.get(f"/collections/sites/items/{site['id']}?crs={TM3_URI}").json
        assert back["geometry"]["coordinates"] == pytest.approx([x, y], abs=0.01)


def test_a_shapefile_export_as_geojson_in_tm3_imports_its_footprint(client, catalogue, tmp_path):
    ring = [(107.565, 16.458), (107.592, 16.458), (107.592, 16.482), (107.565, 16.482)]
    ring.append(ring[0])
    projected = [list(TO_TM3.transform(lon, lat)) for lon, lat in ring]
    collection = {
        "type": "FeatureCollection",
        # What ogr2ogr writes for a shapefile in VN-2000 / TM-3 107-00.
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::9214"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"ma": "KT-01", "ten": "Kinh thành Huế"},
                "geometry": {"type": "Polygon", "coordinates": [projected]},
            }
        ],
    }
    profile = PROFILE.format(
        format="geojson",
        location="from_geometry = true",
        footprint="from_geometry = true",
        kind="heritage_zone",
    )
    report = import_file(catalogue, tmp_path, json.dumps(collection), "kt.geojson", profile)
    assert (report.created, report.rejected) == (1, 0), report
    zone = client.get("/v1/zones/kinh-thanh-hue").json
    outline = zone["footprint"]["coordinates"][0]
    assert len(outline) == len(ring)
    for got, want in zip(outline, ring, strict=True):
        assert got == pytest.approx(list(want), abs=1e-7)


def test_points_outside_the_zone_and_unknown_crs_are_refused_clearly(catalogue, tmp_path):
    profile = PROFILE.format(
        format="csv", location='x = "X"\ny = "Y"', footprint="", kind="monument"
    )
    # An easting of 1e12 m is nowhere in VN-2000's TM-3 107-00.
    text = "ma,ten,X,Y\nA,Đình làng,557957.244,1819792.088\nB,Nowhere,1e12,1e12\n"
    report = import_file(catalogue, tmp_path, text, "bad.csv", profile)
    assert (report.created, report.rejected) == (1, 1)
    (problem,) = report.rejections
    assert problem.field == "location" and "outside" in problem.message
    with pytest.raises(ProfileError, match="crs"):
        parse_profile(
            PROFILE.format(format="csv", location="", footprint="", kind="x").replace(
                "EPSG:9214", "EPSG:2154"
            ),
            "bad",
        )
