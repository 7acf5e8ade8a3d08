"""Charging messages: real-time data, card/VIN and remote start, remote stop, parallel (dual-gun) start.

Field meanings and codes: ``specs/ykc-protocol.md`` §5 (0x12–0x13, 0x31–0x36, 0xA1–0xA4) and §8.
Trade numbers are 32-digit strings (all zeros when no transaction runs), logical cards 16 digits,
physical cards 16 hex characters, balances yuan with 2 decimals.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chargehub_ykc.codec.layout import (
    AMOUNT,
    BALANCE,
    ENERGY,
    GUN,
    LOGICAL_CARD,
    PHYSICAL_CARD,
    PILE,
    TEMPERATURE,
    TRADE_NO,
    U8,
    U16,
    Message,
    bcd,
    hexa,
    message,
    reversed_text,
    scaled,
    wire,
)

__all__ = [
    "ReadRealtimeData", "RealtimeData", "PileStartRequest", "StartAuthorization", "RemoteStartReply",
    "RemoteStart", "RemoteStopReply", "RemoteStop", "ParallelStartRequest", "ParallelStartAuthorization",
    "ParallelRemoteStartReply", "ParallelRemoteStart",
]

VOLTAGE = scaled("H", 1)
CURRENT = scaled("H", 1)
PARALLEL_SERIAL = bcd(6)


@message(0x12)
@dataclass(frozen=True, slots=True)
class ReadRealtimeData(Message):
    """0x12 读取实时监测数据 (read real-time data): the pile answers with a :class:`RealtimeData` for the gun."""

    pile_code: str = wire(PILE)
    gun: int = wire(GUN)


@message(0x13)
@dataclass(frozen=True, slots=True)
class RealtimeData(Message):
    """0x13 上传实时监测数据 (real-time monitoring data).

    ``gun_status`` 0x00 offline, 0x01 fault, 0x02 idle, 0x03 charging; ``gun_homed`` 0x00 no, 0x01 yes,
    0x02 unknown; ``gun_plugged`` 0x00 no, 0x01 yes; voltage 0.1 V and current 0.1 A (no offset);
    temperatures °C (wire − 50, so an idle 0 reads −50); ``cable_code`` hex; energies kWh (4 decimals),
    ``amount`` yuan (4 decimals); ``fault_bits`` the hardware fault bitmap (§8.4).
    """

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    gun_status: int = wire(U8)
    gun_homed: int = wire(U8)
    gun_plugged: int = wire(U8)
    output_voltage: Decimal = wire(VOLTAGE)
    output_current: Decimal = wire(CURRENT)
    cable_temperature: int = wire(TEMPERATURE)
    cable_code: str = wire(hexa(8))
    soc: int = wire(U8)
    battery_max_temperature: int = wire(TEMPERATURE)
    charging_minutes: int = wire(U16)
    remaining_minutes: int = wire(U16)
    energy_kwh: Decimal = wire(ENERGY)
    loss_energy_kwh: Decimal = wire(ENERGY)
    amount: Decimal = wire(AMOUNT)
    fault_bits: int = wire(U16)


@message(0x31)
@dataclass(frozen=True, slots=True)
class PileStartRequest(Message):
    """0x31 充电桩主动申请启动充电 (card/VIN start request), answered by :class:`StartAuthorization`.

    ``start_mode`` 0x01 card, 0x02 account, 0x03 VIN; ``password_required`` 0x00/0x01; ``card_number``
    the account or physical card (hex); ``password`` 16 raw bytes as hex; ``vin`` in normal order
    (the wire carries it reversed).
    """

    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    start_mode: int = wire(U8)
    password_required: int = wire(U8)
    card_number: str = wire(PHYSICAL_CARD)
    password: str = wire(hexa(16))
    vin: str = wire(reversed_text(17))


@message(0x32)
@dataclass(frozen=True, slots=True)
class StartAuthorization(Message):
    """0x32 运营平台确认启动充电 (start authorisation): ``auth_result`` 0x00 failed, 0x01 success;
    ``failure_reason`` §8.6."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    logical_card: str = wire(LOGICAL_CARD)
    balance: Decimal = wire(BALANCE)
    auth_result: int = wire(U8)
    failure_reason: int = wire(U8)


