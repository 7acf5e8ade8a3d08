"""单车电站 (3.3.1): add (with its default area), edit, audit, enable / disable, list totals.

A station waits for audit (审核) after it is added; devices go only under approved, enabled
stations. A disabled station is hidden from drivers and gets no new areas, devices or billing
rules. Invoice and payment configuration live in :mod:`.stations_config` (shared with car stations).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket
from chargehub.assets.services import stations_common
from chargehub.assets.services.common import next_code
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.models import AuditState, Property, ServiceProvider, User

ACTION = "bike_station"
AREA_CODE_PREFIX = "BQ"
DEFAULT_AREA_NAME = "默认区域"
#: Fields set on create and changed by 修改 (the owner is fixed once the station exists).
EDITABLE = ("name", "short_name", "service_phone", "operation_type", "business_hours", "power_limit_w",
            "province", "city", "district", "address", "longitude", "latitude")


def new_area(station: BikeStation, name: str, phone: str = "", is_default: bool = False) -> BikeArea:
    """A new area row of ``station`` (added to the session, not committed)."""
    area = BikeArea(provider_id=station.provider_id, property_id=station.property_id, station_id=station.id,
                    code=next_code(BikeArea, AREA_CODE_PREFIX), name=name, phone=phone, is_default=is_default)
    db.session.add(area)
    db.session.flush()
    return area


def create_bike_station(data: Mapping[str, Any], actor: User) -> BikeStation:
    """Add a station under a property (pending audit) together with its default area."""
    provider_id, property_id = stations_common.resolve_owner(data, actor)
    station = BikeStation(provider_id=provider_id, property_id=property_id, audit_state=AuditState.PENDING,
                          **{k: data[k] for k in EDITABLE if k in data})
    db.session.add(station)
    db.session.flush()
    new_area(station, DEFAULT_AREA_NAME, station.service_phone, is_default=True)
    record(f"{ACTION}.create", target=station, name=station.name)
    db.session.commit()
    return station


def update_bike_station(station: BikeStation, data: Mapping[str, Any]) -> BikeStation:
    """修改: name, short name, service phone, operation type, hours, power limit, address."""
    return stations_common.update_station(station, data, EDITABLE, ACTION)


def audit_bike_station(station: BikeStation, approved: bool, remark: str = "") -> BikeStation:
    """审核: approve, or reject with a reason."""
    return stations_common.audit_station(station, approved, remark, ACTION)


def set_bike_station_enabled(station: BikeStation, enabled: bool) -> BikeStation:
    """启用 / 禁用."""
    return stations_common.set_station_enabled(station, enabled, ACTION)


def _count_by(column, ids: set[int]) -> dict[int, int]:
    stmt = sa.select(column, sa.func.count()).where(column.in_(ids or {-1})).group_by(column)
    return dict(db.session.execute(stmt).all())


def annotate_bike_stations(stations: Iterable[BikeStation]) -> list[BikeStation]:
    """Set ``area_count``, ``device_count``, ``socket_count`` (one grouped query each) and the owner names."""
    stations = list(stations)
    ids = {s.id for s in stations}
    areas = _count_by(BikeArea.station_id, ids)
    devices = _count_by(BikeDevice.station_id, ids)
    sockets = _count_by(Socket.station_id, ids)
    providers = dict(db.session.execute(sa.select(ServiceProvider.id, ServiceProvider.name).where(
        ServiceProvider.id.in_({s.provider_id for s in stations} or {-1}))).all())
    properties = dict(db.session.execute(sa.select(Property.id, Property.name).where(
        Property.id.in_({s.property_id for s in stations} or {-1}))).all())
    for station in stations:
        station.area_count = areas.get(station.id, 0)
        station.device_count = devices.get(station.id, 0)
        station.socket_count = sockets.get(station.id, 0)
        station.provider_name = providers.get(station.provider_id)
        station.property_name = properties.get(station.property_id)
    return stations


def bike_station_history(station: BikeStation) -> list[dict[str, Any]]:
    """The station's audit-log entries (创建, 修改, 审核, 启用 / 禁用), newest first."""
    return stations_common.station_history(station)
