"""Simulated YKC (云快充) piles that speak the real protocol over real TCP, for tests and benchmarks.

- :class:`PileConfig` (``config``): what a pile looks like and its timings.
- :class:`SimulatedPile` (``pile``, with ``charging``, ``records``, ``maintenance``): one pile.
- :class:`Fleet` / :class:`FleetThread` (``fleet``): thousands of piles in one loop, driven from a thread.
- ``metering``: exact energy and pricing per half-hour tariff slot; ``stats``: shared counters.
- ``cli``: ``chargehub simulate ykc``.
"""
from chargehub_ykc.simulator.config import Clock, PileConfig, ScaledClock, local_clock
from chargehub_ykc.simulator.fleet import Fleet, FleetThread, pile_codes, raise_fd_limit
from chargehub_ykc.simulator.gun import CHARGING, FAULT, IDLE, GunState
from chargehub_ykc.simulator.metering import ChargeSession, PileBillingModel, amount_units, slot_of
from chargehub_ykc.simulator.pile import SimulatedPile
from chargehub_ykc.simulator.stats import LatencySamples, SimStats

__all__ = [
    "Clock", "PileConfig", "ScaledClock", "local_clock", "Fleet", "FleetThread", "pile_codes", "raise_fd_limit",
    "CHARGING", "FAULT", "IDLE", "GunState", "ChargeSession", "PileBillingModel", "amount_units", "slot_of",
    "SimulatedPile", "LatencySamples", "SimStats",
]
