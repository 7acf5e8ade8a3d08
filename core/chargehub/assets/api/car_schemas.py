"""Schemas of the car-side asset API: stations, areas, parking spaces, cameras, applications."""
from __future__ import annotations

from decimal import Decimal

import marshmallow as ma

from chargehub.api.audit_fields import AuditFieldsSchema
from chargehub.api.listing import PageArgs, page_schema
from chargehub.assets.api.config_schemas import StationHistorySchema
from chargehub.assets.api.placement import AssetPlacementSchema
from chargehub.assets.car_models import ApplicationState, LockState, LockType
from chargehub.assets.models import OperationType
from chargehub.tenancy.api.auth_schemas import PHONE
from chargehub.tenancy.models import AuditState

NAME = ma.validate.Length(min=1, max=100, error="名称须为 1–100 个字符 (1–100 characters)")
SHORT_NAME = ma.validate.Length(min=1, max=50, error="名称须为 1–50 个字符 (1–50 characters)")
POWER = ma.validate.Range(min=Decimal(0), max=Decimal("99999999"), error="功率须为非负数 (power must be ≥ 0)")


def _length(limit: int) -> ma.validate.Length:
    return ma.validate.Length(max=limit, error=f"最多 {limit} 个字符 (at most {limit} characters)")


def optional_phone(value: str) -> None:
    """Empty, or an 11-digit mobile number."""
    if value:
        PHONE(value)


def _decimal(places: int, validate=None, **metadata) -> ma.fields.Decimal:
    return ma.fields.Decimal(as_string=True, places=places, allow_none=True, validate=validate, metadata=metadata)


# ------------------------------------------------------------------------------------------ stations


class CarStationArgs(PageArgs):
    name = ma.fields.String(load_default=None, metadata={"label": "电站名称"})
    audit_state = ma.fields.Enum(AuditState, by_value=True, load_default=None, metadata={"label": "审核状态"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "电站状态"})


class CarStationUpdateSchema(ma.Schema):
    """修改: every field optional; absent fields keep their value."""

    name = ma.fields.String(validate=NAME, metadata={"label": "电站名称"})
    operation_type = ma.fields.Enum(OperationType, by_value=True, metadata={"label": "运营性质"})
    contact = ma.fields.String(validate=_length(50), metadata={"label": "电站联系人"})
    contact_phone = ma.fields.String(validate=optional_phone, metadata={"label": "联系人手机号"})
    introduction = ma.fields.String(validate=_length(2000), metadata={"label": "电站简介"})
    hotline = ma.fields.String(validate=_length(30), metadata={"label": "服务热线"})
    business_hours = ma.fields.String(validate=_length(50), metadata={"label": "营业时间"})
    max_power_kw = _decimal(2, POWER, label="最大功率 (kW)")
    capacity_kva = _decimal(2, POWER, label="容量负荷 (kVA)")
    province = ma.fields.String(validate=_length(50), metadata={"label": "省份"})
    city = ma.fields.String(validate=_length(50), metadata={"label": "城市"})
    district = ma.fields.String(validate=_length(50), metadata={"label": "区县"})
    address = ma.fields.String(validate=_length(200), metadata={"label": "详细地址"})
    longitude = _decimal(6, ma.validate.Range(min=-180, max=180, error="经度须在 -180 到 180 之间 (longitude)"),
                         label="经度")
    latitude = _decimal(6, ma.validate.Range(min=-90, max=90, error="纬度须在 -90 到 90 之间 (latitude)"), label="纬度")


class CarStationCreateSchema(CarStationUpdateSchema):
    """添加: the provider and property (create only) and the station's fields."""

    provider_id = ma.fields.Integer(load_default=None, metadata={"label": "服务商"})
    property_id = ma.fields.Integer(load_default=None, metadata={"label": "所属物业"})
    name = ma.fields.String(required=True, validate=NAME, metadata={"label": "电站名称"})


