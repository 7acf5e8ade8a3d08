"""What every device simulator (``chargehub simulate <protocol>``) shares: its fleet's event loop in a
daemon thread for synchronous callers (tests, benchmarks), and a high enough open-file limit.

A fleet is any object with ``start()`` (called in the loop's thread), ``async stop()`` and ``stats()``.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import sys
import threading
import time
from typing import Any, Callable

__all__ = ["SimulatorThread", "raise_fd_limit", "run_fleet"]


def raise_fd_limit() -> int:
    """Raise this process's open-file soft limit to its hard limit (one socket per device); return it."""
    try:
        import resource
    except ImportError:  # not POSIX
        return -1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def _emit(stats: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(stats, separators=(",", ":"), ensure_ascii=False) + "\n")
    sys.stdout.flush()


async def run_fleet(fleet: Any, duration: float, stats_every: float) -> None:
    """The simulator commands' main: start ``fleet``, print one JSON line of its ``stats()`` every
    ``stats_every`` s (0: only at the end) for ``duration`` s (0: until cancelled), then stop it."""
    fleet.start()
    loop = asyncio.get_running_loop()
    end = loop.time() + duration if duration > 0 else None
    try:
        while end is None or loop.time() < end:
            step = stats_every if stats_every > 0 else 1.0
            if end is not None:
                step = min(step, max(0.0, end - loop.time()))
            await asyncio.sleep(step)
            if stats_every > 0 and (end is None or loop.time() < end):
                _emit(fleet.stats())
    finally:
        _emit(fleet.stats())
        await fleet.stop()


class SimulatorThread:
    """An event loop in a daemon thread, optionally running a fleet, for synchronous code.

    ``run(fn, *args)`` calls ``fn`` in the loop's thread (awaiting it when it returns an awaitable) and
    returns its result; ``run(coro)`` runs a coroutine there. Use it for every call on the devices::

        with FleetThread(Fleet(port=port, count=10)) as sim:
            sim.run(sim.fleet.wait_logged_in())
    """

    def __init__(self, fleet: Any = None, *, name: str = "simulator") -> None:
        self.fleet = fleet
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def start(self) -> "SimulatorThread":
        """Start the thread and, when there is one, the fleet."""
        self._thread.start()
        if self.fleet is not None:
            self.run(self.fleet.start)
        return self

    def run(self, what: Any, *args: Any, timeout: float | None = 30.0) -> Any:
        """Run a coroutine, or call ``what(*args)``, in the loop's thread; return the result."""
        if inspect.iscoroutine(what):
            return asyncio.run_coroutine_threadsafe(what, self.loop).result(timeout)

        async def call() -> Any:
            result = what(*args)
            if inspect.isawaitable(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout)

    def wait_until(self, predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
        """Evaluate ``predicate()`` in the loop's thread until it is truthy; return its value.
        :class:`TimeoutError` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.run(predicate)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            time.sleep(interval)

    def stats(self) -> dict[str, Any]:
        """The fleet's ``stats()``, computed in the loop's thread."""
        assert self.fleet is not None
        return self.run(self.fleet.stats)

    def stop(self, timeout: float = 10.0) -> None:
        """Close the fleet, stop the loop and join the thread."""
        if not self._thread.is_alive():
            return
        if self.fleet is not None:
            try:
                self.run(self.fleet.stop(), timeout=timeout)
            except Exception:  # noqa: BLE001 - stopping must go on; the devices die with the loop
                pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()

    def __enter__(self) -> "SimulatorThread":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
