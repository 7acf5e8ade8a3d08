"""Schemas of the e-bike API: stations (单车电站), areas (区域), devices (设备), sockets (插座)."""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.audit_fields import AuditFieldsSchema
from chargehub.assets.api.placement import AssetPlacementSchema
from chargehub.api.listing import PageArgs, page_schema
from chargehub.assets.api.config_schemas import StationHistorySchema
from chargehub.assets.bike_models import SocketState
from chargehub.assets.models import OperationType
from chargehub.assets.services.devices import MAX_SOCKETS, MIN_SOCKETS
from chargehub.tenancy.models import AuditState

NAME = ma.validate.Length(min=1, max=50, error="名称须为 1–50 个字符 (1–50 characters)")
PHONE = ma.validate.Regexp(r"^[0-9+\-() ]{0,20}$", error="电话只能包含数字、+、- 和括号 (digits, +, - and brackets only)")
HOURS = ma.validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$",
                           error="营业时间格式为 HH:MM-HH:MM，如 08:00-22:00 (HH:MM-HH:MM)")


def _text(max_len: int, label: str, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=max_len, error=f"{label}最多 {max_len} 个字符 "
                                                                           f"(at most {max_len} characters)"),
                            metadata={"label": label}, **kwargs)


def _decimal(label: str, low: int = 0, high: int = 99999999, places: int = 2) -> ma.fields.Decimal:
    return ma.fields.Decimal(places=places, as_string=True, allow_none=True,
                             validate=ma.validate.Range(min=low, max=high, error=f"{label}须在 {low}–{high} 之间 "
                                                                                  f"(between {low} and {high})"),
                             metadata={"label": label})


# ------------------------------------------------------------------------------------------ stations


class BikeStationArgs(PageArgs):
    name = ma.fields.String(load_default=None, metadata={"label": "电站名称"})
    audit_state = ma.fields.Enum(AuditState, by_value=True, load_default=None, metadata={"label": "审核状态"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "电站状态"})


class BikeStationUpdateSchema(ma.Schema):
    """修改: everything but the owner."""

    name = ma.fields.String(validate=ma.validate.Length(min=1, max=100, error="名称须为 1–100 个字符 (1–100 characters)"),
                            metadata={"label": "电站名称"})
    short_name = _text(50, "电站简称")
    service_phone = ma.fields.String(validate=PHONE, metadata={"label": "服务电话"})
    operation_type = ma.fields.Enum(OperationType, by_value=True, metadata={"label": "运营性质"})
    business_hours = ma.fields.String(validate=HOURS, metadata={"label": "营业时间"})
    power_limit_w = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(
        min=1, max=100000, error="功率限制须为 1–100000 W，不限制请留空 (1–100000 W; empty = off)"),
        metadata={"label": "功率限制 (W)", "description": "为空表示未开启"})
    province = _text(50, "省份")
    city = _text(50, "城市")
    district = _text(50, "区县")
    address = _text(200, "地址")
    longitude = _decimal("经度", -180, 180, 6)
    latitude = _decimal("纬度", -90, 90, 6)


class BikeStationSchema(BikeStationUpdateSchema, AuditFieldsSchema):
    """A station: what 添加 takes and what the list shows (with area / device / socket totals)."""

    id = ma.fields.Integer(dump_only=True)
    provider_id = ma.fields.Integer(load_default=None, metadata={"label": "所属服务商"})
    provider_name = ma.fields.String(dump_only=True)
    property_id = ma.fields.Integer(load_default=None, metadata={"label": "所属物业"})
    property_name = ma.fields.String(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(
        min=1, max=100, error="名称须为 1–100 个字符 (1–100 characters)"), metadata={"label": "电站名称"})
    enabled = ma.fields.Boolean(dump_only=True)
    audit_state = ma.fields.Enum(AuditState, by_value=True, dump_only=True)
    audit_remark = ma.fields.String(dump_only=True)
    audited_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    area_count = ma.fields.Integer(dump_only=True)
    device_count = ma.fields.Integer(dump_only=True)
    socket_count = ma.fields.Integer(dump_only=True)


