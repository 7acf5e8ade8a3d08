"""Periodic jobs: due-time rules (pure functions), tick claims, and the ticker thread.

Rules
-----
* ``every=timedelta(...)``: ticks are aligned to the Unix epoch, tick ``k`` is due at ``k * every``.
* ``daily_at=time(...)``: one tick per day at that wall-clock time in the operators' TIMEZONE.
* Each tick is identified by its due time as integer epoch seconds. The ticker checks every second;
  whenever a job's most recent due tick differs from the last one it handled, it *claims* that tick
  and, if the claim succeeds, enqueues the job once.
* Claims: with Redis, ``SET <ns>:periodic:<name>:<tick> 1 NX EX <ttl>`` (ttl = two periods, at least
  a minute), so N tickers enqueue each tick exactly once. Embedded, the claims are kept in memory and
  in ``<instance>/periodic-ticks.json`` so restarts remember what already ran.
* Missed ticks: when no ticker ran through one or more due times, only the most recent missed tick
  runs, once, as soon as a ticker starts; older ones are never replayed. A tick that was already
  run before a restart is not run again (its claim still exists).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol
from zoneinfo import ZoneInfo

from chargehub.jobs.base import logger

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class PeriodicJob:
    """A job registered with :meth:`chargehub.jobs.JobQueue.register_periodic`."""

    name: str
    func_path: str
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None
    queue: str = "periodic"

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"periodic job {self.name!r}: give exactly one of every= or daily_at=")
        if self.every is not None and self.every.total_seconds() < 1:
            raise ValueError(f"periodic job {self.name!r}: every= must be at least one second")
        if self.daily_at is not None and self.daily_at.tzinfo is not None:
            raise ValueError(f"periodic job {self.name!r}: daily_at= is a naive time in the operators' TIMEZONE")

    @property
    def period_seconds(self) -> int:
        """Length of one period in seconds (a day for ``daily_at``)."""
        return int(self.every.total_seconds()) if self.every is not None else 86400


def _aware(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def due_tick(job: PeriodicJob, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The most recent due time of ``job`` at or before ``now`` (aware, in ``tz``). Pure."""
    now = _aware(now)
    if job.every is not None:
        period = job.every.total_seconds()
        elapsed = (now - _EPOCH).total_seconds()
        return (_EPOCH + dt.timedelta(seconds=(elapsed // period) * period)).astimezone(tz)
    assert job.daily_at is not None
    local = now.astimezone(tz)
    candidate = dt.datetime.combine(local.date(), job.daily_at, tzinfo=tz)
    if candidate > local:
        candidate = dt.datetime.combine(local.date() - dt.timedelta(days=1), job.daily_at, tzinfo=tz)
    return candidate


def next_due(job: PeriodicJob, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The first due time of ``job`` strictly after ``now`` (aware, in ``tz``). Pure."""
    now = _aware(now)
    if job.every is not None:
        return due_tick(job, now, tz) + job.every
    assert job.daily_at is not None
    local = now.astimezone(tz)
    candidate = dt.datetime.combine(local.date(), job.daily_at, tzinfo=tz)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), job.daily_at, tzinfo=tz)
    return candidate


def tick_epoch(tick: dt.datetime) -> int:
    """Integer epoch seconds identifying a tick (used in claim keys)."""
    return int((tick - _EPOCH).total_seconds())


class TickClaimer(Protocol):
    """Decides which ticker enqueues a tick: ``claim`` returns True exactly once per (name, tick)."""

    def claim(self, name: str, tick: int, ttl: int) -> bool: ...


class RedisTickClaimer:
    """Claims ticks with ``SET <namespace>:periodic:<name>:<tick> 1 NX EX <ttl>``."""

    def __init__(self, connection: Any, namespace: str) -> None:
        self.connection = connection
        self.namespace = namespace

    def key(self, name: str, tick: int) -> str:
        """The claim key of one tick."""
        return f"{self.namespace}:periodic:{name}:{tick}"

    def claim(self, name: str, tick: int, ttl: int) -> bool:
        return bool(self.connection.set(self.key(name, tick), 1, nx=True, ex=ttl))


class LocalTickClaimer:
    """Claims ticks in one process; remembers the last claimed tick per job in ``path`` if given."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._last: dict[str, int] = {}
        if self.path is not None and self.path.exists():
            try:
                self._last = {str(k): int(v) for k, v in json.loads(self.path.read_text()).items()}
            except (OSError, ValueError) as exc:
                logger.warning("ignoring unreadable periodic tick file %s: %s", self.path, exc)

    def claim(self, name: str, tick: int, ttl: int) -> bool:
        with self._lock:
            if self._last.get(name, -1) >= tick:
                return False
            self._last[name] = tick
            self._save()
            return True

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._last, sort_keys=True))
            os.replace(tmp, self.path)
        except OSError as exc:
            logger.warning("cannot write periodic tick file %s: %s", self.path, exc)


class Ticker:
    """Checks the registered periodic jobs once a second and enqueues each due tick it claims.

    ``jobs`` is called on every check (so jobs registered later are picked up); ``enqueue`` receives
    the :class:`PeriodicJob` and the due tick; ``extra`` (optional) runs on every check too (the rq
    backend uses it to promote delayed retries). ``now`` is injectable for tests.
    """

    def __init__(self, jobs: Callable[[], list[PeriodicJob]], claimer: TickClaimer, tz: ZoneInfo,
                 enqueue: Callable[[PeriodicJob, dt.datetime], Any], *, extra: Callable[[], Any] | None = None,
                 interval: float = 1.0, now: Callable[[], dt.datetime] | None = None) -> None:
        self.jobs = jobs
        self.claimer = claimer
        self.tz = tz
        self.enqueue = enqueue
        self.extra = extra
        self.interval = interval
        self.now = now or (lambda: dt.datetime.now(dt.timezone.utc))
        self._handled: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[str]:
        """Run one check now; return the names of the jobs this call enqueued."""
        enqueued: list[str] = []
        now = self.now()
        for job in self.jobs():
            tick = due_tick(job, now, self.tz)
            epoch = tick_epoch(tick)
            if self._handled.get(job.name) == epoch:
                continue
            self._handled[job.name] = epoch
            if not self.claimer.claim(job.name, epoch, max(60, 2 * job.period_seconds)):
                continue
            try:
                self.enqueue(job, tick)
                enqueued.append(job.name)
            except Exception:
                logger.exception("periodic job %s: enqueue of tick %s failed", job.name, tick.isoformat())
        if self.extra is not None:
            self.extra()
        return enqueued

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # Redis down, ...: log and keep ticking
                logger.exception("periodic ticker check failed")
            self._stop.wait(self.interval)

    @property
    def running(self) -> bool:
        """Whether the ticker thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the daemon ticker thread (no-op if already running)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="chargehub-ticker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the ticker thread and wait up to ``timeout`` seconds for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None
