"""Pricing for every module: the rule of an area, the version in force, the compiled tariff, the bill.

The one pricing function is the mode's ``Tariff.price`` (``chargehub.contracts.billing``); this module
only finds the right version and caches compiled tariffs. An order is priced by the version in force
when it **started**, even when it ends after midnight under a newer version::

    rule = rule_for_area("car", area_id, started_at)
    bill = price(rule, started_at, usage)
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from chargehub.billing.modes import find_mode, load_params
from chargehub.billing.services.versions import version_at
from chargehub.billing.sides import SIDES, BillingRule, RuleVersion
from chargehub.config import settings
from chargehub.contracts.billing import Bill, BillingMode, Tariff, Usage
from chargehub.db import utcnow
from chargehub.errors import Conflict
from chargehub.extensions import db

#: Compiled tariffs kept (least recently used are dropped beyond this).
CACHE_SIZE = 2048
_cache: OrderedDict[tuple, tuple[dict[str, Any], Tariff]] = OrderedDict()
_lock = threading.Lock()


def _digest(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()


def compiled(mode: BillingMode, params: dict[str, Any], version_id: int | None = None) -> tuple[dict[str, Any], Tariff]:
    """``(loaded params, tariff)`` of stored ``params`` under ``mode``, cached per (mode class, version id,
    params digest, time zone) — an edited pending version gets a new digest, so never a stale tariff."""
    zone = settings()["TIMEZONE"]
    key = (type(mode), version_id, _digest(params), zone)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    loaded = load_params(mode, params)
    result = (loaded, mode.compile(loaded, zone))
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def mode_of(version: RuleVersion) -> BillingMode:
    """The mode of a version; 409 when the plugin providing it is off or gone."""
    mode = find_mode(version.mode)
    if mode is None:
        raise Conflict(f"计费方式「{version.mode}」不可用，请联系平台开启计费插件 (billing mode unavailable)")
    return mode


def version_in_force(rule: BillingRule, at: datetime) -> RuleVersion:
    """The version in force at ``at``; 409 when the rule has none yet."""
    version = version_at(rule, at)
    if version is None:
        raise Conflict(f"计费规则「{rule.name}」在该时间尚未生效 (the rule was not in force then)")
    return version


def tariff_for(rule: BillingRule, at: datetime) -> Tariff:
    """The compiled tariff of the version in force at ``at`` (cached)."""
    version = version_in_force(rule, at)
    return compiled(mode_of(version), version.params, version.id)[1]


def price(rule: BillingRule, started_at: datetime, usage: Usage) -> Bill:
    """The bill of ``usage`` under the version in force when the session **started**."""
    return tariff_for(rule, started_at).price(usage)


def rule_for_area(vehicle: str, area_id: int, at: datetime | None = None) -> BillingRule | None:
    """The enabled rule of an area that has a version in force at ``at`` (default now), or ``None``."""
    side = SIDES[vehicle]
    rule = db.session.execute(sa.select(side.rule).where(side.rule.area_id == area_id, side.rule.enabled.is_(True))
                              .order_by(side.rule.id)).scalars().first()
    if rule is None or version_at(rule, at or utcnow()) is None:
        return None
    return rule
