"""The shipped demo catalogue: the UNESCO list and Vietnam's protected areas, imported
through the same ingest pipeline and profiles staff use (so loading twice is a no-op)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from ingest.pipeline import Importer, ImportReport
from ingest.profiles import load_profile
from ingest.readers import read

from .catalogue.services import Catalogue

ACTOR = "demo-loader"
DEMO_FILES = (
    ("unesco-whc-2021", "whc-sites-2021.csv"),
    ("vn-protected-areas", "vn-protected-areas.geojson"),
)


def demo_path(filename: str) -> Path:
    return Path(str(files("tourism_api") / "demo_data" / filename))


def load_demo(
    catalogue: Catalogue, progress: Callable[[int], None] | None = None
) -> list[ImportReport]:
    catalogue.seed_categories()
    reports = []
    for profile_name, filename in DEMO_FILES:
        profile = load_profile(profile_name)
        importer = Importer(catalogue, profile, actor=ACTOR, file_label=filename)
        reports.append(importer.run(read(demo_path(filename), profile), progress))
    return reports


def demo_size() -> int:
    return sum(
        sum(1 for _ in read(demo_path(filename), load_profile(profile_name)))
        for profile_name, filename in DEMO_FILES
    )
