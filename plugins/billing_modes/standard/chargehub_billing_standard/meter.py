"""Meter interpolation shared by the e-bike energy modes (the TOU tariff inlines the same arithmetic)."""
from __future__ import annotations

from bisect import bisect_right

from chargehub.contracts.billing import Usage


def meter_at(usage: Usage, instant: int) -> int:
    """The meter value at ``instant``: ``m0 + (m1 - m0) * (t - t0) // (t1 - t0)`` between the readings
    around it, clamped to the first / last reading outside their span; ``0`` without readings."""
    meter = usage.meter
    if not meter:
        return 0
    after = bisect_right(meter, (instant, float("inf")))
    if after == 0:
        return meter[0][1]
    if after == len(meter):
        return meter[-1][1]
    t0, m0 = meter[after - 1]
    t1, m1 = meter[after]
    return m0 + (m1 - m0) * (instant - t0) // (t1 - t0)


def energy_until(usage: Usage, end: int) -> int:
    """Energy of the session up to ``end``: the whole session's (``last − first``) when ``end`` is at or
    after the session's end, else ``meter_at(end) − first``."""
    if not usage.meter:
        return 0
    if end >= usage.ended_at:
        return usage.energy
    return meter_at(usage, end) - usage.meter[0][1]
