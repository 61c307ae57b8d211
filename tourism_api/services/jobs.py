"""Background jobs: submitted by a request, run by a worker, followed by anyone allowed.

A job's row says what to do (`kind` and `payload`), how far it got and how it ended;
the queue carries only its id. Each kind has one handler, a use case that reports
progress as it goes and returns what the job produced (for an import, its report)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..catalogue.ids import new_id
from ..catalogue.models import Job
from ..db import transaction
from ..errors import DomainError, NotFound
from ..jobs.queue import JobQueue

log = logging.getLogger(__name__)

# A handler gets the job's payload and a progress callback (done, total) and returns the
# job's result. Raising a DomainError fails the job with its message.
Progress = Callable[[int, int | None], None]
Handler = Callable[[dict, Progress], dict]
# Progress is written at most this often (seconds): a row update per record would be slow.
PROGRESS_INTERVAL = 0.5


class RetryLater(Exception):
    """Raised by a handler whose work may succeed later (a webhook receiver that is down):
    the job goes back on the queue, to run again after `delay` seconds."""

    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay
        self.reason = reason


class Jobs:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.handlers: dict[str, Handler] = {}
        self.queue: JobQueue | None = None

    def submit(self, kind: str, payload: dict, *, actor: str, organisation_id: int | None) -> Job:
        """Record the job, then queue it: a worker that picks it up always finds its row."""
        if kind not in self.handlers:
            raise ValueError(f"no handler for {kind!r} jobs")
        job = Job(
            id=new_id(),
            kind=kind,
            status="queued",
            done=0,
            payload=payload,
            created_by=actor,
            organisation_id=organisation_id,
            created_at=datetime.now(UTC),
        )
        with transaction(self.sessions) as session:
            session.add(job)
        assert self.queue is not None, "Services.build attaches the queue"
        self.queue.enqueue(job.id)
        return job

    def get(self, job_id: str) -> Job:
        with self.sessions() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise NotFound(f"No job {job_id!r}.")
            return job

    def recent(self, organisation_id: int | None, limit: int = 20) -> list[Job]:
        with self.sessions() as session:
            query = select(Job).order_by(Job.created_at.desc()).limit(limit)
            if organisation_id is not None:
                query = query.where(Job.organisation_id == organisation_id)
            return list(session.scalars(query))

    # -- the worker's side ------------------------------------------------------------

    def run(self, job_id: str) -> None:
        """Run one job (called by the queue's worker); never raises, the row tells."""
        with transaction(self.sessions) as session:
            job = session.get(Job, job_id)
            if job is None or job.status != "queued":
                return  # unknown, or another worker took it
            job.status = "running"
            job.started_at = datetime.now(UTC)
            kind, payload = job.kind, dict(job.payload)
        last = 0.0
        reported: int | None = None

        def progress(done: int, total: int | None) -> None:
            nonlocal last, reported
            reported = done
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL:
                last = now
                self._update(job_id, done=done, total=total)

        try:
            result = self.handlers[kind](payload, progress)
        except RetryLater as exc:
            self._update(job_id, status="queued", error=exc.reason[:2000])
            assert self.queue is not None
            self.queue.enqueue(job_id, delay=exc.delay)
        except DomainError as exc:
            self._finish(job_id, "failed", error=exc.message)
        except Exception as exc:  # a bug: the job says so, the worker lives on
            log.exception("job %s (%s) failed", job_id, kind)
            self._finish(job_id, "failed", error=f"Internal error ({type(exc).__name__}).")
        else:
            # Done: the count is what was really done (the total was an estimate).
            counted = {"done": reported, "total": reported} if reported is not None else {}
            self._finish(job_id, "done", result=result, **counted)

    def _update(self, job_id: str, **values: Any) -> None:
        with transaction(self.sessions) as session:
            job = session.get(Job, job_id)
            for name, value in values.items():
                setattr(job, name, value)

    def _finish(
        self, job_id: str, status: str, *, result: dict | None = None, error=None, **counted
    ) -> None:
        with transaction(self.sessions) as session:
            job = session.get(Job, job_id)
            job.status = status
            job.result = result
            job.error = (error or "")[:2000] or None
            job.finished_at = datetime.now(UTC)
            for name, value in counted.items():
                setattr(job, name, value)


def counting(progress: Progress, total: int) -> Callable[[int], None]:
    """A job's progress fed by work that reports how many more records it did each time
    (the import pipeline, the indexer): the running count against the expected total."""
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        progress(done, max(total, done))

    progress(0, total)
    return step


def calendar_handler(calendar) -> Handler:
    """The daily calendar refresh (services.calendar) as a job with progress."""

    def run(payload: dict, progress: Progress) -> dict:
        return calendar.run(counting(progress, calendar.sites_with_hours()))

    return run


def reindex_handler(indexer) -> Handler:
    """Rebuilding the search index as a job (an administrator's button, not a request that
    waits minutes): a fresh index, switched to when complete."""

    def run(payload: dict, progress: Progress) -> dict:
        return {"indexed": indexer.rebuild(counting(progress, indexer.count_published()))}

    return run
