"""Checks of each record against the profile and the rest of the file: normalised and
valid, not a repeated source id, footprint repaired if the profile allows, and warnings
about points that look wrong (0,0, outside the country, lat/lon swapped, repeated)."""

from __future__ import annotations

import json

from shapely import make_valid
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from search.geo import arc_distance_m
from search.text import fold

from .normalise import Normalised, normalise
from .profiles import Profile
from .raw import RawRecord
from .report import ImportReport, flatten_errors
from .scratch import SeenRecords

# Roughly Viet Nam with its islands, for "is this point where the dataset says?" warnings.
COUNTRY_BOXES = {"VN": (102.0, 7.0, 117.9, 23.5)}
# Two records with the same folded name closer than this are reported as a likely duplicate.
SAME_PLACE_M = 200


class RecordChecks:
    """Remembers what the file held so far (in a scratch file, so memory stays flat)."""

    def __init__(self, profile: Profile, report: ImportReport, timezone: str) -> None:
        self.profile = profile
        self.report = report
        self.timezone = timezone
        self.seen = SeenRecords()

    def close(self) -> None:
        self.seen.close()

    def check(self, raw: RawRecord) -> Normalised | None:
        """The record normalised and checked against the file so far, or None if rejected."""
        report = self.report
        if raw.error:
            report.reject(raw.position, "record", raw.error)
            return None
        item = normalise(raw, self.profile, timezone=self.timezone)
        for message in item.warnings:
            report.warn(raw.position, "record", message)
        if item.errors:
            for field_name, message in flatten_errors(item.errors):
                report.reject(raw.position, field_name, message)
            return None
        first = self.seen.claim_id(item.source_id, raw.position)
        if first is not None:
            report.reject(
                raw.position, "id", f"duplicate source id {item.source_id!r} (first at {first})"
            )
            return None
        self._repair_footprint(raw.position, item)
        self._check_place(raw.position, item)
        return item

    def _repair_footprint(self, position: str, item: Normalised) -> None:
        footprint = item.record.get("footprint")
        if not footprint or not self.profile.footprint.get("repair"):
            return
        geometry = shape(footprint)
        if geometry.is_valid:
            return
        repaired = make_valid(geometry)
        parts = [
            g
            for g in getattr(repaired, "geoms", [repaired])
            if g.geom_type in ("Polygon", "MultiPolygon")
        ]
        if not parts:
            return
        fixed = unary_union(parts)
        item.record["footprint"] = json.loads(json.dumps(mapping(fixed)))  # tuples -> lists
        self.report.warn(position, "footprint", "invalid footprint repaired (make_valid); check it")

    def _check_place(self, position: str, item: Normalised) -> None:
        lon, lat = item.record["location"]["coordinates"][:2]
        if lon == 0 and lat == 0:
            self.report.warn(position, "location", "point at 0,0: probably missing coordinates")
            return
        box = COUNTRY_BOXES.get(self.profile.country or "")
        if box and not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
            if box[0] <= lat <= box[2] and box[1] <= lon <= box[3]:
                self.report.warn(
                    position,
                    "location",
                    "lat/lon look swapped: swapped, the point is inside the country",
                )
            else:
                self.report.warn(position, "location", f"point outside {self.profile.country}")
        for key in {fold(name) for name in (item.record.get("name") or {}).values()}:
            for other_position, other_lon, other_lat in self.seen.places_named(key):
                if arc_distance_m(lon, lat, other_lon, other_lat) < SAME_PLACE_M:
                    self.report.warn(
                        position, "name", f"same name and place as {other_position}: a duplicate?"
                    )
                    break
            self.seen.add_name(key, lon, lat, position)
