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

_POINT = re.compile(r"^\s*(?:<[^>]+>\s*)?Point\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$")
ENTITY = "http://www.wikidata.org/entity/"


def _value(binding: dict) -> str:
    value = binding.get("value", "")
    return value.removeprefix(ENTITY) if binding.get("type") == "uri" else value


def read_wikidata(path: str | Path, key: str = "item") -> Iterator[RawRecord]:
    items: dict[str, dict] = {}
    order: list[str] = []
    with open(path, "rb") as handle:
        try:
            for row_index, row in enumerate(ijson.items(handle, "results.bindings.item")):
                if key not in row:
                    yield RawRecord(
                        position=f"result {row_index}", error=f"no ?{key} in this result"
                    )
                    continue
                qid = _value(row[key])
                if qid not in items:
                    items[qid] = {"@id": qid, "@first": row_index}
                    order.append(qid)
                fields = items[qid]
                for var, binding in row.items():
                    if var == key:
                        continue
                    lang = binding.get("xml:lang")
                    name = f"{var}@{lang}" if lang else var
                    value = _value(binding)
                    current = fields.get(name)
                    if current is None:
                        fields[name] = value
                    elif isinstance(current, list):
                        if value not in current:
                            current.append(value)
                    elif current != value:
                        fields[name] = [current, value]
        except ijson.JSONError as exc:
            raise SourceError(f"Not SPARQL JSON results: {exc}") from exc
    for qid in order:
        fields = items[qid]
        position = f"{qid} (result {fields.pop('@first')})"
        coord = fields.get("coord")
        if isinstance(coord, list):
            coord = coord[0]
        geometry = None
        if coord:
            match = _POINT.match(coord)
            if not match:
                yield RawRecord(
                    position=position,
                    fields=fields,
                    error=f"coordinates {coord!r} are not a Point(lon lat)",
                )
                continue
            geometry = {
                "type": "Point",
                "coordinates": [float(match.group(1)), float(match.group(2))],
            }
        yield RawRecord(position=position, fields=fields, geometry=geometry)
