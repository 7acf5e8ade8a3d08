"""Schemas of the device admin API: 实时状态 (piles, guns, e-bike devices and sockets), MQTT 账号,
上下线记录, 桩交易记录 and 单车充电记录.

The ``*Filters`` schemas are the searches on their own: the export kinds validate their ``filters``
with them, and the list endpoints' ``*Args`` add paging to them.
"""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.listing import PageArgs, page_schema
from chargehub.assets.bike_models import AccountState, SocketState
from chargehub.assets.car_models import GunState
from chargehub.devices.models import ConnectionState, DeviceKind, ReviewState


def _decimal(places: int, label: str) -> ma.fields.Decimal:
    return ma.fields.Decimal(places=places, as_string=True, allow_none=True, metadata={"label": label})


def _date_range(start: str, end: str):
    """A schema validator: the local date ``start`` is not after ``end``."""

    @ma.validates_schema
    def validate(self, data, **kwargs):
        if data.get(start) and data.get(end) and data[start] > data[end]:
            raise ma.ValidationError("开始日期不能晚于结束日期 (start after end)", end)

    return validate


# -------------------------------------------------------------------------------------- 实时状态


class GunLiveSchema(ma.Schema):
    """A gun with its live figures; every live field is ``null`` when the pile never reported on it."""

    id = ma.fields.Integer()
    number = ma.fields.Integer(metadata={"label": "枪号"})
    name = ma.fields.String(metadata={"label": "电枪名称"})
    state = ma.fields.Enum(GunState, by_value=True, metadata={"label": "电枪状态"})
    enabled = ma.fields.Boolean()
    trade_no = ma.fields.String(allow_none=True, metadata={"label": "交易流水号"})
    plugged = ma.fields.Boolean(allow_none=True, metadata={"label": "是否插枪"})
    voltage_v = _decimal(1, "输出电压（V）")
    current_a = _decimal(1, "输出电流（A）")
    power_kw = _decimal(2, "输出功率（kW）")
    soc = ma.fields.Integer(allow_none=True, metadata={"label": "SOC（%）"})
    energy_kwh = _decimal(4, "已充电量（kWh）")
    amount = _decimal(4, "已充金额（元）")
    charging_minutes = ma.fields.Integer(allow_none=True, metadata={"label": "已充时长（分钟）"})
    remaining_minutes = ma.fields.Integer(allow_none=True, metadata={"label": "剩余时间（分钟）"})
    cable_temp_c = ma.fields.Integer(allow_none=True, metadata={"label": "枪线温度（℃）"})
    battery_max_temp_c = ma.fields.Integer(allow_none=True, metadata={"label": "电池最高温度（℃）"})
    fault_bits = ma.fields.Integer(allow_none=True, metadata={"label": "故障位"})
    faults = ma.fields.List(ma.fields.String(), metadata={"label": "当前故障", "description": "故障的文字说明"})
    lock = ma.fields.Dict(allow_none=True, metadata={"label": "地锁状态",
                                                     "description": "state up/down/unknown, occupied, battery, alarm, at"})
    last_start = ma.fields.Dict(allow_none=True, metadata={"label": "最近启动结果",
                                                           "description": "accepted, reason_code, reason, trade_no, at"})
    last_stop = ma.fields.Dict(allow_none=True, metadata={"label": "最近停止结果",
                                                          "description": "accepted, reason_code, reason, at"})
    bms = ma.fields.Dict(allow_none=True, metadata={"label": "BMS 信息", "description": "kind -> {values, at}"})
    updated_at = ma.fields.DateTime(allow_none=True, metadata={"label": "数据更新时间"})


class PileStatusSchema(ma.Schema):
    """A pile's 在线状态 with its guns' live figures."""

    id = ma.fields.Integer()
    code = ma.fields.String(metadata={"label": "充电桩编号"})
    name = ma.fields.String(metadata={"label": "充电桩名称"})
    factory_id = ma.fields.String(metadata={"label": "出厂标识"})
    online = ma.fields.Boolean(metadata={"label": "在线状态"})
    last_heartbeat_at = ma.fields.DateTime(allow_none=True, metadata={"label": "最后心跳时间"})
    online_changed_at = ma.fields.DateTime(allow_none=True, metadata={"label": "上下线时间"})
    firmware = ma.fields.String(metadata={"label": "固件版本"})
    billing_model_code = ma.fields.String(metadata={"label": "计费模型编号"})
    guns = ma.fields.List(ma.fields.Nested(GunLiveSchema))


