"""Rule versions: which version is in force when, and how a saved change becomes a version.

- The first version of a rule takes effect at once (its creation instant, to the second).
- A later change of the mode or the parameters takes effect at the **next local midnight** after it is
  saved (当日24:00生效; the operators' zone is ``settings()["TIMEZONE"]``). While such a version is still
  pending, saving again replaces it in place instead of piling up versions.
- The version in force at ``T`` is the one with the greatest ``effective_from`` ≤ ``T``.

Every function takes the clock (``now`` / ``at``) as an argument so callers and tests control it.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from chargehub.billing.sides import BillingRule, RuleVersion, side_of
from chargehub.config import settings
from chargehub.db import current_actor
from chargehub.extensions import db


def operator_zone() -> ZoneInfo:
    """The operators' time zone (tariff times, "midnight")."""
    return ZoneInfo(settings()["TIMEZONE"])


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("billing times must be timezone-aware")
    return moment


def next_midnight(now: datetime) -> datetime:
    """The next local midnight strictly after ``now`` (aware UTC)."""
    local = _aware(now).astimezone(operator_zone())
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min, operator_zone())
    return midnight.astimezone(timezone.utc)


def version_at(rule: BillingRule, at: datetime) -> RuleVersion | None:
    """The version in force at ``at``: greatest ``effective_from`` ≤ ``at`` (``None`` before the first)."""
    at = _aware(at)
    current = None
    for version in rule.versions:
        if version.effective_from <= at and (current is None or version.effective_from >= current.effective_from):
            current = version
    return current


def pending_version(rule: BillingRule, now: datetime) -> RuleVersion | None:
    """The saved version not yet in force at ``now`` (at most one exists), or ``None``."""
    later = [v for v in rule.versions if v.effective_from > _aware(now)]
    return max(later, key=lambda v: v.effective_from) if later else None


def latest_version(rule: BillingRule) -> RuleVersion | None:
    """The newest saved version (the pending one when there is one)."""
    return max(rule.versions, key=lambda v: v.number) if rule.versions else None


def add_first_version(rule: BillingRule, mode: str, params: dict[str, Any], now: datetime) -> RuleVersion:
    """Version 1 of a new rule, in force from ``now`` (to the whole second, as pricing counts time)."""
    version = side_of(rule).version(number=1, mode=mode, params=params, effective_from=_aware(now).replace(microsecond=0),
                                    created_at=now, created_by=current_actor())
    rule.versions.append(version)
    return version


def schedule_change(rule: BillingRule, mode: str, params: dict[str, Any], now: datetime) -> RuleVersion | None:
    """Save a change of mode / params made at ``now``: in force from the next local midnight.

    A pending version is updated in place; a change back to the version in force drops the pending
    one; a change equal to the newest version does nothing. Returns the pending version (or ``None``).
    """
    pending = pending_version(rule, now)
    current = version_at(rule, now)
    newest = pending or current
    if newest is not None and newest.mode == mode and newest.params == params:
        return pending
    if pending is not None and current is not None and current.mode == mode and current.params == params:
        rule.versions.remove(pending)
        db.session.delete(pending)
        return None
    effective = next_midnight(now)
    if pending is not None:
        pending.mode, pending.params, pending.effective_from = mode, params, effective
        pending.created_at, pending.created_by = now, current_actor()
        return pending
    version = side_of(rule).version(number=max(v.number for v in rule.versions) + 1, mode=mode, params=params,
                                    effective_from=effective, created_at=now, created_by=current_actor())
    rule.versions.append(version)
    return version