class BikeStationDetailSchema(BikeStationSchema):
    """详细: the station, its totals and its 审核 / 修改 history."""

    history = ma.fields.List(ma.fields.Nested(StationHistorySchema), dump_only=True)


# ------------------------------------------------------------------------------------------ areas


class BikeAreaArgs(PageArgs):
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    code = ma.fields.String(load_default=None, metadata={"label": "区域编号"})
    name = ma.fields.String(load_default=None, metadata={"label": "区域名称"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "区域状态"})


class BikeAreaUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=100, error="名称须为 1–100 个字符 (1–100 characters)"),
                            metadata={"label": "区域名称"})
    phone = ma.fields.String(validate=PHONE, metadata={"label": "电话"})


class BikeAreaSchema(BikeAreaUpdateSchema, AuditFieldsSchema):
    id = ma.fields.Integer(dump_only=True)
    provider_id = ma.fields.Integer(dump_only=True)
    property_id = ma.fields.Integer(dump_only=True)
    station_id = ma.fields.Integer(required=True, metadata={"label": "所属电站"})
    station_name = ma.fields.String(dump_only=True)
    code = ma.fields.String(dump_only=True, metadata={"label": "区域编号"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(
        min=1, max=100, error="名称须为 1–100 个字符 (1–100 characters)"), metadata={"label": "区域名称"})
    phone = ma.fields.String(load_default="", validate=PHONE, metadata={"label": "电话"})
    is_default = ma.fields.Boolean(dump_only=True)
    enabled = ma.fields.Boolean(dump_only=True)
    device_count = ma.fields.Integer(dump_only=True)
    socket_count = ma.fields.Integer(dump_only=True)


# ------------------------------------------------------------------------------------------ devices


class DeviceArgs(PageArgs):
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    area_id = ma.fields.Integer(load_default=None, metadata={"label": "区域"})
    code = ma.fields.String(load_default=None, metadata={"label": "设备编号"})
    factory_id = ma.fields.String(load_default=None, metadata={"label": "出厂标识"})
    name = ma.fields.String(load_default=None, metadata={"label": "设备名称"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "系统状态"})
    online = ma.fields.Boolean(load_default=None, metadata={"label": "在线状态"})


class DeviceUpdateSchema(ma.Schema):
    """修改: everything but the area, factory id and socket count."""

    name = ma.fields.String(validate=NAME, metadata={"label": "设备名称"})
    device_type = _text(30, "设备类型")
    position = _text(200, "位置信息")
    rated_power_w = _decimal("额定功率")
    rated_voltage_v = _decimal("额定电压")
    rated_current_a = _decimal("额定电流")
    current_upper_a = _decimal("电流上限")
    current_lower_a = _decimal("电流下限")
    produced_on = ma.fields.Date(allow_none=True, metadata={"label": "生产日期"})
    deployed_on = ma.fields.Date(allow_none=True, metadata={"label": "投放日期"})
    protocol = ma.fields.String(validate=ma.validate.Length(min=1, max=50), metadata={"label": "通讯协议"})


class DeviceSchema(DeviceUpdateSchema, AssetPlacementSchema):
    area_id = ma.fields.Integer(required=True, metadata={"label": "区域"})
    code = ma.fields.String(dump_only=True, metadata={"label": "设备编号"})
    factory_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64), metadata={"label": "出厂标识"})
    name = ma.fields.String(required=True, validate=NAME, metadata={"label": "设备名称"})
    socket_count = ma.fields.Integer(load_default=10, validate=ma.validate.Range(
        min=MIN_SOCKETS, max=MAX_SOCKETS, error=f"插座数量须为 {MIN_SOCKETS}–{MAX_SOCKETS} "
                                                f"({MIN_SOCKETS} to {MAX_SOCKETS} sockets)"),
        metadata={"label": "插座数量"})
    protocol = ma.fields.String(load_default="bike_mqtt", validate=ma.validate.Length(min=1, max=50),
                                metadata={"label": "通讯协议"})
    enabled = ma.fields.Boolean(dump_only=True)
    online = ma.fields.Boolean(dump_only=True)
    last_heartbeat_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    online_changed_at = ma.fields.DateTime(dump_only=True, allow_none=True, metadata={"description": "上下线时间"})
    firmware = ma.fields.String(dump_only=True, metadata={"description": "固件版本"})
    charging_count = ma.fields.Integer(dump_only=True, metadata={"description": "充电中的插座数"})
    # set by chargehub.devices.admin.bike_status.annotate_device_faults
    fault_bits = ma.fields.Integer(dump_only=True, metadata={"description": "设备故障位"})
    fault_code = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "设备显示的故障代码"})
    faults = ma.fields.List(ma.fields.String(), dump_only=True, attribute="fault_texts",
                            metadata={"description": "设备故障（文字）"})
    fault_sockets = ma.fields.List(ma.fields.Integer(), dump_only=True, metadata={"description": "故障插座号"})
    has_fault = ma.fields.Boolean(dump_only=True, metadata={"description": "设备或插座有故障（列表的故障标记）"})