class CarStationSchema(AuditFieldsSchema, CarStationUpdateSchema):
    """A station as lists and details show it."""

    id = ma.fields.Integer(dump_only=True)
    provider_id = ma.fields.Integer(dump_only=True)
    property_id = ma.fields.Integer(dump_only=True)
    provider_name = ma.fields.String(dump_only=True, allow_none=True)
    property_name = ma.fields.String(dump_only=True, allow_none=True)
    enabled = ma.fields.Boolean(dump_only=True)
    audit_state = ma.fields.Enum(AuditState, by_value=True, dump_only=True)
    audit_remark = ma.fields.String(dump_only=True)
    audited_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    public_token = ma.fields.String(dump_only=True)
    area_count = ma.fields.Integer(dump_only=True)
    pile_count = ma.fields.Integer(dump_only=True)
    gun_count = ma.fields.Integer(dump_only=True)
    has_invoice_config = ma.fields.Boolean(dump_only=True)
    has_payment_config = ma.fields.Boolean(dump_only=True)


class CarStationDetailSchema(CarStationSchema):
    """详细: all fields, counts including spaces, and the audit / change history (newest first)."""

    space_count = ma.fields.Integer(dump_only=True)
    history = ma.fields.List(ma.fields.Nested(StationHistorySchema), dump_only=True)


class StationAuditSchema(ma.Schema):
    approved = ma.fields.Boolean(required=True, metadata={"label": "审核结果"})
    remark = ma.fields.String(load_default="", validate=_length(500), metadata={"label": "审核意见"})


# ------------------------------------------------------------------------------------------ applications


class ApplicationArgs(PageArgs):
    state = ma.fields.Enum(ApplicationState, by_value=True, load_default=None, metadata={"label": "状态"})


class ApplicationSchema(AuditFieldsSchema):
    id = ma.fields.Integer(dump_only=True)
    provider_id = ma.fields.Integer(dump_only=True)
    property_id = ma.fields.Integer(dump_only=True)
    station_id = ma.fields.Integer(dump_only=True)
    applicant = ma.fields.String(dump_only=True)
    phone = ma.fields.String(dump_only=True)
    plate = ma.fields.String(dump_only=True)
    address = ma.fields.String(dump_only=True)
    remark = ma.fields.String(dump_only=True)
    state = ma.fields.Enum(ApplicationState, by_value=True, dump_only=True)
    review_remark = ma.fields.String(dump_only=True)


# ------------------------------------------------------------------------------------------ areas


class CarAreaArgs(PageArgs):
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    code = ma.fields.String(load_default=None, metadata={"label": "区域编号"})
    name = ma.fields.String(load_default=None, metadata={"label": "区域名称"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "区域状态"})


class CarAreaUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=NAME, metadata={"label": "区域名称"})
    phone = ma.fields.String(validate=_length(20), metadata={"label": "联系电话"})
    power_kw = _decimal(2, POWER, label="区域功率 (kW)")


class CarAreaCreateSchema(CarAreaUpdateSchema):
    station_id = ma.fields.Integer(required=True, metadata={"label": "所属电站"})
    name = ma.fields.String(required=True, validate=NAME, metadata={"label": "区域名称"})


class CarAreaSchema(AuditFieldsSchema, CarAreaUpdateSchema):
    id = ma.fields.Integer(dump_only=True)
    provider_id = ma.fields.Integer(dump_only=True)
    property_id = ma.fields.Integer(dump_only=True)
    station_id = ma.fields.Integer(dump_only=True)
    station_name = ma.fields.String(dump_only=True, allow_none=True)
    code = ma.fields.String(dump_only=True)
    is_default = ma.fields.Boolean(dump_only=True)
    enabled = ma.fields.Boolean(dump_only=True)
    space_count = ma.fields.Integer(dump_only=True)
    pile_count = ma.fields.Integer(dump_only=True)
    gun_count = ma.fields.Integer(dump_only=True)


# ------------------------------------------------------------------------------------------ spaces


class SpaceArgs(PageArgs):
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    area_id = ma.fields.Integer(load_default=None, metadata={"label": "区域"})
    code = ma.fields.String(load_default=None, metadata={"label": "车位编号"})
    name = ma.fields.String(load_default=None, metadata={"label": "车位名称"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "车位状态"})
    lock_type = ma.fields.Enum(LockType, by_value=True, load_default=None, metadata={"label": "车位锁类型"})


