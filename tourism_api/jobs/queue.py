"""The queue behind background jobs, with huey: SQLite on the embedded default (a file
beside the catalogue, and a worker thread inside the serving process), Redis in
production (the same server the rate limiter uses, and `tourism jobs worker` processes
on any host). Only a job's id travels through the queue; its state lives in the
catalogue's `jobs` table, so every process reads the same progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from ..config import Settings

TASK_NAME = "tourism.run_job"


class JobQueue:
    """The queue named by TOURISM_JOBS_URL, with the one task it carries: run a job by id."""

    def __init__(self, settings: Settings, run: Callable[[str], None]) -> None:
        url = settings.jobs_url
        if not url.startswith(("sqlite:///", "redis://", "rediss://", "unix://")):
            raise ValueError(
                f"TOURISM_JOBS_URL must be sqlite:///path or redis://host, not {url!r}"
            )
        self.url = url
        self.name = settings.jobs_queue_name
        self._run = run
        self._huey: Huey | None = None
        self._task = None
        self._daily: list[tuple[int, str, Callable[[], None]]] = []

    def daily(self, hour: int, name: str, callback: Callable[[], None]) -> None:
        """Run `callback` every day at `hour`:00 UTC, in whichever worker is up then (with
        several workers on Redis, huey's scheduler makes it run once)."""
        self._daily.append((hour, name, callback))

    @property
    def embedded(self) -> bool:
        return self.url.startswith("sqlite:///")

    @property
    def huey(self) -> Huey:
        """Opened on first use: most commands and requests never queue anything."""
        if self._huey is None:
            if self.embedded:
                path = Path(self.url.removeprefix("sqlite:///"))
                path.parent.mkdir(parents=True, exist_ok=True)
                huey: Huey = SqliteHuey(name=self.name, filename=str(path), results=False)
            else:
                huey = RedisHuey(name=self.name, url=self.url, results=False)
            self._task = huey.task(name=TASK_NAME, retries=0)(self._run)
            for hour, name, callback in self._daily:
                huey.periodic_task(crontab(minute="0", hour=str(hour)), name=name)(callback)
            self._huey = huey
        return self._huey

    def enqueue(self, job_id: str, delay: float | None = None) -> None:
        """Queue a job now, or after `delay` seconds (a retry's backoff)."""
        self.huey  # noqa: B018 - opens the queue and registers the task
        if delay:
            self._task.schedule(args=(job_id,), delay=delay)
        else:
            self._task(job_id)


class _QuietConsumer(Consumer):
    """A consumer that leaves signals to its host process (a web server, a test run)."""

    def _set_signal_handlers(self) -> None:
        pass


class Worker:
    """Threads that take jobs off the queue: inside the serving process on the embedded
    default, or in `tourism jobs worker` processes."""

    def __init__(self, queue: JobQueue, workers: int = 1) -> None:
        self.consumer = _QuietConsumer(
            queue.huey, workers=workers, periodic=True, initial_delay=0.05, max_delay=0.5
        )

    def start(self) -> None:
        self.consumer.start()

    def stop(self) -> None:
        self.consumer.stop(graceful=True)
