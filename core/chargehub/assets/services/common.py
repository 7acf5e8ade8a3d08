"""Rules every asset service shares: who may get children, codes, device commands.

Cascade (the manual, per level): a disabled station gets no new areas, piles, devices or billing
rules and is hidden from drivers; a disabled area gets no new piles / devices / billing rules; a
disabled pile gets no guns. :func:`ensure_accepting` is the one check for all of them.
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa

from chargehub.contracts.devices import CommandResult, DeviceCommand
from chargehub.errors import ValidationFailed
from chargehub.extensions import command_bus, db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.models import AuditState, Property, ServiceProvider
from chargehub.tenancy.services.guards import ensure_property_accepts_children, ensure_provider_accepts_children

LABELS = {"car_station": "电站", "bike_station": "电站", "car_area": "区域", "bike_area": "区域", "pile": "充电桩",
          "bike_device": "设备"}


def ensure_accepting(row, field: str, *, audited: bool = False) -> None:
    """Refuse adding children under a disabled row (station, area, pile, device) — 422 on ``field``.

    ``audited``: a station must also have passed its audit (审核) before piles / devices go under it.
    """
    label = LABELS.get(row.__tablename__, "上级")
    if not row.enabled:
        raise ValidationFailed(f"{label}「{row.name}」已禁用，不能在其下添加 ({label} is disabled)", field)
    if audited and getattr(row, "audit_state", AuditState.APPROVED) is not AuditState.APPROVED:
        raise ValidationFailed(f"{label}「{row.name}」尚未审核通过 (the station is not approved yet)", field)


def ensure_owner_accepting(provider_id: int, property_id: int, field: str) -> None:
    """The station's provider and property must both accept new children."""
    ensure_provider_accepts_children(db.session.get(ServiceProvider, provider_id), field)
    ensure_property_accepts_children(db.session.get(Property, property_id), field)


def next_code(model, prefix: str, width: int = 8) -> str:
    """A new unique human-facing code (``A00000042``-style: prefix + zero-padded number)."""
    for _ in range(5):
        count = db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
        code = f"{prefix}{count + 1:0{width}d}"
        if not db.session.execute(sa.select(model.id).where(model.code == code)).first():
            return code
    return f"{prefix}{secrets.randbelow(10 ** width):0{width}d}"


def ensure_unique(model, column, value, field: str, exclude_id: int | None = None, label: str = "") -> None:
    """422 on ``field`` when another row already has ``value`` in ``column`` (e.g. a factory id)."""
    stmt = sa.select(model.id).where(column == value)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    if db.session.execute(stmt).first():
        raise ValidationFailed(f"{label or '该值'}「{value}」已存在 (already used)", field)


def device_command(target, device_id: str, name: str, params: dict | None = None, *,
                   timeout: float | None = None) -> CommandResult:
    """Send a device action through the command bus and write it to the audit log.

    An unconnected device answers ``offline`` at once (the bus knows which gateway holds which device).
    ``timeout`` defaults to ``CHARGEHUB_COMMAND_TIMEOUT``.
    """
    command = DeviceCommand(device_id=device_id, name=name, params=params or {},
                            protocol=getattr(target, "protocol", "") or "")
    result = command_bus.send(command, timeout=timeout)
    record(f"device.{name}", target=target, device_id=device_id, status=result.status.value, reason=result.reason)
    db.session.commit()
    return result
