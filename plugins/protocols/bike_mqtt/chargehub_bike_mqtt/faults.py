"""The e-bike charger fault bitmap (the manual's FAQ 16/17; ``docs/protocols/bike-mqtt.md`` §4.2).

The device shows the bitmap as a four-digit decimal code (``0033`` = 1 + 32 = 未接地 + 电表故障); the
platform shows that code and the named faults.
"""
from __future__ import annotations

from typing import Any

__all__ = ["FAULT_NAMES", "decode_faults", "fault_code", "fault_text"]

#: Bit number → name, Chinese first with English in parentheses. Bits 11–15 are reserved.
FAULT_NAMES: dict[int, str] = {
    0: "未接地 (not grounded)",
    1: "继电器粘连 (relay welded)",
    2: "过流 (over-current)",
    3: "输入过压 (input over-voltage)",
    4: "输入欠压 (input under-voltage)",
    5: "电表故障 (meter fault)",
    6: "急停 (emergency stop)",
    7: "CP 错误 (CP error)",
    8: "过温 (over-temperature)",
    9: "漏电 (leakage)",
    10: "漏电自检 (leakage self-test)",
}


def fault_text(bit: int) -> str:
    """The name of fault ``bit`` (``"未知故障 bit12 (unknown fault bit 12)"`` for reserved bits)."""
    return FAULT_NAMES.get(bit, f"未知故障 bit{bit} (unknown fault bit {bit})")


def fault_code(bits: int) -> str:
    """The code the device displays: the bitmap in decimal, at least four digits (``33`` → ``"0033"``)."""
    if bits < 0:
        raise ValueError(f"fault bits must not be negative, not {bits}")
    return f"{bits:04d}"


def decode_faults(bits: int) -> list[dict[str, Any]]:
    """Every fault set in ``bits``, lowest bit first: ``{"bit": 5, "code": "0032", "text": "电表故障 (meter fault)"}``.

    ``code`` is the display code of that bit alone; an empty list means no fault.
    """
    if bits < 0:
        raise ValueError(f"fault bits must not be negative, not {bits}")
    return [{"bit": bit, "code": fault_code(1 << bit), "text": fault_text(bit)}
            for bit in range(bits.bit_length()) if bits >> bit & 1]
