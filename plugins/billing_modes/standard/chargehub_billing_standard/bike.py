"""The e-bike modes: 时长模式, 功率模式, 统一计费, 时段服务费, 功率服务费.

All five share the auto-stop threshold, the auto-stop amount and the free duration, applied once by
:meth:`BikeTariff.price` around the mode's own lines (its *parts*):

* billable time = ``min(session seconds, threshold)``: billing stops at the threshold;
* ``stop_reason`` is ``"duration"`` once the session lasted the threshold;
* a session that ends within the free duration keeps its itemized lines with every fee zero
  (``free=True``); one that goes beyond pays for its whole duration;
* with an auto-stop amount, a total reaching it sets ``stop_reason`` ``"amount"`` (unless already
  ``"duration"``), and a total above it gets a negative ``cap`` line bringing it down to the amount.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping, Sequence

from chargehub.contracts.billing import Bill, BillingMode, BillLine, Tariff, Usage, YkcTariff, fee_fen, fen, price_fen, price_units

from chargehub_billing_standard.meter import energy_until
from chargehub_billing_standard.schemas import (
    BikeDurationSchema,
    BikeEnergyHourlySchema,
    BikeEnergyPowerSchema,
    BikeEnergySchema,
    BikePowerSchema,
)
from chargehub_billing_standard.text import bike_limits_text, money_text, price_text, tiers_text

HOUR = 3600


@dataclass(frozen=True, slots=True)
class Limits:
    """The common e-bike limits in integers: threshold and free time in seconds, cap in fen (0: none)."""

    threshold: int
    cap: int
    free: int

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> "Limits":
        """From validated params."""
        return cls(params["auto_stop_minutes"] * 60, fen(params.get("auto_stop_amount", 0)),
                   params.get("free_minutes", 0) * 60)


def started_units(seconds: int, unit_seconds: int) -> int:
    """Billing units in ``seconds``: a started unit counts (0 seconds → 0 units)."""
    return -(-seconds // unit_seconds)


@dataclass(frozen=True, slots=True)
class EnergyPart:
    """The ``energy`` line: billable energy at an electricity price (and a service price, or 0)."""

    label: str
    electricity_price: int
    service_price: int = 0

    def lines(self, usage: Usage, billable: int) -> list[BillLine]:
        """One line; the energy stops at the threshold when the session went beyond it."""
        energy = energy_until(usage, usage.started_at + billable)
        return [BillLine("energy", self.label, billable, energy, 0, self.electricity_price, self.service_price,
                         fee_fen(energy, self.electricity_price), fee_fen(energy, self.service_price))]


@dataclass(frozen=True, slots=True)
class UnitsPart:
    """A service line per started unit of billable time (``duration``, ``service_hours``)."""

    key: str
    label: str
    unit_seconds: int
    unit_price: int

    def lines(self, usage: Usage, billable: int) -> list[BillLine]:
        """One line: started units of the billable time at the unit price."""
        units = started_units(billable, self.unit_seconds)
        return [BillLine(self.key, self.label, billable, 0, units, 0, self.unit_price, 0,
                         price_fen(self.unit_price, units))]


@dataclass(frozen=True, slots=True)
class PowerPart:
    """Service lines by power tier: each unit of billable time (consecutive from the start, the last one
    possibly partial) is charged at the tier of the highest power measured during it.

    A power sample holds from its time until the next; before the first sample the power is 0. Power
    above the last tier's ``up_to_w`` uses the last tier.
    """

    unit_seconds: int
    limits_w: tuple[int, ...]
    prices: tuple[int, ...]

    def lines(self, usage: Usage, billable: int) -> list[BillLine]:
        """One ``tier_<n>`` line per tier used, in tier order."""
        times = [t for t, _ in usage.power]
        watts = [w for _, w in usage.power]
        count = len(times)
        last_tier = len(self.limits_w) - 1
        seconds = [0] * len(self.limits_w)
        units = [0] * len(self.limits_w)
        start, end = usage.started_at, usage.started_at + billable
        unit_start = start
        while unit_start < end:
            unit_end = min(unit_start + self.unit_seconds, end)
            index = bisect_right(times, unit_start)
            highest = watts[index - 1] if index else 0
            while index < count and times[index] < unit_end:
                highest = max(highest, watts[index])
                index += 1
            tier = min(bisect_left(self.limits_w, highest), last_tier)
            seconds[tier] += unit_end - unit_start
            units[tier] += 1
            unit_start = unit_end
        return [BillLine(f"tier_{n + 1}", f"功率档{n + 1} (≤{self.limits_w[n]}W)", seconds[n], 0, units[n], 0,
                         self.prices[n], 0, price_fen(self.prices[n], units[n]))
                for n in range(len(self.limits_w)) if units[n]]

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> "PowerPart":
        """From validated params (``unit_minutes``, ``tiers``)."""
        return cls(params["unit_minutes"] * 60, tuple(t["up_to_w"] for t in params["tiers"]),
                   tuple(price_units(t["unit_price"]) for t in params["tiers"]))


class BikeTariff(Tariff):
    """A compiled e-bike rule: the mode's parts, then the common limits (see the module docstring)."""

    __slots__ = ("mode", "limits", "parts")

    def __init__(self, mode: str, limits: Limits, parts: Sequence[Any]):
        self.mode, self.limits, self.parts = mode, limits, tuple(parts)

    def price(self, usage: Usage) -> Bill:
        """The itemized bill: the parts' lines over the billable time, then free time and the cap."""
        limits = self.limits
        seconds = max(usage.seconds, 0)
        billable = min(seconds, limits.threshold)
        lines = [line for part in self.parts for line in part.lines(usage, billable)]
        return finish(self.mode, lines, seconds, limits)


