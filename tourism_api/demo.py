"""A quick loader for the shipped demo catalogue (UNESCO list and Vietnamese protected areas).

The full ingest tools (profiles, reports, dedup) live in `ingest/`; this
loader only has to give a new user a real catalogue to query, and be safe to
run twice: records already present (same source and source id) are skipped.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files

from shapely import make_valid
from shapely.geometry import MultiPolygon, mapping, shape
from sqlalchemy import select

from search.text import slugify

from .catalogue.errors import CatalogueError
from .catalogue.models import SiteSource
from .catalogue.services import Catalogue

ACTOR = "demo-loader"
UNESCO_SOURCE = "unesco-whc-2021"
ZONES_SOURCE = "legocity-vn-protected-areas"
_TAG = re.compile(r"<[^>]+>")

# Added by this project: the properties' Vietnamese names.
VIETNAMESE_NAMES = {
    "Complex of Hué Monuments": "Quần thể di tích Cố đô Huế",
    "Ha Long Bay": "Vịnh Hạ Long",
    "Hoi An Ancient Town": "Phố cổ Hội An",
    "My Son Sanctuary": "Thánh địa Mỹ Sơn",
    "Phong Nha-Ke Bang National Park": "Vườn quốc gia Phong Nha - Kẻ Bàng",
    "Central Sector of the Imperial Citadel of Thang Long - Hanoi": (
        "Khu trung tâm Hoàng thành Thăng Long - Hà Nội"
    ),
    "Citadel of the Ho Dynasty": "Thành nhà Hồ",
    "Trang An Landscape Complex": "Quần thể danh thắng Tràng An",
}
CATEGORY = {
    "Cultural": "cultural-heritage",
    "Natural": "natural-heritage",
    "Mixed": "mixed-heritage",
}


@dataclass
class LoadReport:
    created: int = 0
    skipped: int = 0
    rejected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub(" ", text or "")).strip()


def _shorten(text: str, limit: int = 1000) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > limit // 2 else cut[: limit - 1].rstrip() + "…"


def unesco_records() -> Iterator[tuple[str, dict]]:
    path = files("tourism_api") / "demo_data" / "whc-sites-2021.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name_en = _plain(row["name_en"])
            text = _plain(row["short_description_en"])
            name = {"en": name_en}
            if name_en in VIETNAMESE_NAMES:
                name["vi"] = VIETNAMESE_NAMES[name_en]
            record = {
                "kind": "heritage_site",
                "name": name,
                "location": {
                    "type": "Point",
                    "coordinates": [float(row["longitude"]), float(row["latitude"])],
                },
                "categories": [CATEGORY[row["category"]]] if row["category"] in CATEGORY else [],
                "designations": [
                    {"type": "unesco_world_heritage", "year": int(row["date_inscribed"])}
                ],
                "sources": [
                    {
                        "source": UNESCO_SOURCE,
                        "source_id": slugify(name_en, 200),
                        "licence": "UNESCO World Heritage Centre terms of use",
                        "attribution": "© UNESCO World Heritage Centre",
                        "url": "https://whc.unesco.org/en/list/",
                    }
                ],
            }
            if text:
                record["short_description"] = {"en": _shorten(text)}
                if len(text) > 1000:
                    record["description"] = {"en": text}
            iso = row["iso_code"].strip()
            if re.fullmatch(r"[a-z]{2}", iso):
                record["address"] = {"country": iso.upper()}
            yield name_en, record


def _designations(kind_text: str, year: str) -> list[dict]:
    found = []
    lowered = kind_text.lower()
    year_value = {"year": int(year)} if year.isdigit() else {}
    if "sinh quyển" in lowered:
        found.append({"type": "unesco_biosphere_reserve", **year_value})
    if "ramsar" in lowered:
        found.append({"type": "ramsar_site", **year_value})
    if "di sản thiên nhiên thế giới" in lowered:
        found.append({"type": "unesco_world_heritage", **year_value})
    return found


def zone_records(report: LoadReport) -> Iterator[tuple[str, dict]]:
    path = files("tourism_api") / "demo_data" / "vn-protected-areas.geojson"
    with path.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    for index, feat in enumerate(collection["features"]):
        props = feat["properties"]
        name = props["Ten"]
        geometry = shape(feat["geometry"])
        if not geometry.is_valid:
            repaired = make_valid(geometry)
            polygons = [
                g for g in getattr(repaired, "geoms", [repaired]) if g.geom_type == "Polygon"
            ]
            polygons += [
                p
                for g in getattr(repaired, "geoms", [])
                if g.geom_type == "MultiPolygon"
                for p in g.geoms
            ]
            geometry = MultiPolygon(polygons)
            report.warnings.append(
                f"feature {index} ({name}): invalid footprint repaired with make_valid"
            )
        point = geometry.representative_point()
        categories = ["natural-heritage"]
        lowered = props.get("Kieu_BT", "").lower()
        if "sinh quyển" in lowered:
            categories.append("biosphere")
        if "ramsar" in lowered or "ngập nước" in lowered:
            categories.append("wetland")
        if "bờ biển" in props.get("Vitri", "").lower():
            categories.append("coast-and-islands")
        record = {
            "kind": "protected_area",
            "name": {"vi": name},
            "short_description": {
                "vi": f"{props.get('Kieu_BT', '')}. {props.get('Vitri', '')}.".strip(". ") + "."
            },
            "location": {"type": "Point", "coordinates": [round(point.x, 7), round(point.y, 7)]},
            "footprint": mapping(geometry),
            "categories": categories,
            "designations": _designations(props.get("Kieu_BT", ""), props.get("Nam_Dexuat", "")),
            "address": {"country": "VN"},
            "sources": [
                {
                    "source": ZONES_SOURCE,
                    "source_id": str(index),
                    "licence": "CC-BY-SA-4.0",
                    "attribution": "CTU-SematX LegoCity open data",
                    "url": "https://github.com/CTU-SematX/LegoCity",
                }
            ],
        }
        yield name, json.loads(json.dumps(record))  # tuples from mapping() -> lists


def load_demo(catalogue: Catalogue, progress: Callable[[int], None] | None = None) -> LoadReport:
    report = LoadReport()
    catalogue.seed_categories()
    with catalogue.sessions() as session:
        existing = {
            tuple(row) for row in session.execute(select(SiteSource.source, SiteSource.source_id))
        }
    with catalogue.deferred_hooks():
        _load_records(catalogue, report, existing, progress)
    return report


def _load_records(catalogue: Catalogue, report: LoadReport, existing: set, progress) -> None:
    for label, record in [*unesco_records(), *zone_records(report)]:
        key = (record["sources"][0]["source"], record["sources"][0]["source_id"])
        if key in existing:
            report.skipped += 1
        else:
            try:
                catalogue.create_site(record, ACTOR, status="published")
                existing.add(key)
                report.created += 1
            except CatalogueError as exc:
                report.rejected.append(f"{label}: {exc.message} {exc.errors}")
        if progress:
            progress(1)


def demo_size() -> int:
    return sum(1 for _ in unesco_records()) + sum(1 for _ in zone_records(LoadReport()))
