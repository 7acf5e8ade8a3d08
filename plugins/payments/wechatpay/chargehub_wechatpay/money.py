"""Money at the WeChat Pay edge: :class:`~decimal.Decimal` yuan inside ChargeHub, integer fen on the wire."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from chargehub.contracts.payments import PaymentProviderError

CENT = Decimal("0.01")


def to_fen(amount: Decimal) -> int:
    """``amount`` yuan as integer fen, exactly.

    :raises PaymentProviderError: (not retryable) for a float, a non-positive amount or one with
        fractions of a fen — WeChat Pay cannot take it and rounding would change the money.
    """
    if isinstance(amount, float) or not isinstance(amount, (Decimal, int)):
        raise PaymentProviderError(f"金额须为 Decimal (amount must be a Decimal, got {type(amount).__name__})",
                                   code="AMOUNT_INVALID")
    try:
        fen = Decimal(amount) * 100
        if not fen.is_finite() or fen != fen.to_integral_value() or fen <= 0:
            raise InvalidOperation
    except InvalidOperation:
        raise PaymentProviderError(f"金额须为大于零的整分 (amount {amount} must be a positive whole number of fen)",
                                   code="AMOUNT_INVALID") from None
    return int(fen)


def from_fen(fen: int | str | None) -> Decimal | None:
    """Integer fen from the wire as yuan with two places; ``None`` when the vendor gave no amount."""
    if fen is None or isinstance(fen, bool):
        return None
    try:
        return (Decimal(int(fen)) / 100).quantize(CENT)
    except (ValueError, TypeError):
        return None
