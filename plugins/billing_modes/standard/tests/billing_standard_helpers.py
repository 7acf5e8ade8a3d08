"""Shared helpers of the chargehub-billing-standard tests (a uniquely named module, not a conftest)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from chargehub_billing_standard.plugin import MODES

SHANGHAI = "Asia/Shanghai"
MODE = {cls.identifier: cls() for cls in MODES}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, zone: str = SHANGHAI, fold: int = 0) -> int:
    """Epoch seconds of a local wall-clock time."""
    return int(datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold).timestamp())


def load(identifier: str, form: dict) -> dict:
    """Validated params of ``form`` for a mode."""
    return MODE[identifier].rule_schema().load(form)


def tariff(identifier: str, form: dict, zone: str = SHANGHAI):
    """Load and compile."""
    return MODE[identifier].compile(load(identifier, form), zone)


def rows(bill) -> list[tuple]:
    """``(key, seconds, energy, units, electricity, service)`` of every line."""
    return [(line.key, line.seconds, line.energy, line.units, line.electricity, line.service) for line in bill.lines]


def tou_form(periods: list[tuple[str, str, str]], prices: dict | None = None) -> dict:
    """``car_tou`` form data from ``(start, end, rate)`` triples."""
    prices = prices or {"sharp": ("1.20000", "0.80000"), "peak": ("1.00000", "0.80000"),
                        "flat": ("0.70000", "0.60000"), "valley": ("0.30000", "0.40000")}
    return {"prices": {name: {"electricity_price": e, "service_price": s} for name, (e, s) in prices.items()},
            "periods": [{"start": a, "end": b, "rate": r} for a, b, r in periods]}


def bike_form(**fields) -> dict:
    """Common e-bike fields (8 h, 10.00 yuan, 5 free minutes) plus ``fields``."""
    return {"auto_stop_minutes": 480, "auto_stop_amount": "10.00", "free_minutes": 5, **fields}
