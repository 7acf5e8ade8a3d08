"""Conversions at the Leshua edge: yuan ``Decimal`` ↔ fen, Leshua's local times, settings values."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from chargehub.contracts.payments import PaymentProviderError

CENT = Decimal("0.01")
#: Leshua's times are Beijing time.
LESHUA_ZONE = ZoneInfo("Asia/Shanghai")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y%m%d%H%M%S", "%Y-%m-%dT%H:%M:%S")


def to_fen(amount: Decimal) -> int:
    """Yuan (two places at most, > 0) to integer fen; a non-retryable error otherwise."""
    value = Decimal(amount)
    if not value.is_finite() or value <= 0 or value != value.quantize(CENT):
        raise PaymentProviderError(f"金额无效 (amount {amount} must be > 0 with at most 2 places)")
    return int(value * 100)


def to_yuan(fen: Any) -> Decimal | None:
    """Fen as Leshua writes it (a digit string) to yuan; ``None`` when absent or not a number."""
    if fen in (None, ""):
        return None
    try:
        return (Decimal(int(str(fen).strip())) / 100).quantize(CENT)
    except (ValueError, InvalidOperation):
        return None


def parse_time(text: Any) -> datetime | None:
    """A Leshua time (Beijing) as an aware UTC datetime; ``None`` when absent or unreadable."""
    text = (text or "").strip() if isinstance(text, str) else ""
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=LESHUA_ZONE).astimezone(timezone.utc)
        except ValueError:
            continue
    return None


def to_decimal(value: Any) -> Decimal:
    """A ratio from settings (``Decimal`` once loaded, a string when stored) as ``Decimal``."""
    return value if isinstance(value, Decimal) else Decimal(str(value))
