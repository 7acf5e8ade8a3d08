"""The embedded backend: jobs run in a small thread pool of this process (or synchronously when eager).

Used when no Redis is configured. Job records live in memory, bounded to the newest
:data:`MAX_RECORDS` jobs, so :meth:`status` of an old job raises :class:`JobNotFound`.
Retries wait on a :class:`threading.Timer`; eager mode retries at once, in the caller's thread, and
never lets the job's exception reach the caller.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Sequence

from chargehub.jobs.base import JobInfo, JobNotFound, describe_error, logger
from chargehub.jobs.runner import JobContext, execute

MAX_RECORDS = 1000
MAX_THREADS = 4


@dataclass
class _Job:
    info: JobInfo
    func_path: str
    args: tuple
    kwargs: dict[str, Any]
    queue: str
    retries: int
    intervals: Sequence[float]
    description: str | None = None


class InProcessBackend:
    """Runs jobs in this process inside ``app.app_context()``."""

    name = "inprocess"

    def __init__(self, app: Any, *, eager: bool = False, max_threads: int = MAX_THREADS) -> None:
        self.app = app
        self.eager = eager
        self.max_threads = max_threads
        self._lock = threading.RLock()
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._executor: ThreadPoolExecutor | None = None
        self._timers: set[threading.Timer] = set()
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Create the thread pool (also done lazily by the first non-eager ``enqueue``)."""
        with self._lock:
            self._closed = False
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.max_threads, thread_name_prefix="chargehub-job")

    def stop(self, wait: bool = True) -> None:
        """Cancel pending retry timers and shut the pool down; running jobs finish when ``wait``."""
        with self._lock:
            self._closed = True
            timers, self._timers = self._timers, set()
            executor, self._executor = self._executor, None
        for timer in timers:
            timer.cancel()
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)

    # -- API -------------------------------------------------------------------------------------
    def enqueue(self, func_path: str, args: tuple, kwargs: dict[str, Any], *, queue: str, retries: int,
                intervals: Sequence[float], job_id: str | None, description: str | None) -> str:
        """Record the job and run it (now when eager, else on the pool). Returns the job id."""
        job_id = job_id or uuid.uuid4().hex
        job = _Job(JobInfo(job_id, "queued"), func_path, tuple(args), dict(kwargs), queue, retries,
                   tuple(intervals), description)
        with self._lock:
            self._jobs[job_id] = job
            self._jobs.move_to_end(job_id)
            while len(self._jobs) > MAX_RECORDS:
                self._jobs.popitem(last=False)
        if self.eager:
            while self._attempt(job):
                pass
        else:
            self._submit(job)
        return job_id

    def status(self, job_id: str) -> JobInfo:
        """The current :class:`JobInfo` of ``job_id``; :class:`JobNotFound` if unknown or evicted."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise JobNotFound(job_id)
            return replace(job.info, result_meta=dict(job.info.result_meta))

    def health(self) -> dict[str, Any]:
        """``backend``, ``eager``, ``pending`` (queued, running or retrying), ``failed``, ``ok``."""
        with self._lock:
            states = [job.info.state for job in self._jobs.values()]
            running = self._executor is not None
        pending = sum(1 for state in states if state in ("queued", "running", "retrying"))
        return {
            "backend": self.name,
            "eager": self.eager,
            "executor_running": running,
            "pending": pending,
            "failed": states.count("failed"),
            "ok": self.eager or running or not self._closed,
        }

    def pending(self) -> int:
        """Number of jobs not yet finished or failed."""
        return self.health()["pending"]

    # -- internals -------------------------------------------------------------------------------
    def _update(self, job: _Job, **changes: Any) -> None:
        with self._lock:
            job.info = replace(job.info, **changes)

    def _submit(self, job: _Job, *, is_retry: bool = False) -> None:
        if not is_retry:
            self.start()
        with self._lock:
            executor = self._executor
        try:
            if executor is None:
                raise RuntimeError("cannot schedule new futures after shutdown")
            executor.submit(self._run_async, job)
        except RuntimeError:  # stop() raced with a retry timer
            logger.error("job %s (%s) dropped: the in-process executor was stopped", job.info.id, job.func_path)
            self._update(job, state="failed", error="RuntimeError: job executor stopped before the retry")

    def _run_async(self, job: _Job) -> None:
        if not self._attempt(job):
            return
        intervals = job.intervals or (0,)
        delay = float(intervals[min(job.info.attempts - 1, len(intervals) - 1)])
        timer = threading.Timer(delay, lambda: self._retry_due(job, timer))
        timer.daemon = True
        with self._lock:
            closed = self._closed
            if not closed:
                self._timers.add(timer)
        if closed:
            logger.error("job %s (%s) not retried: the in-process executor was stopped", job.info.id, job.func_path)
            self._update(job, state="failed")
            return
        timer.start()

    def _retry_due(self, job: _Job, timer: threading.Timer) -> None:
        with self._lock:
            self._timers.discard(timer)
        self._submit(job, is_retry=True)

    def _attempt(self, job: _Job) -> bool:
        """Run one attempt; return True if the job should be retried."""
        attempt = job.info.attempts + 1
        self._update(job, state="running", attempts=attempt, error=None)

        def report(fraction: float, meta: dict[str, Any]) -> None:
            with self._lock:
                job.info = replace(job.info, progress=fraction, result_meta={**job.info.result_meta, **meta})

        try:
            execute(self.app, job.func_path, job.args, job.kwargs, JobContext(job.info.id, attempt, report))
        except Exception as exc:  # the caller of enqueue must never see a job's failure
            error = describe_error(exc)
            if attempt <= job.retries:
                logger.warning("job %s (%s) attempt %d failed: %s; will retry", job.info.id, job.func_path,
                               attempt, error)
                self._update(job, state="retrying", error=error)
                return True
            logger.error("job %s (%s) failed after %d attempt(s)", job.info.id, job.func_path, attempt,
                         exc_info=True)
            self._update(job, state="failed", error=error)
            return False
        self._update(job, state="finished")
        return False
