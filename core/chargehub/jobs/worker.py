"""Process-level running of jobs: the periodic ticker wiring, ``start_background`` / ``stop_background``
for ``chargehub run``, and ``run_worker`` (the body of ``chargehub worker``).

Callers use the :class:`chargehub.jobs.JobQueue` methods of the same names; this module holds the how.
"""
from __future__ import annotations

import datetime as dt
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable
from zoneinfo import ZoneInfo

from chargehub.jobs import runner
from chargehub.jobs.base import check_queue, logger
from chargehub.jobs.inprocess import InProcessBackend
from chargehub.jobs.periodic import LocalTickClaimer, PeriodicJob, RedisTickClaimer, Ticker, TickClaimer
from chargehub.jobs.rq_backend import RqBackend, ThreadWorker

if TYPE_CHECKING:
    from chargehub.jobs.queue import JobQueue

#: File in the instance folder where the embedded ticker remembers the ticks it ran.
TICK_FILE = "periodic-ticks.json"


@dataclass
class AppJobs:
    """Per-app state of a :class:`~chargehub.jobs.JobQueue` (``app.extensions["chargehub-jobs"]``)."""

    queue: "JobQueue"
    app: Any
    backend: InProcessBackend | RqBackend
    tz: ZoneInfo
    ticker: Ticker | None = None
    thread_worker: ThreadWorker | None = None
    worker_thread: threading.Thread | None = None


def make_ticker(state: AppJobs) -> Ticker:
    """A :class:`Ticker` over ``state.queue``'s periodic jobs, claiming ticks in Redis or locally."""
    backend = state.backend
    claimer: TickClaimer
    if isinstance(backend, RqBackend):
        claimer = RedisTickClaimer(backend.connection, backend.namespace)
        extra = backend.promote_scheduled
    else:
        claimer = LocalTickClaimer(Path(state.app.instance_path) / TICK_FILE)
        extra = None

    def enqueue(job: PeriodicJob, tick: dt.datetime) -> None:
        job_id = state.queue.enqueue_call(state, job.func_path, queue=job.queue,
                                          description=f"periodic {job.name} @ {tick.isoformat()}")
        logger.info("periodic job %s: tick %s enqueued as %s", job.name, tick.isoformat(), job_id)

    return Ticker(state.queue.periodic_jobs, claimer, state.tz, enqueue, extra=extra)


def start_background(state: AppJobs) -> None:
    """Start the executor (in-process) or an in-thread rq worker (Redis), plus the periodic ticker."""
    backend = state.backend
    if isinstance(backend, InProcessBackend):
        backend.start()
    elif state.worker_thread is None or not state.worker_thread.is_alive():
        runner.bind_app(state.app)
        worker = backend.make_worker(threaded=True)
        thread = threading.Thread(target=worker.work, kwargs={"with_scheduler": False}, name="chargehub-rq-worker",
                                  daemon=True)
        state.thread_worker, state.worker_thread = worker, thread
        thread.start()
    if state.ticker is None:
        state.ticker = make_ticker(state)
    state.ticker.start()


def stop_background(state: AppJobs, timeout: float = 10.0) -> None:
    """Stop what :func:`start_background` started; running jobs get ``timeout`` seconds to finish."""
    if state.ticker is not None:
        state.ticker.stop()
    backend = state.backend
    if isinstance(backend, InProcessBackend):
        backend.stop()
        return
    if state.thread_worker is not None:
        state.thread_worker.request_thread_stop()
    if state.worker_thread is not None:
        state.worker_thread.join(timeout)
    state.thread_worker = state.worker_thread = None
    backend.release_scheduler()


def run_worker(state: AppJobs, queues: Iterable[str] | None = None, burst: bool = False,
               with_scheduler: bool = True) -> bool:
    """Work jobs in the foreground until stopped (or, with ``burst``, until the queues are empty).

    Redis: a forking rq worker on ``queues`` (default all) in this process's app; ``with_scheduler``
    also runs the periodic ticker and promotes delayed retries (in burst mode: one check before
    working). Embedded: the in-process executor (+ ticker) until Ctrl-C / SIGTERM, or in burst mode
    until no job is pending. Returns whether any job was processed (rq) / True (embedded).
    """
    queue_names = [check_queue(name) for name in queues] if queues else None
    ticker = make_ticker(state) if with_scheduler else None
    backend = state.backend
    if isinstance(backend, RqBackend):
        runner.bind_app(state.app)
        worker = backend.make_worker(queue_names)
        try:
            if ticker is not None and burst:
                ticker.check()
            elif ticker is not None:
                ticker.start()
            return worker.work(burst=burst, with_scheduler=False)
        finally:
            if ticker is not None:
                ticker.stop()
            backend.release_scheduler()
    backend.start()
    stop = threading.Event()
    try:
        if burst:
            if ticker is not None:
                ticker.check()
            while backend.pending() and not stop.wait(0.05):
                pass
            return True
        if ticker is not None:
            ticker.start()
        _wait_for_shutdown(stop)
        return True
    finally:
        if ticker is not None:
            ticker.stop()
        backend.stop()


def _wait_for_shutdown(stop: threading.Event) -> None:
    """Block until Ctrl-C or (in the main thread) SIGTERM."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        logger.info("worker: interrupted, stopping")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
