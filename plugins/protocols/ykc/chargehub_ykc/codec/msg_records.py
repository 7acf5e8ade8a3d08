"""Transaction records (0x3B, V1.7 0x3D) and their ack, balance updates, ground locks
(``specs/ykc-protocol.md`` §5). Offline-card lists are in :mod:`chargehub_ykc.codec.msg_cards`.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from chargehub_ykc.codec.fields import EncodeError, scaled_decode, scaled_encode, uint_decode, uint_encode
from chargehub_ykc.codec.layout import (
    AMOUNT,
    BALANCE,
    BIN_GUN,
    CP56,
    ENERGY,
    GUN,
    PHYSICAL_CARD,
    PILE,
    TRADE_NO,
    U8,
    U16,
    FieldKind,
    Message,
    bcd,
    hexa,
    message,
    text,
    wire,
)

__all__ = [
    "Period", "TransactionRecord", "TransactionRecordV17", "TransactionRecordAck", "BalanceUpdateReply",
    "BalanceUpdate", "LockStatus", "LockCommand", "LockCommandReply",
]

_PERIODS = struct.Struct("<16I")


@dataclass(frozen=True, slots=True)
class Period:
    """One rate's line of a transaction record: ``unit_price`` yuan/kWh (electricity + service,
    5 decimals), ``energy_kwh`` and ``loss_energy_kwh`` (4 decimals), ``amount`` yuan (4 decimals)."""

    unit_price: Decimal
    energy_kwh: Decimal
    loss_energy_kwh: Decimal
    amount: Decimal


_PLACES = (5, 4, 4, 4)


def _decode_periods(raw: bytes) -> tuple[Period, ...]:
    values = _PERIODS.unpack(raw)
    return tuple(Period(*(scaled_decode(values[i + k], _PLACES[k]) for k in range(4))) for i in range(0, 16, 4))


def _encode_periods(periods: tuple[Period, ...]) -> bytes:
    if len(periods) != 4:
        raise EncodeError(f"a transaction record has 4 periods, not {len(periods)}")
    flat = []
    for p in periods:
        flat += (scaled_encode(p.unit_price, 5), scaled_encode(p.energy_kwh, 4),
                 scaled_encode(p.loss_energy_kwh, 4), scaled_encode(p.amount, 4))
    try:
        return _PERIODS.pack(*flat)
    except struct.error as exc:
        raise EncodeError(f"period value out of range: {exc}") from None


PERIODS = FieldKind("64s", _decode_periods, _encode_periods)
#: Meter readings: u40 LE, 0.0001 kWh.
METER = FieldKind("5s", lambda raw: scaled_decode(uint_decode(raw), 4),
                  lambda value: uint_encode(scaled_encode(value, 4), 5))


def _reserved(value: bytes) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != 4:
        raise EncodeError(f"reserved field must be 4 bytes, not {value!r}")
    return bytes(value)


RESERVED4 = FieldKind("4s", None, _reserved)


@message(0x3B)
@dataclass(frozen=True, slots=True)
class TransactionRecord(Message):
    """0x3B 交易记录 (transaction record, V1.5/1.6), acknowledged with :class:`TransactionRecordAck`.

    ``periods`` four :class:`Period` in rate order (sharp, peak, flat, valley); meter readings and totals
    in kWh (4 decimals), ``total_amount`` yuan (4 decimals); ``vin`` normal order; ``trade_flag`` 0x01 app,
    0x02 card, 0x04 offline card, 0x05 VIN; ``stop_reason`` §8.1; times naive local (``None`` if zero).
    """

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    started_at: datetime | None = wire(CP56)
    ended_at: datetime | None = wire(CP56)
    periods: tuple[Period, ...] = wire(PERIODS)
    meter_start_kwh: Decimal = wire(METER)
    meter_end_kwh: Decimal = wire(METER)
    total_energy_kwh: Decimal = wire(ENERGY)
    total_loss_energy_kwh: Decimal = wire(ENERGY)
    total_amount: Decimal = wire(AMOUNT)
    vin: str = wire(text(17))
    trade_flag: int = wire(U8)
    traded_at: datetime | None = wire(CP56)
    stop_reason: int = wire(U8)
    physical_card: str = wire(PHYSICAL_CARD)


@message(0x3D)
@dataclass(frozen=True, slots=True)
class TransactionRecordV17(Message):
    """0x3D 交易记录 (V1.7): :class:`TransactionRecord` with the electricity-meter data inserted after
    ``ended_at``: ``meter_number`` (12 digits), ``meter_ciphertext`` (34 bytes hex),
    ``meter_protocol_version``, ``meter_encryption``."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    started_at: datetime | None = wire(CP56)
    ended_at: datetime | None = wire(CP56)
    meter_number: str = wire(bcd(6))
    meter_ciphertext: str = wire(hexa(34))
    meter_protocol_version: int = wire(U16)
    meter_encryption: int = wire(U8)
    periods: tuple[Period, ...] = wire(PERIODS)
    meter_start_kwh: Decimal = wire(METER)
    meter_end_kwh: Decimal = wire(METER)
    total_energy_kwh: Decimal = wire(ENERGY)
    total_loss_energy_kwh: Decimal = wire(ENERGY)
    total_amount: Decimal = wire(AMOUNT)
    vin: str = wire(text(17))
    trade_flag: int = wire(U8)
    traded_at: datetime | None = wire(CP56)
    stop_reason: int = wire(U8)
    physical_card: str = wire(PHYSICAL_CARD)


