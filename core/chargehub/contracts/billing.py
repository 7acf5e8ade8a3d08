"""Billing modes (计费模式): how a charging session is priced. Registered by ``register_billing_modes``.

The contract, in one picture::

    mode = registry["car_tou"]                      # a BillingMode (one per identifier)
    params = mode.rule_schema().load(form)          # validated rule parameters (a billing-rule version)
    tariff = mode.compile(params, "Asia/Shanghai")  # pure, precomputed integers; cache it per version
    bill = tariff.price(usage)                      # pure and deterministic: the ONE pricing function

The running cost shown while charging, 计费测试 and the final settlement all call ``tariff.price``.

**Integers inside, Decimal at the edges.** Pricing works on integer counts so that it is exact and fast:
energy in 0.0001 kWh (:data:`ENERGY_UNIT`), unit prices in 0.00001 yuan (:data:`PRICE_UNIT`), amounts in
fen (0.01 yuan), times in epoch seconds (UTC). A fee line is ``energy × price`` rounded half-up to the fen
once (:func:`fee_fen`); a bill's total is the sum of its lines, so lines always add up to the total.
:class:`Bill` and :class:`BillLine` offer the same values as :class:`~decimal.Decimal` for display.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Mapping, NamedTuple, Sequence

import marshmallow as ma

from chargehub.contracts.base import Provider

#: One energy count is this many kWh (meter readings and energies are integers of it).
ENERGY_UNIT = Decimal("0.0001")
#: One price count is this many yuan (unit prices per kWh, per hour or per billing unit).
PRICE_UNIT = Decimal("0.00001")
#: One amount count (fen) is this many yuan.
FEN = Decimal("0.01")
#: energy count × price count = 1e-9 yuan; a fen is 1e7 of those.
_ENERGY_PRICE_PER_FEN = 10**7
#: price count per fen.
_PRICE_PER_FEN = 1000


def _counts(value: Decimal | int | str, unit: Decimal, what: str) -> int:
    number = Decimal(value)
    counts = number / unit
    if counts != counts.to_integral_value():
        raise ValueError(f"{what} {value} has more decimals than {unit}")
    return int(counts)


def price_units(value: Decimal | int | str) -> int:
    """Yuan (a unit price) → 0.00001-yuan counts. :raises ValueError: more than 5 decimals."""
    return _counts(value, PRICE_UNIT, "price")


def energy_units(value: Decimal | int | str) -> int:
    """kWh → 0.0001-kWh counts. :raises ValueError: more than 4 decimals."""
    return _counts(value, ENERGY_UNIT, "energy")


def fen(value: Decimal | int | str) -> int:
    """Yuan (an amount) → fen. :raises ValueError: more than 2 decimals."""
    return _counts(value, FEN, "amount")


def yuan(fen_count: int) -> Decimal:
    """Fen → yuan, with exactly two decimals."""
    return (Decimal(fen_count) * FEN).quantize(FEN)


def kwh(energy_count: int) -> Decimal:
    """0.0001-kWh counts → kWh, with exactly four decimals."""
    return (Decimal(energy_count) * ENERGY_UNIT).quantize(ENERGY_UNIT)


def unit_price(price_count: int) -> Decimal:
    """0.00001-yuan counts → yuan, with exactly five decimals."""
    return (Decimal(price_count) * PRICE_UNIT).quantize(PRICE_UNIT)


def fee_fen(energy_count: int, price_count: int) -> int:
    """The fee of ``energy_count`` at ``price_count`` per kWh, in fen, rounded half-up (both ≥ 0)."""
    return (energy_count * price_count * 2 + _ENERGY_PRICE_PER_FEN) // (2 * _ENERGY_PRICE_PER_FEN)


def price_fen(price_count: int, numerator: int = 1, denominator: int = 1) -> int:
    """``price_count × numerator / denominator`` in fen, rounded half-up (all ≥ 0, denominator > 0).

    E.g. an hourly fee for ``seconds``: ``price_fen(hourly, seconds, 3600)``; ``units`` whole units:
    ``price_fen(unit_price, units)``.
    """
    scaled = _PRICE_PER_FEN * denominator
    return (price_count * numerator * 2 + scaled) // (2 * scaled)


def round_yuan(value: Decimal) -> Decimal:
    """``value`` rounded half-up to the fen (for amounts computed outside pricing)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Usage:
    """What pricing knows of a session. All integers; build one from real values with :meth:`of`.

    :param started_at: session start, epoch seconds (UTC).
    :param ended_at: session end (or "now" for the running cost), epoch seconds; ``>= started_at``.
    :param meter: cumulative meter readings ``(epoch seconds, 0.0001-kWh count)``, ascending in time and
        never decreasing in value. The energy of the session is ``last − first``; energy between two
        readings is spread evenly over the time between them.
    :param power: measured power ``(epoch seconds, watts)``, ascending; each value holds until the next.
    """

    started_at: int
    ended_at: int
    meter: tuple[tuple[int, int], ...] = ()
    power: tuple[tuple[int, int], ...] = ()

    @property
    def seconds(self) -> int:
        """Session duration in seconds."""
        return self.ended_at - self.started_at

    @property
    def energy(self) -> int:
        """Energy of the session in 0.0001-kWh counts (``0`` without meter readings)."""
        return self.meter[-1][1] - self.meter[0][1] if self.meter else 0

    @classmethod
    def of(cls, started_at: datetime, ended_at: datetime,
           meter: Sequence[tuple[datetime, Decimal | str | int]] = (),
           power: Sequence[tuple[datetime, int | Decimal]] = ()) -> "Usage":
        """A usage from aware datetimes, meter readings in kWh (Decimal) and power in watts.

        :raises ValueError: naive datetimes, readings with more than 4 decimals.
        """
        def seconds(moment: datetime) -> int:
            if moment.tzinfo is None:
                raise ValueError("usage times must be timezone-aware")
            return int(moment.timestamp())

        return cls(seconds(started_at), seconds(ended_at),
                   tuple((seconds(t), energy_units(v)) for t, v in meter),
                   tuple((seconds(t), int(w)) for t, w in power))


