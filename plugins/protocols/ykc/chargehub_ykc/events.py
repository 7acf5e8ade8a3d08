"""Decoded YKC messages → the ``data`` of normalized device events (``docs/devices/protocol_plugins.md`` §3).

Decimals become strings, times ISO 8601 with the operator's offset, codes words via
:mod:`chargehub_ykc.codec.codes`. Pure functions.
"""
from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

from chargehub_ykc.codec import codes
from chargehub_ykc.codec import messages as M

__all__ = [
    "login_data", "status_data", "bms_data", "lock_data", "card_request_data", "start_result_data",
    "stop_result_data", "record_data", "zero_to_none",
]

_CENT_KW = Decimal("0.01")
_NETWORKS = {0: "sim", 1: "lan", 2: "wan", 3: "other"}
_CARRIERS = {0: "china_mobile", 2: "china_telecom", 3: "china_unicom", 4: "other"}
_START_MODES = {1: "card", 2: "account", 3: "vin"}
_NO_TEMPERATURE = -50
#: 0x33 failure reason "gun not plugged" (spec §5 0x33).
NOT_PLUGGED = 0x05


def zero_to_none(code: str) -> str | None:
    """``None`` for an all-zero code (no trade, no card), else the code itself."""
    return None if not code.strip("0") else code


def _local(value: datetime | None, tz: tzinfo) -> str | None:
    return None if value is None else value.replace(tzinfo=tz).isoformat()


def _temperature(value: int) -> int | None:
    return None if value == _NO_TEMPERATURE else value


def _flag(value: int) -> bool | None:
    return {0: False, 1: True}.get(value)


def login_data(msg: M.Login) -> dict[str, Any]:
    """``login`` data (also the :class:`LoginRequest` data)."""
    return {
        "pile_type": {0: "dc", 1: "ac"}.get(msg.pile_type, "unknown"),
        "gun_count": msg.gun_count,
        "protocol_version": f"{msg.protocol_version // 10}.{msg.protocol_version % 10}",
        "firmware": msg.firmware_version.replace("\x00", ""),
        "network": _NETWORKS.get(msg.network_type, "unknown"),
        "iccid": zero_to_none(msg.iccid),
        "carrier": _CARRIERS.get(msg.carrier, "unknown"),
    }


def status_data(msg: M.RealtimeData) -> dict[str, Any]:
    """``status`` data of a 0x13 frame (``power_kw`` = V × A / 1000 to 0.01)."""
    power = (msg.output_voltage * msg.output_current / 1000).quantize(_CENT_KW, ROUND_HALF_UP)
    return {
        "gun": msg.gun,
        "state": codes.GUN_STATES.get(msg.gun_status, "unknown"),
        "plugged": _flag(msg.gun_plugged),
        "homed": _flag(msg.gun_homed),
        "trade_no": zero_to_none(msg.trade_no),
        "voltage_v": str(msg.output_voltage),
        "current_a": str(msg.output_current),
        "power_kw": str(power),
        "energy_kwh": str(msg.energy_kwh),
        "loss_energy_kwh": str(msg.loss_energy_kwh),
        "amount": str(msg.amount),
        "soc": msg.soc or None,
        "charging_minutes": msg.charging_minutes,
        "remaining_minutes": msg.remaining_minutes,
        "cable_temp_c": _temperature(msg.cable_temperature),
        "battery_max_temp_c": _temperature(msg.battery_max_temperature),
        "cable_code": zero_to_none(msg.cable_code),
        "fault_bits": msg.fault_bits,
        "faults": codes.fault_list(msg.fault_bits),
    }


_BMS_KINDS: Mapping[type, tuple[str, Mapping[str, codes.FieldTable]]] = {
    M.BmsHandshake: ("handshake", {}),
    M.BmsParameters: ("config", {}),
    M.ChargingEnd: ("end", {}),
    M.BmsError: ("error", codes.BMS_ERROR_FIELDS),
    M.BmsAbort: ("bms_abort", codes.BMS_ABORT_FIELDS),
    M.ChargerAbort: ("charger_abort", codes.CHARGER_ABORT_FIELDS),
    M.BmsDemand: ("demand", {}),
    M.BmsStatus: ("status", codes.BMS_STATUS_FIELDS),
}
_BMS_SKIP = frozenset({"trade_no", "pile_code", "gun"})


def bms_data(msg: M.Message) -> dict[str, Any]:
    """``bms`` data of a 0x15/0x17/0x19/0x1B/0x1D/0x21/0x23/0x25 frame: packed 2-bit fields spelt out."""
    kind, tables = _BMS_KINDS[type(msg)]
    values: dict[str, Any] = {}
    for name in type(msg).__dataclass_fields__:  # type: ignore[attr-defined]
        if name in _BMS_SKIP:
            continue
        value = getattr(msg, name)
        if name in tables:
            values[name] = value
            values.update({f"{name}.{key}": words for key, words in codes.bit_field_words(tables[name], value).items()})
        elif isinstance(value, Decimal):
            values[name] = str(value)
        elif isinstance(value, str):
            values[name] = value.replace("\x00", "")
        else:
            values[name] = value
    return {"gun": msg.gun, "trade_no": zero_to_none(msg.trade_no), "kind": kind,  # type: ignore[attr-defined]
            "values": values}


