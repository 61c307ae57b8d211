"""Wikidata SPARQL query results (the JSON format), one record per item.

A query usually returns several rows per item (one per label language or per
designation); they are merged: a language-tagged literal `?label` in "vi" becomes
the field `label@vi`, and a variable with several values keeps them all as a list.
Coordinates come from a `Point(lon lat)` literal (P625).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import ijson

from .raw import RawRecord, SourceError
from .scratch import WikidataRows

_POINT = re.compile(r"^\s*(?:<[^>]+>\s*)?Point\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$")
ENTITY = "http://www.wikidata.org/entity/"


def _value(binding: dict) -> str:
    value = binding.get("value", "")
    return value.removeprefix(ENTITY) if binding.get("type") == "uri" else value


def read_wikidata(path: str | Path, key: str = "item") -> Iterator[RawRecord]:
    # Rows of one item need not be adjacent, so they are grouped in a scratch file
    # rather than a dict: memory stays flat however large the export is.
    with WikidataRows() as rows:
        with open(path, "rb") as handle:
            try:
                for row_index, row in enumerate(ijson.items(handle, "results.bindings.item")):
                    if key not in row:
                        yield RawRecord(
                            position=f"result {row_index}", error=f"no ?{key} in this result"
                        )
                        continue
                    values = []
                    for var, binding in row.items():
                        if var != key:
                            lang = binding.get("xml:lang")
                            values.append((f"{var}@{lang}" if lang else var, _value(binding)))
                    rows.add(_value(row[key]), row_index, values)
            except ijson.JSONError as exc:
                raise SourceError(f"Not SPARQL JSON results: {exc}") from exc
        for qid, first, values in rows.items():
            yield _record(f"{qid} (result {first})", {"@id": qid, **_merge(values)})


def _merge(values: list[tuple[str, str]]) -> dict:
    """One field per variable; a variable met with several values keeps them all, in order."""
    fields: dict = {}
    for name, value in values:
        current = fields.get(name)
        if current is None:
            fields[name] = value
        elif isinstance(current, list):
            if value not in current:
                current.append(value)
        elif current != value:
            fields[name] = [current, value]
    return fields


def _record(position: str, fields: dict) -> RawRecord:
    coord = fields.get("coord")
    if isinstance(coord, list):
        coord = coord[0]
    if not coord:
        return RawRecord(position=position, fields=fields)
    match = _POINT.match(coord)
    if not match:
        return RawRecord(
            position=position,
            fields=fields,
            error=f"coordinates {coord!r} are not a Point(lon lat)",
        )
    geometry = {"type": "Point", "coordinates": [float(match.group(1)), float(match.group(2))]}
    return RawRecord(position=position, fields=fields, geometry=geometry)