@message(0x40)
@dataclass(frozen=True, slots=True)
class TransactionRecordAck(Message):
    """0x40 交易记录确认 (transaction-record ack): ``result`` 0x00 accepted, 0x01 illegal record."""

    trade_no: str = wire(TRADE_NO)
    result: int = wire(U8)


@message(0x41)
@dataclass(frozen=True, slots=True)
class BalanceUpdateReply(Message):
    """0x41 余额更新应答 (balance-update reply): ``result`` 0x00 success, 0x01 pile code error,
    0x02 card error."""

    pile_code: str = wire(PILE)
    physical_card: str = wire(PHYSICAL_CARD)
    result: int = wire(U8)


@message(0x42)
@dataclass(frozen=True, slots=True)
class BalanceUpdate(Message):
    """0x42 远程账户余额更新 (balance update): ``physical_card`` all zeros = the current user;
    ``balance`` yuan (2 decimals)."""

    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    physical_card: str = wire(PHYSICAL_CARD)
    balance: Decimal = wire(BALANCE)


@message(0x61)
@dataclass(frozen=True, slots=True)
class LockStatus(Message):
    """0x61 地锁数据上送 (ground-lock status): ``lock_state`` 0x00 not in position, 0x55 raised, 0xFF
    lowered; ``bay_state`` 0x00 empty, 0xFF vehicle present; ``battery_percent``; ``alarm`` 0x00 none, 0xFF
    swing arm damaged in standby, 0x55 raise/lower fault; ``reserved`` 4 raw bytes. Gun is binary here."""

    pile_code: str = wire(PILE)
    gun: int = wire(BIN_GUN)
    lock_state: int = wire(U8)
    bay_state: int = wire(U8)
    battery_percent: int = wire(U8)
    alarm: int = wire(U8)
    reserved: bytes = wire(RESERVED4, default=bytes(4))


@message(0x62)
@dataclass(frozen=True, slots=True)
class LockCommand(Message):
    """0x62 遥控地锁升锁与降锁命令 (ground-lock command): ``action`` 0x55 raise, 0xFF lower."""

    pile_code: str = wire(PILE)
    gun: int = wire(BIN_GUN)
    action: int = wire(U8)
    reserved: bytes = wire(RESERVED4, default=bytes(4))


@message(0x63)
@dataclass(frozen=True, slots=True)
class LockCommandReply(Message):
    """0x63 充电桩返回数据 (ground-lock command reply): ``result`` 0x01 success, 0x00 failure."""

    pile_code: str = wire(PILE)
    gun: int = wire(BIN_GUN)
    result: int = wire(U8)
    reserved: bytes = wire(RESERVED4, default=bytes(4))
