"""Metering and pricing of a simulated charging session, in the pile's scaled integers (no floats).

Energy is counted in 0.0001 kWh ("units"), unit prices in 0.00001 yuan/kWh, amounts in 0.0001 yuan
(``specs/ykc-protocol.md`` §3.3, §6). Power × time is integrated exactly: milliwatts × microseconds
give nanojoules, and one energy unit is 360 J. Each stretch of time is credited to the rate of the
half-hour slot it falls in (pile local time), so the per-rate energies of the 0x3B follow the model.

A rate's amount is ``energy × (electricity + service price)`` rounded half up to 0.0001 yuan; the total
is the sum of the rate amounts (so it always equals the sum of the record's lines).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from chargehub_ykc.codec.messages import BillingModel, Period, RatePrice, TransactionRecord

__all__ = [
    "NJ_PER_UNIT", "PileBillingModel", "ChargeSession", "slot_of", "amount_units", "units_to_kwh",
    "kwh_to_units",
]

#: Nanojoules in 0.0001 kWh (0.1 Wh = 360 J).
NJ_PER_UNIT = 360_000_000_000
_HOUR = timedelta(hours=1)
_MICROSECOND = timedelta(microseconds=1)


def slot_of(moment: datetime) -> int:
    """The half-hour slot (0..47) of a local time: hour × 2 + (minute ≥ 30)."""
    return moment.hour * 2 + (moment.minute >= 30)


def amount_units(energy: int, unit_price: int) -> int:
    """0.0001 yuan for ``energy`` (0.0001 kWh) at ``unit_price`` (0.00001 yuan/kWh), rounded half up."""
    return (energy * unit_price + 50_000) // 100_000


def units_to_kwh(units: int) -> Decimal:
    """0.0001 kWh units as a Decimal kWh with 4 places."""
    return Decimal(units).scaleb(-4)


def kwh_to_units(kwh: Decimal) -> int:
    """A Decimal kWh (at most 4 places) as 0.0001 kWh units."""
    return int(Decimal(kwh).scaleb(4))


@dataclass(frozen=True, slots=True)
class PileBillingModel:
    """The time-of-use model a pile holds (from 0x0A or 0x58).

    :param model_code: the 4-digit model code (echoed in 0x05 after a reconnect).
    :param prices: four :class:`RatePrice` (sharp, peak, flat, valley), yuan/kWh.
    :param loss_ratio: 计损比例 as received (the platform sends 0; the simulator reports loss energy =
        energy).
    :param slots: 48 rate numbers, slot ``i`` = local ``i × 30 min``.
    :param unit_prices: per rate, electricity + service in 0.00001 yuan/kWh.
    """

    model_code: str
    prices: tuple[RatePrice, ...]
    loss_ratio: int
    slots: tuple[int, ...]
    unit_prices: tuple[int, ...]

    @classmethod
    def from_message(cls, msg: BillingModel) -> "PileBillingModel":
        """The model carried by a 0x0A/0x58 message; :class:`ValueError` if a slot names no rate."""
        if len(msg.slots) != 48 or any(rate not in (0, 1, 2, 3) for rate in msg.slots):
            raise ValueError("billing model slots must be 48 rate numbers 0..3")
        units = tuple(int((p.electricity_price + p.service_price).scaleb(5)) for p in msg.prices)
        return cls(msg.model_code, tuple(msg.prices), msg.loss_ratio, tuple(msg.slots), units)

    def rate_at(self, moment: datetime) -> int:
        """The rate number (0 sharp … 3 valley) in force at local time ``moment``."""
        return self.slots[slot_of(moment)]


class ChargeSession:
    """One charging session of one gun: identity, meter start and the energy integrated so far.

    ``power_mw`` may change (0x52 power limit); call :meth:`accrue` first so the old power is counted
    up to that moment.
    """

    __slots__ = ("trade_no", "gun", "logical_card", "physical_card", "balance", "model", "power_mw",
                 "started_at", "ended_at", "last_at", "meter_start", "nj", "rate_units", "stop_reason",
                 "start_soc")

    def __init__(self, trade_no: str, gun: int, model: PileBillingModel, power_mw: int, started_at: datetime,
                 meter_start: int, *, logical_card: str = "0" * 16, physical_card: str = "0" * 16,
                 balance: Decimal = Decimal(0), start_soc: int = 30) -> None:
        self.trade_no = trade_no
        self.gun = gun
        self.logical_card = logical_card
        self.physical_card = physical_card
        self.balance = balance
        self.model = model
        self.power_mw = power_mw
        self.started_at = started_at
        self.ended_at: datetime | None = None
        self.last_at = started_at
        self.meter_start = meter_start
        self.nj = 0
        self.rate_units = [0, 0, 0, 0]
        self.stop_reason = 0
        self.start_soc = start_soc

    def accrue(self, now: datetime) -> None:
        """Integrate the power from the last call up to ``now``, slot by slot (a clock set backwards
        counts nothing)."""
        start = self.last_at
        if now <= start:
            self.last_at = now
            return
        slots = self.model.slots
        power = self.power_mw
        while start < now:
            if start.minute < 30:
                boundary = start.replace(minute=30, second=0, microsecond=0)
            else:
                boundary = start.replace(minute=0, second=0, microsecond=0) + _HOUR
            end = boundary if boundary < now else now
            before = self.nj // NJ_PER_UNIT
            self.nj += power * ((end - start) // _MICROSECOND)
            self.rate_units[slots[slot_of(start)]] += self.nj // NJ_PER_UNIT - before
            start = end
        self.last_at = now

    @property
    def energy_units(self) -> int:
        """Energy so far, 0.0001 kWh (= the sum of the rate energies)."""
        return self.nj // NJ_PER_UNIT

    def rate_amounts(self) -> list[int]:
        """Per rate, the amount so far in 0.0001 yuan."""
        prices = self.model.unit_prices
        return [amount_units(self.rate_units[r], prices[r]) for r in range(4)]

    def amount(self) -> int:
        """The amount so far, 0.0001 yuan (sum of :meth:`rate_amounts`)."""
        return sum(self.rate_amounts())

    def minutes(self, now: datetime) -> int:
        """Whole minutes charged by ``now``."""
        return max(0, int((now - self.started_at).total_seconds() // 60))

    def soc(self, battery_units: int) -> int:
        """Simulated state of charge (%) for a battery of ``battery_units`` (0.0001 kWh)."""
        if battery_units <= 0:
            return self.start_soc
        return min(100, self.start_soc + self.energy_units * 100 // battery_units)

    def record(self, pile_code: str, *, vin: str = "", trade_flag: int = 0x01) -> TransactionRecord:
        """The 0x3B transaction record of the ended session (call after :meth:`accrue` at the end)."""
        prices = self.model.unit_prices
        amounts = self.rate_amounts()
        periods = tuple(Period(Decimal(prices[r]).scaleb(-5), units_to_kwh(self.rate_units[r]),
                               units_to_kwh(self.rate_units[r]), Decimal(amounts[r]).scaleb(-4))
                        for r in range(4))
        energy = units_to_kwh(self.energy_units)
        ended = self.ended_at or self.last_at
        return TransactionRecord(
            trade_no=self.trade_no, pile_code=pile_code, gun=self.gun, started_at=self.started_at, ended_at=ended,
            periods=periods, meter_start_kwh=units_to_kwh(self.meter_start),
            meter_end_kwh=units_to_kwh(self.meter_start + self.energy_units), total_energy_kwh=energy,
            total_loss_energy_kwh=energy, total_amount=Decimal(sum(amounts)).scaleb(-4), vin=vin,
            trade_flag=trade_flag, traded_at=ended, stop_reason=self.stop_reason, physical_card=self.physical_card)
