"""OpenStreetMap extracts: Overpass API JSON and `.osm` XML.

Nodes become points, closed ways polygons (or lines when open), multipolygon
relations are assembled from their member ways. Only elements with tourism,
historic, heritage or place-of-worship tags are yielded. The file is read
twice, streaming: first the node coordinates (kept in a scratch SQLite file,
not in memory), then the tagged elements, so element order does not matter.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import ijson

from .raw import RawRecord, SourceError
from .scratch import OsmStore

INTERESTING = ("tourism", "historic", "heritage")


def interesting(tags: dict[str, str]) -> bool:
    return any(k in tags for k in INTERESTING) or tags.get("amenity") == "place_of_worship"


def _is_xml(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(512).lstrip()
    if head.startswith(b"<"):
        return True
    if head.startswith(b"{"):
        return False
    raise SourceError("Neither OSM XML nor Overpass JSON.")


# -- element streams: (type, id, tags, data) -----------------------------------


def _xml_elements(path: Path) -> Iterator[dict]:
    try:
        root = None
        for event, elem in ET.iterparse(path, events=("start", "end")):
            if root is None:
                root = elem
            if event == "start" or elem.tag not in ("node", "way", "relation"):
                continue
            item = {
                "type": elem.tag,
                "id": int(elem.get("id")),
                "tags": {t.get("k"): t.get("v") for t in elem.findall("tag")},
            }
            if elem.tag == "node":
                item["lat"], item["lon"] = float(elem.get("lat")), float(elem.get("lon"))
            elif elem.tag == "way":
                item["nodes"] = [int(nd.get("ref")) for nd in elem.findall("nd")]
            else:
                item["members"] = [
                    {"type": m.get("type"), "ref": int(m.get("ref")), "role": m.get("role") or ""}
                    for m in elem.findall("member")
                ]
            # Clearing the element is not enough: the root still holds every (empty) child
            # read so far, which grows with the file. Drop them from the root.
            root.clear()
            yield item
    except ET.ParseError as exc:
        raise SourceError(f"Broken OSM XML: {exc}") from exc


def _json_elements(path: Path) -> Iterator[dict]:
    with open(path, "rb") as handle:
        try:
            yield from ijson.items(handle, "elements.item", use_float=True)
        except ijson.JSONError as exc:
            raise SourceError(f"Broken Overpass JSON: {exc}") from exc


def _elements(path: Path) -> Iterator[dict]:
    return _xml_elements(path) if _is_xml(path) else _json_elements(path)


# -- geometry -------------------------------------------------------------------


def _closed(ring: list) -> bool:
    return len(ring) >= 4 and ring[0] == ring[-1]


def _way_positions(item: dict, store: OsmStore):
    if item.get("geometry"):
        return [[p["lon"], p["lat"]] for p in item["geometry"]], []
    refs = item.get("nodes") or []
    nodes = store.nodes(list(set(refs)))
    missing = [r for r in refs if r not in nodes]
    return [list(nodes[r]) for r in refs if r in nodes], missing


def _join_rings(segments: list[list]) -> list[list] | None:
    """Join way segments end to end into closed rings; None if they do not close."""
    rings, pending = [], [s[:] for s in segments if s]
    while pending:
        ring = pending.pop(0)
        while not _closed(ring):
            for i, seg in enumerate(pending):
                if seg[0] == ring[-1]:
                    ring += seg[1:]
                elif seg[-1] == ring[-1]:
                    ring += seg[::-1][1:]
                else:
                    continue
                pending.pop(i)
                break
            else:
                return None
        rings.append(ring)
    return rings


def _relation_geometry(item, store: OsmStore) -> tuple[dict | None, str | None]:
    outers, inners, missing = [], [], []
    for member in item.get("members") or []:
        if member.get("type") != "way":
            continue
        way = None if member.get("geometry") else store.way(member["ref"])
        if member.get("geometry"):
            positions = [[p["lon"], p["lat"]] for p in member["geometry"]]
        elif way is not None:
            positions, lost = _way_positions(way, store)
            if lost:
                missing.append(f"way/{member['ref']}")
        else:
            missing.append(f"way/{member['ref']}")
            continue
        (inners if member.get("role") == "inner" else outers).append(positions)
    if missing:
        return None, f"members missing from the file: {', '.join(missing[:5])}"
    outer_rings, inner_rings = _join_rings(outers), _join_rings(inners)
    if not outer_rings or inner_rings is None:
        return None, "the member ways do not form closed rings"
    polygons = [[ring] for ring in outer_rings]
    polygons[0].extend(
        inner_rings
    )  # holes: assigned to the first outer ring (enough for most sites)
    return {"type": "MultiPolygon", "coordinates": polygons}, None


def read_osm(path: str | Path) -> Iterator[RawRecord]:
    path = Path(path)
    with OsmStore() as store:
        for item in _elements(path):  # first pass: coordinates and the ways relations need
            if item.get("type") == "node" and "lat" in item:
                store.add_node(item["id"], item["lon"], item["lat"])
            elif item.get("type") == "way":
                store.add_way(
                    item["id"], {"nodes": item.get("nodes"), "geometry": item.get("geometry")}
                )
        yield from _records(path, store)


def _records(path: Path, store: OsmStore) -> Iterator[RawRecord]:
    for item in _elements(path):
        tags = item.get("tags") or {}
        if not interesting(tags):
            continue
        kind, osm_id = item.get("type"), item.get("id")
        position = f"{kind}/{osm_id}"
        fields = {"@id": position, "@type": kind, **tags}
        if kind == "node":
            geometry = {"type": "Point", "coordinates": [item["lon"], item["lat"]]}
        elif "center" in item and not item.get("geometry") and not item.get("nodes"):
            geometry = {
                "type": "Point",
                "coordinates": [item["center"]["lon"], item["center"]["lat"]],
            }
        elif kind == "way":
            positions, missing = _way_positions(item, store)
            if missing:
                yield RawRecord(
                    position=position,
                    fields=fields,
                    error=f"nodes missing from the file: {', '.join(map(str, missing[:5]))}",
                )
                continue
            if _closed(positions) and tags.get("area") != "no":
                geometry = {"type": "Polygon", "coordinates": [positions]}
            else:
                geometry = {"type": "LineString", "coordinates": positions}
        elif kind == "relation":
            geometry, problem = _relation_geometry(item, store)
            if problem:
                yield RawRecord(position=position, fields=fields, error=problem)
                continue
        else:
            continue
        yield RawRecord(position=position, fields=fields, geometry=geometry)