# ------------------------------------------------------------------------------------------ sockets


class SocketArgs(PageArgs):
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    area_id = ma.fields.Integer(load_default=None, metadata={"label": "区域"})
    device_code = ma.fields.String(load_default=None, metadata={"label": "设备编号"})
    factory_id = ma.fields.String(load_default=None, metadata={"label": "出厂标识"})
    device_name = ma.fields.String(load_default=None, metadata={"label": "设备名称"})
    state = ma.fields.Enum(SocketState, by_value=True, load_default=None, metadata={"label": "插座状态"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "系统状态"})


class SocketSchema(AssetPlacementSchema):
    device_id = ma.fields.Integer(dump_only=True)
    device_code = ma.fields.String(dump_only=True)
    device_name = ma.fields.String(dump_only=True)
    factory_id = ma.fields.String(dump_only=True, metadata={"description": "所属设备的出厂标识"})
    number = ma.fields.Integer(dump_only=True)
    state = ma.fields.Enum(SocketState, by_value=True, dump_only=True)
    enabled = ma.fields.Boolean(dump_only=True)
    charge_url = ma.fields.String(dump_only=True, metadata={"description": "扫码充电地址 (二维码内容)"})
    # live figures, set by chargehub.devices.admin.bike_status.annotate_socket_live (null: never reported)
    trade_no = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "订单号"})
    voltage_v = ma.fields.Decimal(places=1, as_string=True, dump_only=True, allow_none=True)
    current_a = ma.fields.Decimal(places=3, as_string=True, dump_only=True, allow_none=True)
    power_w = ma.fields.Integer(dump_only=True, allow_none=True)
    energy_kwh = ma.fields.Decimal(places=4, as_string=True, dump_only=True, allow_none=True)
    elapsed_s = ma.fields.Integer(dump_only=True, allow_none=True, metadata={"description": "已充时长（秒）"})
    fault_bits = ma.fields.Integer(dump_only=True, allow_none=True)
    fault_code = ma.fields.String(dump_only=True, allow_none=True)
    faults = ma.fields.List(ma.fields.String(), dump_only=True, metadata={"description": "当前故障（文字）"})
    live_updated_at = ma.fields.DateTime(dump_only=True, allow_none=True, metadata={"description": "实时数据更新时间"})


BikeStationPage = page_schema(BikeStationSchema, "BikeStationPage")
BikeAreaPage = page_schema(BikeAreaSchema, "BikeAreaPage")
DevicePage = page_schema(DeviceSchema, "DevicePage")
SocketPage = page_schema(SocketSchema, "SocketPage")