class GunStatusSchema(GunLiveSchema):
    """A gun's live figures plus its pile's online state."""

    pile_id = ma.fields.Integer()
    pile_code = ma.fields.String(metadata={"label": "电桩编号"})
    pile_name = ma.fields.String(metadata={"label": "电桩名称"})
    factory_id = ma.fields.String(metadata={"label": "出厂标识"})
    pile_online = ma.fields.Boolean(metadata={"label": "在线状态"})
    last_heartbeat_at = ma.fields.DateTime(allow_none=True, metadata={"label": "最后心跳时间"})
    online_changed_at = ma.fields.DateTime(allow_none=True, metadata={"label": "上下线时间"})


# -------------------------------------------------------------------------------------- 单车设备实时状态


class FaultsSchema(ma.Schema):
    """The fault bitmap of an e-bike charger or socket, its display code and the faults in words."""

    fault_bits = ma.fields.Integer(allow_none=True, metadata={"label": "故障位"})
    fault_code = ma.fields.String(allow_none=True, metadata={
        "label": "故障代码", "description": "设备显示的四位十进制代码，如 0033；无故障为 null"})
    faults = ma.fields.List(ma.fields.String(), metadata={"label": "当前故障", "description": "故障的文字说明"})


class SocketLiveSchema(FaultsSchema):
    """A socket with its live figures; every live field is ``null`` when its charger never reported on it."""

    id = ma.fields.Integer()
    number = ma.fields.Integer(metadata={"label": "插座号"})
    state = ma.fields.Enum(SocketState, by_value=True, metadata={"label": "插座状态"})
    enabled = ma.fields.Boolean()
    trade_no = ma.fields.String(allow_none=True, metadata={"label": "订单号"})
    voltage_v = _decimal(1, "电压（V）")
    current_a = _decimal(3, "电流（A）")
    power_w = ma.fields.Integer(allow_none=True, metadata={"label": "功率（W）"})
    energy_kwh = _decimal(4, "已充电量（kWh）")
    elapsed_s = ma.fields.Integer(allow_none=True, metadata={"label": "已充时长（秒）"})
    last_start = ma.fields.Dict(allow_none=True, metadata={"label": "最近启动结果",
                                                           "description": "accepted, reason_code, reason, order, at"})
    last_stop = ma.fields.Dict(allow_none=True, metadata={"label": "最近停止结果",
                                                          "description": "accepted, reason_code, reason, at"})
    updated_at = ma.fields.DateTime(allow_none=True, metadata={"label": "数据更新时间"})


class AccountStateSchema(ma.Schema):
    """The state of a device's broker account (MQTT 账号), without its credentials."""

    state = ma.fields.String(validate=ma.validate.OneOf([state.value for state in AccountState]), metadata={
        "label": "账号状态", "description": "pending 待同步 / active 已生效 / disabled 已停用 / failed 同步失败 / "
                                       "unmanaged 未托管"})
    error = ma.fields.String(metadata={"label": "同步错误"})
    synced_at = ma.fields.DateTime(allow_none=True, metadata={"label": "同步时间"})


class BikeDeviceStatusSchema(FaultsSchema):
    """An e-bike charger's 在线状态, firmware, device-level faults (设备故障), account state and its sockets."""

    id = ma.fields.Integer()
    code = ma.fields.String(metadata={"label": "设备编号"})
    name = ma.fields.String(metadata={"label": "设备名称"})
    factory_id = ma.fields.String(metadata={"label": "出厂标识"})
    protocol = ma.fields.String(metadata={"label": "通讯协议"})
    enabled = ma.fields.Boolean(metadata={"label": "系统状态"})
    online = ma.fields.Boolean(metadata={"label": "在线状态"})
    last_heartbeat_at = ma.fields.DateTime(allow_none=True, metadata={"label": "最后心跳时间"})
    online_changed_at = ma.fields.DateTime(allow_none=True, metadata={"label": "上下线时间"})
    firmware = ma.fields.String(metadata={"label": "固件版本"})
    account = ma.fields.Nested(AccountStateSchema, metadata={"label": "MQTT 账号"})
    sockets = ma.fields.List(ma.fields.Nested(SocketLiveSchema))


