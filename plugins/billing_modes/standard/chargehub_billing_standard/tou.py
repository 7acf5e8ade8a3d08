"""Time-of-use (峰平谷) periods: validation, normalization, the 48 half-hour slots, and fast pricing.

**Which rate applies at an instant.** A TOU rule is a list of local wall-clock periods. The rate at an
instant ``t`` is the rate of the half-hour slot that the operator's wall clock shows at ``t``. On a
daylight-saving spring-forward day the skipped wall-clock slots get no time at all; on a fall-back day
the repeated slots apply twice. A session crossing local midnight simply continues into the next day
with the same rule version.

**How a session's energy is split.** The meter value at an instant ``t`` strictly inside the session
is interpolated between the readings around it, ``m0 + (m1 - m0) * (t - t0) // (t1 - t0)`` (integer
floor), clamped to the first / last reading outside their span. The session's start counts as the first
reading and its end as the last, so a rate's energy is the sum over its segments of
``meter(segment end) - meter(segment start)`` and the rates' energies telescope to exactly
``last - first`` (:attr:`Usage.energy`).

**Speed.** Compilation turns the periods into 48 slot rates. For each UTC day (a block of 86,400 s)
the instants where the rate changes are computed once, from the zone's UTC offsets in that block
(:func:`zone_segments`, cached for all tariffs), and cached on the tariff. Pricing then only uses
integers: ``bisect`` finds the session's first rate change, the meter is interpolated at rate changes
inside the session only, and energies and seconds are accumulated per rate.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from chargehub.contracts.billing import TOU_RATES, Bill, BillLine, Tariff, Usage, price_units

from chargehub_billing_standard.fields import hhmm, minutes_of

#: Label of each TOU rate, by name.
RATE_LABELS = {"sharp": "尖", "peak": "峰", "flat": "平", "valley": "谷"}
DAY_MINUTES = 24 * 60
SLOT_MINUTES = 30
SLOTS = DAY_MINUTES // SLOT_MINUTES
DAY = 86400
SLOT_SECONDS = SLOT_MINUTES * 60
#: Most periods a rule may have (one per half-hour slot).
MAX_PERIODS = SLOTS
#: Sorts after any meter value: ``bisect_right(meter, (t, _AFTER))`` counts the readings at or before ``t``.
_AFTER = float("inf")
#: Stands in for missing readings: every meter value is 0.
_NO_METER = ((0, 0),)
#: :func:`fee_fen` inlined: ``(energy × price × 2 + _HALF_FEN) // _FEN2`` (a fen is 1e7 energy×price counts).
_HALF_FEN = 10**7
_FEN2 = 2 * 10**7
#: Probe interval when looking for UTC-offset changes inside a day (zones never change twice within it).
_PROBE = 3 * 3600


def _span(period: Mapping[str, Any]) -> str:
    return f"{period['start']}–{period['end']}"


def coverage_errors(periods: Sequence[Mapping[str, Any]]) -> list[str]:
    """Messages for gaps and overlaps of ``periods`` (each ``start < end``) over 00:00–24:00; empty if none.

    A gap is named by its times (``"07:00–07:30 未设置计费时段 (gap)"``), an overlap by both periods
    (``"08:00–09:00 与 08:30–10:00 重叠 (overlap)"``).
    """
    errors = []
    ordered = sorted(periods, key=lambda p: (minutes_of(p["start"]), minutes_of(p["end"])))
    covered = 0
    latest: Mapping[str, Any] | None = None  # the period that reaches furthest so far
    for period in ordered:
        start, end = minutes_of(period["start"]), minutes_of(period["end"])
        if start > covered:
            errors.append(f"{hhmm(covered)}–{hhmm(start)} 未设置计费时段 (gap)")
        elif start < covered and latest is not None:
            errors.append(f"{_span(latest)} 与 {_span(period)} 重叠 (overlap)")
        if end > covered:
            covered, latest = end, period
    if covered < DAY_MINUTES:
        errors.append(f"{hhmm(covered)}–24:00 未设置计费时段 (gap)")
    return errors


def slots_from_periods(periods: Iterable[Mapping[str, Any]]) -> tuple[int, ...]:
    """The 48 half-hour slot rate numbers (0 sharp … 3 valley) of validated ``periods``."""
    slots = [0] * SLOTS
    for period in periods:
        rate = TOU_RATES.index(period["rate"])
        for slot in range(minutes_of(period["start"]) // SLOT_MINUTES, minutes_of(period["end"]) // SLOT_MINUTES):
            slots[slot] = rate
    return tuple(slots)


def periods_from_slots(slots: Sequence[int]) -> list[dict[str, str]]:
    """Normalized periods (sorted, adjacent equal rates merged) of 48 slot rate numbers."""
    periods: list[dict[str, str]] = []
    for index, rate in enumerate(slots):
        if periods and periods[-1]["rate"] == TOU_RATES[rate]:
            periods[-1]["end"] = hhmm((index + 1) * SLOT_MINUTES)
        else:
            periods.append({"start": hhmm(index * SLOT_MINUTES), "end": hhmm((index + 1) * SLOT_MINUTES),
                            "rate": TOU_RATES[rate]})
    return periods


def normalize_periods(periods: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Validated periods sorted by start, with adjacent periods of the same rate merged."""
    return periods_from_slots(slots_from_periods(periods))


