"""Schemas of the pile (充电桩) and gun (电枪) API."""
from __future__ import annotations

import marshmallow as ma

from chargehub.assets.api.placement import AssetPlacementSchema
from chargehub.api.listing import PageArgs, page_schema
from chargehub.assets.car_models import ChargingSpeed, CurrentType, GunState
from chargehub.assets.models import OperationType
from chargehub.assets.services.piles import MAX_GUNS

NAME = ma.validate.Length(min=1, max=50, error="名称须为 1–50 个字符 (1–50 characters)")


def _text(max_len: int, label: str) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=max_len, error=f"{label}最多 {max_len} 个字符 "
                                                                           f"(at most {max_len} characters)"),
                            metadata={"label": label})


def _amount(label: str) -> ma.fields.Decimal:
    return ma.fields.Decimal(places=2, as_string=True, allow_none=True,
                             validate=ma.validate.Range(min=0, max=99999999, error=f"{label}须为非负数 (must be ≥ 0)"),
                             metadata={"label": label})


class PileArgs(PageArgs):
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    area_id = ma.fields.Integer(load_default=None, metadata={"label": "区域"})
    code = ma.fields.String(load_default=None, metadata={"label": "充电桩编号"})
    factory_id = ma.fields.String(load_default=None, metadata={"label": "出厂标识"})
    name = ma.fields.String(load_default=None, metadata={"label": "充电桩名称"})
    speed = ma.fields.Enum(ChargingSpeed, by_value=True, load_default=None, metadata={"label": "充电速度"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "充电桩状态"})


class PileGunSchema(ma.Schema):
    """A gun as the pile list shows it."""

    id = ma.fields.Integer()
    number = ma.fields.Integer()
    name = ma.fields.String()
    state = ma.fields.Enum(GunState, by_value=True)
    enabled = ma.fields.Boolean()


class PileUpdateSchema(ma.Schema):
    """修改: every field of the pile but its area and factory id."""

    name = ma.fields.String(validate=NAME, metadata={"label": "充电桩名称"})
    model = _text(50, "设备型号")
    version = _text(50, "设备版本")
    gun_count = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_GUNS,
                                                             error=f"电枪数量须为 1–{MAX_GUNS} (1 to {MAX_GUNS} guns)"),
                                  metadata={"label": "电枪数量"})
    sim = _text(30, "sim卡号")
    operation_type = ma.fields.Enum(OperationType, by_value=True, metadata={"label": "运营性质"})
    occupancy_fee = ma.fields.Boolean(metadata={"label": "占位收费"})
    reservation = ma.fields.Boolean(metadata={"label": "预约充电"})
    output_current_a = _amount("输出电流")
    output_power_kw = _amount("输出功率")
    output_voltage_v = _amount("输出电压")
    current_type = ma.fields.Enum(CurrentType, by_value=True, metadata={"label": "电流类型"})
    charging_type = _text(30, "充电类型")
    speed = ma.fields.Enum(ChargingSpeed, by_value=True, metadata={"label": "充电速度"})
    installation = _text(30, "安装方式")
    protection_class = _text(20, "防护等级")
    communication = _text(30, "通讯方式")
    protocol = ma.fields.String(validate=ma.validate.Length(min=1, max=50), metadata={"label": "通讯协议"})


class PileSchema(PileUpdateSchema, AssetPlacementSchema):
    """A pile: what 添加 takes, and what the list and 详情 show."""

    area_id = ma.fields.Integer(required=True, metadata={"label": "区域"})
    code = ma.fields.String(dump_only=True, metadata={"label": "充电桩编号"})
    factory_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64), metadata={"label": "出厂标识"})
    name = ma.fields.String(required=True, validate=NAME, metadata={"label": "充电桩名称"})
    gun_count = ma.fields.Integer(load_default=1, validate=ma.validate.Range(
        min=1, max=MAX_GUNS, error=f"电枪数量须为 1–{MAX_GUNS} (1 to {MAX_GUNS} guns)"), metadata={"label": "电枪数量"})
    protocol = ma.fields.String(load_default="ykc", validate=ma.validate.Length(min=1, max=50),
                                metadata={"label": "通讯协议"})
    enabled = ma.fields.Boolean(dump_only=True)
    online = ma.fields.Boolean(dump_only=True)
    last_heartbeat_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    guns = ma.fields.List(ma.fields.Nested(PileGunSchema), dump_only=True)


class GunArgs(PageArgs):
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    area_id = ma.fields.Integer(load_default=None, metadata={"label": "区域"})
    pile_code = ma.fields.String(load_default=None, metadata={"label": "电桩编号"})
    factory_id = ma.fields.String(load_default=None, metadata={"label": "出厂标识"})
    state = ma.fields.Enum(GunState, by_value=True, load_default=None, metadata={"label": "电枪状态"})


class GunUpdateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=NAME, metadata={"label": "电枪名称"})


class GunSchema(AssetPlacementSchema):
    pile_id = ma.fields.Integer(dump_only=True)
    pile_code = ma.fields.String(dump_only=True)
    pile_name = ma.fields.String(dump_only=True)
    factory_id = ma.fields.String(dump_only=True, metadata={"description": "所属充电桩的出厂标识"})
    number = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    state = ma.fields.Enum(GunState, by_value=True, dump_only=True)
    enabled = ma.fields.Boolean(dump_only=True)
    charge_url = ma.fields.String(dump_only=True, metadata={"description": "扫码充电地址 (二维码内容)"})


PilePage = page_schema(PileSchema, "PilePage")
GunPage = page_schema(GunSchema, "GunPage")
