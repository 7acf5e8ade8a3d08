"""Schemas of the billing API: rule search, add / edit, items and details, options, 计费测试, modes."""
from __future__ import annotations

from decimal import Decimal

import marshmallow as ma

from chargehub.api.listing import PageArgs, page_schema
from chargehub.assets.api.placement import AssetPlacementSchema
from chargehub.billing.services.options import BikeOptionSchema, CarOptionSchema, max_places
from chargehub.billing.services.trial import DEFAULT_CAR_MINUTES, MAX_MINUTES

NAME = ma.validate.Length(min=1, max=100, error="名称须为 1–100 个字符 (1–100 characters)")
MINUTES = ma.validate.Range(min=1, max=MAX_MINUTES, error=f"充电时长须为 1–{MAX_MINUTES} 分钟 (1 to {MAX_MINUTES} minutes)")
ENERGY_RANGE = ma.validate.Range(min=Decimal(0), min_inclusive=False, max=Decimal(10000),
                                 error="充电电量须大于 0 且不超过 10000 度 (0 < energy ≤ 10000 kWh)")


def _energy(required: bool = False, **kwargs) -> ma.fields.Decimal:
    return ma.fields.Decimal(required=required, as_string=True, validate=[ENERGY_RANGE, max_places(4, "电量")],
                             metadata={"label": "充电电量 (度)"}, **kwargs)


class RuleArgs(PageArgs):
    station_name = ma.fields.String(load_default=None, metadata={"label": "电站名称"})
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站"})
    area_id = ma.fields.Integer(load_default=None, metadata={"label": "区域"})
    area_name = ma.fields.String(load_default=None, metadata={"label": "区域名称"})
    name = ma.fields.String(load_default=None, metadata={"label": "计费名称"})
    mode = ma.fields.String(load_default=None, metadata={"label": "计费类型"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "计费规则状态"})


class RuleCreateSchema(ma.Schema):
    station_id = ma.fields.Integer(required=True, metadata={"label": "所属电站"})
    area_id = ma.fields.Integer(required=True, metadata={"label": "所属区域"})
    name = ma.fields.String(required=True, validate=NAME, metadata={"label": "计费名称"})
    mode = ma.fields.String(required=True, metadata={"label": "计费方式", "description": "a mode identifier"})
    params = ma.fields.Dict(required=True, metadata={"label": "计费参数",
                                                     "description": "checked by the mode's schema (GET /billing-modes)"})
    enabled = ma.fields.Boolean(load_default=True, metadata={"label": "启用"})


class RuleUpdateSchema(ma.Schema):
    """修改: absent fields keep their value; a mode / params change takes effect at the next local midnight."""

    name = ma.fields.String(validate=NAME, metadata={"label": "计费名称"})
    mode = ma.fields.String(metadata={"label": "计费方式"})
    params = ma.fields.Dict(metadata={"label": "计费参数"})


class RuleSchema(AssetPlacementSchema):
    name = ma.fields.String(dump_only=True)
    mode = ma.fields.String(dump_only=True, metadata={"description": "the newest version's mode identifier"})
    mode_name = ma.fields.String(dump_only=True)
    enabled = ma.fields.Boolean(dump_only=True)
    description = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "the version in force"})
    effective_from = ma.fields.DateTime(dump_only=True, allow_none=True, metadata={"description": "生效时间 (UTC)"})
    pending_from = ma.fields.DateTime(dump_only=True, allow_none=True,
                                      metadata={"description": "a saved change takes effect then (UTC), or null"})


class VersionSchema(ma.Schema):
    number = ma.fields.Integer()
    mode = ma.fields.String()
    effective_from = ma.fields.DateTime()
    params = ma.fields.Dict()
    description = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    created_by = ma.fields.Integer(allow_none=True)


