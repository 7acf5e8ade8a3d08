"""The Redis backend: rq queues named ``<namespace>:<queue>`` and the worker classes that run them.

Every job is enqueued as ``chargehub.jobs.runner:run(func_path, args, kwargs)`` so the worker runs it
inside the Flask app context (see :mod:`chargehub.jobs.runner`). Job meta holds ``attempts``,
``progress``, ``result_meta``, ``error`` and ``app_factory``. rq's own keys keep rq's ``rq:`` prefix
(set ``RQ_KEY_PREFIX`` to change it); queue names, and so their keys and registries, carry the namespace.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import redis
from rq import Queue, Retry, SimpleWorker, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from chargehub.jobs import runner
from chargehub.jobs.base import FAILURE_TTL, JOB_TIMEOUT, QUEUES, RESULT_TTL, JobInfo, JobNotFound, logger

_WAITING = {JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED, JobStatus.CREATED,
            JobStatus.READY_TO_ENQUEUE, JobStatus.RATE_LIMITED}


def dispose_engines(app: Any) -> None:
    """Drop inherited database connections in a forked work horse (``engine.dispose(close=False)``)."""
    if app is None:
        return
    sqlalchemy = app.extensions.get("sqlalchemy")
    if sqlalchemy is None:
        return
    with app.app_context():
        for engine in sqlalchemy.engines.values():
            engine.dispose(close=False)


class ChargehubWorker(Worker):
    """rq's forking worker; the work horse drops the parent's database connections after the fork."""

    def main_work_horse(self, job: Job, queue: Queue) -> None:  # runs in the forked child
        try:
            dispose_engines(runner.bound_app())
        except Exception:
            logger.exception("work horse: disposing database engines failed")
        super().main_work_horse(job, queue)


class ThreadWorker(SimpleWorker):
    """rq worker that runs in a non-main thread (``chargehub run`` with Redis).

    No signal handlers (only the main thread may install them), timeouts enforced by a timer thread,
    and it stops within about a second of :meth:`request_thread_stop`.
    """

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        """Signals belong to the main thread of the hosting process."""

    def request_thread_stop(self) -> None:
        """Ask the worker to finish its current job and return from ``work()``."""
        self._stop_requested = True

    def dequeue_job_and_maintain_ttl(self, timeout: int | None, max_idle_time: int | None = None):
        if timeout is None:  # burst: non-blocking
            return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        while not self._stop_requested:
            result = super().dequeue_job_and_maintain_ttl(1, 1)
            if result is not None:
                return result
        return None


class RqBackend:
    """Enqueues jobs on rq queues in ``namespace`` and reads their state back."""

    name = "rq"

    def __init__(self, url: str, namespace: str, app_factory: str) -> None:
        self.url = url
        self.namespace = namespace
        self.app_factory = app_factory
        self.connection = redis.Redis.from_url(url)
        self._scheduler: RQScheduler | None = None

    def queue_name(self, name: str) -> str:
        """The rq queue name of ChargeHub queue ``name``: ``<namespace>:<name>``."""
        return f"{self.namespace}:{name}"

    def queue(self, name: str) -> Queue:
        """The rq :class:`~rq.Queue` of ChargeHub queue ``name``."""
        return Queue(self.queue_name(name), connection=self.connection)

    def queues(self, names: Iterable[str] | None = None) -> list[Queue]:
        """rq queues for ``names`` (default: all :data:`~chargehub.jobs.QUEUES`)."""
        return [self.queue(name) for name in (names or QUEUES)]

    def enqueue(self, func_path: str, args: tuple, kwargs: dict[str, Any], *, queue: str, retries: int,
                intervals: Sequence[float], job_id: str | None, description: str | None) -> str:
        """Put the job on its queue; returns the rq job id."""
        retry = Retry(max=retries, interval=[int(i) for i in intervals] or 0) if retries > 0 else None
        job = self.queue(queue).enqueue_call(
            runner.run,
            args=(func_path, list(args), dict(kwargs)),
            job_id=job_id,
            description=description or func_path,
            timeout=JOB_TIMEOUT,
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            retry=retry,
            meta={"attempts": 0, "progress": 0.0, "result_meta": {}, "error": None,
                  "app_factory": self.app_factory},
        )
        return job.id

    def status(self, job_id: str) -> JobInfo:
        """Read ``job_id`` from Redis; :class:`JobNotFound` if it never existed or has expired."""
        try:
            job = Job.fetch(job_id, connection=self.connection)
        except NoSuchJobError:
            raise JobNotFound(job_id) from None
        meta = job.get_meta(refresh=False)
        attempts = int(meta.get("attempts", 0))
        status = job.get_status(refresh=False)
        if status in _WAITING:
            state = "retrying" if attempts else "queued"
        elif status == JobStatus.STARTED:
            state = "running"
        elif status == JobStatus.FINISHED:
            state = "finished"
        else:
            state = "failed"
        return JobInfo(job.id, state, attempts, float(meta.get("progress", 0.0)),
                       dict(meta.get("result_meta") or {}), meta.get("error"))

    def health(self) -> dict[str, Any]:
        """``backend``, ``namespace``, ``queues`` (name → waiting jobs), ``scheduled``, ``running``,
        ``failed``, ``workers`` and ``ok`` (Redis answered)."""
        try:
            queues = {name: self.queue(name) for name in QUEUES}
            report: dict[str, Any] = {
                "backend": self.name,
                "namespace": self.namespace,
                "queues": {name: q.count for name, q in queues.items()},
                "scheduled": sum(ScheduledJobRegistry(queue=q).count for q in queues.values()),
                "running": sum(StartedJobRegistry(queue=q).count for q in queues.values()),
                "failed": sum(FailedJobRegistry(queue=q).count for q in queues.values()),
                "workers": len({w.name for q in queues.values() for w in Worker.all(queue=q)}),
                "ok": bool(self.connection.ping()),
            }
        except redis.RedisError as exc:
            return {"backend": self.name, "namespace": self.namespace, "ok": False, "error": str(exc)}
        return report

    def promote_scheduled(self) -> None:
        """Move due delayed retries to their queues (what rq's scheduler process does), holding rq's
        per-queue scheduler locks so only one process does it at a time."""
        if self._scheduler is None:
            self._scheduler = RQScheduler([self.queue_name(n) for n in QUEUES], connection=self.connection)
        self._scheduler.acquire_locks()
        if self._scheduler.acquired_locks:
            self._scheduler.enqueue_scheduled_jobs()

    def release_scheduler(self) -> None:
        """Release the scheduler locks taken by :meth:`promote_scheduled`."""
        if self._scheduler is not None:
            self._scheduler.release_locks()
            self._scheduler = None

    def make_worker(self, queues: Iterable[str] | None = None, *, threaded: bool = False) -> Worker:
        """A worker on ``queues`` (default all): forking :class:`ChargehubWorker` or :class:`ThreadWorker`."""
        cls = ThreadWorker if threaded else ChargehubWorker
        return cls(self.queues(queues), connection=self.connection)
