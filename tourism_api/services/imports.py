"""Importing a file through a mapping profile, and keeping every import's report.

The API's uploads, `tourism ingest run` and the demo loader all come here, so
every import is stored the same way and listed by `GET /v1/imports`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.pipeline import Importer
from ingest.profiles import Profile, load_profile, shipped
from ingest.readers import estimate_records, read
from ingest.report import ImportReport

from ..catalogue.categories import Taxonomy
from ..catalogue.models import ImportRun
from ..catalogue.sites import Catalogue
from ..db import transaction
from ..errors import InvalidInput, NotFound


@dataclass
class CompletedImport:
    run: ImportRun
    report: ImportReport


class ImportService:
    def __init__(
        self, sessions: sessionmaker[Session], catalogue: Catalogue, taxonomy: Taxonomy
    ) -> None:
        self.sessions = sessions
        self.catalogue = catalogue
        self.taxonomy = taxonomy

    def profile(self, name_or_path: str, *, allow_files: bool = False) -> Profile:
        """A shipped profile by name; a profile file by path only when `allow_files`
        (the CLI): over the API a path would let a caller read server files."""
        if not allow_files and name_or_path not in shipped():
            raise InvalidInput(
                f"No profile {name_or_path!r}.",
                {"profile": [f"One of {', '.join(sorted(shipped()))}."]},
            )
        return load_profile(name_or_path)

    def estimate(self, path: str | Path, profile: Profile) -> int:
        """How many records the file holds, roughly, for a progress bar."""
        return estimate_records(path, profile)

    def run(
        self,
        path: str | Path,
        profile: Profile,
        *,
        filename: str,
        actor: str,
        dry_run: bool = False,
        strict: bool = False,
        encoding: str | None = None,
        batch_size: int = 200,
        progress: Callable[[int], None] | None = None,
        on_start: Callable[[Importer], None] | None = None,
        organisation_id: int | None = None,
    ) -> CompletedImport:
        """Run the file through the pipeline and store the run with its report.

        Raises SourceError (a DomainError) when the file as a whole is unreadable;
        `on_start` receives the importer, so a caller can report how far an
        interrupted run got."""
        importer = Importer(
            self.catalogue,
            profile,
            actor=actor,
            file_label=filename,
            dry_run=dry_run,
            strict=strict,
            batch_size=batch_size,
            organisation_id=organisation_id,
        )
        if on_start:
            on_start(importer)
        report = importer.run(read(path, profile, encoding=encoding), progress)
        return CompletedImport(self._store(report, actor), report)

    def _store(self, report: ImportReport, actor: str) -> ImportRun:
        with transaction(self.sessions) as session:
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

    def get(self, import_id: int) -> ImportRun:
        if not 0 < import_id < 2**63:  # beyond a BIGINT: no such row, and no driver error
            raise NotFound(f"No import {import_id}.")
        with self.sessions() as session:
            run = session.get(ImportRun, import_id)
            if run is None:
                raise NotFound(f"No import {import_id}.")
            return run

    def recent(self, limit: int = 50) -> list[ImportRun]:
        with self.sessions() as session:
            return list(
                session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit))
            )
