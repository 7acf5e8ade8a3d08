"""The billing model a session pushes (0x58) and answers with (0x06/0x0A), from core's settings.

Core sends ``{"rule_id", "version_id", "model_code": "0001", "ykc": {"prices": [{"rate", "electricity_price",
"service_price"} × 4 (sharp, peak, flat, valley; yuan/kWh strings)], "slots": [48 × 0..3]}}`` in
``LoginDecision.settings["billing"]`` and in the ``sync_billing`` command's params.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from chargehub_ykc.codec.messages import RATE_NAMES, SLOT_COUNT, BillingModel, RatePrice

__all__ = ["Tariff", "parse_billing"]

_FIVE_PLACES = Decimal("0.00001")
#: The largest price a u32 at 0.00001 yuan can carry.
_MAX_PRICE = Decimal(0xFFFFFFFF).scaleb(-5)


@dataclass(frozen=True, slots=True)
class Tariff:
    """A billing model as the pile holds it: the 4-digit ``model_code``, four :class:`RatePrice` in rate
    order and 48 slot rate numbers."""

    model_code: str
    prices: tuple[RatePrice, ...]
    slots: tuple[int, ...]

    def message(self, pile_code: str, cls: type[BillingModel]) -> BillingModel:
        """The 0x0A (``BillingModelReply``) or 0x58 (``BillingModelSet``) message for ``pile_code``."""
        return cls(pile_code, self.model_code, self.prices, 0, self.slots)


def _price(value: Any, what: str) -> Decimal:
    if isinstance(value, (float, bool)) or value is None:
        raise ValueError(f"{what} must be a decimal string, not {value!r}")
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{what} {value!r} is not a number") from None
    if not price.is_finite() or price < 0 or price > _MAX_PRICE or price.quantize(_FIVE_PLACES) != price:
        raise ValueError(f"{what} {value!r} must be 0..{_MAX_PRICE} yuan with at most 5 decimals")
    return price.quantize(_FIVE_PLACES)


def parse_billing(billing: Mapping[str, Any]) -> Tariff:
    """The :class:`Tariff` of core's billing settings; equal settings give the same (shared) object, so
    thousands of sessions on one rule hold one tariff.

    :raises ValueError: with words naming the bad part (missing key, wrong rate order, slot out of 0..3...).
    """
    try:
        ykc = billing["ykc"]
        key = (billing["model_code"], tuple(tuple(sorted(p.items())) for p in ykc["prices"]), tuple(ykc["slots"]))
        hash(key)
    except (KeyError, TypeError, AttributeError):
        return _parse_billing(billing)  # malformed: let the full check name the problem
    cached = _CACHE.get(key)
    if cached is None:
        cached = _parse_billing(billing)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = cached
    return cached


#: Parsed tariffs by their settings; cleared when full (a platform has a few hundred rules at most).
_CACHE: dict[tuple, Tariff] = {}
_CACHE_SIZE = 1024


def _parse_billing(billing: Mapping[str, Any]) -> Tariff:
    if not isinstance(billing, Mapping):
        raise ValueError("billing settings must be an object")
    code = billing.get("model_code")
    if not isinstance(code, str) or len(code) != 4 or not code.isdigit() or not code.isascii():
        raise ValueError(f"model_code {code!r} must be 4 digits")
    ykc = billing.get("ykc")
    if not isinstance(ykc, Mapping):
        raise ValueError("billing settings carry no 'ykc' model")
    prices, slots = ykc.get("prices"), ykc.get("slots")
    if not isinstance(prices, (list, tuple)) or len(prices) != len(RATE_NAMES):
        raise ValueError("ykc.prices must list the 4 rates sharp, peak, flat, valley")
    parsed = []
    for name, item in zip(RATE_NAMES, prices):
        if not isinstance(item, Mapping):
            raise ValueError(f"ykc.prices entry for {name} must be an object")
        if item.get("rate", name) != name:
            raise ValueError(f"ykc.prices must be in the order {', '.join(RATE_NAMES)}; got {item.get('rate')!r} "
                             f"where {name} belongs")
        parsed.append(RatePrice(_price(item.get("electricity_price"), f"{name} electricity_price"),
                                _price(item.get("service_price"), f"{name} service_price")))
    if (not isinstance(slots, (list, tuple)) or len(slots) != SLOT_COUNT
            or any(not isinstance(s, int) or isinstance(s, bool) or not 0 <= s <= 3 for s in slots)):
        raise ValueError(f"ykc.slots must be {SLOT_COUNT} rate numbers 0..3")
    return Tariff(code, tuple(parsed), tuple(slots))
