"""Readers stream: reading eight times as many records must not take eight times the memory.

Peaks are measured with tracemalloc over the whole read, so a reader that keeps
every record (or every Wikidata item) in a dict fails here, whatever the machine.
"""

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.csv_reader import read_csv
from ingest.geojson_reader import read_geojson
from ingest.osm_reader import read_osm
from ingest.wikidata_reader import read_wikidata


def _geojson(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [')
        for i in range(n):
            feature = {
                "type": "Feature",
                "properties": {"id": f"s{i}", "name": f"Đình làng số {i}"},
                "geometry": {"type": "Point", "coordinates": [107.5 + i * 1e-6, 16.4]},
            }
            out.write(("," if i else "") + json.dumps(feature, ensure_ascii=False))
        out.write("]}")


def _csv(path: Path, n: int) -> None:
    # Long descriptions, so that both files are larger than the reader's fixed 1 MB
    # encoding sample: what is compared is then the streaming, not the sample.
    description = "Đình làng thờ Thành hoàng dựng lại năm 1890. " * 12
    with open(path, "w", encoding="utf-8") as out:
        out.write("id,name,description,lat,lon\n")
        for i in range(n):
            out.write(f"s{i},Đình làng số {i},{description},16.4,{107.5 + i * 1e-6}\n")


def _osm(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?>\n<osm version="0.6">\n')
        for i in range(n):
            out.write(
                f'<node id="{i + 1}" lat="16.4" lon="{107.5 + i * 1e-6}">'
                f'<tag k="historic" v="monument"/><tag k="name" v="Bia số {i}"/></node>\n'
            )
        out.write("</osm>\n")


def _wikidata(path: Path, n: int) -> None:
    # Two rows per item (vi and en labels), the second half of the file repeating the
    # items in reverse, so that no item's rows are next to each other.
    def row(i: int, lang: str) -> dict:
        return {
            "item": {"type": "uri", "value": f"http://www.wikidata.org/entity/Q{i + 1}"},
            "label": {"type": "literal", "xml:lang": lang, "value": f"Di tích {i} {lang}"},
            "coord": {"type": "literal", "value": f"Point({107.5 + i * 1e-6} 16.4)"},
        }

    rows = [row(i, "vi") for i in range(n)] + [row(i, "en") for i in reversed(range(n))]
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"head": {"vars": ["item", "label", "coord"]}}, out)
        out.seek(out.tell() - 1)
        out.write(', "results": {"bindings": [')
        out.write(",".join(json.dumps(r, ensure_ascii=False) for r in rows))
        out.write("]}}")


READERS: dict[str, tuple[Callable[[Path, int], None], Callable, str]] = {
    "geojson": (_geojson, read_geojson, "data.geojson"),
    "csv": (_csv, read_csv, "data.csv"),
    "osm": (_osm, read_osm, "data.osm"),
    "wikidata": (_wikidata, read_wikidata, "data.json"),
}


def _peak(reader: Callable, path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for record in reader(path) if not record.error)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(READERS))
def test_reader_memory_is_flat(fmt, tmp_path):
    write, reader, name = READERS[fmt]
    small, large = tmp_path / f"small-{name}", tmp_path / f"large-{name}"
    write(small, 2_000)
    write(large, 16_000)
    small_count, small_peak = _peak(reader, small)
    large_count, large_peak = _peak(reader, large)
    assert (small_count, large_count) == (2_000, 16_000)
    # Eight times the records; a reader that keeps them would need about eight times
    # the memory. Allow for caches warming up, not for growth with the input.
    assert large_peak < 2 * small_peak + 512 * 1024, (small_peak, large_peak)


def test_wikidata_rows_far_apart_merge_into_one_record(tmp_path):
    path = tmp_path / "data.json"
    _wikidata(path, 50)
    records = list(read_wikidata(path))
    assert [r.fields["@id"] for r in records] == [f"Q{i + 1}" for i in range(50)]
    first = records[0]
    assert first.fields["label@vi"] == "Di tích 0 vi" and first.fields["label@en"] == "Di tích 0 en"
    assert first.position == "Q1 (result 0)"
    assert first.geometry == {"type": "Point", "coordinates": [107.5, 16.4]}
