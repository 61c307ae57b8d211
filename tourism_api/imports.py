"""Running an uploaded file through the ingest pipeline and keeping its report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from ingest.pipeline import Importer, ImportReport
from ingest.profiles import ProfileError, load_profile, shipped
from ingest.raw import SourceError
from ingest.readers import read

from .catalogue.errors import InvalidInput, NotFound
from .catalogue.models import ImportRun
from .db import transaction
from .services import Services


def run_import(
    services: Services,
    path: Path,
    *,
    profile_name: str,
    filename: str,
    actor: str,
    dry_run: bool = False,
    strict: bool = False,
    encoding: str | None = None,
) -> ImportRun:
    # Over the API only shipped profiles: a path would let a caller read server files.
    if profile_name not in shipped():
        raise InvalidInput(
            f"No profile {profile_name!r}.",
            {"profile": [f"One of {', '.join(sorted(shipped()))}."]},
        )
    try:
        profile = load_profile(profile_name)
    except ProfileError as exc:
        raise InvalidInput(str(exc), {"profile": [str(exc)]}) from exc
    importer = Importer(
        services.catalogue,
        profile,
        actor=actor,
        file_label=filename,
        dry_run=dry_run,
        strict=strict,
    )
    try:
        report = importer.run(read(path, profile, encoding=encoding))
    except SourceError as exc:
        raise InvalidInput(
            f"{filename}: {exc.message}", {"file": [f"{exc.position}: {exc.message}"]}
        ) from exc
    return _store(services, report, actor)


def _store(services: Services, report: ImportReport, actor: str) -> ImportRun:
    with transaction(services.sessions) as session:
        run = ImportRun(
            profile=report.profile,
            filename=report.file[:300],
            actor=actor,
            dry_run=report.dry_run,
            strict=report.strict,
            committed=report.committed,
            summary=report.summary(),
            report=report.to_dict(),
            created_at=datetime.now(UTC),
        )
        session.add(run)
    return run


def get_import(services: Services, import_id: int) -> ImportRun:
    with services.sessions() as session:
        run = session.get(ImportRun, import_id)
        if run is None:
            raise NotFound(f"No import {import_id}.")
        return run


def list_imports(services: Services, limit: int = 50) -> list[ImportRun]:
    with services.sessions() as session:
        return list(session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))