class BikeSocketStatusSchema(SocketLiveSchema):
    """A socket's live figures plus its device's online state."""

    device_id = ma.fields.Integer()
    device_code = ma.fields.String(metadata={"label": "设备编号"})
    device_name = ma.fields.String(metadata={"label": "设备名称"})
    factory_id = ma.fields.String(metadata={"label": "出厂标识"})
    device_online = ma.fields.Boolean(metadata={"label": "在线状态"})
    last_heartbeat_at = ma.fields.DateTime(allow_none=True, metadata={"label": "最后心跳时间"})
    online_changed_at = ma.fields.DateTime(allow_none=True, metadata={"label": "上下线时间"})


class MqttAccountSchema(AccountStateSchema):
    """查看账号: what the charger is configured with, the password included."""

    broker = ma.fields.String(allow_none=True, metadata={"label": "服务器地址",
                                                         "description": "null: CHARGEHUB_MQTT_URL 未配置"})
    client_id = ma.fields.String(metadata={"label": "Client ID"})
    username = ma.fields.String(metadata={"label": "用户名"})
    password = ma.fields.String(allow_none=True, metadata={"label": "密码", "description": "null: 尚未签发"})


# -------------------------------------------------------------------------------------- 上下线记录


class OnlineRecordFilters(ma.Schema):
    """The 上下线记录 search."""

    class Meta:
        unknown = ma.RAISE

    device_name = ma.fields.String(load_default=None, metadata={"label": "设备名称", "description": "包含"})
    device_code = ma.fields.String(load_default=None, metadata={"label": "设备编号", "description": "包含"})
    factory_id = ma.fields.String(load_default=None, metadata={"label": "设备sn号", "description": "包含"})
    device_kind = ma.fields.Enum(DeviceKind, by_value=True, load_default=None, metadata={"label": "设备类型"})
    state = ma.fields.Enum(ConnectionState, by_value=True, load_default=None, metadata={"label": "连接状态"})
    occurred_from = ma.fields.Date(load_default=None, metadata={"label": "记录时间起", "description": "YYYY-MM-DD"})
    occurred_to = ma.fields.Date(load_default=None, metadata={"label": "记录时间止", "description": "YYYY-MM-DD"})

    _range = _date_range("occurred_from", "occurred_to")


class OnlineRecordArgs(PageArgs, OnlineRecordFilters):
    """The 上下线记录 list: the search, paging and ``sort`` (default ``-occurred_at``)."""


class OnlineRecordSchema(ma.Schema):
    """One online / offline change (or refused login) of a device."""

    id = ma.fields.Integer()
    provider_id = ma.fields.Integer(allow_none=True)
    property_id = ma.fields.Integer(allow_none=True)
    car_station_id = ma.fields.Integer(allow_none=True)
    bike_station_id = ma.fields.Integer(allow_none=True)
    station_name = ma.fields.String(allow_none=True, metadata={"label": "所属电站"})
    device_kind = ma.fields.Enum(DeviceKind, by_value=True, metadata={"label": "设备类型"})
    device_name = ma.fields.String(metadata={"label": "设备名称"})
    device_code = ma.fields.String(metadata={"label": "设备编号"})
    factory_id = ma.fields.String(metadata={"label": "设备sn号"})
    protocol = ma.fields.String(metadata={"label": "协议"})
    state = ma.fields.Enum(ConnectionState, by_value=True, metadata={"label": "连接状态"})
    reason = ma.fields.String(metadata={"label": "原因"})
    peer = ma.fields.String(metadata={"label": "地址"})
    detail = ma.fields.Dict()
    occurred_at = ma.fields.DateTime(metadata={"label": "记录时间"})


# -------------------------------------------------------------------------------------- 桩交易记录