@message(0x33)
@dataclass(frozen=True, slots=True)
class RemoteStartReply(Message):
    """0x33 远程启机命令回复 (remote-start reply): ``result`` 0x00 failure, 0x01 success; ``failure_reason``
    0x00 none, 0x01 pile code mismatch, 0x02 gun already charging, 0x03 device fault, 0x04 offline,
    0x05 gun not plugged."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    result: int = wire(U8)
    failure_reason: int = wire(U8)


@message(0x34)
@dataclass(frozen=True, slots=True)
class RemoteStart(Message):
    """0x34 运营平台远程控制启机 (remote start), answered by :class:`RemoteStartReply`."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    logical_card: str = wire(LOGICAL_CARD)
    physical_card: str = wire(PHYSICAL_CARD)
    balance: Decimal = wire(BALANCE)


@message(0x35)
@dataclass(frozen=True, slots=True)
class RemoteStopReply(Message):
    """0x35 远程停机命令回复 (remote-stop reply): ``result`` 0x00 failure, 0x01 success; ``failure_reason``
    0x00 none, 0x01 pile code mismatch, 0x02 gun not charging, 0x03 other."""

    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    result: int = wire(U8)
    failure_reason: int = wire(U8)


@message(0x36)
@dataclass(frozen=True, slots=True)
class RemoteStop(Message):
    """0x36 运营平台远程停机 (remote stop), answered by :class:`RemoteStopReply`."""

    pile_code: str = wire(PILE)
    gun: int = wire(GUN)


@message(0xA1)
@dataclass(frozen=True, slots=True)
class ParallelStartRequest(Message):
    """0xA1 充电桩主动申请并充充电 (V1.6 parallel start request): :class:`PileStartRequest` plus
    ``master_flag`` (0x00 master gun, 0x01 auxiliary) and the pile's ``parallel_serial`` (12 digits)."""

    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    start_mode: int = wire(U8)
    password_required: int = wire(U8)
    card_number: str = wire(PHYSICAL_CARD)
    password: str = wire(hexa(16))
    vin: str = wire(reversed_text(17))
    master_flag: int = wire(U8)
    parallel_serial: str = wire(PARALLEL_SERIAL)


@message(0xA2)
@dataclass(frozen=True, slots=True)
class ParallelStartAuthorization(Message):
    """0xA2 运营平台确认并充启动充电 (parallel start authorisation): :class:`StartAuthorization` plus
    ``parallel_serial``."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    logical_card: str = wire(LOGICAL_CARD)
    balance: Decimal = wire(BALANCE)
    auth_result: int = wire(U8)
    failure_reason: int = wire(U8)
    parallel_serial: str = wire(PARALLEL_SERIAL)


@message(0xA3)
@dataclass(frozen=True, slots=True)
class ParallelRemoteStartReply(Message):
    """0xA3 远程并充启机命令回复 (parallel remote-start reply): :class:`RemoteStartReply` plus
    ``master_flag`` and ``parallel_serial``."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    result: int = wire(U8)
    failure_reason: int = wire(U8)
    master_flag: int = wire(U8)
    parallel_serial: str = wire(PARALLEL_SERIAL)


@message(0xA4)
@dataclass(frozen=True, slots=True)
class ParallelRemoteStart(Message):
    """0xA4 运营平台远程控制并充启机 (parallel remote start): :class:`RemoteStart` plus the platform's
    ``parallel_serial``."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    logical_card: str = wire(LOGICAL_CARD)
    physical_card: str = wire(PHYSICAL_CARD)
    balance: Decimal = wire(BALANCE)
    parallel_serial: str = wire(PARALLEL_SERIAL)
