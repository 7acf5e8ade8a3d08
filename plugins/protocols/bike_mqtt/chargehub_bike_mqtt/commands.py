"""Core's device commands (``docs/devices/protocol_plugins.md`` §4) → ``bike_mqtt`` messages on ``down``.

Core speaks yuan and kWh as decimal strings; the wire speaks fen and Wh as integers: converted here
with ``Decimal`` and ``ROUND_HALF_UP``. The command's ``correlation_id`` is the message ``id``, so the
device's reply (``re``) names it. Invalid or inexpressible commands raise :class:`CommandNotSupported`
with a reason in Chinese and English.

=================  ==========  ====================================================================
name               message     params
=================  ==========  ====================================================================
``start``          ``start``   ``socket``, ``trade_no``, ``mode``, ``duration_s`` or
                               ``duration_minutes``, ``energy_kwh``, ``amount`` (yuan),
                               ``price_per_hour`` / ``price_per_kwh`` (yuan), ``max_power_w``,
                               ``stop_when_full``, ``full_current_ma``, ``full_minutes``
``stop``           ``stop``    ``socket``, ``trade_no`` (optional)
``refresh_state``  ``refresh`` ``sockets`` (optional)
``work_params``    ``params``  ``max_current_ma``, ``max_power_w``, ``socket_max_power_w``,
                               ``full_current_ma``, ``full_minutes``, ``heartbeat_s``
``reboot``         ``reboot``  ``mode`` (``now`` / ``idle``)
``sync_qrcode``    ``qrcode``  ``prefix``, or ``sockets`` (or ``guns``) as ``[{number, url}]``
``sync_clock``     ``time``    ``timezone``; the device never answers (``reply_expected`` is False)
=================  ==========  ====================================================================

``socket`` may be given as core's generic ``gun``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chargehub.contracts.devices import CommandNotSupported, DeviceCommand

from chargehub_bike_mqtt import codec
from chargehub_bike_mqtt.codec import codes as C

__all__ = ["BuiltCommand", "COMMAND_TYPES", "DEFAULT_TIMEZONE", "build_command", "encode_command",
           "valid_timezone"]

DEFAULT_TIMEZONE = "Asia/Shanghai"
#: Core's command name → the message type sent (``sync_clock`` is the only one the device never answers).
COMMAND_TYPES = {"start": "start", "stop": "stop", "refresh_state": "refresh", "work_params": "params",
                 "reboot": "reboot", "sync_qrcode": "qrcode", "sync_clock": "time"}
_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class BuiltCommand:
    """A command ready to publish: its message ``type``, the typed ``body`` and the ``payload`` bytes."""

    type: str
    body: Mapping[str, Any]
    payload: bytes


def valid_timezone(name: Any) -> bool:
    """``True`` for a known IANA zone name."""
    if not isinstance(name, str) or not 0 < len(name) <= 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _bad(name: str, why: str) -> CommandNotSupported:
    return CommandNotSupported(f"参数 {name} 无效 (invalid parameter {name}): {why}")


def _missing(name: str) -> CommandNotSupported:
    return CommandNotSupported(f"缺少参数 {name} (missing parameter {name})")


def _decimal(params: Mapping[str, Any], name: str) -> Decimal | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, (bool, float)) or not isinstance(value, (int, str, Decimal)):
        raise _bad(name, f"a decimal string is expected, not {value!r}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise _bad(name, f"{value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise _bad(name, f"must be a number ≥ 0, not {value!r}")
    return number


def _int(params: Mapping[str, Any], name: str, low: int, high: int, *, required: bool = False) -> int | None:
    """An integer param (an int, or a string of one); ``None`` when absent and not required."""
    value = params.get(name)
    if value is None:
        if required:
            raise _missing(name)
        return None
    number = _decimal(params, name) if not isinstance(value, int) or isinstance(value, bool) else Decimal(value)
    if number is None or number != number.to_integral_value() or not low <= number <= high:
        raise _bad(name, f"must be an integer {low}..{high}, not {value!r}")
    return int(number)


def _scaled(params: Mapping[str, Any], name: str, factor: int, high: int) -> int | None:
    """A decimal param × ``factor`` rounded half up (yuan → fen, kWh → Wh), ``1..high``."""
    number = _decimal(params, name)
    if number is None:
        return None
    scaled = int((number * factor).quantize(_ONE, ROUND_HALF_UP))
    if not 1 <= scaled <= high:
        raise _bad(name, f"{params[name]!r} is {scaled} on the wire, outside 1..{high}")
    return scaled


def _price(params: Mapping[str, Any], name: str) -> int | None:
    number = _decimal(params, name)
    if number is None:
        return None
    fen = int((number * 100).quantize(_ONE, ROUND_HALF_UP))
    if fen > C.FEN_MAX:
        raise _bad(name, f"{params[name]!r} yuan is too large")
    return fen


def _choice(params: Mapping[str, Any], name: str, choices: tuple[str, ...], default: str | None = None) -> str:
    value = params.get(name, default)
    if value is None:
        raise _missing(name)
    if value not in choices:
        raise _bad(name, f"must be one of {', '.join(choices)}, not {value!r}")
    return value


def _socket(params: Mapping[str, Any]) -> int:
    """``socket`` (core's generic ``gun`` is accepted in its place)."""
    name = "socket" if params.get("socket") is not None or params.get("gun") is None else "gun"
    value = _int(params, name, 1, C.MAX_SOCKETS)
    if value is None:
        raise _missing("socket")
    return value


def _order(params: Mapping[str, Any], *, required: bool) -> str | None:
    value = params.get("trade_no")
    if value is None:
        if required:
            raise _missing("trade_no")
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= C.MAX_ORDER or not value.isprintable():
        raise _bad("trade_no", f"must be 1..{C.MAX_ORDER} printable characters, not {value!r}")
    return value


def _start(params: Mapping[str, Any], now: int, tz: str) -> dict[str, Any]:
    mode = _choice(params, "mode", C.START_MODES)
    seconds = _int(params, "duration_s", 1, C.DURATION_MAX_S)
    minutes = _int(params, "duration_minutes", 1, C.DURATION_MAX_S // 60)
    if seconds is not None and minutes is not None and seconds != minutes * 60:
        raise _bad("duration_minutes", f"{minutes} min disagrees with duration_s {seconds}")
    limits = {"seconds": seconds if seconds is not None else (minutes * 60 if minutes is not None else None),
              "wh": _scaled(params, "energy_kwh", 1000, C.ENERGY_MAX_WH),
              "fen": _scaled(params, "amount", 100, C.FEN_MAX)}
    price = {"fen_per_hour": _price(params, "price_per_hour"), "fen_per_kwh": _price(params, "price_per_kwh")}
    needed = {"duration": ("seconds", "duration_s"), "energy": ("wh", "energy_kwh"), "amount": ("fen", "amount")}
    if mode in needed and limits[needed[mode][0]] is None:
        raise _missing(needed[mode][1])
    if limits["fen"] is not None and price["fen_per_hour"] is None and price["fen_per_kwh"] is None:
        raise CommandNotSupported("按金额充电需要单价 (amount needs price_per_hour or price_per_kwh)")
    stop_when_full = params.get("stop_when_full", True if mode == "full" else None)
    if stop_when_full is not None and not isinstance(stop_when_full, bool):
        raise _bad("stop_when_full", f"must be true or false, not {stop_when_full!r}")
    return {
        "socket": _socket(params),
        "order": _order(params, required=True),
        "mode": mode,
        "limits": {k: v for k, v in limits.items() if v is not None} or None,
        "price": {k: v for k, v in price.items() if v is not None} or None,
        "max_power_w": _int(params, "max_power_w", 1, C.SOCKET_POWER_MAX_W),
        "stop_when_full": stop_when_full,
        "full_current_ma": _int(params, "full_current_ma", *C.PARAM_RANGES["full_current_ma"]),
        "full_minutes": _int(params, "full_minutes", *C.PARAM_RANGES["full_minutes"]),
    }


def _stop(params: Mapping[str, Any], now: int, tz: str) -> dict[str, Any]:
    return {"socket": _socket(params), "order": _order(params, required=False)}


def _refresh(params: Mapping[str, Any], now: int, tz: str) -> dict[str, Any]:
    name = "sockets" if params.get("sockets") is not None or params.get("guns") is None else "guns"
    value = params.get(name)
    if not value:
        return {"sockets": None}
    if not isinstance(value, (list, tuple)):
        raise _bad(name, f"a list of socket numbers is expected, not {value!r}")
    return {"sockets": sorted({_int({name: item}, name, 1, C.MAX_SOCKETS, required=True) for item in value})}


def _params(params: Mapping[str, Any], now: int, tz: str) -> dict[str, Any]:
    for name in ("enabled", "max_power_percent"):
        if name in params:
            raise CommandNotSupported(f"两轮车 MQTT 协议不支持参数 {name} (bike_mqtt cannot carry {name})")
    values = {name: _int(params, name, low, high) for name, (low, high) in C.PARAM_RANGES.items()}
    values = {name: value for name, value in values.items() if value is not None}
    if not values:
        raise CommandNotSupported(f"没有可下发的参数 (no parameter to send; use {', '.join(C.PARAM_RANGES)})")
    return values


def _reboot(params: Mapping[str, Any], now: int, tz: str) -> dict[str, Any]:
    return {"mode": _choice(params, "mode", C.REBOOT_MODES, "now")}


def _qrcode(params: Mapping[str, Any], now: int, tz: str) -> dict[str, Any]:
    prefix = params.get("prefix")
    if prefix is not None:
        if not isinstance(prefix, str) or not 0 < len(prefix) <= C.MAX_URL:
            raise _bad("prefix", f"must be a URL of 1..{C.MAX_URL} characters, not {prefix!r}")
        return {"prefix": prefix}
    name = "sockets" if params.get("sockets") is not None or params.get("guns") is None else "guns"
    entries = params.get(name)
    if not entries or not isinstance(entries, (list, tuple)):
        raise _missing("prefix")
    sockets = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise _bad(name, f"entries are {{number, url}}, not {entry!r}")
        number = _int({"number": entry.get("number", entry.get("no"))}, "number", 1, C.MAX_SOCKETS, required=True)
        url = entry.get("url")
        if not isinstance(url, str) or not 0 < len(url) <= C.MAX_URL:
            raise _bad(f"{name}.url", f"must be a URL of 1..{C.MAX_URL} characters, not {url!r}")
        sockets.append({"no": number, "url": url})
    return {"sockets": sockets}


def _time(params: Mapping[str, Any], now: int, tz: str) -> dict[str, Any]:
    zone = params.get("timezone") or tz
    if not valid_timezone(zone):
        raise _bad("timezone", f"unknown time zone {zone!r}")
    return {"now": now, "tz": zone}


_BUILDERS: dict[str, Callable[[Mapping[str, Any], int, str], dict[str, Any]]] = {
    "start": _start, "stop": _stop, "refresh": _refresh, "params": _params, "reboot": _reboot,
    "qrcode": _qrcode, "time": _time,
}


def build_command(command: DeviceCommand, *, dev: str | None = None, now: int | None = None,
                  timezone_name: str = DEFAULT_TIMEZONE) -> BuiltCommand:
    """The message of ``command`` for device ``dev`` (default ``command.device_id``).

    :param now: Unix seconds for ``ts`` (and ``time.now``); the system clock when ``None``.
    :param timezone_name: the zone ``sync_clock`` sends when its params name none.
    :raises CommandNotSupported: unknown command, invalid params, or an id/sn the wire cannot carry.
    """
    type_ = COMMAND_TYPES.get(command.name)
    if type_ is None:
        raise CommandNotSupported(f"两轮车 MQTT 协议不支持命令 {command.name} (bike_mqtt cannot carry {command.name})")
    if not codec.is_message_id(command.correlation_id):
        raise CommandNotSupported(f"关联号不能作为消息 id (correlation id {command.correlation_id!r} is not a "
                                  f"valid message id: 1..64 of A-Z a-z 0-9 _ -)")
    dev = command.device_id if dev is None else dev
    problem = codec.dev_problem(dev)
    if problem:
        raise CommandNotSupported(f"设备编号无效 (invalid device sn): {problem}")
    params = command.params if isinstance(command.params, Mapping) else {}
    if now is None:
        now = int(datetime.now(timezone.utc).timestamp())
    body = _BUILDERS[type_](params, now, timezone_name)
    try:
        payload = codec.encode(type_, command.correlation_id, dev, now, **body)
    except codec.MessageError as exc:
        raise CommandNotSupported(f"参数无效 (invalid parameters): {exc}") from None
    return BuiltCommand(type_, body, payload)


def encode_command(command: DeviceCommand, *, dev: str | None = None, now: int | None = None,
                   timezone_name: str = DEFAULT_TIMEZONE) -> bytes:
    """The payload of ``command`` (see :func:`build_command`)."""
    return build_command(command, dev=dev, now=now, timezone_name=timezone_name).payload
