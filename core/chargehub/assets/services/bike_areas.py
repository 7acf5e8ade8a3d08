"""区域管理（单车）(3.3.2): add, edit, enable / disable, delete, device and socket counts.

A disabled area gets no new devices or billing rules and its devices are hidden from drivers.
An area cannot be deleted while it has devices or billing rules (计费规则): they must be deleted first.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket
from chargehub.assets.services.bike_stations import new_area
from chargehub.assets.services.common import ensure_accepting, ensure_owner_accepting
from chargehub.billing.services.rules import ensure_area_has_no_rules
from chargehub.errors import Conflict
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.scope import get_or_404

EDITABLE = ("name", "phone")


def create_bike_area(data: Mapping[str, Any]) -> BikeArea:
    """Add an area (name, phone) to an enabled station whose owner still accepts children."""
    station = get_or_404(BikeStation, data["station_id"])
    ensure_owner_accepting(station.provider_id, station.property_id, "station_id")
    ensure_accepting(station, "station_id")
    area = new_area(station, data["name"], data.get("phone", ""))
    record("bike_area.create", target=area, code=area.code, name=area.name)
    db.session.commit()
    return area


def update_bike_area(area: BikeArea, data: Mapping[str, Any]) -> BikeArea:
    """修改: name and phone."""
    changed = sorted(k for k in EDITABLE if k in data)
    for key in changed:
        setattr(area, key, data[key])
    record("bike_area.update", target=area, fields=changed)
    db.session.commit()
    return area


def set_bike_area_enabled(area: BikeArea, enabled: bool) -> BikeArea:
    """启用 / 禁用."""
    area.enabled = enabled
    record("bike_area.enable" if enabled else "bike_area.disable", target=area)
    db.session.commit()
    return area


def delete_bike_area(area: BikeArea) -> None:
    """删除: refused (409) while the area has devices or billing rules — they must be deleted first."""
    devices = db.session.execute(sa.select(sa.func.count()).select_from(BikeDevice)
                                 .where(BikeDevice.area_id == area.id)).scalar_one()
    if devices:
        raise Conflict(f"区域下有 {devices} 台设备，请先删除设备 (delete its devices first)")
    ensure_area_has_no_rules("bike", area.id)
    record("bike_area.delete", target=area, code=area.code, name=area.name)
    db.session.delete(area)
    db.session.commit()


def annotate_bike_areas(areas: Iterable[BikeArea]) -> list[BikeArea]:
    """Set ``station_name``, ``device_count`` and ``socket_count`` on each area (grouped queries)."""
    areas = list(areas)
    ids = {a.id for a in areas} or {-1}
    devices = dict(db.session.execute(sa.select(BikeDevice.area_id, sa.func.count()).where(
        BikeDevice.area_id.in_(ids)).group_by(BikeDevice.area_id)).all())
    sockets = dict(db.session.execute(sa.select(Socket.area_id, sa.func.count()).where(
        Socket.area_id.in_(ids)).group_by(Socket.area_id)).all())
    stations = dict(db.session.execute(sa.select(BikeStation.id, BikeStation.name).where(
        BikeStation.id.in_({a.station_id for a in areas} or {-1}))).all())
    for area in areas:
        area.station_name = stations.get(area.station_id)
        area.device_count = devices.get(area.id, 0)
        area.socket_count = sockets.get(area.id, 0)
    return areas