class PileRecordFilters(ma.Schema):
    """The 桩交易记录 search."""

    class Meta:
        unknown = ma.RAISE

    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    pile_code = ma.fields.String(load_default=None, metadata={"label": "充电桩编号", "description": "包含"})
    factory_id = ma.fields.String(load_default=None, metadata={"label": "出厂标识", "description": "包含"})
    trade_no = ma.fields.String(load_default=None, metadata={"label": "交易流水号", "description": "包含"})
    review_state = ma.fields.Enum(ReviewState, by_value=True, load_default=None, metadata={"label": "核对状态"})
    stop_reason_code = ma.fields.Integer(load_default=None, metadata={"label": "停止原因代码"})
    ended_from = ma.fields.Date(load_default=None, metadata={"label": "结束时间起", "description": "YYYY-MM-DD"})
    ended_to = ma.fields.Date(load_default=None, metadata={"label": "结束时间止", "description": "YYYY-MM-DD"})

    _range = _date_range("ended_from", "ended_to")


class PileRecordArgs(PageArgs, PileRecordFilters):
    """The 桩交易记录 list: the search, paging and ``sort`` (default ``-received_at``)."""


class PeriodSchema(ma.Schema):
    """One rate's line of a transaction record."""

    rate = ma.fields.String(metadata={"label": "费率", "description": "sharp 尖 / peak 峰 / flat 平 / valley 谷"})
    unit_price = ma.fields.String(metadata={"label": "单价（元/度）"})
    energy_kwh = ma.fields.String(metadata={"label": "电量（kWh）"})
    amount = ma.fields.String(metadata={"label": "金额（元）"})


class PileRecordSchema(ma.Schema):
    """A transaction record as the list shows it."""

    id = ma.fields.Integer()
    provider_id = ma.fields.Integer()
    property_id = ma.fields.Integer()
    station_id = ma.fields.Integer()
    station_name = ma.fields.String(allow_none=True, metadata={"label": "电站"})
    pile_id = ma.fields.Integer()
    pile_code = ma.fields.String(allow_none=True, metadata={"label": "充电桩编号"})
    pile_name = ma.fields.String(allow_none=True, metadata={"label": "充电桩名称"})
    factory_id = ma.fields.String(allow_none=True, metadata={"label": "出厂标识"})
    gun_id = ma.fields.Integer(allow_none=True)
    gun_number = ma.fields.Integer(metadata={"label": "枪号"})
    gun_name = ma.fields.String(allow_none=True, metadata={"label": "电枪名称"})
    trade_no = ma.fields.String(metadata={"label": "交易流水号"})
    started_at = ma.fields.DateTime(allow_none=True, metadata={"label": "开始时间"})
    ended_at = ma.fields.DateTime(allow_none=True, metadata={"label": "结束时间"})
    traded_at = ma.fields.DateTime(allow_none=True, metadata={"label": "交易时间"})
    energy_kwh = _decimal(4, "充电电量（kWh）")
    amount = _decimal(4, "消费金额（元）")
    vin = ma.fields.String(metadata={"label": "VIN"})
    trade_flag = ma.fields.String(metadata={"label": "交易标识"})
    stop_reason_code = ma.fields.Integer(allow_none=True, metadata={"label": "停止原因代码"})
    stop_reason = ma.fields.String(metadata={"label": "停止原因"})
    card = ma.fields.String(metadata={"label": "物理卡号"})
    review_state = ma.fields.Enum(ReviewState, by_value=True, metadata={"label": "核对状态"})
    duplicates = ma.fields.Integer(metadata={"label": "重复上传次数"})
    received_at = ma.fields.DateTime(metadata={"label": "接收时间"})
    last_received_at = ma.fields.DateTime(metadata={"label": "最后接收时间"})


class PileRecordDetailSchema(PileRecordSchema):
    """详细: the list's fields plus the rate lines, the meter readings and the frame as received."""

    periods = ma.fields.List(ma.fields.Nested(PeriodSchema), metadata={"label": "分时段明细"})
    meter_start_kwh = _decimal(4, "电表起值（kWh）")
    meter_end_kwh = _decimal(4, "电表止值（kWh）")
    frame = ma.fields.String(metadata={"label": "原始报文", "description": "整帧十六进制"})


