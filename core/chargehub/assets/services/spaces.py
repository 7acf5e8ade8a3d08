"""车位管理 (3.2.3): parking spaces — batch add, edit, enable / disable, ground-lock commands.

A disabled space cannot be reserved. Locks are driven by the camera watching the space (its left or
right space): 开锁 / 关锁 go to that camera through the command bus.
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from chargehub.assets.car_models import CarArea, CarStation, Camera, Gun, LockType, ParkingSpace, Pile
from chargehub.assets.services.common import device_command, ensure_accepting, next_code
from chargehub.contracts.devices import CommandResult
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.scope import get_or_404, scoped

CODE_PREFIX = "P"
DEFAULT_PREFIX = "车位"
MAX_BATCH = 200
LOCK_COMMANDS = ("lock", "unlock")


def create_spaces(data: Mapping[str, Any]) -> list[ParkingSpace]:
    """批量添加: ``count`` (1–200) spaces in an area, named ``<prefix>001``… after the area's existing ones."""
    area = get_or_404(CarArea, data["area_id"])
    ensure_accepting(db.session.get(CarStation, area.station_id), "area_id")
    ensure_accepting(area, "area_id")
    count = data["count"]
    if not 1 <= count <= MAX_BATCH:
        raise ValidationFailed(f"数量须为 1–{MAX_BATCH} (count must be 1–{MAX_BATCH})", "count")
    prefix = (data.get("name_prefix") or DEFAULT_PREFIX).strip() or DEFAULT_PREFIX
    start = db.session.execute(sa.select(sa.func.count(ParkingSpace.id))
                               .where(ParkingSpace.area_id == area.id)).scalar_one()
    created = []
    for number in range(start + 1, start + count + 1):
        space = ParkingSpace(provider_id=area.provider_id, property_id=area.property_id, station_id=area.station_id,
                             area_id=area.id, code=next_code(ParkingSpace, CODE_PREFIX), name=f"{prefix}{number:03d}",
                             lock_type=LockType(data.get("lock_type") or LockType.NONE))
        db.session.add(space)
        db.session.flush()  # next_code counts the rows flushed so far
        created.append(space)
    record("parking_space.create", target=area, area_id=area.id, count=count, lock_type=created[0].lock_type.value)
    db.session.commit()
    return created


def update_space(space: ParkingSpace, data: Mapping[str, Any]) -> ParkingSpace:
    """修改: name, lock type and, for a 地锁（桩控）, the gun whose pile controls the lock (same area)."""
    changed = {k: data[k] for k in ("name", "lock_type", "gun_id") if k in data}
    if changed.get("gun_id") is not None:
        gun = db.session.execute(scoped(sa.select(Gun).where(Gun.id == changed["gun_id"]), Gun)).scalar_one_or_none()
        if gun is None or gun.area_id != space.area_id:
            raise ValidationFailed("控锁电枪须为本区域的电枪 (the gun must be in the space's area)", "gun_id")
    for key, value in changed.items():
        setattr(space, key, value)
    record("parking_space.update", target=space, fields=sorted(changed))
    db.session.commit()
    return space


def set_space_enabled(space: ParkingSpace, enabled: bool) -> ParkingSpace:
    """启用 / 禁用; a disabled space cannot be reserved."""
    space.enabled = enabled
    record("parking_space.enable" if enabled else "parking_space.disable", target=space)
    db.session.commit()
    return space


def watching_camera(space: ParkingSpace) -> Camera | None:
    """The camera whose left or right space ``space`` is, if any."""
    stmt = sa.select(Camera).where(sa.or_(Camera.left_space_id == space.id, Camera.right_space_id == space.id))
    return db.session.execute(scoped(stmt, Camera)).scalars().first()


def lock_command(space: ParkingSpace, name: str) -> CommandResult:
    """开锁 (``unlock``) / 关锁 (``lock``) the ground lock of ``space``: through the pile of its gun for a
    地锁（桩控） with a gun set (YKC 0x62), else through the camera watching it.

    :raises ValidationFailed: no camera watches the space (422).
    :raises Conflict: the camera is disabled (409).
    """
    if name not in LOCK_COMMANDS:
        raise ValidationFailed(f"未知的地锁指令 {name} (unknown lock command)", "name")
    if space.lock_type is LockType.GROUND_LOCK and space.gun_id is not None:
        gun = db.session.get(Gun, space.gun_id)
        pile = db.session.get(Pile, gun.pile_id)
        if not pile.enabled:
            raise Conflict(f"充电桩已禁用，请先启用充电桩「{pile.name}」 (the pile is disabled)")
        return device_command(space, pile.factory_id, "lock",
                              {"gun": gun.number, "action": "up" if name == "lock" else "down"})
    camera = watching_camera(space)
    if camera is None:
        raise ValidationFailed("该车位没有可控制的地锁设备 (no device controls this space's lock)", "space_id")
    if not camera.enabled:
        raise Conflict(f"相机已禁用，请先启用相机「{camera.name}」 (the camera is disabled)")
    side = "left" if camera.left_space_id == space.id else "right"
    return device_command(space, camera.factory_id, name, {"side": side, "space_code": space.code})
