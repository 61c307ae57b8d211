"""Bulk export of the public catalogue (all of it, or what OGC-style filters select) as GeoJSON,
GeoJSON Text Sequences (RFC 8142), CSV and GeoPackage, and the daily snapshot apps download.

Records are read a page at a time (keyset pages of the catalogue's lister, the same query as
OGC API items) and written as they come, so memory stays flat whatever the catalogue's size;
a GeoPackage is appended to page by page through pyogrio (GDAL). Every record carries the
licence and attribution of the sources it was made from.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely
from pyogrio.raw import write as write_layer

from ..catalogue.feed import ChangeFeed
from ..catalogue.records import public_view
from ..config import Settings
from ..errors import InvalidInput, NotFound
from .features import Features
from .jobs import Progress

PAGE = 500
FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "geojsonseq": ("application/geo+json-seq", "geojsons"),
    "csv": ("text/csv", "csv"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
}
RS = b"\x1e"


@dataclass(frozen=True)
class Snapshot:
    path: Path
    etag: str
    made_at: datetime
    version: int


class Exports:
    def __init__(self, settings: Settings, features: Features, feed: ChangeFeed) -> None:
        self.settings = settings
        self.features = features
        self.feed = feed
        self.root = Path(settings.export_root).resolve()

    # -- records ----------------------------------------------------------------------

    def views(self, params: dict) -> Iterator[dict]:
        """Every published site the filters select, in id order, a page at a time."""
        query = replace(self.features.query("sites", params), limit=PAGE, cursor=None)
        lister = self.features.listing.lister
        now = datetime.now(UTC)
        while True:
            page = lister.list(query)
            for site, _distance in page.items:
                view = public_view(
                    site, preferred=(), languages=self.settings.languages, now=now, staff=False
                )
                sources = view.get("provenance") or []
                view["licence"] = _joined(s.get("licence") for s in sources)
                view["attribution"] = _joined(s.get("attribution") for s in sources)
                yield view
            if not page.next_cursor:
                return
            query = replace(query, cursor=page.next_cursor)

    def check(self, fmt: str) -> None:
        if fmt not in FORMATS:
            raise InvalidInput(
                f"format is one of {', '.join(FORMATS)}.", {"format": [f"Unknown: {fmt!r}."]}
            )

    # -- streamed formats -------------------------------------------------------------

    def stream(self, fmt: str, params: dict) -> Iterator[bytes]:
        """The export as chunks of bytes (GeoJSON, GeoJSON sequence or CSV)."""
        self.check(fmt)
        records = self.views(params)
        if fmt == "geojson":
            return self._geojson(records)
        if fmt == "geojsonseq":
            return (RS + _dumps(_feature(v)) + b"\n" for v in records)
        if fmt == "csv":
            return self._csv(records)
        raise InvalidInput("gpkg is a file, not a stream.", {"format": ["Not streamed."]})

    def _geojson(self, records: Iterator[dict]) -> Iterator[bytes]:
        yield b'{"type": "FeatureCollection", "features": ['
        first = True
        for view in records:
            yield (b"" if first else b",\n") + _dumps(_feature(view))
            first = False
        yield b"]}\n"

    def columns(self) -> list[str]:
        names = [f"name_{lang}" for lang in self.settings.languages]
        return [
            "id",
            "slug",
            "kind",
            *names,
            "lon",
            "lat",
            "admin_area",
            "province_code",
            "province",
            "categories",
            "designations",
            "wheelchair",
            "free",
            "phone",
            "website",
            "opening_hours",
            "image",
            "licence",
            "attribution",
            "updated_at",
            "url",
        ]

    def row(self, view: dict) -> list:
        lon, lat = view["location"]["coordinates"][:2]
        names = [view["name"].get(lang, "") for lang in self.settings.languages]
        admission, contact = view.get("admission") or {}, view.get("contact") or {}
        free = admission.get("free")
        return [
            view["id"],
            view["slug"],
            view["kind"],
            *names,
            lon,
            lat,
            view.get("admin_area") or "",
            (view.get("province") or {}).get("code", ""),
            (view.get("province") or {}).get("name", ""),
            ";".join(view.get("categories") or []),
            ";".join(d["type"] for d in view.get("designations") or []),
            (view.get("accessibility") or {}).get("wheelchair", ""),
            "" if free is None else ("yes" if free else "no"),
            contact.get("phone", ""),
            contact.get("website", ""),
            json.dumps(view["opening_hours"], ensure_ascii=False)
            if view.get("opening_hours")
            else "",
            (view.get("image") or {}).get("thumbnail_jpeg", ""),
            view["licence"],
            view["attribution"],
            view["updated_at"],
            f"/v1/sites/{view['id']}",
        ]

    def _csv(self, records: Iterator[dict]) -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        # A BOM, so spreadsheet programs read the Vietnamese as UTF-8.
        writer.writerow(self.columns())
        yield "\ufeff".encode() + buffer.getvalue().encode()
        for view in records:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(self.row(view))
            yield buffer.getvalue().encode()

    # -- GeoPackage -------------------------------------------------------------------

    def write_gpkg(self, path: Path, params: dict, progress=None) -> int:
        """The export as a GeoPackage layer `sites` (WGS 84 points), appended page by page."""
        columns = self.columns()
        count, batch = 0, []
        for view in self.views(params):
            batch.append(view)
            if len(batch) == PAGE:
                self._append(path, batch, columns, append=count > 0)
                count += len(batch)
                batch = []
                if progress:
                    progress(count)
        if batch or count == 0:
            self._append(path, batch, columns, append=count > 0)
            count += len(batch)
        return count

    def gpkg_file(self, params: dict) -> Path:
        """A GeoPackage of the selection in a file of its own (the caller removes it)."""
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.gpkg"
        try:
            self.write_gpkg(path, params)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def _append(self, path: Path, views: list[dict], columns: list[str], *, append: bool) -> None:
        rows = [self.row(v) for v in views]
        geometry = np.array(
            [
                shapely.to_wkb(shapely.Point(r[columns.index("lon")], r[columns.index("lat")]))
                for r in rows
            ],
            dtype=object,
        )
        kept = [c for c in columns if c not in ("lon", "lat")]
        data = [np.array([str(r[columns.index(c)]) for r in rows], dtype=object) for c in kept]
        write_layer(
            str(path),
            geometry,
            data,
            kept,
            layer="sites",
            driver="GPKG",
            geometry_type="Point",
            crs="EPSG:4326",
            encoding="UTF-8",
            append=append,
        )

    # -- the daily snapshot -----------------------------------------------------------

    def snapshot(self, payload: dict, progress: Progress) -> dict:
        """The job: every format of the whole public catalogue, written beside the previous
        snapshot and switched to at once (a download never sees half a file)."""
        version = self.feed.version()
        self.root.mkdir(parents=True, exist_ok=True)
        made = {}
        total = self.features.listing.lister.count(self.features.query("sites", {}))
        for fmt, (_mime, suffix) in FORMATS.items():
            target = self.root / f"catalogue.{suffix}"
            partial = self.root / f".catalogue.{suffix}.partial"
            partial.unlink(missing_ok=True)
            if fmt == "gpkg":
                self.write_gpkg(partial, {}, lambda n: progress(n, total))
            else:
                with open(partial, "wb") as handle:
                    for chunk in self.stream(fmt, {}):
                        handle.write(chunk)
            os.replace(partial, target)
            made[fmt] = _sha256(target)
        (self.root / "catalogue.json").write_text(
            json.dumps(
                {"version": version, "made_at": datetime.now(UTC).isoformat(), "sha256": made}
            )
        )
        progress(total, total)
        return {"version": version, "records": total, "files": sorted(made)}

    def latest(self, fmt: str) -> Snapshot:
        self.check(fmt)
        suffix = FORMATS[fmt][1]
        path = self.root / f"catalogue.{suffix}"
        index = self.root / "catalogue.json"
        if not path.exists() or not index.exists():
            raise NotFound("No snapshot has been made yet; it is made daily.")
        meta = json.loads(index.read_text())
        return Snapshot(
            path=path,
            etag=meta["sha256"][fmt][:32],
            made_at=datetime.fromisoformat(meta["made_at"]),
            version=meta["version"],
        )


def _feature(view: dict) -> dict:
    properties = {k: v for k, v in view.items() if k != "location"}
    return {
        "type": "Feature",
        "id": view["id"],
        "geometry": view["location"],
        "properties": properties,
    }


def _dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _joined(values) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
