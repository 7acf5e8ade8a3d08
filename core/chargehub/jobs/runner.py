"""Running one attempt of a job: the app context, :func:`current_attempt` and :func:`set_progress`.

Both backends call :func:`execute`. The rq backend enqueues :func:`run` (``chargehub.jobs.runner:run``)
with the real function's path, so an rq worker only ever imports this module; :func:`run` finds the
worker's Flask app (bound by ``run_worker``, or built once per process from the factory named in the
job's meta) and executes the function inside ``app.app_context()``.
"""
from __future__ import annotations

import threading
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable

from chargehub.jobs.base import describe_error, logger, resolve

ProgressReporter = Callable[[float, dict[str, Any]], None]


@dataclass(frozen=True)
class JobContext:
    """What the running attempt knows about itself."""

    job_id: str
    attempt: int
    report: ProgressReporter


_current: ContextVar[JobContext | None] = ContextVar("chargehub_job", default=None)
_app_lock = threading.Lock()
_process_app: Any = None
_factory_apps: dict[str, Any] = {}


def current_attempt() -> int:
    """The 1-based attempt number of the job running in this thread; 1 outside any job."""
    context = _current.get()
    return context.attempt if context else 1


def set_progress(fraction: float, **meta: Any) -> None:
    """Report the running job's progress (``fraction`` clamped to 0..1) and merge ``meta`` into its
    :attr:`~chargehub.jobs.JobInfo.result_meta` (values must be JSON/pickle-friendly: ids, counts,
    file names). Outside a job this does nothing, so services can call it unconditionally.
    """
    context = _current.get()
    if context is None:
        return
    context.report(min(1.0, max(0.0, float(fraction))), dict(meta))


def execute(app: Any, func_path: str, args: tuple | list, kwargs: dict[str, Any], context: JobContext) -> Any:
    """Run ``func_path(*args, **kwargs)`` inside a fresh app context of ``app`` as attempt ``context``."""
    func = resolve(func_path)
    token = _current.set(context)
    try:
        with app.app_context():
            return func(*args, **kwargs)
    finally:
        _current.reset(token)


def bind_app(app: Any) -> None:
    """Make ``app`` the app every rq job of this process runs in (called by ``run_worker``)."""
    global _process_app
    _process_app = app


def bound_app() -> Any:
    """The app bound with :func:`bind_app`, or ``None``."""
    return _process_app


def _app_for(factory_path: str | None) -> Any:
    if _process_app is not None:
        return _process_app
    factory_path = factory_path or "chargehub.app:create_app"
    with _app_lock:
        if factory_path not in _factory_apps:
            _factory_apps[factory_path] = resolve(factory_path)()
        return _factory_apps[factory_path]


def run(func_path: str, args: list, kwargs: dict[str, Any]) -> None:
    """rq entry point of every ChargeHub job: run one attempt of ``func_path`` and record it in the
    job's meta (``attempts``, ``progress``, ``result_meta``, ``error``). Exceptions are logged
    (with traceback on the last attempt) and re-raised so rq retries or fails the job.
    The function's return value is discarded; report results with :func:`set_progress`.
    """
    from rq import get_current_job  # noqa: PLC0415 - rq is only needed inside a worker

    job = get_current_job()
    if job is None:
        raise RuntimeError("chargehub.jobs.runner.run must be executed by an rq worker")
    attempt = int(job.meta.get("attempts", 0)) + 1
    job.meta["attempts"] = attempt
    job.meta["error"] = None
    job.save_meta()

    def report(fraction: float, meta: dict[str, Any]) -> None:
        job.meta["progress"] = fraction
        job.meta.setdefault("result_meta", {}).update(meta)
        job.save_meta()

    app = _app_for(job.meta.get("app_factory"))
    try:
        execute(app, func_path, args, kwargs, JobContext(job.id, attempt, report))
    except Exception as exc:
        job.meta["error"] = describe_error(exc)
        job.save_meta()
        if job.retries_left:
            logger.warning("job %s (%s) attempt %d failed: %s; will retry", job.id, func_path, attempt,
                           job.meta["error"])
        else:
            logger.error("job %s (%s) failed after %d attempt(s)", job.id, func_path, attempt, exc_info=True)
        raise
