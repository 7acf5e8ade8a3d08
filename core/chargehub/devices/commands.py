"""Charging commands the order domain sends to piles: remote start, remote stop, balance update.

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
