"""计费规则 (3.2.7 car, 3.3.5 e-bike): add, edit, enable / disable, delete, and what lists show.

Rules:

- a rule goes under an area of a station the caller may see; both must be enabled (a disabled station
  or area blocks adding rules) and the area must belong to the station;
- its mode must be a mode of that side and its params must pass the mode's ``rule_schema``
  (messages under ``params.<field>``; nothing is saved on error);
- an area has at most one **enabled** rule: adding or enabling a second one is refused, naming it;
- edits of the name apply at once; edits of the mode / params become a version in force from the next
  local midnight (:mod:`.versions`);
- deleting a rule deletes its versions; an area with rules cannot be deleted (:func:`ensure_area_has_no_rules`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from chargehub.api.audit_fields import annotate_names
from chargehub.billing.modes import find_mode, mode_for, registry, validate_params
from chargehub.billing.services.pricing import compiled
from chargehub.billing.services.versions import (
    add_first_version,
    latest_version,
    pending_version,
    schedule_change,
    version_at,
)
from chargehub.billing.sides import SIDES, BillingRule, RuleVersion, side_of
from chargehub.db import utcnow
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.scope import get_or_404


def _enabled_rule_of(rule_model, area_id: int, exclude_id: int | None = None):
    stmt = sa.select(rule_model).where(rule_model.area_id == area_id, rule_model.enabled.is_(True))
    if exclude_id is not None:
        stmt = stmt.where(rule_model.id != exclude_id)
    return db.session.execute(stmt.order_by(rule_model.id)).scalars().first()


def _one_enabled_message(existing: BillingRule) -> str:
    return (f"该区域已有启用的计费规则「{existing.name}」，请先禁用它 "
            f"(the area already has an enabled billing rule: {existing.name})")


def create_rule(vehicle: str, data: Mapping[str, Any], now: datetime | None = None) -> BillingRule:
    """添加: station, area, name, mode, params (and ``enabled``, default on). Version 1 is in force at once."""
    side = SIDES[vehicle]
    now = now or utcnow()
    station = get_or_404(side.station, data["station_id"])
    area = get_or_404(side.area, data["area_id"])
    if area.station_id != station.id:
        raise ValidationFailed("区域不属于所选电站 (the area is not in this station)", "area_id")
    if not station.enabled:
        raise ValidationFailed(f"电站「{station.name}」已禁用，不能添加计费规则 (station disabled)", "station_id")
    if not area.enabled:
        raise ValidationFailed(f"区域「{area.name}」已禁用，不能添加计费规则 (area disabled)", "area_id")
    mode = mode_for(vehicle, data["mode"])
    params = validate_params(mode, data["params"])
    enabled = data.get("enabled", True)
    if enabled and (existing := _enabled_rule_of(side.rule, area.id)) is not None:
        raise ValidationFailed(_one_enabled_message(existing), "area_id")
    rule = side.rule(provider_id=station.provider_id, property_id=station.property_id, station_id=station.id,
                     area_id=area.id, name=data["name"], mode=mode.identifier, enabled=enabled, options=[])
    add_first_version(rule, mode.identifier, params, now)
    db.session.add(rule)
    db.session.flush()
    record(f"{vehicle}_billing_rule.create", target=rule, area_id=area.id, name=rule.name, mode=rule.mode)
    db.session.commit()
    return rule


def update_rule(rule: BillingRule, data: Mapping[str, Any], now: datetime | None = None) -> BillingRule:
    """修改: ``name`` at once; ``mode`` / ``params`` as a version in force from the next local midnight.

    A new mode needs its params. A pending version is replaced rather than joined by another one.
    """
    side = side_of(rule)
    now = now or utcnow()
    newest = latest_version(rule)
    new_mode = data.get("mode") or newest.mode
    if new_mode != newest.mode and "params" not in data:
        raise ValidationFailed("更换计费方式须同时填写计费参数 (a new mode needs its params)", "params")
    fields = []
    if "params" in data or new_mode != newest.mode:
        mode = mode_for(side.vehicle, new_mode)
        params = validate_params(mode, data["params"])
        schedule_change(rule, mode.identifier, params, now)
        rule.mode = latest_version(rule).mode
        fields.append("params")
    if "name" in data:
        rule.name = data["name"]
        fields.append("name")
    record(f"{side.vehicle}_billing_rule.update", target=rule, fields=fields)
    db.session.commit()
    return rule


def set_rule_enabled(rule: BillingRule, enabled: bool) -> BillingRule:
    """启用 / 禁用; enabling is refused (409) while another rule of the area is enabled."""
    side = side_of(rule)
    if enabled and (existing := _enabled_rule_of(side.rule, rule.area_id, exclude_id=rule.id)) is not None:
        raise Conflict(_one_enabled_message(existing))
    rule.enabled = enabled
    record(f"{side.vehicle}_billing_rule.{'enable' if enabled else 'disable'}", target=rule)
    db.session.commit()
    return rule


def delete_rule(rule: BillingRule) -> None:
    """删除 a rule and its versions."""
    side = side_of(rule)
    record(f"{side.vehicle}_billing_rule.delete", target=rule, name=rule.name, area_id=rule.area_id)
    db.session.delete(rule)
    db.session.commit()


def rule_count(vehicle: str, area_id: int) -> int:
    """How many billing rules (enabled or not) an area has."""
    model = SIDES[vehicle].rule
    return db.session.execute(sa.select(sa.func.count()).select_from(model).where(model.area_id == area_id)).scalar_one()


def ensure_area_has_no_rules(vehicle: str, area_id: int) -> None:
    """Refuse (409) deleting an area that still has billing rules."""
    if count := rule_count(vehicle, area_id):
        raise Conflict(f"区域下有计费规则，请先删除计费规则 (delete the area's billing rules first; {count} left)")


# ------------------------------------------------------------------------------------------ display


def _describe(version: RuleVersion | None, modes) -> str | None:
    if version is None:
        return None
    mode = find_mode(version.mode, modes)
    if mode is None:
        return f"计费方式「{version.mode}」不可用 (mode unavailable)"
    return mode.describe(compiled(mode, version.params, version.id)[0])


def annotate_rules(rules: Iterable[BillingRule], now: datetime | None = None, *, detail: bool = False) -> list:
    """Set what lists (and, with ``detail``, the detail page) show on each rule; return the rules.

    Items: ``station_name``, ``area_name``, ``mode_name``, ``description`` / ``effective_from`` of the
    version in force, ``pending_from``. Detail adds ``params``, ``pending_params``, ``pending_mode`` and
    ``version_list`` (newest first, each with its ``description``).
    """
    rules = list(rules)
    if not rules:
        return rules
    now = now or utcnow()
    side = side_of(rules[0])
    db.session.execute(sa.select(side.rule).where(side.rule.id.in_({r.id for r in rules}))
                       .options(selectinload(side.rule.versions))).scalars().all()
    annotate_names(rules, station_name=("station_id", side.station), area_name=("area_id", side.area))
    modes = registry()
    for rule in rules:
        current, pending = version_at(rule, now), pending_version(rule, now)
        mode = modes.get(rule.mode)
        rule.mode_name = mode.verbose_name if mode else rule.mode
        rule.description = _describe(current, modes)
        rule.effective_from = current.effective_from if current else None
        rule.pending_from = pending.effective_from if pending else None
        if detail:
            rule.params = current.params if current else None
            rule.current_mode = current.mode if current else None
            rule.pending_params = pending.params if pending else None
            rule.pending_mode = pending.mode if pending else None
            rule.version_list = [{"number": v.number, "mode": v.mode, "effective_from": v.effective_from,
                                  "params": v.params, "description": _describe(v, modes),
                                  "created_at": v.created_at, "created_by": v.created_by}
                                 for v in sorted(rule.versions, key=lambda v: v.number, reverse=True)]
    return rules
