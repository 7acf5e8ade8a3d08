"""Body validators, one per message type: a JSON object → a dict of the known fields, typed.

Conventions of the returned dict: optional scalar fields the message left out are ``None``; the "any
of" groups (``params``, ``params_reply``, ``start.limits``, ``start.price``) hold only the fields that
were sent; ``voltage_v`` and ``current_a`` are ``Decimal``; every other number is an ``int``.
Unknown fields are dropped (``docs/protocols/bike-mqtt.md`` §3: devices may add fields).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from chargehub_bike_mqtt.codec import codes as C
from chargehub_bike_mqtt.codec.fields import (
    MISSING, MessageError, array, boolean, choice, integer, number, obj, path_of, text,
)

__all__ = ["BODIES", "validate_body"]

Body = dict[str, Any]


def _opt(value: Any) -> Any:
    return None if value is MISSING else value


def _socket(src: Mapping[str, Any], name: str, path: str, *, low: int = 1, required: bool = True) -> Any:
    return integer(src, name, path, low, C.MAX_SOCKETS, required=required)


def _order(src: Mapping[str, Any], name: str, path: str, *, required: bool = True, nullable: bool = False) -> Any:
    value = text(src, name, path, C.MAX_ORDER, required=required, nullable=nullable,
                 min_len=0 if nullable else 1)
    return None if value == "" else value  # an empty order in a status means "no order"


def _entries(src: Mapping[str, Any], name: str, read: Callable[[Mapping[str, Any], str], Body], *,
             required: bool = True, min_len: int = 0) -> Any:
    items = array(src, name, "", C.MAX_SOCKETS, required=required, min_len=min_len)
    if items is MISSING:
        return None
    result, seen = [], set()
    for index, item in enumerate(items):
        path = path_of(name, index)
        entry = read(obj(item, path), path)
        if entry["no"] in seen:
            raise MessageError(f"socket {entry['no']} is listed twice", path_of(path, "no"))
        seen.add(entry["no"])
        result.append(entry)
    return result


def _status_entry(src: Mapping[str, Any], path: str) -> Body:
    return {
        "no": _socket(src, "no", path),
        "state": choice(src, "state", path, C.SOCKET_STATES),
        "order": _opt(_order(src, "order", path, required=False, nullable=True)),
        "fault_bits": _opt(integer(src, "fault_bits", path, 0, C.FAULT_BITS_MAX, required=False)) or 0,
    }


def _meter_entry(src: Mapping[str, Any], path: str) -> Body:
    return {
        "no": _socket(src, "no", path),
        "order": _order(src, "order", path),
        "voltage_v": number(src, "voltage_v", path, C.VOLTAGE_MAX, 1),
        "current_a": number(src, "current_a", path, C.CURRENT_MAX, 3),
        "power_w": integer(src, "power_w", path, 0, C.SOCKET_POWER_MAX_W),
        "energy_wh": integer(src, "energy_wh", path, 0, C.ENERGY_MAX_WH),
        "elapsed_s": integer(src, "elapsed_s", path, 0, C.DURATION_MAX_S),
    }


# -- device → platform (§4) ---------------------------------------------------------------------------

def _online(b: Mapping[str, Any]) -> Body:
    return {
        "fw": text(b, "fw", "", C.MAX_TEXT),
        "model": text(b, "model", "", C.MAX_TEXT),
        "sockets": integer(b, "sockets", "", 1, C.MAX_SOCKETS),
        "iccid": _opt(text(b, "iccid", "", 32, required=False)),
        "rssi": _opt(integer(b, "rssi", "", *C.RSSI_RANGE, required=False)),
        "boot": _opt(choice(b, "boot", "", C.BOOT_KINDS, required=False)),
    }


def _offline(b: Mapping[str, Any]) -> Body:
    return {"reason": choice(b, "reason", "", C.OFFLINE_REASONS)}


def _heartbeat(b: Mapping[str, Any]) -> Body:
    return {
        "rssi": _opt(integer(b, "rssi", "", *C.RSSI_RANGE, required=False)),
        "temp_c": _opt(integer(b, "temp_c", "", *C.TEMP_RANGE, required=False)),
        "sockets": _entries(b, "sockets", _status_entry, required=False),
    }


def _socket_status(b: Mapping[str, Any]) -> Body:
    return {"sockets": _entries(b, "sockets", _status_entry, min_len=1)}


def _meter(b: Mapping[str, Any]) -> Body:
    return {"sockets": _entries(b, "sockets", _meter_entry, min_len=1)}


def _record(b: Mapping[str, Any]) -> Body:
    return {
        "socket": _socket(b, "socket", ""),
        "order": _order(b, "order", ""),
        "started_at": integer(b, "started_at", "", 0, C.MAX_UNIX),
        "ended_at": integer(b, "ended_at", "", 0, C.MAX_UNIX),
        "energy_wh": integer(b, "energy_wh", "", 0, C.ENERGY_MAX_WH),
        "elapsed_s": integer(b, "elapsed_s", "", 0, C.DURATION_MAX_S),
        "max_power_w": integer(b, "max_power_w", "", 0, C.SOCKET_POWER_MAX_W),
        "reason": choice(b, "reason", "", C.END_REASONS),
        "fault_bits": integer(b, "fault_bits", "", 0, C.FAULT_BITS_MAX),
    }


def _fault(b: Mapping[str, Any]) -> Body:
    return {"socket": _socket(b, "socket", "", low=0), "fault_bits": integer(b, "fault_bits", "", 0, C.FAULT_BITS_MAX)}


def _empty(b: Mapping[str, Any]) -> Body:
    return {}


def _reply(codes: tuple[str, ...] | None, extra: Callable[[Mapping[str, Any]], Body] = _empty):
    """A ``*_reply`` body: ``ok``; when false ``code`` (one of ``codes`` when given) and ``reason``."""
    def read(b: Mapping[str, Any]) -> Body:
        ok = boolean(b, "ok", "")
        code = reason = None
        if not ok:
            code = (choice(b, "code", "", codes) if codes is not None else text(b, "code", "", 64))
            reason = _opt(text(b, "reason", "", C.MAX_TEXT, required=False))
        return {"ok": ok, "code": code, "reason": reason, **extra(b)}
    return read


def _start_reply_extra(b: Mapping[str, Any]) -> Body:
    return {"socket": _opt(_socket(b, "socket", "", required=False)),
            "order": _opt(_order(b, "order", "", required=False))}


def _stop_reply_extra(b: Mapping[str, Any]) -> Body:
    return {**_start_reply_extra(b),
            "energy_wh": _opt(integer(b, "energy_wh", "", 0, C.ENERGY_MAX_WH, required=False)),
            "elapsed_s": _opt(integer(b, "elapsed_s", "", 0, C.DURATION_MAX_S, required=False))}


def _param_values(b: Mapping[str, Any], *, at_least_one: bool) -> Body:
    values = {}
    for name, (low, high) in C.PARAM_RANGES.items():
        value = integer(b, name, "", low, high, required=False)
        if value is not MISSING:
            values[name] = value
    if at_least_one and not values:
        raise MessageError(f"at least one of {', '.join(C.PARAM_RANGES)} is required")
    return values


# -- platform → device (§5) ---------------------------------------------------------------------------

def _welcome(b: Mapping[str, Any]) -> Body:
    return {
        "accepted": boolean(b, "accepted", ""),
        "reason": _opt(text(b, "reason", "", C.MAX_TEXT, required=False)),
        "heartbeat_s": _opt(integer(b, "heartbeat_s", "", *C.PARAM_RANGES["heartbeat_s"], required=False)),
        "tz": _opt(text(b, "tz", "", 64, required=False)),
    }


def _time(b: Mapping[str, Any]) -> Body:
    return {"now": integer(b, "now", "", 0, C.MAX_UNIX), "tz": text(b, "tz", "", 64)}


def _start(b: Mapping[str, Any]) -> Body:
    body: Body = {
        "socket": _socket(b, "socket", ""),
        "order": _order(b, "order", ""),
        "mode": choice(b, "mode", "", C.START_MODES),
        "limits": _group(b, "limits", {"seconds": (1, C.DURATION_MAX_S), "wh": (1, C.ENERGY_MAX_WH),
                                       "fen": (1, C.FEN_MAX)}),
        "price": _group(b, "price", {"fen_per_hour": (0, C.FEN_MAX), "fen_per_kwh": (0, C.FEN_MAX)}),
        "max_power_w": _opt(integer(b, "max_power_w", "", 1, C.SOCKET_POWER_MAX_W, required=False)),
        "stop_when_full": _opt(boolean(b, "stop_when_full", "", required=False)),
        "full_current_ma": _opt(integer(b, "full_current_ma", "", *C.PARAM_RANGES["full_current_ma"],
                                        required=False)),
        "full_minutes": _opt(integer(b, "full_minutes", "", *C.PARAM_RANGES["full_minutes"], required=False)),
    }
    if "fen" in (body["limits"] or {}) and not body["price"]:
        raise MessageError("required with limits.fen (fen_per_hour and/or fen_per_kwh)", "price")
    return body


def _group(b: Mapping[str, Any], name: str, ranges: Mapping[str, tuple[int, int]]) -> Body | None:
    """An optional object of optional integers (``limits``, ``price``); ``None`` when absent."""
    value = b.get(name, MISSING)
    if value is MISSING:
        return None
    src = obj(value, name)
    result = {}
    for key, (low, high) in ranges.items():
        item = integer(src, key, name, low, high, required=False)
        if item is not MISSING:
            result[key] = item
    return result


def _stop(b: Mapping[str, Any]) -> Body:
    return {"socket": _socket(b, "socket", ""), "order": _opt(_order(b, "order", "", required=False))}


def _refresh(b: Mapping[str, Any]) -> Body:
    items = array(b, "sockets", "", C.MAX_SOCKETS, required=False)
    if items is MISSING:
        return {"sockets": None}
    numbers = []
    for index, item in enumerate(items):
        number_ = integer({index: item}, index, "sockets", 1, C.MAX_SOCKETS)  # error names "sockets[i]"
        if number_ in numbers:
            raise MessageError(f"socket {number_} is listed twice", path_of("sockets", index))
        numbers.append(number_)
    return {"sockets": numbers}


def _reboot(b: Mapping[str, Any]) -> Body:
    return {"mode": choice(b, "mode", "", C.REBOOT_MODES)}


def _qrcode_entry(src: Mapping[str, Any], path: str) -> Body:
    return {"no": _socket(src, "no", path), "url": text(src, "url", path, C.MAX_URL)}


def _qrcode(b: Mapping[str, Any]) -> Body:
    prefix = _opt(text(b, "prefix", "", C.MAX_URL, required=False))
    sockets = _entries(b, "sockets", _qrcode_entry, required=False, min_len=1)
    if (prefix is None) == (sockets is None):
        raise MessageError("exactly one of prefix and sockets is required")
    return {"prefix": prefix, "sockets": sockets}


BODIES: dict[str, Callable[[Mapping[str, Any]], Body]] = {
    "online": _online,
    "offline": _offline,
    "heartbeat": _heartbeat,
    "socket_status": _socket_status,
    "meter": _meter,
    "record": _record,
    "fault": _fault,
    "time_req": _empty,
    "start_reply": _reply(C.START_REFUSALS, _start_reply_extra),
    "stop_reply": _reply(C.STOP_REFUSALS, _stop_reply_extra),
    "refresh_reply": _reply(None),
    "params_reply": _reply(None, lambda b: _param_values(b, at_least_one=False)),
    "reboot_reply": _reply(None),
    "qrcode_reply": _reply(None),
    "welcome": _welcome,
    "time": _time,
    "ack": _empty,
    "start": _start,
    "stop": _stop,
    "refresh": _refresh,
    "params": lambda b: _param_values(b, at_least_one=True),
    "reboot": _reboot,
    "qrcode": _qrcode,
}
assert set(BODIES) == C.MESSAGE_TYPES


def validate_body(type_: str, payload: Mapping[str, Any]) -> Body:
    """The typed body of a ``type_`` message (``payload`` is the whole JSON object)."""
    return BODIES[type_](payload)
