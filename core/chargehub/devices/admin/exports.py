"""The export kinds ``device_online_record`` (上下线记录), ``pile_transaction_record`` (桩交易记录) and
``bike_charge_record`` (单车充电记录).

Filters are the list endpoints' searches (:mod:`.schemas`), matched by the same conditions and scoped
with the one scoping helper for the user who asked. The rows are written by :mod:`.rows`.
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, BikeStation
from chargehub.assets.car_models import CarStation, Pile
from chargehub.config import settings
from chargehub.devices.admin.bike_records import bike_record_conditions
from chargehub.devices.admin.online_records import online_record_conditions
from chargehub.devices.admin.pile_records import pile_record_conditions
from chargehub.devices.admin.schemas import BikeRecordFilters, OnlineRecordFilters, PileRecordFilters
from chargehub.devices.bike_models import BikeChargeRecord
from chargehub.devices.models import DeviceOnlineRecord, PileTransactionRecord
from chargehub.exports.kinds import ExportSource
from chargehub.tenancy.scope import Scope, condition

ONLINE_HEADERS = ("设备名称", "设备编号", "设备sn号", "设备类型", "连接状态", "原因", "协议", "地址", "记录时间")
ONLINE_WIDTHS = (24, 16, 24, 12, 12, 36, 10, 22, 20)
PILE_HEADERS = ("交易流水号", "电站", "充电桩编号", "出厂标识", "枪号", "开始时间", "结束时间", "充电电量（kWh）",
                "消费金额（元）", "交易标识", "停止原因", "VIN", "核对状态", "重复上传次数", "接收时间")
PILE_WIDTHS = (36, 24, 16, 20, 6, 20, 20, 16, 14, 12, 36, 20, 10, 12, 20)
BIKE_HEADERS = ("订单号", "电站", "设备编号", "出厂标识", "插座号", "开始时间", "结束时间", "充电电量（kWh）", "充电时长",
                "最大功率（W）", "停止原因", "故障", "核对状态", "重复上传次数", "接收时间")
BIKE_WIDTHS = (34, 24, 16, 24, 8, 20, 20, 16, 12, 12, 30, 36, 10, 12, 20)


def _zone() -> sa.ColumnElement:
    """The operators' time zone as the last column, so the row functions can write local times."""
    return sa.cast(sa.literal(settings()["TIMEZONE"]), sa.String)


def _where(statement: sa.Select, conditions: list) -> sa.Select:
    return statement.where(*(item for item in conditions if item is not None))


def online_record_statement(filters: Mapping[str, Any], scope: Scope) -> sa.Select:
    """Online records matching ``filters`` within ``scope``: id first, then the export's columns."""
    record = DeviceOnlineRecord
    statement = sa.select(record.id, record.device_name, record.device_code, record.factory_id, record.device_kind,
                          record.state, record.reason, record.protocol, record.peer, record.occurred_at,
                          _zone()).where(condition(record, scope))
    return _where(statement, online_record_conditions(filters))


def pile_record_statement(filters: Mapping[str, Any], scope: Scope) -> sa.Select:
    """Pile transaction records matching ``filters`` within ``scope``: id first, then the export's columns."""
    record = PileTransactionRecord
    statement = (sa.select(record.id, record.trade_no, CarStation.name, Pile.code, Pile.factory_id, record.gun_number,
                           record.started_at, record.ended_at, record.energy_kwh, record.amount, record.trade_flag,
                           record.stop_reason_code, record.stop_reason, record.vin, record.review_state,
                           record.duplicates, record.received_at, _zone())
                 .join(Pile, Pile.id == record.pile_id).join(CarStation, CarStation.id == record.station_id)
                 .where(condition(record, scope)))
    return _where(statement, pile_record_conditions(filters))


def bike_record_statement(filters: Mapping[str, Any], scope: Scope) -> sa.Select:
    """E-bike charge records matching ``filters`` within ``scope``: id first, then the export's columns."""
    record = BikeChargeRecord
    statement = (sa.select(record.id, record.trade_no, BikeStation.name, BikeDevice.code, BikeDevice.factory_id,
                           record.socket_number, record.started_at, record.ended_at, record.energy_kwh,
                           record.elapsed_s, record.max_power_w, record.stop_reason_code, record.stop_reason, record.faults,
                           record.review_state, record.duplicates, record.received_at, _zone())
                 .join(BikeDevice, BikeDevice.id == record.device_id)
                 .join(BikeStation, BikeStation.id == record.station_id)
                 .where(condition(record, scope)))
    return _where(statement, bike_record_conditions(filters))


ONLINE_RECORDS = ExportSource(title="上下线记录", permission="stats.online:export", filters_schema=OnlineRecordFilters,
                              headers=ONLINE_HEADERS, statement=online_record_statement, key=DeviceOnlineRecord.id,
                              row="chargehub.devices.admin.rows:online_record_row", widths=ONLINE_WIDTHS)
PILE_RECORDS = ExportSource(title="桩交易记录", permission="stats.pile_record:export", filters_schema=PileRecordFilters,
                            headers=PILE_HEADERS, statement=pile_record_statement, key=PileTransactionRecord.id,
                            row="chargehub.devices.admin.rows:pile_record_row", widths=PILE_WIDTHS)
BIKE_RECORDS = ExportSource(title="单车充电记录", permission="stats.bike_record:export", filters_schema=BikeRecordFilters,
                            headers=BIKE_HEADERS, statement=bike_record_statement, key=BikeChargeRecord.id,
                            row="chargehub.devices.admin.rows:bike_record_row", widths=BIKE_WIDTHS)
