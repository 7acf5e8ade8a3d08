"""设备管理 (3.3.3): add (with its sockets), edit, enable / disable, delete, device actions.

Rules:

- a device goes under an enabled area of an approved, enabled station whose provider and property
  still accept children; its ``factory_id`` is unique;
- it has 2–12 sockets, numbered 1..N, fixed at creation;
- current lower limit ≤ upper limit; deployment date ≥ production date (checked on the merged
  values when editing);
- it cannot be deleted while one of its sockets is charging; deleting removes its sockets too;
- device actions (refresh_state, reboot) go through :func:`.common.device_command`;
- a device gets its own broker account (MQTT 账号) when it is added; disabling, enabling and deleting
  the device update the broker (:mod:`chargehub.devices.accounts`).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket, SocketState
from chargehub.assets.services.common import (
    device_command,
    ensure_accepting,
    ensure_owner_accepting,
    ensure_unique,
    next_code,
)
from chargehub.contracts.devices import CommandResult
from chargehub.devices.accounts import issue_password, schedule_delete, schedule_sync
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.scope import get_or_404

CODE_PREFIX = "SB"
MIN_SOCKETS, MAX_SOCKETS = 2, 12
#: 修改 changes these (``area_id``, ``factory_id`` and ``socket_count`` are fixed).
EDITABLE = ("name", "device_type", "position", "rated_power_w", "rated_voltage_v", "rated_current_a",
            "current_upper_a", "current_lower_a", "produced_on", "deployed_on", "protocol")
COMMANDS = ("refresh_state", "reboot")


def check_limits(values: Mapping[str, Any]) -> None:
    """Lower current limit ≤ upper; deployment date ≥ production date (when both are given)."""
    errors: dict[str, list[str]] = {}
    lower, upper = values.get("current_lower_a"), values.get("current_upper_a")
    if lower is not None and upper is not None and lower > upper:
        errors["current_lower_a"] = ["电流下限不能大于电流上限 (lower current limit above the upper one)"]
    produced, deployed = values.get("produced_on"), values.get("deployed_on")
    if produced is not None and deployed is not None and deployed < produced:
        errors["deployed_on"] = ["投放日期不能早于生产日期 (deployed before it was produced)"]
    if errors:
        raise ValidationFailed(errors)


def create_device(data: Mapping[str, Any]) -> BikeDevice:
    """Add a device under ``data["area_id"]`` with sockets 1..``socket_count``."""
    area = get_or_404(BikeArea, data["area_id"])
    station = db.session.get(BikeStation, area.station_id)
    ensure_owner_accepting(station.provider_id, station.property_id, "area_id")
    ensure_accepting(station, "area_id", audited=True)
    ensure_accepting(area, "area_id")
    count = data.get("socket_count", 10)
    if not MIN_SOCKETS <= count <= MAX_SOCKETS:
        raise ValidationFailed(f"插座数量须为 {MIN_SOCKETS}–{MAX_SOCKETS} ({MIN_SOCKETS} to {MAX_SOCKETS} sockets)",
                               "socket_count")
    check_limits(data)
    ensure_unique(BikeDevice, BikeDevice.factory_id, data["factory_id"], "factory_id", label="出厂标识")
    device = BikeDevice(provider_id=area.provider_id, property_id=area.property_id, station_id=area.station_id,
                        area_id=area.id, code=next_code(BikeDevice, CODE_PREFIX), factory_id=data["factory_id"],
                        socket_count=count, **{k: data[k] for k in EDITABLE if k in data})
    issue_password(device)
    db.session.add(device)
    db.session.flush()
    for number in range(1, count + 1):
        db.session.add(Socket(provider_id=device.provider_id, property_id=device.property_id,
                              station_id=device.station_id, area_id=device.area_id, device_id=device.id,
                              number=number, state=SocketState.IDLE))
    record("bike_device.create", target=device, code=device.code, factory_id=device.factory_id, socket_count=count)
    db.session.commit()
    schedule_sync(device.id)
    return device


def update_device(device: BikeDevice, data: Mapping[str, Any]) -> BikeDevice:
    """修改: the :data:`EDITABLE` fields, checked together with the values they do not change."""
    check_limits({k: data.get(k, getattr(device, k)) for k in EDITABLE})
    changed = sorted(k for k in EDITABLE if k in data)
    for key in changed:
        setattr(device, key, data[key])
    record("bike_device.update", target=device, fields=changed)
    db.session.commit()
    return device


def set_device_enabled(device: BikeDevice, enabled: bool) -> BikeDevice:
    """启用 / 禁用. A disabled device is 停用 to drivers."""
    device.enabled = enabled
    record("bike_device.enable" if enabled else "bike_device.disable", target=device)
    db.session.commit()
    schedule_sync(device.id)
    return device


def delete_device(device: BikeDevice) -> None:
    """删除 the device and its sockets; refused (409) while a socket is charging."""
    sockets = db.session.execute(sa.select(Socket).where(Socket.device_id == device.id)
                                 .order_by(Socket.number)).scalars().all()
    busy = [str(s.number) for s in sockets if s.state is SocketState.CHARGING]
    if busy:
        raise Conflict(f"设备的 {', '.join(busy)} 号插座正在充电，不能删除，请等待充电结束 "
                       f"(a socket is charging; wait until it finishes)")
    # sockets first, in one statement: the ORM knows no relationship to order the two deletes by
    db.session.execute(sa.delete(Socket).where(Socket.device_id == device.id))
    record("bike_device.delete", target=device, code=device.code, factory_id=device.factory_id)
    username, protocol = device.factory_id, device.protocol
    db.session.delete(device)
    db.session.commit()
    schedule_delete(username, protocol)


def device_action(device: BikeDevice, name: str) -> CommandResult:
    """Send ``refresh_state`` or ``reboot``; an unconnected device answers ``offline`` at once."""
    if name not in COMMANDS:
        raise ValidationFailed(f"不支持的命令 (unknown command); 可选: {', '.join(COMMANDS)}", "name")
    return device_command(device, device.factory_id, name)


def annotate_devices(devices: Iterable[BikeDevice]) -> list[BikeDevice]:
    """Set ``station_name``, ``area_name`` and ``charging_count`` (sockets charging now) on each device."""
    devices = list(devices)
    stations = dict(db.session.execute(sa.select(BikeStation.id, BikeStation.name).where(
        BikeStation.id.in_({d.station_id for d in devices} or {-1}))).all())
    areas = dict(db.session.execute(sa.select(BikeArea.id, BikeArea.name).where(
        BikeArea.id.in_({d.area_id for d in devices} or {-1}))).all())
    charging = dict(db.session.execute(sa.select(Socket.device_id, sa.func.count()).where(
        Socket.device_id.in_({d.id for d in devices} or {-1}), Socket.state == SocketState.CHARGING)
        .group_by(Socket.device_id)).all())
    for device in devices:
        device.station_name = stations.get(device.station_id)
        device.area_name = areas.get(device.area_id)
        device.charging_count = charging.get(device.id, 0)
    return devices
