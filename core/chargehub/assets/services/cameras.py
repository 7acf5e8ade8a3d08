"""相机管理 (3.2.4): parking cameras — add, edit, enable / disable, device actions.

A camera sits in an area and watches up to two spaces of that area (left and right); each space is
watched by one camera at most. A disabled camera recognises no plates and refuses every action.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Mapping

import sqlalchemy as sa

from chargehub.assets.car_models import CarArea, CarStation, Camera, ParkingSpace
from chargehub.assets.services.common import device_command, ensure_accepting, ensure_unique, next_code
from chargehub.contracts.devices import CommandResult
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.scope import get_or_404

CODE_PREFIX = "C"
EDITABLE = ("factory_id", "ip", "name", "sim", "left_space_id", "right_space_id")
#: Device actions of the manual: 重启设备, 同步时钟, 手动抓拍, 同步地锁状态, 刷新相机状态, 开锁 / 关锁.
COMMANDS = ("reboot", "sync_clock", "capture", "sync_lock_state", "refresh_state", "lock", "unlock")
SIDES = {"left_space_id": "左车位", "right_space_id": "右车位"}


def validate_ip(value: str) -> str:
    """A valid IPv4 or IPv6 address (empty allowed); raises :class:`ValidationFailed` on ``ip``."""
    value = (value or "").strip()
    if value:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValidationFailed(f"相机IP「{value}」不是有效的 IPv4/IPv6 地址 (not an IP address)", "ip") from None
    return value


def _check_spaces(area: CarArea, values: Mapping[str, Any], camera_id: int | None) -> None:
    """Left / right spaces: in the camera's area, different, and not watched by another camera."""
    chosen = {field: values.get(field) for field in SIDES if values.get(field)}
    if len(chosen) == 2 and chosen["left_space_id"] == chosen["right_space_id"]:
        raise ValidationFailed("左车位和右车位不能相同 (left and right must differ)", "right_space_id")
    for field, space_id in chosen.items():
        space = get_or_404(ParkingSpace, space_id)
        if space.area_id != area.id:
            raise ValidationFailed(f"{SIDES[field]}「{space.name}」不在相机所在区域 (the space is in another area)", field)
        stmt = sa.select(Camera.name).where(sa.or_(Camera.left_space_id == space_id, Camera.right_space_id == space_id))
        if camera_id is not None:
            stmt = stmt.where(Camera.id != camera_id)
        other = db.session.execute(stmt).scalar()
        if other is not None:
            raise ValidationFailed(f"{SIDES[field]}「{space.name}」已被相机「{other}」使用 (watched by another camera)", field)


def create_camera(data: Mapping[str, Any]) -> Camera:
    """添加: a camera in an area the caller may see, under an enabled station and area."""
    area = get_or_404(CarArea, data["area_id"])
    ensure_accepting(db.session.get(CarStation, area.station_id), "area_id")
    ensure_accepting(area, "area_id")
    factory_id = data["factory_id"].strip()
    ensure_unique(Camera, Camera.factory_id, factory_id, "factory_id", label="相机出厂标识")
    ip = validate_ip(data.get("ip", ""))
    _check_spaces(area, data, None)
    camera = Camera(provider_id=area.provider_id, property_id=area.property_id, station_id=area.station_id,
                    area_id=area.id, code=next_code(Camera, CODE_PREFIX), factory_id=factory_id, ip=ip,
                    name=data["name"], sim=data.get("sim") or "", left_space_id=data.get("left_space_id"),
                    right_space_id=data.get("right_space_id"))
    db.session.add(camera)
    db.session.flush()
    record("camera.create", target=camera, factory_id=factory_id)
    db.session.commit()
    return camera


def update_camera(camera: Camera, data: Mapping[str, Any]) -> Camera:
    """修改: factory id, IP, name, SIM and left / right spaces (the area never changes)."""
    changed = {k: data[k] for k in EDITABLE if k in data}
    if "factory_id" in changed:
        changed["factory_id"] = changed["factory_id"].strip()
        ensure_unique(Camera, Camera.factory_id, changed["factory_id"], "factory_id", exclude_id=camera.id,
                      label="相机出厂标识")
    if "ip" in changed:
        changed["ip"] = validate_ip(changed["ip"])
    merged = {field: changed.get(field, getattr(camera, field)) for field in SIDES}
    _check_spaces(db.session.get(CarArea, camera.area_id), merged, camera.id)
    for key, value in changed.items():
        setattr(camera, key, value)
    record("camera.update", target=camera, fields=sorted(changed))
    db.session.commit()
    return camera


def set_camera_enabled(camera: Camera, enabled: bool) -> Camera:
    """启用 / 禁用; a disabled camera recognises no plates and takes no manual capture or lock command."""
    camera.enabled = enabled
    record("camera.enable" if enabled else "camera.disable", target=camera)
    db.session.commit()
    return camera


def camera_command(camera: Camera, name: str) -> CommandResult:
    """Send device action ``name`` (one of :data:`COMMANDS`) to ``camera`` through the command bus.

    :raises ValidationFailed: unknown action (422).
    :raises Conflict: the camera is disabled (409).
    """
    if name not in COMMANDS:
        raise ValidationFailed(f"未知的相机指令 {name}，可选: {', '.join(COMMANDS)} (unknown camera command)", "name")
    if not camera.enabled:
        raise Conflict(f"相机已禁用，请先启用相机「{camera.name}」 (the camera is disabled)")
    return device_command(camera, camera.factory_id, name)