@lru_cache(maxsize=1 << 16)
def zone_segments(zone_name: str, block: int) -> tuple[tuple[int, int], ...]:
    """UTC offsets of ``zone_name`` during UTC day ``block`` (``[block × 86400, (block + 1) × 86400)``).

    :return: ``((from_instant, offset_seconds), ...)``, the first one starting at the block's start, a
        new one at each offset change (found by bisection to the second).
    """
    zone = ZoneInfo(zone_name)

    def offset(instant: int) -> int:
        return int(datetime.fromtimestamp(instant, zone).utcoffset().total_seconds())

    start = block * DAY
    segments = [(start, offset(start))]
    before, before_offset = start, segments[0][1]
    for probe in range(start + _PROBE, start + DAY + 1, _PROBE):
        probe_offset = offset(probe)
        if probe_offset != before_offset:
            low, high = before, probe  # offset(low) == before_offset != offset(high)
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == before_offset:
                    low = middle
                else:
                    high = middle
            if high < start + DAY:
                segments.append((high, offset(high)))
        before, before_offset = probe, probe_offset
    return tuple(segments)


class TouTariff(Tariff):
    """A compiled TOU rule: slot rates, unit prices per rate in counts, rate changes cached per UTC day.

    :param slots: 48 rate numbers (index into :data:`TOU_RATES`).
    :param prices: ``(electricity, service)`` price counts per rate number.
    :param zone: IANA zone of the periods.
    """

    __slots__ = ("mode", "slots", "prices", "zone", "_blocks", "_rate_lines", "_runs", "_templates")

    #: Cached days per tariff before the cache is emptied (a year of days is ~366).
    MAX_BLOCKS = 4096

    def __init__(self, slots: Sequence[int], prices: Sequence[tuple[int, int]], zone: str, mode: str = "car_tou"):
        ZoneInfo(zone)  # fail at compile time for an unknown zone
        self.mode = mode
        self.slots = tuple(slots)
        self.prices = tuple(tuple(p) for p in prices)
        self.zone = zone
        self._blocks: dict[int, tuple[list[int], list[int]]] = {}
        self._templates: dict[int, tuple[list[int], list[int]]] = {}
        # (key, label, electricity price, service price) of each rate's line
        self._rate_lines = tuple((name, RATE_LABELS[name], *self.prices[index]) for index, name in enumerate(TOU_RATES))
        # (wall second of the day, rate) where a new run of equal slot rates starts
        self._runs = tuple((slot * SLOT_SECONDS, rate) for slot, rate in enumerate(self.slots)
                           if slot == 0 or self.slots[slot - 1] != rate)

    def rate_changes(self, block: int) -> tuple[list[int], list[int]]:
        """``(instants, rates)`` of UTC day ``block``: the rate that starts at each instant; the first
        instant is the block's start, consecutive rates differ."""
        found = self._blocks.get(block)
        if found is not None:
            return found
        start = block * DAY
        segments = zone_segments(self.zone, block)
        if len(segments) == 1:  # one UTC offset all day: the offset's day shifted to this block
            relative, rates = self._template(segments[0][1])
            found = ([start + instant for instant in relative], rates)
        else:
            found = self._changes(segments, start + DAY)
        if len(self._blocks) >= self.MAX_BLOCKS:
            self._blocks.clear()
        self._blocks[block] = found
        return found

    def _template(self, offset: int) -> tuple[list[int], list[int]]:
        """Rate changes of a UTC day at a constant ``offset``, relative to the day's start (the same
        for every such day, since a UTC day starts at wall-clock ``offset`` of some local day)."""
        found = self._templates.get(offset)
        if found is None:
            found = self._templates[offset] = self._changes(((0, offset),), DAY)
        return found

    def _changes(self, segments: Sequence[tuple[int, int]], end_of_block: int) -> tuple[list[int], list[int]]:
        """Rate changes over ``segments`` (``(from_instant, utc_offset)``, the last one lasting until
        ``end_of_block``), each segment's wall-clock range mapped through the runs of equal slot rates."""
        slots, runs = self.slots, self._runs
        instants: list[int] = []
        rates: list[int] = []
        for index, (start, offset) in enumerate(segments):
            end = segments[index + 1][0] if index + 1 < len(segments) else end_of_block
            wall, wall_end = start + offset, end + offset  # the wall clock of [start, end), in seconds
            rate = slots[(wall % DAY) // SLOT_SECONDS]
            if not rates or rates[-1] != rate:
                instants.append(start)
                rates.append(rate)
            for day in range(wall // DAY * DAY, wall_end, DAY):
                for run_wall, run_rate in runs:
                    change = day + run_wall
                    if change >= wall_end:
                        break
                    if change > wall and rates[-1] != run_rate:
                        instants.append(change - offset)
                        rates.append(run_rate)
        return instants, rates

    def price(self, usage: Usage) -> Bill:
        """Split the session at its rate changes and bill each rate's energy at its prices."""
        started, ended = usage.started_at, usage.ended_at
        if ended <= started:
            return Bill(self.mode, ())
        meter = usage.meter or _NO_METER
        first_time, first = meter[0]
        last_time, last = meter[-1]
        blocks, bisect, after_value = self._blocks, bisect_right, _AFTER
        # Each rate change at instant t with meter value m closes a segment of the old rate and opens
        # one of the new: old += (t, m), new -= (t, m). Sums telescope to each rate's segments.
        seconds = [0, 0, 0, 0]
        energy = [0, 0, 0, 0]
        block = started // DAY
        last_block = (ended - 1) // DAY
        instants, rates = blocks.get(block) or self.rate_changes(block)
        low = bisect(instants, started)
        current = rates[low - 1]
        order = [current]
        seconds[current] = -started
        energy[current] = -first
        after = 0  # readings at or before the latest rate change (rate changes come in time order)
        while True:
            high = bisect_left(instants, ended) if block == last_block else len(instants)
            for index in range(low, high):
                rate = rates[index]
                if rate == current:
                    continue
                instant = instants[index]
                if first_time < instant < last_time:
                    after = bisect(meter, (instant, after_value), after)
                    t0, m0 = meter[after - 1]
                    t1, m1 = meter[after]
                    value = m0 + (m1 - m0) * (instant - t0) // (t1 - t0)
                else:  # clamped outside the readings' span
                    value = first if instant <= first_time else last
                seconds[current] += instant
                energy[current] += value
                seconds[rate] -= instant
                energy[rate] -= value
                current = rate
                if rate not in order:
                    order.append(rate)
            if block == last_block:
                break
            block += 1
            instants, rates = blocks.get(block) or self.rate_changes(block)
            low = 0
        seconds[current] += ended
        energy[current] += last
        lines = []
        rate_lines = self._rate_lines
        for rate in order:
            key, label, electricity_price, service_price = rate_lines[rate]
            rate_energy = energy[rate]
            lines.append(BillLine(key, label, seconds[rate], rate_energy, 0, electricity_price, service_price,
                                   (rate_energy * electricity_price * 2 + _HALF_FEN) // _FEN2,
                                   (rate_energy * service_price * 2 + _HALF_FEN) // _FEN2))
        return Bill(self.mode, tuple(lines))


def compile_tou(params: Mapping[str, Any], zone: str, mode: str = "car_tou") -> TouTariff:
    """The :class:`TouTariff` of validated ``car_tou`` params (load or dump form)."""
    prices = tuple((price_units(params["prices"][name]["electricity_price"]),
                    price_units(params["prices"][name]["service_price"])) for name in TOU_RATES)
    return TouTariff(slots_from_periods(params["periods"]), prices, zone, mode)