class RuleDetailSchema(RuleSchema):
    params = ma.fields.Dict(dump_only=True, allow_none=True, metadata={"description": "params in force"})
    current_mode = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "mode in force"})
    pending_params = ma.fields.Dict(dump_only=True, allow_none=True)
    pending_mode = ma.fields.String(dump_only=True, allow_none=True)
    options = ma.fields.List(ma.fields.Dict(), dump_only=True)
    versions = ma.fields.List(ma.fields.Nested(VersionSchema), attribute="version_list", dump_only=True,
                              metadata={"description": "newest first"})


RulePage = page_schema(RuleSchema, "BillingRulePage")


class CarOptionsSchema(ma.Schema):
    options = ma.fields.List(ma.fields.Nested(CarOptionSchema), required=True, metadata={"label": "预充值"})


class BikeOptionsSchema(ma.Schema):
    options = ma.fields.List(ma.fields.Nested(BikeOptionSchema), required=True, metadata={"label": "预估值"})


class TrialArgsSchema(ma.Schema):
    started_at = ma.fields.AwareDateTime(load_default=None, metadata={"label": "开始时间",
                                                                      "description": "ISO 8601 with offset; default now"})


class CarTrialSchema(TrialArgsSchema):
    energy_kwh = _energy(required=True)
    duration_minutes = ma.fields.Integer(load_default=DEFAULT_CAR_MINUTES, validate=MINUTES,
                                         metadata={"label": "充电时长 (分钟)"})


class BikeTrialSchema(TrialArgsSchema):
    duration_minutes = ma.fields.Integer(required=True, validate=MINUTES, metadata={"label": "充电时长 (分钟)"})
    power_w = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=0, max=100000),
                                metadata={"label": "功率 (W)"})
    energy_kwh = ma.fields.Decimal(load_default=None, as_string=True, metadata={"label": "充电电量 (度)"},
                                   validate=[ma.validate.Range(min=Decimal(0), max=Decimal(10000)), max_places(4, "电量")])


class ModeTrialSchema(TrialArgsSchema):
    """Unsaved params plus the test arguments of the mode's side (car: energy_kwh; bike: duration_minutes)."""

    params = ma.fields.Dict(required=True, metadata={"label": "计费参数"})
    energy_kwh = ma.fields.Decimal(load_default=None, as_string=True, metadata={"label": "充电电量 (度)"},
                                   validate=[ma.validate.Range(min=Decimal(0), max=Decimal(10000)), max_places(4, "电量")])
    duration_minutes = ma.fields.Integer(load_default=None, validate=MINUTES, metadata={"label": "充电时长 (分钟)"})
    power_w = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=0, max=100000),
                                metadata={"label": "功率 (W)"})


class TrialResultSchema(ma.Schema):
    version = ma.fields.Integer(metadata={"description": "the rule version used (rule tests only)"})
    usage = ma.fields.Dict()
    bill = ma.fields.Dict(metadata={"description": "Bill.to_dict(): totals and lines in yuan strings"})


class ModeArgs(ma.Schema):
    vehicle = ma.fields.String(load_default=None, validate=ma.validate.OneOf(("car", "bike")))


class ModeSchema(ma.Schema):
    identifier = ma.fields.String()
    verbose_name = ma.fields.String()
    vehicle = ma.fields.String()
    plugin = ma.fields.String()
    schema = ma.fields.Dict(metadata={"description": "JSON schema of the mode's params (fields carry x-label)"})


class PileBillingSchema(ma.Schema):
    """计费详情 of a pile: the enabled rule of its area (``rule`` null and ``message`` set when none)."""

    station_id = ma.fields.Integer()
    station_name = ma.fields.String()
    area_id = ma.fields.Integer()
    area_name = ma.fields.String()
    rule = ma.fields.Nested(RuleDetailSchema, allow_none=True)
    message = ma.fields.String(allow_none=True)
    mode_name = ma.fields.String(allow_none=True)
    effective_from = ma.fields.DateTime(allow_none=True)
    description = ma.fields.String(allow_none=True)
    ykc = ma.fields.Dict(allow_none=True, metadata={"description": "{prices: [{rate, electricity_price, "
                                                                   "service_price}], slots: [48 rate numbers]}"})