class BillLine(NamedTuple):
    """One line of an itemized bill: a TOU rate, a power tier, the duration, a service fee, a cap...

    Immutable (a ``NamedTuple``: built in a fraction of a frozen dataclass's time, which matters on the
    pricing hot path); change a copy with ``line._replace(service=0)``.

    :param key: stable machine key: ``sharp`` / ``peak`` / ``flat`` / ``valley`` (TOU), ``energy``,
        ``duration``, ``tier_<n>`` (1-based power tier), ``service_hours``, ``cap`` (a negative line that
        brings the total down to the auto-stop amount).
    :param label: what the driver and operator read (``"峰"``, ``"功率档 2 (200–400W)"``...).
    :param seconds: time the line covers. :param energy: 0.0001-kWh counts.
    :param units: billing units charged (time modes: started units; ``service_hours``: started hours).
    :param electricity_price: / :param service_price: unit prices in 0.00001-yuan counts (0 when n/a).
    :param electricity: / :param service: the line's fees in fen (``service`` is negative on ``cap``).
    """

    key: str
    label: str
    seconds: int = 0
    energy: int = 0
    units: int = 0
    electricity_price: int = 0
    service_price: int = 0
    electricity: int = 0
    service: int = 0

    @property
    def amount(self) -> int:
        """Fen: electricity + service."""
        return self.electricity + self.service

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: decimals as strings (``"1.2345"`` kWh, ``"0.80000"`` yuan/unit, ``"3.20"`` yuan)."""
        return {"key": self.key, "label": self.label, "seconds": self.seconds, "units": self.units,
                "energy_kwh": str(kwh(self.energy)),
                "electricity_price": str(unit_price(self.electricity_price)),
                "service_price": str(unit_price(self.service_price)),
                "electricity_fee": str(yuan(self.electricity)), "service_fee": str(yuan(self.service)),
                "amount": str(yuan(self.amount))}


class Bill(NamedTuple):
    """An itemized bill (immutable, a ``NamedTuple`` like :class:`BillLine`). Totals are sums of the
    lines, so the lines always add up.

    :param mode: the billing mode's identifier.
    :param free: the session ended within the free duration (every line is zero).
    :param stop_reason: ``"duration"`` or ``"amount"`` when the auto-stop threshold or amount has been
        reached (e-bike modes; the charging module stops the session), else ``None``.
    """

    mode: str
    lines: tuple[BillLine, ...]
    free: bool = False
    stop_reason: str | None = None

    @property
    def total(self) -> int:
        """Fen."""
        return sum(line.amount for line in self.lines)

    @property
    def electricity(self) -> int:
        """Fen."""
        return sum(line.electricity for line in self.lines)

    @property
    def service(self) -> int:
        """Fen."""
        return sum(line.service for line in self.lines)

    @property
    def energy(self) -> int:
        """0.0001-kWh counts (the ``cap`` line carries none)."""
        return sum(line.energy for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly bill: totals in yuan strings, energy in kWh, lines via :meth:`BillLine.to_dict`."""
        return {"mode": self.mode, "free": self.free, "stop_reason": self.stop_reason,
                "energy_kwh": str(kwh(self.energy)), "electricity_fee": str(yuan(self.electricity)),
                "service_fee": str(yuan(self.service)), "total": str(yuan(self.total)),
                "lines": [line.to_dict() for line in self.lines]}


