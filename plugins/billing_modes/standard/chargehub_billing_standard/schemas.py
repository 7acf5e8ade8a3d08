"""Rule schemas of the seven modes (marshmallow). ``load`` validates and returns what ``compile`` takes;
``dump`` gives JSON-friendly data (decimals as strings) that loads back to the same params.

Every field carries ``metadata={"label": ...}``: the admin form is generated from these schemas.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma

from chargehub.contracts.billing import TOU_RATES

from chargehub_billing_standard.fields import (
    BASE_MESSAGES,
    ClockTime,
    Count,
    RuleSchema,
    amount_field,
    minutes_of,
    unit_price_field,
)
from chargehub_billing_standard.tou import MAX_PERIODS, coverage_errors

#: Longest auto-stop threshold (48 h), in minutes.
MAX_AUTO_STOP_MINUTES = 48 * 60
#: Most power tiers a rule may have.
MAX_TIERS = 10
#: Largest unit price per hour or per billing unit, yuan.
MAX_UNIT_PRICE = 1000


def _nested(schema: type[ma.Schema], label: str, **kwargs: Any) -> ma.fields.Nested:
    return ma.fields.Nested(schema, required=True, error_messages=BASE_MESSAGES, metadata={"label": label},
                            **kwargs)


def _list(schema: type[ma.Schema], label: str, minimum: int, maximum: int, too_few: str, too_many: str) -> ma.fields.List:
    def length(value: list) -> None:
        if len(value) < minimum:
            raise ma.ValidationError(too_few)
        if len(value) > maximum:
            raise ma.ValidationError(too_many)

    return ma.fields.List(ma.fields.Nested(schema, error_messages=BASE_MESSAGES), required=True, validate=length,
                          error_messages={**BASE_MESSAGES, "invalid": "应为列表 (expected a list)"},
                          metadata={"label": label})


# ----------------------------------------------------------------------------------------------- car


class CarFlatSchema(RuleSchema):
    """统一计价: one electricity and one service price per kWh, at any time."""

    electricity_price = unit_price_field("电费单价(元/度)")
    service_price = unit_price_field("服务费单价(元/度)")


class RatePriceSchema(RuleSchema):
    """The electricity and service prices of one TOU rate."""

    electricity_price = unit_price_field("电费单价(元/度)")
    service_price = unit_price_field("服务费单价(元/度)")


class TouPricesSchema(RuleSchema):
    """Prices of the four rates (all required; a rate no period uses may be 0)."""

    sharp = _nested(RatePriceSchema, "尖时段单价")
    peak = _nested(RatePriceSchema, "峰时段单价")
    flat = _nested(RatePriceSchema, "平时段单价")
    valley = _nested(RatePriceSchema, "谷时段单价")


class PeriodSchema(RuleSchema):
    """One local wall-clock period ``[start, end)`` and its rate."""

    start = ClockTime(required=True, metadata={"label": "开始时间"})
    end = ClockTime(required=True, metadata={"label": "结束时间"})
    rate = ma.fields.String(
        required=True, error_messages=BASE_MESSAGES, metadata={"label": "时段类型"},
        validate=ma.validate.OneOf(TOU_RATES, error="时段类型必须是 sharp/peak/flat/valley 之一 "
                                                    "(rate must be one of sharp, peak, flat, valley)"))

    @ma.validates_schema
    def _start_before_end(self, data: dict, **kwargs: Any) -> None:
        if minutes_of(data["start"]) >= minutes_of(data["end"]):
            raise ma.ValidationError("结束时间必须晚于开始时间 (end must be after start)", field_name="end")


class CarTouSchema(RuleSchema):
    """峰平谷计价: prices per rate and periods covering 00:00–24:00 exactly once, on 30-minute boundaries."""

    prices = _nested(TouPricesSchema, "尖峰平谷单价")
    periods = _list(PeriodSchema, "计费时段", 1, MAX_PERIODS, "至少设置一个计费时段 (at least one period)",
                    f"计费时段不能超过{MAX_PERIODS}个 (at most {MAX_PERIODS} periods)")

    @ma.validates("periods")
    def _covers_the_day(self, value: list, **kwargs: Any) -> None:
        if not all(isinstance(p, dict) and {"start", "end", "rate"} <= p.keys()
                   and minutes_of(p["start"]) < minutes_of(p["end"]) for p in value):
            return  # an invalid period is reported by itself
        errors = coverage_errors(value)
        if errors:
            raise ma.ValidationError(errors)


# ---------------------------------------------------------------------------------------------- bike


class BikeSchema(RuleSchema):
    """Fields of every e-bike mode: auto-stop threshold and amount (0: no cap, the default), free duration
    (0: none, the default)."""

    auto_stop_minutes = Count(minimum=1, maximum=MAX_AUTO_STOP_MINUTES, required=True,
                              too_small="自停阈值至少1分钟 (at least 1 minute)",
                              too_large="自停阈值不能超过48小时 (at most 48 h)",
                              metadata={"label": "自停阈值(分钟)"})
    auto_stop_amount = amount_field("自停金额(元)", load_default=Decimal("0.00"))
    free_minutes = Count(minimum=0, maximum=MAX_AUTO_STOP_MINUTES, load_default=0,
                         too_small="免费时长不能为负数 (must not be negative)",
                         too_large="免费时长不能超过48小时 (at most 48 h)",
                         metadata={"label": "免费时长(分钟)"})

    @ma.validates_schema
    def _free_within_threshold(self, data: dict, **kwargs: Any) -> None:
        if "free_minutes" in data and "auto_stop_minutes" in data and data["free_minutes"] > data["auto_stop_minutes"]:
            raise ma.ValidationError("免费时长不能超过自停阈值 (free time must not exceed the auto-stop threshold)",
                                     field_name="free_minutes")


def _unit_minutes() -> Count:
    return Count(minimum=1, maximum=1440, required=True, too_small="计费单位至少1分钟 (at least 1 minute)",
                 too_large="计费单位不能超过1440分钟 (at most 1440 minutes)", metadata={"label": "计费单位(分钟)"})


class TierSchema(RuleSchema):
    """One power tier: up to ``up_to_w`` watts, ``unit_price`` yuan per billing unit."""

    up_to_w = Count(minimum=1, maximum=1_000_000, required=True, too_small="功率上限必须大于0 (must be positive)",
                    too_large="功率上限不能超过1000000W (at most 1,000,000 W)", metadata={"label": "功率上限(W)"})
    unit_price = unit_price_field("单价(元/单位)", MAX_UNIT_PRICE)


def _tiers() -> ma.fields.List:
    return _list(TierSchema, "功率档位", 1, MAX_TIERS, "至少设置一个功率档 (at least one tier)",
                 f"功率档不能超过{MAX_TIERS}个 (at most {MAX_TIERS} tiers)")


def _ascending(tiers: list) -> None:
    if not all(isinstance(t, dict) and "up_to_w" in t for t in tiers):
        return  # an invalid tier is reported by itself
    for before, after in zip(tiers, tiers[1:]):
        if after["up_to_w"] <= before["up_to_w"]:
            raise ma.ValidationError("功率档上限必须递增 (tiers must be strictly ascending)")
        # A cheaper higher tier would make a longer session cost less when its power rises.
        if "unit_price" in before and "unit_price" in after and after["unit_price"] < before["unit_price"]:
            raise ma.ValidationError("功率越高的档位单价不能更低 (a higher tier must not be cheaper)")


class BikeDurationSchema(BikeSchema):
    """时长模式: a price per started unit of ``unit_minutes``."""

    unit_minutes = _unit_minutes()
    unit_price = unit_price_field("单价(元/单位)", MAX_UNIT_PRICE)


class BikePowerSchema(BikeSchema):
    """功率模式: per started unit, the price of the tier of the unit's highest power."""

    unit_minutes = _unit_minutes()
    tiers = _tiers()

    @ma.validates("tiers")
    def _tiers_ascending(self, value: list, **kwargs: Any) -> None:
        _ascending(value)


class BikeEnergySchema(BikeSchema):
    """统一计费: electricity and service price per kWh."""

    electricity_price = unit_price_field("电费单价(元/度)")
    service_price = unit_price_field("服务费单价(元/度)")


class BikeEnergyHourlySchema(BikeSchema):
    """时段服务费: electricity per kWh, service per started hour."""

    electricity_price = unit_price_field("电费单价(元/度)")
    hourly_service_price = unit_price_field("服务费(元/小时)", MAX_UNIT_PRICE)


class BikeEnergyPowerSchema(BikeSchema):
    """功率服务费: electricity per kWh, service per started unit at the tier of the unit's highest power."""

    electricity_price = unit_price_field("电费单价(元/度)")
    unit_minutes = _unit_minutes()
    tiers = _tiers()

    @ma.validates("tiers")
    def _tiers_ascending(self, value: list, **kwargs: Any) -> None:
        _ascending(value)
