"""Conversions between rule params and the YKC billing model (``specs/ykc-protocol.md`` §6).

Conventions: a TOU rule maps rate for rate (0 sharp, 1 peak, 2 flat, 3 valley) and period for slot. A
flat rule becomes all four rates carrying the flat prices and every slot on rate 0; a YKC model whose
48 slots all use one rate converts back to a flat rule with that rate's prices.
"""
from __future__ import annotations

from typing import Any, Mapping

from chargehub.contracts.billing import TOU_RATES, YkcTariff, price_units, unit_price

from chargehub_billing_standard.tou import SLOTS, periods_from_slots, slots_from_periods

#: The slot rate a flat rule uses in its YKC model.
FLAT_YKC_RATE = 0


def _pair(prices: Mapping[str, Any]) -> tuple[int, int]:
    return price_units(prices["electricity_price"]), price_units(prices["service_price"])


def _params_pair(electricity: int, service: int) -> dict[str, Any]:
    return {"electricity_price": unit_price(electricity), "service_price": unit_price(service)}


def tou_to_ykc(params: Mapping[str, Any]) -> YkcTariff:
    """The YKC model of validated ``car_tou`` params."""
    return YkcTariff(tuple(_pair(params["prices"][name]) for name in TOU_RATES),
                     slots_from_periods(params["periods"]))


def tou_from_ykc(tariff: YkcTariff) -> dict[str, Any]:
    """Normalized ``car_tou`` params (load form) of a YKC model: every rate's prices, merged periods."""
    return {"prices": {name: _params_pair(*tariff.prices[index]) for index, name in enumerate(TOU_RATES)},
            "periods": periods_from_slots(tariff.slots)}


def normalize_tou_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``car_tou`` params with quantized prices and sorted, merged periods (what :func:`tou_from_ykc`
    returns for their YKC model)."""
    return tou_from_ykc(tou_to_ykc(params))


def flat_to_ykc(params: Mapping[str, Any]) -> YkcTariff:
    """The YKC model of ``car_flat`` params: the flat prices on all four rates, every slot rate 0."""
    pair = _pair(params)
    return YkcTariff((pair, pair, pair, pair), (FLAT_YKC_RATE,) * SLOTS)


def flat_from_ykc(tariff: YkcTariff) -> dict[str, Any] | None:
    """``car_flat`` params of a YKC model whose slots all use one rate (that rate's prices), else ``None``."""
    if len(set(tariff.slots)) != 1:
        return None
    return _params_pair(*tariff.prices[tariff.slots[0]])