class Tariff:
    """A compiled billing-rule version: pure, immutable, safe to cache and share between threads."""

    def price(self, usage: Usage) -> Bill:
        """The itemized bill of ``usage``. Pure: no IO, no clock, same input → same bill.

        Must be fast (the bench asks 50,000 96-sample TOU sessions per second on one core).
        """
        raise NotImplementedError


#: TOU rate names in YKC's rate-number order (0 sharp 尖, 1 peak 峰, 2 flat 平, 3 valley 谷).
TOU_RATES = ("sharp", "peak", "flat", "valley")


@dataclass(frozen=True, slots=True)
class YkcTariff:
    """The YunKuaiChong billing model (``specs/ykc-protocol.md`` §6), in integers.

    :param prices: for rate 0..3 (:data:`TOU_RATES`): ``(electricity, service)`` in 0.00001 yuan/kWh.
    :param slots: 48 rate numbers (0..3), slot ``i`` = local time ``i × 30 min`` to ``(i + 1) × 30 min``.
    """

    prices: tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]
    slots: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.prices) != 4 or len(self.slots) != 48 or any(s not in (0, 1, 2, 3) for s in self.slots):
            raise ValueError("a YKC billing model has 4 rates and 48 half-hour slots numbered 0..3")


class BillingMode(Provider):
    """Base of every billing mode (car flat / time-of-use, the e-bike modes).

    Class attributes:

    ``identifier``   stored on each billing rule (``"car_flat"``, ``"car_tou"``, ``"bike_duration"``...)
    ``verbose_name`` what operators read (``"统一计价"``, ``"峰平谷计价"``, ``"时长模式"``...)
    ``vehicle``      which side uses it: ``"car"`` or ``"bike"``
    ``rule_schema``  marshmallow schema of the rule parameters; loading validates (field messages in
                     Chinese, e.g. a TOU gap or overlap named by its times) and returns what
                     :meth:`compile` takes; dumping gives the JSON stored on the rule version. The admin
                     form and the API are generated from it (its fields' ``metadata`` carry ``label``).
    """

    kind = "billing_modes"
    vehicle: ClassVar[str] = ""
    rule_schema: ClassVar[type[ma.Schema]] = ma.Schema

    def compile(self, params: Mapping[str, Any], timezone: str) -> Tariff:
        """The :class:`Tariff` of validated ``params`` (``rule_schema().load`` output); local times in the
        rule (TOU periods) are in ``timezone`` (an IANA name, the operator's zone)."""
        raise NotImplementedError

    def describe(self, params: Mapping[str, Any]) -> str:
        """One line in Chinese for lists and the pile's 计费详情 (``"电费 1.00000 元/度，服务费 0.80000 元/度"``)."""
        raise NotImplementedError

    def to_ykc(self, params: Mapping[str, Any]) -> YkcTariff:
        """Car modes: the YKC billing model of ``params`` (a flat rule: one rate in all 48 slots).

        :raises NotImplementedError: e-bike modes (YKC piles are cars only).
        """
        raise NotImplementedError

    def from_ykc(self, tariff: YkcTariff) -> dict[str, Any] | None:
        """Car modes: rule params (``rule_schema`` load form) whose :meth:`to_ykc` is ``tariff``, or ``None``
        when this mode cannot express it (a flat mode given several rates)."""
        raise NotImplementedError
