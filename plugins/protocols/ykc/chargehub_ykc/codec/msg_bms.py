"""BMS messages of DC piles, 0x15–0x25 (``specs/ykc-protocol.md`` §5; GB/T 27930 data relayed by the pile).

Voltages in V, currents in A (the BMS frames' −400 A offset applied), temperatures in °C (−50 offset
applied), cell and probe numbers 1-based. The 2-bit status fields of 0x1B/0x1D/0x21/0x25 stay packed in
integers; :mod:`chargehub_ykc.codec.codes` names them.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from chargehub_ykc.codec.fields import EncodeError, scaled_decode, scaled_encode
from chargehub_ykc.codec.layout import (
    GUN,
    PILE,
    PLUS_ONE,
    TEMPERATURE,
    TRADE_NO,
    U8,
    U16,
    U32,
    FieldKind,
    Layout,
    Message,
    hexa,
    message,
    scaled,
    text,
    uint,
    wire,
)

__all__ = [
    "BmsHandshake", "BmsParameters", "ChargingEnd", "BmsError", "BmsAbort", "ChargerAbort", "BmsDemand",
    "BmsStatus",
]

VOLTAGE = scaled("H", 1)
CELL_VOLTAGE = scaled("H", 2)
BMS_CURRENT = scaled("H", 1, -400)
YEAR = FieldKind("B", lambda raw: raw + 1985, lambda value: value - 1985)


@message(0x15)
@dataclass(frozen=True, slots=True)
class BmsHandshake(Message):
    """0x15 充电握手 (BMS handshake, BRM): ``bms_protocol_version`` and ``bms_software_version`` raw hex;
    ``battery_type`` 01 lead-acid … 08 lithium titanate, FF other; capacity Ah and voltage V (0.1);
    ``battery_pack_serial`` and ``charge_count`` integers; ``ownership`` 0 leased, 1 owned."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    bms_protocol_version: str = wire(hexa(3))
    battery_type: int = wire(U8)
    rated_capacity_ah: Decimal = wire(scaled("H", 1))
    rated_voltage: Decimal = wire(VOLTAGE)
    battery_maker: str = wire(text(4))
    battery_pack_serial: int = wire(U32)
    production_year: int = wire(YEAR)
    production_month: int = wire(U8)
    production_day: int = wire(U8)
    charge_count: int = wire(uint(3))
    ownership: int = wire(U8)
    reserved: int = wire(U8)
    vin: str = wire(text(17))
    bms_software_version: str = wire(hexa(8))


@message(0x17)
@dataclass(frozen=True, slots=True)
class BmsParameters(Message):
    """0x17 参数配置 (BMS parameter configuration, BCP/CML): cell voltage 0.01 V, other voltages 0.1 V,
    currents 0.1 A, ``nominal_energy_kwh`` 0.1 kWh, ``soc`` percent with 1 decimal."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    max_cell_voltage: Decimal = wire(CELL_VOLTAGE)
    max_charge_current: Decimal = wire(BMS_CURRENT)
    nominal_energy_kwh: Decimal = wire(scaled("H", 1))
    max_total_voltage: Decimal = wire(VOLTAGE)
    max_temperature: int = wire(TEMPERATURE)
    soc: Decimal = wire(scaled("H", 1))
    battery_voltage: Decimal = wire(VOLTAGE)
    pile_max_output_voltage: Decimal = wire(VOLTAGE)
    pile_min_output_voltage: Decimal = wire(VOLTAGE)
    pile_max_output_current: Decimal = wire(BMS_CURRENT)
    pile_min_output_current: Decimal = wire(BMS_CURRENT)


@message(0x19)
@dataclass(frozen=True, slots=True)
class ChargingEnd(Message):
    """0x19 充电结束 (charging-end statistics, BSD/CSD): ``output_energy_kwh`` 0.1 kWh."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    final_soc: int = wire(U8)
    min_cell_voltage: Decimal = wire(CELL_VOLTAGE)
    max_cell_voltage: Decimal = wire(CELL_VOLTAGE)
    min_battery_temperature: int = wire(TEMPERATURE)
    max_battery_temperature: int = wire(TEMPERATURE)
    charging_minutes: int = wire(U16)
    output_energy_kwh: Decimal = wire(scaled("H", 1))
    charger_number: int = wire(U32)