class SpaceBatchSchema(ma.Schema):
    area_id = ma.fields.Integer(required=True, metadata={"label": "区域"})
    count = ma.fields.Integer(required=True, validate=ma.validate.Range(
        min=1, max=200, error="数量须为 1–200 (count must be 1–200)"), metadata={"label": "车位数量"})
    lock_type = ma.fields.Enum(LockType, by_value=True, load_default=LockType.NONE, metadata={"label": "车位锁类型"})
    name_prefix = ma.fields.String(load_default="车位", validate=_length(40), metadata={"label": "名称前缀"})


class SpaceUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=SHORT_NAME, metadata={"label": "车位名称"})
    lock_type = ma.fields.Enum(LockType, by_value=True, metadata={"label": "车位锁类型"})
    gun_id = ma.fields.Integer(allow_none=True, metadata={
        "label": "控锁电枪", "description": "地锁（桩控）: the gun whose pile raises and lowers the lock"})


class SpaceSchema(AssetPlacementSchema):
    code = ma.fields.String(dump_only=True)
    name = ma.fields.String(dump_only=True)
    lock_type = ma.fields.Enum(LockType, by_value=True, dump_only=True)
    lock_state = ma.fields.Enum(LockState, by_value=True, dump_only=True)
    gun_id = ma.fields.Integer(dump_only=True, allow_none=True)
    enabled = ma.fields.Boolean(dump_only=True)


# ------------------------------------------------------------------------------------------ cameras


class CameraArgs(PageArgs):
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    area_id = ma.fields.Integer(load_default=None, metadata={"label": "区域"})
    code = ma.fields.String(load_default=None, metadata={"label": "相机编号"})
    factory_id = ma.fields.String(load_default=None, metadata={"label": "相机出厂编号"})
    ip = ma.fields.String(load_default=None, metadata={"label": "相机IP"})
    space_id = ma.fields.Integer(load_default=None, metadata={"label": "车位（左或右）"})


class CameraUpdateSchema(ma.Schema):
    factory_id = ma.fields.String(validate=ma.validate.Length(min=1, max=64, error="出厂标识须为 1–64 个字符 (1–64 characters)"),
                                  metadata={"label": "相机出厂标识"})
    ip = ma.fields.String(validate=_length(45), metadata={"label": "相机IP"})
    name = ma.fields.String(validate=SHORT_NAME, metadata={"label": "相机名称"})
    sim = ma.fields.String(validate=_length(30), metadata={"label": "SIM卡号"})
    left_space_id = ma.fields.Integer(allow_none=True, metadata={"label": "左车位"})
    right_space_id = ma.fields.Integer(allow_none=True, metadata={"label": "右车位"})


class CameraCreateSchema(CameraUpdateSchema):
    area_id = ma.fields.Integer(required=True, metadata={"label": "区域"})
    factory_id = ma.fields.String(required=True, validate=ma.validate.Length(
        min=1, max=64, error="出厂标识须为 1–64 个字符 (1–64 characters)"), metadata={"label": "相机出厂标识"})
    name = ma.fields.String(required=True, validate=SHORT_NAME, metadata={"label": "相机名称"})


class CameraSchema(AssetPlacementSchema, CameraUpdateSchema):
    left_space_name = ma.fields.String(dump_only=True, allow_none=True)
    right_space_name = ma.fields.String(dump_only=True, allow_none=True)
    code = ma.fields.String(dump_only=True)
    enabled = ma.fields.Boolean(dump_only=True)
    online = ma.fields.Boolean(dump_only=True)
    last_seen_at = ma.fields.DateTime(dump_only=True, allow_none=True)


CarStationPage = page_schema(CarStationSchema, "CarStationPage")
ApplicationPage = page_schema(ApplicationSchema, "PrivatePileApplicationPage")
CarAreaPage = page_schema(CarAreaSchema, "CarAreaPage")
SpacePage = page_schema(SpaceSchema, "SpacePage")
CameraPage = page_schema(CameraSchema, "CameraPage")
