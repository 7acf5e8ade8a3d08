"""Many simulated piles in one event loop (:class:`Fleet`), and that loop in a daemon thread for
synchronous tests (:class:`FleetThread`)."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Iterable

from chargehub.devices.simulation import SimulatorThread, raise_fd_limit
from chargehub_ykc.simulator.config import PileConfig
from chargehub_ykc.simulator.gun import CHARGING
from chargehub_ykc.simulator.pile import SimulatedPile
from chargehub_ykc.simulator.stats import SimStats

__all__ = ["Fleet", "FleetThread", "pile_codes", "raise_fd_limit"]


def pile_codes(prefix: str, count: int, first: int = 1) -> list[str]:
    """``count`` 14-digit pile codes: ``prefix`` then a zero-padded counter from ``first``."""
    width = 14 - len(prefix)
    if not prefix.isdigit() or width < 1 or first + count - 1 >= 10 ** width:
        raise ValueError(f"prefix {prefix!r} leaves no room for {count} piles from {first}")
    return [prefix + str(n).zfill(width) for n in range(first, first + count)]


class Fleet:
    """N simulated piles sharing one event loop and one :class:`SimStats`.

    :param host: the platform's address.
    :param port: its YKC port.
    :param count: how many piles to generate, coded ``prefix`` + counter from ``first`` (14 digits).
    :param configs: explicit :class:`PileConfig` objects instead of (or in addition to) generated ones.
    :param ramp: piles started per second (connections are spread so 10,000 can log in).
    :param max_samples: latency samples kept per kind.
    :param config_fields: :class:`PileConfig` fields for the generated piles (``guns=2``, ``power_kw=...``,
        ``heartbeat_interval=...``); ``keep_frames`` defaults to 0 in a fleet to save memory.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 8767, count: int = 0, *, prefix: str = "99",
                 first: int = 1, configs: Iterable[PileConfig] = (), ramp: float = 500.0,
                 max_samples: int = 100_000, **config_fields: Any) -> None:
        self.host = host
        self.port = port
        self.ramp = ramp
        self.stats_sink = SimStats(max_samples)
        config_fields.setdefault("keep_frames", 0)
        all_configs = list(configs) + [PileConfig(code, **config_fields) for code in pile_codes(prefix, count, first)]
        self.piles = [SimulatedPile(cfg, host, port, self.stats_sink) for cfg in all_configs]
        self._by_code = {pile.code: pile for pile in self.piles}
        if len(self._by_code) != len(self.piles):
            raise ValueError("two piles of the fleet share a pile code")
        self.started_at: float | None = None

    def __len__(self) -> int:
        return len(self.piles)

    def pile(self, code: str) -> SimulatedPile:
        """The pile with ``code``."""
        return self._by_code[code]

    def start(self) -> None:
        """Start every pile, ``ramp`` per second (call in the loop's thread)."""
        raise_fd_limit()
        self.started_at = time.monotonic()
        step = 1.0 / self.ramp if self.ramp > 0 else 0.0
        for index, pile in enumerate(self.piles):
            pile.start(index * step)

    async def stop(self) -> None:
        """Close every pile and give the transports a moment to close."""
        for pile in self.piles:
            pile.close()
        await asyncio.sleep(0.05)

    @property
    def logged_in(self) -> int:
        """Piles online right now."""
        return sum(1 for pile in self.piles if pile.logged_in)

    async def wait_logged_in(self, count: int | None = None, timeout: float = 60.0) -> None:
        """Wait until ``count`` piles (default: all) are online; :class:`TimeoutError` otherwise."""
        wanted = len(self.piles) if count is None else count
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.logged_in < wanted:
            if loop.time() > deadline:
                raise TimeoutError(f"{self.logged_in} of {wanted} piles logged in after {timeout} s")
            await asyncio.sleep(0.05)

    def reset_latency(self) -> None:
        """Forget the latency samples (e.g. after the login ramp)."""
        self.stats_sink.heartbeat_latency.clear()
        self.stats_sink.record_latency.clear()

    def stats(self) -> dict[str, Any]:
        """Aggregate state and counters, JSON-ready.

        Keys: ``piles``, ``connected``, ``logged_in``, ``charging_guns``, ``faulted_guns``, ``unsent``
        (records waiting for 0x40), ``uptime`` (seconds since :meth:`start`), plus everything of
        :meth:`SimStats.snapshot` (``frames_sent``, ``frames_received``, ``logins``, ``records_acked``,
        ``heartbeat_latency`` / ``record_latency`` ``{count, p50, p95, p99, max}`` in seconds, ...).
        """
        connected = logged_in = charging = faulted = unsent = 0
        for pile in self.piles:
            connected += pile.connected
            logged_in += pile.logged_in
            unsent += len(pile.unsent)
            for gun in pile.guns:
                charging += gun.status == CHARGING
                faulted += gun.fault_bits != 0
        out: dict[str, Any] = {
            "piles": len(self.piles), "connected": connected, "logged_in": logged_in, "charging_guns": charging,
            "faulted_guns": faulted, "unsent": unsent,
            "uptime": round(time.monotonic() - self.started_at, 3) if self.started_at is not None else 0.0,
        }
        out.update(self.stats_sink.snapshot())
        return out


class FleetThread(SimulatorThread):
    """:class:`~chargehub.devices.simulation.SimulatorThread` running a :class:`Fleet`."""

    def __init__(self, fleet: Fleet | None = None, *, name: str = "ykc-simulator") -> None:
        super().__init__(fleet, name=name)
