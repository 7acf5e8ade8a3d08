"""Charging commands the order domain sends to devices: remote start, remote stop, balance update.

Piles (YKC): :func:`start_charging`, :func:`stop_charging`, :func:`update_balance`. E-bike chargers
(MQTT): :func:`start_socket`, :func:`stop_socket` — these carry the device's protocol, because no
gateway node holds an MQTT device's connection (any node serving the protocol commands it).

Thin, validated wrappers over the command bus with the parameters documented in
``docs/devices/protocol_plugins.md`` §4; the order service decides when to call them and what the
answer means for the order. Money is passed as ``Decimal`` yuan (at most 2 decimals) and sent as a
2-decimal string.
"""
from __future__ import annotations

from decimal import Decimal

from chargehub.contracts.billing import fen, yuan
from chargehub.contracts.devices import CommandResult, DeviceCommand
from chargehub.extensions import command_bus

def _money(value: Decimal) -> str:
    """A balance as the 2-decimal yuan string commands carry; refuses floats, negatives, sub-fen amounts."""
    if not isinstance(value, Decimal) or value < 0:
        raise ValueError(f"balance must be a non-negative Decimal, got {value!r}")
    return str(yuan(fen(value)))


def start_charging(device_id: str, gun: int, trade_no: str, balance: Decimal, *, logical_card: str = "0",
                   physical_card: str = "", timeout: float | None = None) -> CommandResult:
    """Remote start (YKC 0x34): ``accepted`` once the pile confirmed; ``rejected`` with its reason
    (e.g. 未插枪 — a pile may still start if the gun is plugged within 60 s: a later ``start_result``)."""
    if not trade_no.isdigit() or len(trade_no) != 32:
        raise ValueError("trade_no must be 32 digits")
    return command_bus.send(DeviceCommand(device_id, "start", {
        "gun": int(gun), "trade_no": trade_no, "logical_card": logical_card, "physical_card": physical_card,
        "balance": _money(balance)}), timeout=timeout)


def stop_charging(device_id: str, gun: int, *, timeout: float | None = None) -> CommandResult:
    """Remote stop (YKC 0x36); the pile then sends its transaction record."""
    return command_bus.send(DeviceCommand(device_id, "stop", {"gun": int(gun)}), timeout=timeout)


def update_balance(device_id: str, gun: int, balance: Decimal, *, physical_card: str = "",
                   timeout: float | None = None) -> CommandResult:
    """Remote balance update (YKC 0x42) for the session running on ``gun``."""
    return command_bus.send(DeviceCommand(device_id, "update_balance", {
        "gun": int(gun), "physical_card": physical_card, "balance": _money(balance)}), timeout=timeout)


#: How an e-bike charge ends (``start_socket(mode=...)``), the order's 充电方式.
BIKE_MODES = ("duration", "energy", "amount", "full")


def start_socket(device_id: str, socket: int, trade_no: str, *, mode: str, protocol: str = "bike_mqtt",
                 duration_s: int | None = None, energy_kwh: Decimal | None = None, amount: Decimal | None = None,
                 price_per_hour: Decimal | None = None, price_per_kwh: Decimal | None = None,
                 max_power_w: int | None = None, stop_when_full: bool = False,
                 timeout: float | None = None) -> CommandResult:
    """Start ``socket`` of an e-bike charger for order ``trade_no``; the first limit reached ends it.

    :param mode: one of :data:`BIKE_MODES`; ``amount`` needs ``price_per_hour`` or ``price_per_kwh``.
    :param max_power_w: the order's power tier: the charger refuses or ends the charge above it.
    """
    if mode not in BIKE_MODES:
        raise ValueError(f"mode must be one of {BIKE_MODES}")
    if amount is not None and price_per_hour is None and price_per_kwh is None:
        raise ValueError("an amount limit needs a price")
    params = {"socket": int(socket), "trade_no": trade_no, "mode": mode, "stop_when_full": bool(stop_when_full)}
    for key, value in (("duration_s", duration_s), ("max_power_w", max_power_w)):
        if value is not None:
            params[key] = int(value)
    if energy_kwh is not None:
        params["energy_kwh"] = str(energy_kwh)
    for key, value in (("amount", amount), ("price_per_hour", price_per_hour), ("price_per_kwh", price_per_kwh)):
        if value is not None:
            params[key] = _money(value)
    return command_bus.send(DeviceCommand(device_id, "start", params, protocol=protocol), timeout=timeout)


def stop_socket(device_id: str, socket: int, trade_no: str | None = None, *, protocol: str = "bike_mqtt",
                timeout: float | None = None) -> CommandResult:
    """Stop ``socket`` (only order ``trade_no`` when given); the charger then uploads its record."""
    params = {"socket": int(socket), **({"trade_no": trade_no} if trade_no else {})}
    return command_bus.send(DeviceCommand(device_id, "stop", params, protocol=protocol), timeout=timeout)

