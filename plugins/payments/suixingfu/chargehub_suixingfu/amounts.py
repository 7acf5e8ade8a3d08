"""Conversions at the Tianque edge: yuan strings with two decimals and Beijing-time timestamps."""
from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from chargehub_suixingfu.client import CHINA_TZ


def to_yuan(amount: Decimal) -> str:
    """``Decimal`` yuan → Tianque's ``amt`` string with two decimals (ROUND_HALF_UP)."""
    return str(Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def parse_yuan(value: Any) -> Decimal | None:
    """Tianque's ``amt`` → ``Decimal`` yuan with two places (``None`` when absent or unreadable)."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if amount.is_finite() else None


def parse_time(value: Any) -> datetime | None:
    """A Tianque time (``yyyyMMddHHmmss`` or ``yyyy-MM-dd HH:mm:ss``, Beijing time) → aware datetime."""
    for fmt in ("%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(str(value), fmt).replace(tzinfo=CHINA_TZ)
        except ValueError:
            continue
    return None