# -------------------------------------------------------------------------------------- 单车充电记录


class BikeRecordFilters(ma.Schema):
    """The 单车充电记录 search."""

    class Meta:
        unknown = ma.RAISE

    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    device_code = ma.fields.String(load_default=None, metadata={"label": "设备编号", "description": "包含"})
    factory_id = ma.fields.String(load_default=None, metadata={"label": "出厂标识", "description": "包含"})
    socket_number = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1),
                                      metadata={"label": "插座号"})
    trade_no = ma.fields.String(load_default=None, metadata={"label": "订单号", "description": "包含"})
    stop_reason_code = ma.fields.String(load_default=None, metadata={
        "label": "停止原因", "description": "协议的停止原因代码，如 bike_mqtt 的 full / unplugged / fault ..."})
    review_state = ma.fields.Enum(ReviewState, by_value=True, load_default=None, metadata={"label": "核对状态"})
    ended_from = ma.fields.Date(load_default=None, metadata={"label": "结束时间起", "description": "YYYY-MM-DD"})
    ended_to = ma.fields.Date(load_default=None, metadata={"label": "结束时间止", "description": "YYYY-MM-DD"})

    _range = _date_range("ended_from", "ended_to")


class BikeRecordArgs(PageArgs, BikeRecordFilters):
    """The 单车充电记录 list: the search, paging and ``sort`` (default ``-received_at``)."""


class BikeRecordSchema(ma.Schema):
    """A charge record as the list shows it."""

    id = ma.fields.Integer()
    provider_id = ma.fields.Integer()
    property_id = ma.fields.Integer()
    station_id = ma.fields.Integer()
    station_name = ma.fields.String(allow_none=True, metadata={"label": "电站"})
    device_id = ma.fields.Integer()
    device_code = ma.fields.String(allow_none=True, metadata={"label": "设备编号"})
    device_name = ma.fields.String(allow_none=True, metadata={"label": "设备名称"})
    factory_id = ma.fields.String(allow_none=True, metadata={"label": "出厂标识"})
    socket_id = ma.fields.Integer(allow_none=True)
    socket_number = ma.fields.Integer(metadata={"label": "插座号"})
    trade_no = ma.fields.String(metadata={"label": "订单号"})
    record_id = ma.fields.String(metadata={"label": "记录标识", "description": "充电器给这条记录的 id"})
    started_at = ma.fields.DateTime(allow_none=True, metadata={"label": "开始时间"})
    ended_at = ma.fields.DateTime(allow_none=True, metadata={"label": "结束时间"})
    energy_kwh = _decimal(4, "充电电量（kWh）")
    elapsed_s = ma.fields.Integer(metadata={"label": "充电时长（秒）"})
    max_power_w = ma.fields.Integer(metadata={"label": "最大功率（W）"})
    stop_reason_code = ma.fields.String(metadata={"label": "停止原因代码"})
    stop_reason = ma.fields.String(metadata={"label": "停止原因"})
    fault_bits = ma.fields.Integer(metadata={"label": "故障位"})
    fault_code = ma.fields.String(allow_none=True, metadata={"label": "故障代码"})
    faults = ma.fields.List(ma.fields.String(), attribute="fault_texts", metadata={"label": "故障"})
    review_state = ma.fields.Enum(ReviewState, by_value=True, metadata={"label": "核对状态"})
    duplicates = ma.fields.Integer(metadata={"label": "重复上传次数"})
    received_at = ma.fields.DateTime(metadata={"label": "接收时间"})
    last_received_at = ma.fields.DateTime(metadata={"label": "最后接收时间"})


class BikeRecordDetailSchema(BikeRecordSchema):
    """详细: the list's fields plus the message as received."""

    frame = ma.fields.String(metadata={"label": "原始报文"})


OnlineRecordPage = page_schema(OnlineRecordSchema, "OnlineRecordPage")
PileRecordPage = page_schema(PileRecordSchema, "PileRecordPage")
BikeRecordPage = page_schema(BikeRecordSchema, "BikeRecordPage")
