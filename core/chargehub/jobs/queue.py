"""The :class:`JobQueue` extension object (``chargehub.extensions.jobs``)."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

from chargehub.jobs import worker as _worker
from chargehub.jobs.base import JobInfo, check_queue, function_path
from chargehub.jobs.inprocess import InProcessBackend
from chargehub.jobs.periodic import PeriodicJob
from chargehub.jobs.rq_backend import RqBackend

EXTENSION_KEY = "chargehub-jobs"
DEFAULT_APP_FACTORY = "chargehub.app:create_app"


class JobQueue:
    """Background jobs and periodic jobs, on rq when Redis is configured, in-process otherwise.

    Bound to an app with :meth:`init_app`, which reads ``chargehub.config.settings(app)``:
    ``REDIS_URL`` (``None``: in-process backend), ``REDIS_NAMESPACE`` (prefix of every Redis key and
    rq queue name), ``JOBS_EAGER`` (in-process only: run jobs synchronously in ``enqueue``) and
    ``TIMEZONE`` (for ``daily_at`` periodic jobs).

    Methods that are not given an app use the current app if there is an app context, else the app
    most recently passed to :meth:`init_app`. Job functions always run inside an app context, in
    every backend, and may call :func:`chargehub.jobs.current_attempt` and
    :func:`chargehub.jobs.set_progress`. Jobs must be idempotent: rq and the retries give
    at-least-once execution.
    """

    def __init__(self) -> None:
        self._periodic: dict[str, PeriodicJob] = {}
        self._lock = threading.Lock()
        self._last_state: _worker.AppJobs | None = None

    # -- binding ---------------------------------------------------------------------------------
    def init_app(self, app: Any, app_factory: Callable[..., Any] | str | None = None) -> None:
        """Choose the backend from the app's settings and register in ``app.extensions``.

        ``app_factory`` (a ``"module:function"`` path or a module-level function, default
        ``chargehub.app:create_app``) is how an rq worker process that was not started through
        ``run_worker`` (e.g. plain ``rq worker``) builds the app its jobs run in.
        """
        config = app.config.get("CHARGEHUB", {})
        if app_factory is None:
            factory = DEFAULT_APP_FACTORY
        elif isinstance(app_factory, str):
            factory = app_factory
        else:
            factory = function_path(app_factory)
        backend: InProcessBackend | RqBackend
        if config.get("REDIS_URL"):
            backend = RqBackend(config["REDIS_URL"], config.get("REDIS_NAMESPACE") or "chargehub", factory)
        else:
            backend = InProcessBackend(app, eager=bool(config.get("JOBS_EAGER", False)))
        state = _worker.AppJobs(self, app, backend, ZoneInfo(config.get("TIMEZONE") or "Asia/Shanghai"))
        app.extensions[EXTENSION_KEY] = state
        self._last_state = state

    def _state(self, app: Any = None) -> _worker.AppJobs:
        if app is None:
            from flask import current_app, has_app_context  # noqa: PLC0415

            if has_app_context() and EXTENSION_KEY in current_app.extensions:
                app = current_app._get_current_object()
        if app is not None:
            state = app.extensions.get(EXTENSION_KEY)
            if state is None or state.queue is not self:
                raise RuntimeError("JobQueue.init_app(app) has not been called for this app")
            return state
        if self._last_state is None:
            raise RuntimeError("JobQueue is not bound to an app: call init_app(app) first")
        return self._last_state

    @property
    def backend_name(self) -> str:
        """``"rq"`` or ``"inprocess"`` for the current app."""
        return self._state().backend.name

    # -- jobs ------------------------------------------------------------------------------------
    def enqueue(self, func: Callable[..., Any] | str, *args: Any, queue: str = "default", retries: int = 0,
                retry_intervals: Sequence[float] = (10, 60, 300), job_id: str | None = None,
                description: str | None = None, **kwargs: Any) -> str:
        """Run ``func(*args, **kwargs)`` as a job on ``queue`` and return its id.

        ``func`` is a module-level function or a ``"package.module:function"`` path (lambdas and
        nested functions raise :class:`ValueError`); arguments must be picklable (pass ids, not ORM
        objects). On an exception the job is retried up to ``retries`` times, waiting
        ``retry_intervals[n]`` seconds before retry ``n + 1`` (the last interval repeats; rq rounds
        them down to whole seconds; eager mode retries at once); after the
        last attempt it is ``failed`` and logged with its traceback on logger ``chargehub.jobs``.
        The job's exception never reaches the caller, even in eager mode. ``job_id`` (letters,
        digits, ``_`` and ``-``) replaces the generated id; ``description`` is shown in rq tools.
        """
        return self.enqueue_call(self._state(), func, args, kwargs, queue=queue, retries=retries,
                                 retry_intervals=retry_intervals, job_id=job_id, description=description)

    def enqueue_call(self, state: _worker.AppJobs, func: Callable[..., Any] | str, args: Sequence[Any] = (),
                     kwargs: dict[str, Any] | None = None, *, queue: str = "default", retries: int = 0,
                     retry_intervals: Sequence[float] = (10, 60, 300), job_id: str | None = None,
                     description: str | None = None) -> str:
        """:meth:`enqueue` on an explicit app state with explicit ``args`` / ``kwargs`` (used by the
        ticker thread, which has no app context, and by callers whose job takes a ``queue`` argument)."""
        if retries < 0:
            raise ValueError("retries must be >= 0")
        if any(interval < 0 for interval in retry_intervals):
            raise ValueError("retry_intervals must not be negative")
        return state.backend.enqueue(function_path(func), tuple(args), dict(kwargs or {}), queue=check_queue(queue),
                                     retries=int(retries), intervals=tuple(retry_intervals), job_id=job_id,
                                     description=description)

    def status(self, job_id: str) -> JobInfo:
        """The :class:`JobInfo` of ``job_id``; raises :class:`~chargehub.jobs.JobNotFound` for an id the
        backend does not know (the in-process backend keeps the newest 1000 jobs, rq keeps finished jobs
        a day and failed ones a week)."""
        return self._state().backend.status(job_id)

    # -- periodic --------------------------------------------------------------------------------
    def register_periodic(self, name: str, func: Callable[..., Any] | str, *, every: dt.timedelta | None = None,
                          daily_at: dt.time | None = None, queue: str = "periodic") -> None:
        """Run ``func()`` (no arguments) periodically: ``every`` period aligned to the Unix epoch, or
        ``daily_at`` a naive wall-clock time in the operators' TIMEZONE; exactly one of them.

        Registration is process-wide (not per app); registering a ``name`` again replaces it. Each due
        tick is enqueued once across all tickers sharing the Redis namespace; after downtime only the
        most recent missed tick runs (see :mod:`chargehub.jobs.periodic`).
        """
        job = PeriodicJob(name, function_path(func), every=every, daily_at=daily_at, queue=check_queue(queue))
        with self._lock:
            self._periodic[name] = job

    def periodic_jobs(self) -> list[PeriodicJob]:
        """The registered periodic jobs, sorted by name."""
        with self._lock:
            return [self._periodic[name] for name in sorted(self._periodic)]

    # -- processes -------------------------------------------------------------------------------
    def start_background(self, app: Any) -> None:
        """For ``chargehub run``: start the periodic ticker and, embedded, the in-process executor or,
        with Redis, an in-thread rq worker on every queue — so one command does everything."""
        _worker.start_background(self._state(app))

    def stop_background(self, app: Any = None) -> None:
        """Stop what :meth:`start_background` started (running jobs are allowed to finish)."""
        _worker.stop_background(self._state(app))

    def run_worker(self, app: Any, queues: Iterable[str] | None = None, burst: bool = False,
                   with_scheduler: bool = True) -> bool:
        """Body of ``chargehub worker``; see :func:`chargehub.jobs.worker.run_worker`."""
        return _worker.run_worker(self._state(app), queues, burst=burst, with_scheduler=with_scheduler)

    def health(self) -> dict[str, Any]:
        """Backend report for health checks: ``backend``, ``ok`` and, in-process, ``pending`` and
        ``failed``; with rq, ``namespace``, ``queues`` (name → length), ``scheduled``, ``running``,
        ``failed`` and ``workers``. Always adds ``periodic`` (names) and ``ticker_running``."""
        state = self._state()
        report = state.backend.health()
        report["periodic"] = [job.name for job in self.periodic_jobs()]
        report["ticker_running"] = bool(state.ticker and state.ticker.running)
        return report
