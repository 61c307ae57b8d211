"""Importing a file through a mapping profile, and keeping every import's report.

The API's uploads, `tourism ingest run` and the demo loader all come here, so
every import is stored the same way and listed by `GET /v1/imports`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.pipeline import DEFAULT_BATCH_SIZE, Importer
from ingest.profiles import Profile, load_profile, parse_profile, shipped
from ingest.readers import estimate_records, read
from ingest.report import ImportReport

from ..catalogue.categories import Taxonomy
from ..catalogue.ids import is_row_id, new_id
from ..catalogue.models import ImportProfile, ImportRun, Job
from ..catalogue.sites import Catalogue
from ..db import transaction
from ..errors import Conflict, InvalidInput, NotFound
from .jobs import Jobs, counting

PROFILE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_PROFILE_CHARS = 100_000


@dataclass
class CompletedImport:
    run: ImportRun
    report: ImportReport


class ImportService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalogue: Catalogue,
        taxonomy: Taxonomy,
        jobs: Jobs,
        upload_root: str | Path,
    ) -> None:
        self.sessions = sessions
        self.catalogue = catalogue
        self.taxonomy = taxonomy
        self.jobs = jobs
        self.upload_root = Path(upload_root)
        jobs.handlers["import"] = self.run_job

    def submit(
        self,
        save: Callable[[Path], None],
        *,
        filename: str,
        profile: str,
        actor: str,
        organisation_id: int | None,
        dry_run: bool = False,
        strict: bool = False,
        encoding: str | None = None,
    ) -> Job:
        """Keep the uploaded file (`save` writes it) and queue its import as a job."""
        self.upload_root.mkdir(parents=True, exist_ok=True)
        path = self.upload_root / new_id()
        save(path)
        if path.stat().st_size == 0:
            path.unlink()
            raise InvalidInput("The uploaded file is empty.", {"file": ["Empty."]})
        payload = {
            "path": str(path),
            "filename": filename,
            "profile": profile,
            "actor": actor,
            "organisation_id": organisation_id,
            "dry_run": dry_run,
            "strict": strict,
            "encoding": encoding,
        }
        return self.jobs.submit("import", payload, actor=actor, organisation_id=organisation_id)

    def commit(self, dry_run_job: Job, actor: str) -> Job:
        """Import for real the file a dry run read (still waiting in the upload folder)."""
        if dry_run_job.kind != "import" or not dry_run_job.payload.get("dry_run"):
            raise Conflict("Only a dry run can be committed.", {"job": ["Not a dry run."]})
        if dry_run_job.status != "done":
            raise Conflict("The dry run has not finished.", {"job": [dry_run_job.status]})
        payload = {**dry_run_job.payload, "dry_run": False, "actor": actor}
        return self.jobs.submit(
            "import", payload, actor=actor, organisation_id=dry_run_job.organisation_id
        )

    def profile(
        self,
        name_or_path: str,
        *,
        allow_files: bool = False,
        organisation_id: int | None = None,
    ) -> Profile:
        """A shipped profile by name, or one an office uploaded (seen by that office and by
        administrators, whose `organisation_id` is None); a profile file by path only when
        `allow_files` (the CLI): over the API a path would let a caller read server files."""
        if name_or_path in shipped() or allow_files and Path(name_or_path).exists():
            return load_profile(name_or_path)
        stored = self.stored_profile(name_or_path, organisation_id)
        if stored is not None:
            return parse_profile(stored.toml, stored.name)
        known = sorted(shipped()) + [p.name for p in self.stored_profiles(organisation_id)]
        raise InvalidInput(
            f"No profile {name_or_path!r}.", {"profile": [f"One of {', '.join(known)}."]}
        )

    def stored_profile(self, name: str, organisation_id: int | None) -> ImportProfile | None:
        """An uploaded profile, if the office (None: an administrator) may use it."""
        with self.sessions() as session:
            stored = session.scalars(
                select(ImportProfile).where(ImportProfile.name == name)
            ).first()
        if stored is None or organisation_id not in (None, stored.organisation_id):
            return None
        return stored

    def stored_profiles(self, organisation_id: int | None) -> list[ImportProfile]:
        """Uploaded profiles an office may use (all of them for administrators)."""
        with self.sessions() as session:
            query = select(ImportProfile).order_by(ImportProfile.name)
            if organisation_id is not None:
                query = query.where(ImportProfile.organisation_id == organisation_id)
            return list(session.scalars(query))

    def save_profile(
        self, name: str, text: str, *, organisation_id: int | None, actor: str
    ) -> ImportProfile:
        """Check and keep an office's profile; its author's office may replace it later."""
        if not PROFILE_NAME.fullmatch(name or ""):
            raise InvalidInput(
                "A profile name is lowercase words joined by hyphens.", {"name": ["Invalid."]}
            )
        if name in shipped():
            raise Conflict(f"{name!r} is a shipped profile.", {"name": ["Taken."]})
        if len(text) > MAX_PROFILE_CHARS:
            raise InvalidInput(
                "The profile is too long.", {"toml": ["At most 100 000 characters."]}
            )
        parse_profile(text, name)  # refused here, with the key at fault, if it is wrong
        now = datetime.now(UTC)
        with transaction(self.sessions) as session:
            stored = session.scalars(
                select(ImportProfile).where(ImportProfile.name == name)
            ).first()
            if stored is None:
                stored = ImportProfile(
                    name=name,
                    organisation_id=organisation_id,
                    created_by=actor,
                    created_at=now,
                    toml=text,
                    updated_at=now,
                )
                session.add(stored)
            elif organisation_id not in (None, stored.organisation_id):
                raise Conflict(
                    f"The profile name {name!r} is another office's.", {"name": ["Taken."]}
                )
            else:
                stored.toml, stored.updated_at = text, now
        return stored

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
        batch_size: int = DEFAULT_BATCH_SIZE,
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

    def run_job(self, payload: dict, progress: Callable[[int, int | None], None]) -> dict:
        """An import as a background job: the uploaded file waits in the upload folder;
        a dry run keeps it there, so that it can be committed after reading the report."""
        path = Path(payload["path"])
        if not path.exists():
            raise InvalidInput(
                "The uploaded file is no longer here: upload it again.", {"file": ["Gone."]}
            )
        profile = self.profile(payload["profile"], organisation_id=payload.get("organisation_id"))
        step = counting(progress, self.estimate(path, profile))
        completed = self.run(
            path,
            profile,
            filename=payload["filename"],
            actor=payload["actor"],
            dry_run=payload.get("dry_run", False),
            strict=payload.get("strict", False),
            encoding=payload.get("encoding"),
            organisation_id=payload.get("organisation_id"),
            progress=step,
        )
        if not payload.get("dry_run"):
            path.unlink(missing_ok=True)
        return {"import_id": completed.run.id, "summary": completed.run.summary}

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
        if not is_row_id(import_id):
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
