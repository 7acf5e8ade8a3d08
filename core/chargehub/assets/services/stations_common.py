"""What car and e-bike stations share in their services: owner, audit, state, history.

A station belongs to a property (物业) and, through it, to a service provider. Both sides use these
helpers with their own model and audit-log action prefix (``"car_station"``, ``"bike_station"``).
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from chargehub.assets.services.common import ensure_owner_accepting
from chargehub.db import current_actor, utcnow
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import AuditLog, record
from chargehub.tenancy.models import AuditState, Property, ServiceProvider, User, UserType
from chargehub.tenancy.scope import get_or_404
from chargehub.tenancy.services.tenants import property_accepting


def resolve_owner(data: Mapping[str, Any], actor: User) -> tuple[int, int]:
    """The (provider_id, property_id) a new station goes under, checked against the caller's scope.

    A property user adds stations to their own property; other users name the property
    (``property_id``) and may name its provider (``provider_id``, which must then match).
    Unknown or foreign ids answer 404; a disabled or unapproved owner answers 422.
    """
    property_id = data.get("property_id") or (actor.property_id if actor.user_type is UserType.PROPERTY else None)
    if not property_id:
        raise ValidationFailed("请选择所属物业 (choose the property)", "property_id")
    provider_id = data.get("provider_id")
    if provider_id:
        get_or_404(ServiceProvider, provider_id)
    prop: Property = property_accepting(property_id)
    if provider_id and provider_id != prop.provider_id:
        raise ValidationFailed("物业不属于所选服务商 (the property belongs to another service provider)", "property_id")
    return prop.provider_id, prop.id


def update_station(station, data: Mapping[str, Any], fields: tuple[str, ...], action: str):
    """Change the editable ``fields`` present in ``data``; the owner never changes."""
    changed = sorted(k for k in fields if k in data)
    for key in changed:
        setattr(station, key, data[key])
    record(f"{action}.update", target=station, fields=changed)
    db.session.commit()
    return station


def audit_station(station, approved: bool, remark: str, action: str):
    """审核: approve or reject (a rejection needs its reason). An approved station cannot be audited again."""
    if station.audit_state is AuditState.APPROVED:
        raise Conflict("该电站已审核通过 (the station is already approved)")
    remark = (remark or "").strip()
    if not approved and not remark:
        raise ValidationFailed("驳回时请填写原因 (give the reason for rejecting)", "remark")
    station.audit_state = AuditState.APPROVED if approved else AuditState.REJECTED
    station.audit_remark = remark
    station.audited_at = utcnow()
    station.audited_by = current_actor()
    record(f"{action}.audit", target=station, approved=approved, remark=remark)
    db.session.commit()
    return station


def set_station_enabled(station, enabled: bool, action: str):
    """启用 / 禁用. Enabling needs an owner that still accepts children; disabling always works."""
    if enabled:
        ensure_owner_accepting(station.provider_id, station.property_id, "enabled")
    station.enabled = enabled
    record(f"{action}.enable" if enabled else f"{action}.disable", target=station)
    db.session.commit()
    return station


#: Words for the station's audit-log actions (the part after ``car_station.`` / ``bike_station.``).
ACTION_LABELS = {"create": "创建", "update": "修改", "audit": "审核", "enable": "启用", "disable": "禁用",
                 "invoice_config": "发票配置", "payment_config": "支付配置"}


def station_history(station, limit: int = 50) -> list[dict[str, Any]]:
    """The station's audit-log entries (create, edits, audits, state changes), newest first.

    ``station`` was loaded through the scope helper, so whoever sees it sees its history; the log is
    narrowed to the station's own provider (property users see it too, unlike the tenant-wide log).
    """
    stmt = sa.select(AuditLog).where(AuditLog.provider_id == station.provider_id,
                                      AuditLog.target_type == station.__tablename__, AuditLog.target_id == station.id)
    rows = db.session.execute(stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)).scalars().all()
    names = dict(db.session.execute(sa.select(User.id, User.name).where(
        User.id.in_({r.actor_id for r in rows if r.actor_id} or {-1}))).all())
    return [{"at": r.at, "action": r.action, "action_label": ACTION_LABELS.get(r.action.rpartition(".")[2], r.action),
             "actor_name": names.get(r.actor_id), "success": r.success, "detail": r.detail} for r in rows]
