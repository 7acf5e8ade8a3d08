"""The car modes: 统一计价 (``car_flat``) and 峰平谷计价 (``car_tou``)."""
from __future__ import annotations

from typing import Any, Mapping

from chargehub.contracts.billing import TOU_RATES, Bill, BillingMode, BillLine, Tariff, Usage, YkcTariff, fee_fen, price_units

from chargehub_billing_standard import ykc
from chargehub_billing_standard.schemas import CarFlatSchema, CarTouSchema
from chargehub_billing_standard.text import price_text
from chargehub_billing_standard.tou import RATE_LABELS, compile_tou, normalize_periods


class EnergyTariff(Tariff):
    """One ``energy`` line: the whole session's energy at one electricity and one service price.

    Used by ``car_flat`` (label 统一计价) and, without auto-stop, as the energy part of e-bike modes.
    """

    __slots__ = ("mode", "label", "electricity_price", "service_price")

    def __init__(self, mode: str, label: str, electricity_price: int, service_price: int):
        self.mode, self.label = mode, label
        self.electricity_price, self.service_price = electricity_price, service_price

    def line(self, usage: Usage, energy: int, seconds: int) -> BillLine:
        """The ``energy`` line for ``energy`` counts over ``seconds``."""
        return BillLine("energy", self.label, seconds, energy, 0, self.electricity_price, self.service_price,
                        fee_fen(energy, self.electricity_price), fee_fen(energy, self.service_price))

    def price(self, usage: Usage) -> Bill:
        """The session's energy (``last − first``) at the two prices, over its whole duration."""
        return Bill(self.mode, (self.line(usage, usage.energy, usage.seconds),))


class CarFlat(BillingMode):
    """统一计价: every kWh at the same electricity and service price, whatever the time."""

    identifier = "car_flat"
    verbose_name = "统一计价"
    vehicle = "car"
    rule_schema = CarFlatSchema

    def compile(self, params: Mapping[str, Any], timezone: str) -> Tariff:
        """An :class:`EnergyTariff` (the zone plays no part)."""
        return EnergyTariff(self.identifier, "统一计价", price_units(params["electricity_price"]),
                            price_units(params["service_price"]))

    def describe(self, params: Mapping[str, Any]) -> str:
        """``"电费 1.00000 元/度，服务费 0.80000 元/度"``."""
        return f"电费 {price_text(params['electricity_price'])} 元/度，服务费 {price_text(params['service_price'])} 元/度"

    def to_ykc(self, params: Mapping[str, Any]) -> YkcTariff:
        """The flat prices on all four rates, every slot rate 0 (see :mod:`.ykc`)."""
        return ykc.flat_to_ykc(params)

    def from_ykc(self, tariff: YkcTariff) -> dict[str, Any] | None:
        """Flat params when all 48 slots use one rate (its prices), else ``None``."""
        return ykc.flat_from_ykc(tariff)


class CarTou(BillingMode):
    """峰平谷计价: local wall-clock periods, each with the electricity and service price of its rate."""

    identifier = "car_tou"
    verbose_name = "峰平谷计价"
    vehicle = "car"
    rule_schema = CarTouSchema

    def compile(self, params: Mapping[str, Any], timezone: str) -> Tariff:
        """A :class:`~chargehub_billing_standard.tou.TouTariff` for the periods in ``timezone``."""
        return compile_tou(params, timezone, self.identifier)

    def describe(self, params: Mapping[str, Any]) -> str:
        """Each used rate with its prices and periods: ``"尖 1.20000+0.80000 元/度 10:00–12:00; 峰 ..."``."""
        periods = normalize_periods(params["periods"])
        parts = []
        for name in TOU_RATES:
            spans = ",".join(f"{p['start']}–{p['end']}" for p in periods if p["rate"] == name)
            if spans:
                prices = params["prices"][name]
                parts.append(f"{RATE_LABELS[name]} {price_text(prices['electricity_price'])}+"
                             f"{price_text(prices['service_price'])} 元/度 {spans}")
        return "; ".join(parts)

    def to_ykc(self, params: Mapping[str, Any]) -> YkcTariff:
        """Prices in :data:`TOU_RATES` order, 48 slots from the periods."""
        return ykc.tou_to_ykc(params)

    def from_ykc(self, tariff: YkcTariff) -> dict[str, Any] | None:
        """Normalized params (always possible): all four rates' prices, merged periods."""
        return ykc.tou_from_ykc(tariff)