def finish(mode: str, lines: list[BillLine], seconds: int, limits: Limits) -> Bill:
    """Apply the free duration, the auto-stop reasons and the amount cap to a session's lines."""
    stop_reason = "duration" if seconds >= limits.threshold else None
    free = limits.free > 0 and seconds <= limits.free
    if free:
        lines = [line._replace(electricity=0, service=0) for line in lines]
    total = sum(line.amount for line in lines)
    if limits.cap > 0 and total >= limits.cap:
        stop_reason = stop_reason or "amount"
        if total > limits.cap:
            lines.append(BillLine("cap", "自停金额封顶", service=limits.cap - total))
    return Bill(mode, tuple(lines), free, stop_reason)


class BikeMode(BillingMode):
    """Base of the e-bike modes: YKC piles are cars only."""

    vehicle = "bike"
    rule_schema: ClassVar[type] = BikeDurationSchema

    def to_ykc(self, params: Mapping[str, Any]) -> YkcTariff:
        """:raises NotImplementedError: always (YKC is for car piles)."""
        raise NotImplementedError("e-bike billing modes have no YKC billing model")

    def from_ykc(self, tariff: YkcTariff) -> None:
        """``None``: an e-bike mode never expresses a YKC model."""
        return None


class BikeDuration(BikeMode):
    """时长模式: ``unit_price`` per started ``unit_minutes`` of billable time."""

    identifier = "bike_duration"
    verbose_name = "时长模式"
    rule_schema = BikeDurationSchema

    def compile(self, params: Mapping[str, Any], timezone: str) -> Tariff:
        """A ``duration`` line."""
        part = UnitsPart("duration", "充电时长", params["unit_minutes"] * 60, price_units(params["unit_price"]))
        return BikeTariff(self.identifier, Limits.of(params), [part])

    def describe(self, params: Mapping[str, Any]) -> str:
        """``"每60分钟 1.00 元，自停 8 小时/10.00 元，免费 5 分钟"``."""
        return f"每{params['unit_minutes']}分钟 {money_text(params['unit_price'])} 元，{bike_limits_text(params)}"


class BikePower(BikeMode):
    """功率模式: each started unit at the price of the tier of its highest power."""

    identifier = "bike_power"
    verbose_name = "功率模式"
    rule_schema = BikePowerSchema

    def compile(self, params: Mapping[str, Any], timezone: str) -> Tariff:
        """``tier_<n>`` lines."""
        return BikeTariff(self.identifier, Limits.of(params), [PowerPart.of(params)])

    def describe(self, params: Mapping[str, Any]) -> str:
        """``"每60分钟 ≤200W 0.50 元/≤500W 1.00 元，自停 8 小时"``."""
        return f"每{params['unit_minutes']}分钟 {tiers_text(params['tiers'])}，{bike_limits_text(params)}"


class BikeEnergy(BikeMode):
    """统一计费: electricity and service per kWh of billable energy."""

    identifier = "bike_energy"
    verbose_name = "统一计费"
    rule_schema = BikeEnergySchema

    def compile(self, params: Mapping[str, Any], timezone: str) -> Tariff:
        """An ``energy`` line."""
        part = EnergyPart("统一计费", price_units(params["electricity_price"]), price_units(params["service_price"]))
        return BikeTariff(self.identifier, Limits.of(params), [part])

    def describe(self, params: Mapping[str, Any]) -> str:
        """``"电费 1.00000 元/度，服务费 0.80000 元/度，自停 8 小时"``."""
        return (f"电费 {price_text(params['electricity_price'])} 元/度，服务费 {price_text(params['service_price'])} 元/度，"
                f"{bike_limits_text(params)}")


class BikeEnergyHourly(BikeMode):
    """时段服务费: electricity per kWh, service per started hour of billable time."""

    identifier = "bike_energy_hourly"
    verbose_name = "时段服务费"
    rule_schema = BikeEnergyHourlySchema

    def compile(self, params: Mapping[str, Any], timezone: str) -> Tariff:
        """An ``energy`` line (electricity only) and a ``service_hours`` line."""
        parts = [EnergyPart("电费", price_units(params["electricity_price"])),
                 UnitsPart("service_hours", "时段服务费", HOUR, price_units(params["hourly_service_price"]))]
        return BikeTariff(self.identifier, Limits.of(params), parts)

    def describe(self, params: Mapping[str, Any]) -> str:
        """``"电费 1.00000 元/度，服务费每小时 0.50 元，自停 8 小时"``."""
        return (f"电费 {price_text(params['electricity_price'])} 元/度，服务费每小时 "
                f"{money_text(params['hourly_service_price'])} 元，{bike_limits_text(params)}")


class BikeEnergyPower(BikeMode):
    """功率服务费: electricity per kWh, service per started unit at the tier of its highest power."""

    identifier = "bike_energy_power"
    verbose_name = "功率服务费"
    rule_schema = BikeEnergyPowerSchema

    def compile(self, params: Mapping[str, Any], timezone: str) -> Tariff:
        """An ``energy`` line (electricity only) and ``tier_<n>`` lines (service)."""
        parts = [EnergyPart("电费", price_units(params["electricity_price"])), PowerPart.of(params)]
        return BikeTariff(self.identifier, Limits.of(params), parts)

    def describe(self, params: Mapping[str, Any]) -> str:
        """``"电费 1.00000 元/度，服务费每60分钟 ≤200W 0.50 元/≤500W 1.00 元，自停 8 小时"``."""
        return (f"电费 {price_text(params['electricity_price'])} 元/度，服务费每{params['unit_minutes']}分钟 "
                f"{tiers_text(params['tiers'])}，{bike_limits_text(params)}")
