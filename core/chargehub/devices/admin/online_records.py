"""上下线记录 (汇总统计 3.6.6): the search over the gateway's online / offline records.

Search: 设备名称, 设备编号 and 设备sn号 (the factory id) contain; 设备类型 and 连接状态 equal; 记录时间 a
range of local dates (inclusive). The list endpoint and the export use these same conditions.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from chargehub.api.audit_fields import annotate_names
from chargehub.api.listing import contains, created_between, equals
from chargehub.assets.bike_models import BikeStation
from chargehub.assets.car_models import CarStation
from chargehub.devices.models import DeviceOnlineRecord


def local_dates(column, start, end):
    """``column`` within the local dates ``start``–``end`` (inclusive; either may be empty)."""
    return created_between(column, {"created_from": start, "created_to": end})


def online_record_conditions(filters: Mapping[str, Any]) -> list:
    """The 上下线记录 search as conditions on ``select(DeviceOnlineRecord)``."""
    return [contains(DeviceOnlineRecord.device_name, filters.get("device_name")),
            contains(DeviceOnlineRecord.device_code, filters.get("device_code")),
            contains(DeviceOnlineRecord.factory_id, filters.get("factory_id")),
            equals(DeviceOnlineRecord.device_kind, filters.get("device_kind")),
            equals(DeviceOnlineRecord.state, filters.get("state")),
            local_dates(DeviceOnlineRecord.occurred_at, filters.get("occurred_from"), filters.get("occurred_to"))]


def annotate_online_records(records: Iterable[DeviceOnlineRecord]) -> list[DeviceOnlineRecord]:
    """Set ``station_name`` (the car or e-bike station of the device; ``None`` for an unknown device)."""
    records = annotate_names(records, car_station_name=("car_station_id", CarStation),
                             bike_station_name=("bike_station_id", BikeStation))
    for record in records:
        record.station_name = record.car_station_name or record.bike_station_name
    return records
