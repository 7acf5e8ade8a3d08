"""计费测试: price a hypothetical session with the same function that prices real ones.

Car: an energy (kWh) delivered over ``duration_minutes`` (default 60) from ``started_at`` (default now).
E-bike: a duration, optionally a constant power (power modes) and an energy (energy modes). The meter
gets one reading per minute, spread linearly (integer floor; the last reading is exact), so TOU and
hourly modes see a realistic profile. The version used is the one in force at ``started_at``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Mapping

from chargehub.billing.modes import validate_params
from chargehub.billing.services.pricing import compiled, mode_of, version_in_force
from chargehub.billing.sides import BillingRule, side_of
from chargehub.contracts.billing import BillingMode, Usage, energy_units, kwh
from chargehub.db import utcnow
from chargehub.errors import ValidationFailed

#: 48 hours: the longest session a test (and an e-bike auto-stop threshold) may describe.
MAX_MINUTES = 48 * 60
DEFAULT_CAR_MINUTES = 60


def linear_meter(start: int, minutes: int, energy: int) -> tuple[tuple[int, int], ...]:
    """Cumulative readings ``(epoch s, 0.0001 kWh)`` once a minute from 0 to ``energy`` (floor; last exact)."""
    return tuple((start + 60 * i, energy if i == minutes else energy * i // minutes) for i in range(minutes + 1))


def trial_usage(vehicle: str, args: Mapping[str, Any], now: datetime | None = None) -> Usage:
    """The :class:`Usage` a test describes (``args`` as the test schemas load them)."""
    started_at = args.get("started_at") or now or utcnow()
    energy_kwh = args.get("energy_kwh")
    minutes = args.get("duration_minutes")
    if vehicle == "car":
        if energy_kwh is None:
            raise ValidationFailed("请输入充电电量 (energy_kwh is required)", "energy_kwh")
        if energy_kwh <= 0:
            raise ValidationFailed("充电电量须大于 0 (energy must be > 0)", "energy_kwh")
        minutes = minutes or DEFAULT_CAR_MINUTES
    elif minutes is None:
        raise ValidationFailed("请输入充电时长 (duration_minutes is required)", "duration_minutes")
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValidationFailed(f"充电时长须为 1–{MAX_MINUTES} 分钟 (1 to {MAX_MINUTES} minutes)", "duration_minutes")
    start = int(started_at.timestamp())
    energy = energy_units(energy_kwh or Decimal(0))
    power = args.get("power_w")
    return Usage(start, start + 60 * minutes, linear_meter(start, minutes, energy),
                 ((start, int(power)),) if power is not None else ())


def usage_dict(usage: Usage) -> dict[str, Any]:
    """What the test answer shows of the usage it priced (times in UTC ISO 8601)."""
    def iso(seconds: int) -> str:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()

    return {"started_at": iso(usage.started_at), "ended_at": iso(usage.ended_at),
            "duration_minutes": usage.seconds // 60, "energy_kwh": str(kwh(usage.energy)),
            "power_w": usage.power[0][1] if usage.power else None, "readings": len(usage.meter)}


def run_rule_test(rule: BillingRule, args: Mapping[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """计费测试 of a saved rule: ``{"version", "usage", "bill"}`` with the version in force at the start."""
    usage = trial_usage(side_of(rule).vehicle, args, now)
    started_at = datetime.fromtimestamp(usage.started_at, tz=timezone.utc)
    version = version_in_force(rule, started_at)
    tariff = compiled(mode_of(version), version.params, version.id)[1]
    return {"version": version.number, "usage": usage_dict(usage), "bill": tariff.price(usage).to_dict()}


def run_mode_test(mode: BillingMode, params: Any, args: Mapping[str, Any],
                  now: datetime | None = None) -> dict[str, Any]:
    """计费测试 of unsaved ``params`` (the add form): ``{"usage", "bill"}``; 422 under ``params.*``."""
    stored = validate_params(mode, params)
    usage = trial_usage(mode.vehicle, args, now)
    tariff = compiled(mode, stored)[1]
    return {"usage": usage_dict(usage), "bill": tariff.price(usage).to_dict()}
