"""Billing-model messages (``specs/ykc-protocol.md`` §5 0x05–0x0A, 0x57/0x58, §6).

Rates are numbered 0 sharp (尖), 1 peak (峰), 2 flat (平), 3 valley (谷); prices are yuan/kWh with
5 decimals; slot ``i`` is local time ``i × 30 min`` to ``(i + 1) × 30 min``.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from decimal import Decimal

from chargehub_ykc.codec.fields import EncodeError, scaled_decode, scaled_encode
from chargehub_ykc.codec.layout import MODEL_CODE, PILE, U8, FieldKind, Message, message, wire

__all__ = [
    "RATE_NAMES", "SLOT_COUNT", "RatePrice", "BillingModel", "BillingModelVerify", "BillingModelVerifyReply",
    "BillingModelRequest", "BillingModelReply", "BillingModelSet", "BillingModelSetReply",
]

#: Rate numbers 0..3 in the order of the model's price fields.
RATE_NAMES = ("sharp", "peak", "flat", "valley")
#: Half-hour slots in a day.
SLOT_COUNT = 48
_PRICES = struct.Struct("<8I")


@dataclass(frozen=True, slots=True)
class RatePrice:
    """One rate's prices in yuan/kWh (5 decimals): electricity (电费) and service fee (服务费)."""

    electricity_price: Decimal
    service_price: Decimal


def _decode_prices(raw: bytes) -> tuple[RatePrice, ...]:
    values = [scaled_decode(v, 5) for v in _PRICES.unpack(raw)]
    return tuple(RatePrice(values[i], values[i + 1]) for i in range(0, 8, 2))


def _encode_prices(prices: tuple[RatePrice, ...]) -> bytes:
    if len(prices) != 4:
        raise EncodeError(f"a billing model has 4 rates, not {len(prices)}")
    flat = []
    for price in prices:
        flat += (scaled_encode(price.electricity_price, 5), scaled_encode(price.service_price, 5))
    try:
        return _PRICES.pack(*flat)
    except struct.error as exc:
        raise EncodeError(f"price out of range: {exc}") from None


def _encode_slots(slots: tuple[int, ...]) -> bytes:
    if len(slots) != SLOT_COUNT:
        raise EncodeError(f"a billing model has {SLOT_COUNT} slots, not {len(slots)}")
    return bytes(slots)


PRICES = FieldKind("32s", _decode_prices, _encode_prices)
SLOTS = FieldKind("48s", tuple, _encode_slots)


@dataclass(frozen=True, slots=True)
class BillingModel(Message):
    """The time-of-use billing model (body 90) shared by :class:`BillingModelReply` (0x0A) and
    :class:`BillingModelSet` (0x58).

    ``model_code`` the opaque 2-byte model code as 4 digits; ``prices`` four :class:`RatePrice` in rate
    order (sharp, peak, flat, valley); ``loss_ratio`` 计损比例 (send 0); ``slots`` 48 rate numbers 0..3.
    """

    pile_code: str = wire(PILE)
    model_code: str = wire(MODEL_CODE)
    prices: tuple[RatePrice, ...] = wire(PRICES)
    loss_ratio: int = wire(U8)
    slots: tuple[int, ...] = wire(SLOTS)


@message(0x05)
@dataclass(frozen=True, slots=True)
class BillingModelVerify(Message):
    """0x05 计费模型验证请求 (billing-model verify): the model the pile holds (``"0000"`` the first time)."""

    pile_code: str = wire(PILE)
    model_code: str = wire(MODEL_CODE)


@message(0x06)
@dataclass(frozen=True, slots=True)
class BillingModelVerifyReply(Message):
    """0x06 计费模型验证请求应答 (verify reply): ``result`` 0x00 the pile's model matches, 0x01 it does not
    (the pile then sends 0x09)."""

    pile_code: str = wire(PILE)
    model_code: str = wire(MODEL_CODE)
    result: int = wire(U8)


@message(0x09)
@dataclass(frozen=True, slots=True)
class BillingModelRequest(Message):
    """0x09 充电桩计费模型请求 (billing-model request), answered by :class:`BillingModelReply`."""

    pile_code: str = wire(PILE)


@message(0x0A)
@dataclass(frozen=True, slots=True)
class BillingModelReply(BillingModel):
    """0x0A 计费模型请求应答 (billing-model reply to 0x09); fields as :class:`BillingModel`."""


@message(0x58)
@dataclass(frozen=True, slots=True)
class BillingModelSet(BillingModel):
    """0x58 计费模型设置 (billing-model push), answered by :class:`BillingModelSetReply`; fields as
    :class:`BillingModel`."""


@message(0x57)
@dataclass(frozen=True, slots=True)
class BillingModelSetReply(Message):
    """0x57 计费模型应答 (billing-model set reply): ``result`` 0x00 failure, 0x01 success."""

    pile_code: str = wire(PILE)
    result: int = wire(U8)
