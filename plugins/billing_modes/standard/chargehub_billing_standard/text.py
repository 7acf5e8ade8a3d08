"""Formatting helpers for :meth:`BillingMode.describe` (one Chinese line per rule)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

_PRICE = Decimal("0.00001")
_FEN = Decimal("0.01")


def price_text(value: Any) -> str:
    """A unit price per kWh with its five decimals: ``"1.00000"``."""
    return str(Decimal(str(value)).quantize(_PRICE))


def money_text(value: Any) -> str:
    """An amount or a per-unit price: two decimals unless more are needed (``"1.00"``, ``"0.125"``)."""
    number = Decimal(str(value))
    if number == number.quantize(_FEN):
        return str(number.quantize(_FEN))
    return str(number.quantize(_PRICE).normalize())


def minutes_text(minutes: int) -> str:
    """``480`` → ``"8 小时"``, ``90`` → ``"90 分钟"``."""
    return f"{minutes // 60} 小时" if minutes % 60 == 0 else f"{minutes} 分钟"


def tiers_text(tiers: Any) -> str:
    """``"≤200W 0.50 元/≤500W 1.00 元"``."""
    return "/".join(f"≤{tier['up_to_w']}W {money_text(tier['unit_price'])} 元" for tier in tiers)


def bike_limits_text(params: Any) -> str:
    """The common e-bike part: ``"自停 8 小时/10.00 元，免费 5 分钟"`` (amount and free time only when set)."""
    text = f"自停 {minutes_text(params['auto_stop_minutes'])}"
    amount = Decimal(str(params.get("auto_stop_amount", 0)))
    if amount > 0:
        text += f"/{money_text(amount)} 元"
    free = params.get("free_minutes", 0)
    if free:
        text += f"，免费 {free} 分钟"
    return text