def lock_data(msg: M.LockStatus) -> dict[str, Any]:
    """``lock_status`` data of a 0x61 frame."""
    return {
        "gun": msg.gun,
        "state": codes.LOCK_STATES.get(msg.lock_state, "unknown"),
        "occupied": msg.bay_state == 0xFF,
        "battery": msg.battery_percent,
        "alarm": None if msg.alarm == 0 else codes.lookup(codes.LOCK_ALARMS, msg.alarm, "地锁告警 (lock alarm)"),
    }


def card_request_data(msg: M.PileStartRequest | M.ParallelStartRequest, answered: str | None,
                      reason: str | None) -> dict[str, Any]:
    """``card_start_request`` data of a 0x31 / 0xA1 frame and how the session answered it."""
    data = {
        "gun": msg.gun,
        "mode": _START_MODES.get(msg.start_mode, "unknown"),
        "card": zero_to_none(msg.card_number),
        "vin": msg.vin.replace("\x00", "") or None,
        "password_required": msg.password_required == 1,
        "answered": answered,
        "reason": reason,
    }
    if isinstance(msg, M.ParallelStartRequest):
        data.update(parallel_serial=msg.parallel_serial, master=msg.master_flag == 0)
    return data


def start_result_data(msg: M.RemoteStartReply | M.ParallelRemoteStartReply) -> dict[str, Any]:
    """``start_result`` data of a 0x33 / 0xA3 frame."""
    accepted = msg.result == 1
    data = {
        "gun": msg.gun,
        "trade_no": zero_to_none(msg.trade_no),
        "accepted": accepted,
        "reason_code": msg.failure_reason,
        "reason": None if accepted else codes.start_failure_text(msg.failure_reason),
        # 0x05 未插枪: the pile starts by itself if the gun is plugged within 60 s (a second 0x33 follows)
        "awaiting_plug": not accepted and msg.failure_reason == NOT_PLUGGED,
    }
    if isinstance(msg, M.ParallelRemoteStartReply):
        data.update(parallel_serial=msg.parallel_serial, master=msg.master_flag == 0)
    return data


def stop_result_data(msg: M.RemoteStopReply) -> dict[str, Any]:
    """``stop_result`` data of a 0x35 frame."""
    accepted = msg.result == 1
    return {"gun": msg.gun, "accepted": accepted, "reason_code": msg.failure_reason,
            "reason": None if accepted else codes.stop_failure_text(msg.failure_reason)}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def record_data(values: Mapping[str, Any], frame_raw: bytes, tz: tzinfo) -> dict[str, Any]:
    """``transaction_record`` data from the fields of a 0x3B / 0x3D message (``values`` by field name; a
    field missing from a partly decoded record becomes ``None``)."""
    periods = values.get("periods")
    stop = values.get("stop_reason")
    flag = values.get("trade_flag")
    trade_no = values.get("trade_no")
    card = values.get("physical_card")
    vin = values.get("vin")
    data = {
        "trade_no": trade_no,
        "pile_code": values.get("pile_code"),
        "gun": values.get("gun"),
        "started_at": _local(values.get("started_at"), tz),
        "ended_at": _local(values.get("ended_at"), tz),
        "traded_at": _local(values.get("traded_at"), tz),
        "energy_kwh": _text(values.get("total_energy_kwh")),
        "loss_energy_kwh": _text(values.get("total_loss_energy_kwh")),
        "amount": _text(values.get("total_amount")),
        "periods": None if periods is None else [
            {"rate": name, "unit_price": str(p.unit_price), "energy_kwh": str(p.energy_kwh),
             "loss_energy_kwh": str(p.loss_energy_kwh), "amount": str(p.amount)}
            for name, p in zip(M.RATE_NAMES, periods)],
        "meter_start_kwh": _text(values.get("meter_start_kwh")),
        "meter_end_kwh": _text(values.get("meter_end_kwh")),
        "vin": None if vin is None else (vin.replace("\x00", "") or None),
        "trade_flag": None if flag is None else codes.trade_flag_name(flag),
        "trade_flag_code": flag,
        "stop_reason_code": stop,
        "stop_reason": None if stop is None else codes.stop_reason_text(stop),
        "stop_reason_kind": None if stop is None else codes.stop_reason_kind(stop),
        "card": None if card is None else zero_to_none(card),
        "frame": frame_raw.hex(),
    }
    if "meter_number" in values or frame_raw[5:6] == b"\x3d":
        data.update(protocol_version="1.7", meter_number=values.get("meter_number"),
                    meter_ciphertext=values.get("meter_ciphertext"),
                    meter_protocol_version=values.get("meter_protocol_version"),
                    meter_encryption=values.get("meter_encryption"))
    return data
