"""Attaching a folder of photos to the sites they show, by the GPS in each photo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from media_store.exif import read_facts

from ..catalogue.models import Site
from ..catalogue.queries import SiteLister, SiteQuery
from ..errors import DomainError
from .photos import MediaService

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif")


@dataclass
class FolderReport:
    files: int = 0
    proposed: int = 0
    attached: int = 0
    unplaced: int = 0
    failed: int = 0
    # (file name, proposed site's slug or "-", what happened)
    rows: list[tuple[str, str, str]] = field(default_factory=list)


def photo_files(folder: str | Path) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)


def nearest_site(
    lister: SiteLister, lon: float, lat: float, max_distance_m: float
) -> tuple[Site | None, float | None]:
    """The closest site (any status but archived) within `max_distance_m` of a photo's GPS."""
    page = lister.list(
        SiteQuery(
            near=(lon, lat),
            radius_m=max_distance_m,
            statuses=("draft", "in_review", "published"),
            limit=1,
        )
    )
    return page.items[0] if page.items else (None, None)


def import_folder(
    media: MediaService,
    lister: SiteLister,
    files: Iterable[Path],
    *,
    max_distance_m: float,
    apply: bool,
    details: dict,
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> FolderReport:
    """Propose the nearest site for each photo; with `apply`, attach it there.
    A photo that cannot be read or attached is reported and the others go on."""
    report = FolderReport()
    for path in files:
        report.files += 1
        report.rows.append(
            _one(
                media,
                lister,
                path,
                report,
                max_distance_m,
                apply=apply,
                details=details,
                actor=actor,
            )
        )
        if progress:
            progress(1)
    return report


def _one(
    media: MediaService,
    lister: SiteLister,
    path: Path,
    report: FolderReport,
    max_distance_m: float,
    *,
    apply: bool,
    details: dict,
    actor: str,
) -> tuple[str, str, str]:
    data = path.read_bytes()
    try:
        facts = read_facts(data)
    except Exception as exc:  # an unreadable image is reported; the others go on
        report.failed += 1
        return path.name, "-", f"unreadable: {exc}"
    if facts.lat is None:
        report.unplaced += 1
        return path.name, "-", "no GPS: attach it by hand"
    site, distance = nearest_site(lister, facts.lon, facts.lat, max_distance_m)
    if site is None:
        report.unplaced += 1
        return (
            path.name,
            "-",
            f"no site within {max_distance_m:.0f} m of {facts.lat:.5f},{facts.lon:.5f}",
        )
    report.proposed += 1
    note = f"{distance:.0f} m"
    if apply:
        try:
            media.add(
                site.id, data, filename=path.name, details=details, actor=actor, background=False
            )
            report.attached += 1
            note += ", attached"
        except DomainError as exc:
            report.failed += 1
            note += f", not attached: {exc.message}"
    return path.name, site.slug, note