@message(0x1B)
@dataclass(frozen=True, slots=True)
class BmsError(Message):
    """0x1B 错误报文 (BMS/charger error, BEM/CEM): body bytes 24–27 as ``bem_flags`` and 28–31 as
    ``cem_flags`` (u32 LE, 2-bit fields LSB first; names in ``codes.BMS_ERROR_FIELDS``)."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    bem_flags: int = wire(U32)
    cem_flags: int = wire(U32)


@message(0x1D)
@dataclass(frozen=True, slots=True)
class BmsAbort(Message):
    """0x1D 充电阶段 BMS 中止 (BMS abort, BST): packed 2-bit ``stop_reason`` (u8), ``fault_reason`` (u16)
    and ``error_reason`` (u8); names in ``codes.BMS_ABORT_FIELDS``."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    stop_reason: int = wire(U8)
    fault_reason: int = wire(U16)
    error_reason: int = wire(U8)


@message(0x21)
@dataclass(frozen=True, slots=True)
class ChargerAbort(Message):
    """0x21 充电阶段充电机中止 (charger abort, CST): as :class:`BmsAbort`; names in
    ``codes.CHARGER_ABORT_FIELDS``."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    stop_reason: int = wire(U8)
    fault_reason: int = wire(U16)
    error_reason: int = wire(U8)


_DEMAND = Layout([
    ("trade_no", TRADE_NO), ("pile_code", PILE), ("gun", GUN), ("demand_voltage", VOLTAGE),
    ("demand_current", BMS_CURRENT), ("charge_mode", U8), ("measured_voltage", VOLTAGE),
    ("measured_current", BMS_CURRENT), ("max_cell", U16), ("soc", U8), ("remaining_minutes", U16),
    ("output_voltage", VOLTAGE), ("output_current", BMS_CURRENT), ("charging_minutes", U16),
])
_CELL_INDEX = _DEMAND.names.index("max_cell")


@message(0x23)
@dataclass(frozen=True, slots=True)
class BmsDemand(Message):
    """0x23 充电过程 BMS 需求与充电机输出 (BMS demand and charger output, BCL/BCS/CCS): ``charge_mode``
    0x01 constant voltage, 0x02 constant current; ``max_cell_voltage`` (0.01 V, 12 bits) and its
    ``max_cell_group`` (0..15) share one u16 on the wire."""

    BODY_LENGTH: ClassVar[int] = _DEMAND.size

    trade_no: str
    pile_code: str
    gun: int
    demand_voltage: Decimal
    demand_current: Decimal
    charge_mode: int
    measured_voltage: Decimal
    measured_current: Decimal
    max_cell_voltage: Decimal
    max_cell_group: int
    soc: int
    remaining_minutes: int
    output_voltage: Decimal
    output_current: Decimal
    charging_minutes: int

    @classmethod
    def from_body(cls, body: bytes) -> "BmsDemand":
        """Decode the 44-byte body."""
        values = _DEMAND.unpack(body)
        cell = values[_CELL_INDEX]
        values[_CELL_INDEX:_CELL_INDEX + 1] = [scaled_decode(cell & 0x0FFF, 2), cell >> 12]
        return cls(*values)

    def to_body(self) -> bytes:
        """Encode the body."""
        voltage = scaled_encode(self.max_cell_voltage, 2)
        group = self.max_cell_group
        if not 0 <= voltage <= 0x0FFF or not isinstance(group, int) or not 0 <= group <= 15:
            raise EncodeError(f"highest cell {self.max_cell_voltage} V / group {group!r} out of range")
        return _DEMAND.pack_values((
            self.trade_no, self.pile_code, self.gun, self.demand_voltage, self.demand_current, self.charge_mode,
            self.measured_voltage, self.measured_current, voltage | group << 12, self.soc, self.remaining_minutes,
            self.output_voltage, self.output_current, self.charging_minutes))


@message(0x25)
@dataclass(frozen=True, slots=True)
class BmsStatus(Message):
    """0x25 充电过程 BMS 信息 (BMS status, BSM): cell and probe numbers 1-based; ``status_flags`` body
    bytes 29–30 (u16 LE, 2-bit fields; names in ``codes.BMS_STATUS_FIELDS``)."""

    trade_no: str = wire(TRADE_NO)
    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    max_voltage_cell_number: int = wire(PLUS_ONE)
    max_battery_temperature: int = wire(TEMPERATURE)
    max_temperature_probe: int = wire(PLUS_ONE)
    min_battery_temperature: int = wire(TEMPERATURE)
    min_temperature_probe: int = wire(PLUS_ONE)
    status_flags: int = wire(U16)
