"""Decoded messages → the ``data`` of normalized device events and command results.

Pure functions. Quantities with units are decimal strings (``voltage_v`` "220.5", ``current_a``
"1.250", ``energy_kwh`` "0.1230"), watts, seconds and bit maps ints, times ISO 8601 UTC; words are
Chinese with English in parentheses (``docs/devices/protocol_plugins.md`` §3).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Mapping

from chargehub.contracts.devices import CommandResult

from chargehub_bike_mqtt.codec import Message
from chargehub_bike_mqtt.faults import decode_faults, fault_code

__all__ = [
    "SentCommand", "START_REFUSAL_WORDS", "STOP_REFUSAL_WORDS", "END_REASON_WORDS", "iso", "occurred_at",
    "energy_kwh", "login_data", "heartbeat_data", "status_data", "meter_data", "record_data", "fault_data",
    "reply_outcome",
]

START_REFUSAL_WORDS = {
    "busy": "插座占用 (socket busy)",
    "no_load": "未接入负载 (nothing plugged in)",
    "fault": "插座故障 (socket fault)",
    "disabled": "插座已停用 (socket disabled)",
    "bad_params": "参数错误 (bad parameters)",
}
STOP_REFUSAL_WORDS = {
    "idle": "插座空闲 (socket idle)",
    "wrong_order": "订单不符 (wrong order)",
}
#: ``record.reason`` in words (§4.1).
END_REASON_WORDS = {
    "duration": "按时长结束 (ordered duration reached)",
    "energy": "按电量结束 (ordered energy delivered)",
    "amount": "按金额结束 (ordered amount used up)",
    "full": "充满自停 (battery full)",
    "unplugged": "拔出结束 (unplugged)",
    "remote": "远程停止 (stopped by the platform)",
    "power_over": "功率超限 (power over limit)",
    "fault": "故障停止 (stopped by a fault)",
    "power_loss": "设备断电 (device lost power)",
}
_OTHER_REFUSAL = "设备拒绝 (refused by the device)"
_KWH = Decimal("0.0001")
_VOLT = Decimal("0.1")
_AMP = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class SentCommand:
    """A command this session published and whose reply it waits for.

    :param name: core's command name (``"start"``, ``"work_params"``...).
    :param type: the wire type (``"start"``, ``"params"``...); the reply is ``<type>_reply``.
    :param body: the typed body sent (``socket``, ``order``...).
    """

    name: str
    type: str
    body: Mapping[str, Any]


def iso(ts: int | None) -> str | None:
    """Unix seconds as ISO 8601 UTC (``None`` for ``None`` or 0: the device's clock was not set)."""
    return datetime.fromtimestamp(ts, timezone.utc).isoformat() if ts else None


def occurred_at(ts: int, now: datetime) -> datetime:
    """The device's ``ts`` when its clock is set (> 0), else ``now``."""
    return datetime.fromtimestamp(ts, timezone.utc) if ts > 0 else now


def energy_kwh(wh: int | None) -> str | None:
    """Watt-hours as a kWh string with 4 decimals (``123`` → ``"0.1230"``)."""
    return None if wh is None else str((Decimal(wh) / 1000).quantize(_KWH))


def login_data(msg: Message) -> dict[str, Any]:
    """The ``login`` event's data (also the :class:`LoginRequest` data) of an ``online``."""
    return {"firmware": msg["fw"], "model": msg["model"], "socket_count": msg["sockets"], "iccid": msg["iccid"],
            "rssi": msg["rssi"], "boot": msg["boot"]}


def heartbeat_data(msg: Message) -> dict[str, Any]:
    """``heartbeat`` data (its ``sockets`` become ``status`` events of their own)."""
    return {"rssi": msg["rssi"], "temp_c": msg["temp_c"]}


def status_data(entry: Mapping[str, Any]) -> dict[str, Any]:
    """``status`` data of one ``socket_status`` (or heartbeat) entry."""
    return {"socket": entry["no"], "state": entry["state"], "trade_no": entry["order"],
            "fault_bits": entry["fault_bits"], "faults": decode_faults(entry["fault_bits"])}


def meter_data(entry: Mapping[str, Any]) -> dict[str, Any]:
    """``status`` data of one ``meter`` entry (``meter: True`` tells it from a state change)."""
    return {"socket": entry["no"], "state": "charging", "trade_no": entry["order"],
            "voltage_v": str(entry["voltage_v"].quantize(_VOLT)), "current_a": str(entry["current_a"].quantize(_AMP)),
            "power_w": entry["power_w"], "energy_kwh": energy_kwh(entry["energy_wh"]),
            "elapsed_s": entry["elapsed_s"], "meter": True}


def record_data(msg: Message, payload: bytes) -> dict[str, Any]:
    """``transaction_record`` data of a ``record`` (``frame`` is the payload as text)."""
    return {
        "trade_no": msg["order"],
        "socket": msg["socket"],
        "started_at": iso(msg["started_at"]),
        "ended_at": iso(msg["ended_at"]),
        "energy_kwh": energy_kwh(msg["energy_wh"]),
        "elapsed_s": msg["elapsed_s"],
        "max_power_w": msg["max_power_w"],
        "stop_reason_code": msg["reason"],
        "stop_reason": END_REASON_WORDS[msg["reason"]],
        "fault_bits": msg["fault_bits"],
        "faults": decode_faults(msg["fault_bits"]),
        "record_id": msg.id,
        "frame": payload.decode("utf-8"),
    }


def invalid_record_data(msg: Message, payload: bytes, error: str) -> dict[str, Any]:
    """``transaction_record`` data of a record the codec refused, kept for review (待核对) as sent.

    The order number is the device's when it is a usable string, else ``INVALID-<message id>`` so that
    every copy of the same record still lands on one row.
    """
    order = msg.body.get("order")
    usable = isinstance(order, str) and 0 < len(order) <= 32
    socket = msg.body.get("socket")
    return {
        "trade_no": order if usable else f"INVALID-{msg.id}"[:32],
        "socket": socket if isinstance(socket, int) and not isinstance(socket, bool) else 0,
        "stop_reason_code": "invalid",
        "stop_reason": f"无法解析的充电记录 (invalid record): {error}"[:200],
        "invalid": True,
        "record_id": msg.id,
        "frame": payload.decode("utf-8", "replace"),
    }


def fault_data(msg: Message) -> dict[str, Any]:
    """``fault`` data (``socket`` 0 = the whole device; ``cleared`` when no bit is set)."""
    bits = msg["fault_bits"]
    return {"socket": msg["socket"], "fault_bits": bits, "code": fault_code(bits), "faults": decode_faults(bits),
            "cleared": bits == 0}


def _refusal(msg: Message) -> str:
    words = {"start_reply": START_REFUSAL_WORDS, "stop_reply": STOP_REFUSAL_WORDS}.get(msg.type, {})
    code = msg["code"]
    text = words.get(code) or f"{_OTHER_REFUSAL}: {code}"
    return f"{text}: {msg['reason']}" if msg["reason"] else text


def reply_outcome(msg: Message, sent: SentCommand) -> tuple[CommandResult, tuple[str, dict[str, Any]] | None]:
    """The :class:`CommandResult` of a reply to ``sent`` and, for ``start``/``stop``, the durable event
    (``("start_result" | "stop_result", data)``)."""
    ok = msg["ok"]
    reason = None if ok else _refusal(msg)
    data: dict[str, Any] = {}
    event = None
    if sent.type in ("start", "stop"):
        socket = msg["socket"] if msg["socket"] is not None else sent.body.get("socket")
        trade_no = msg["order"] if msg["order"] is not None else sent.body.get("order")
        data = {"socket": socket, "trade_no": trade_no}
        if sent.type == "stop":
            data.update(energy_kwh=energy_kwh(msg["energy_wh"]), elapsed_s=msg["elapsed_s"])
        event_data = {"socket": socket, "trade_no": trade_no, "accepted": ok, "reason_code": msg["code"],
                      "reason": reason}
        if sent.type == "stop":
            event_data.update(energy_kwh=data["energy_kwh"], elapsed_s=data["elapsed_s"])
        event = (f"{sent.type}_result", event_data)
    elif sent.type == "params" and ok:
        data = {name: value for name, value in msg.body.items() if name not in ("ok", "code", "reason")}
    if ok:
        return CommandResult.accepted(data), event
    return CommandResult.rejected(reason or _OTHER_REFUSAL, {**data, "reason_code": msg["code"]}), event
