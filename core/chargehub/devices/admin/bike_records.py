"""单车充电记录: the search over the end-of-charge records e-bike chargers uploaded (before and apart from
settlement).

Search: 电站 equal; 设备编号, 出厂标识 and 订单号 contain; 插座号, 停止原因 (the protocol's reason code, e.g.
bike_mqtt's ``full``) and 核对状态 equal; 结束时间 a range of local dates (inclusive). The conditions expect
a select joined with :class:`BikeDevice`; the list endpoint and the export share them.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from chargehub.api.audit_fields import annotate_columns, annotate_names
from chargehub.api.listing import contains, equals
from chargehub.assets.bike_models import BikeDevice, BikeStation
from chargehub.devices.admin.bike_status import fault_code
from chargehub.devices.admin.online_records import local_dates
from chargehub.devices.admin.status import fault_texts
from chargehub.devices.bike_models import BikeChargeRecord


def bike_record_conditions(filters: Mapping[str, Any]) -> list:
    """The 单车充电记录 search as conditions on a select of :class:`BikeChargeRecord` joined with
    :class:`BikeDevice`."""
    record = BikeChargeRecord
    return [equals(record.station_id, filters.get("station_id")),
            contains(BikeDevice.code, filters.get("device_code")),
            contains(BikeDevice.factory_id, filters.get("factory_id")),
            equals(record.socket_number, filters.get("socket_number")),
            contains(record.trade_no, filters.get("trade_no")),
            equals(record.stop_reason_code, filters.get("stop_reason_code")),
            equals(record.review_state, filters.get("review_state")),
            local_dates(record.ended_at, filters.get("ended_from"), filters.get("ended_to"))]


def annotate_bike_records(records: Iterable[BikeChargeRecord]) -> list[BikeChargeRecord]:
    """Set ``station_name``, ``device_code``, ``device_name``, ``factory_id``, ``fault_code`` and
    ``fault_texts`` (the faults in words) on each record."""
    records = annotate_names(records, station_name=("station_id", BikeStation))
    annotate_columns(records, "device_id", BikeDevice, device_code="code", device_name="name", factory_id="factory_id")
    for record in records:
        record.fault_code = fault_code(record.fault_bits)
        record.fault_texts = fault_texts(record.faults)
    return records
