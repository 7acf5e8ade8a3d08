"""The export kinds ``car_order`` (汽车订单) and ``bike_order`` (单车订单): 导出 of the list's search.

Filters are the lists' searches (:mod:`.schemas`, default window included), matched by the same
conditions (:mod:`.conditions`) and scoped for the user who asked. The statements select plain columns
and the enums already in words, so the writer process (:mod:`.rows`) needs nothing of the app; the
e-bike export joins the 服务商 and 物业 names.
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from chargehub.charging.admin.conditions import BIKE, CAR
from chargehub.charging.admin.schemas import (
    INVOICE_STATE_LABELS,
    PAY_STATE_LABELS,
    START_METHOD_LABELS,
    BikeOrderFilters,
    CarOrderFilters,
)
from chargehub.charging.models import BikeOrder, CarOrder
from chargehub.charging.states import STATE_LABELS
from chargehub.config import settings
from chargehub.exports.kinds import ExportSource
from chargehub.tenancy.models import Property, ServiceProvider
from chargehub.tenancy.scope import Scope

CAR_HEADERS = ("订单编号", "用户手机号/卡号", "电站", "区域", "电桩编号", "枪号", "启动方式", "预付金额（元）", "电费（元）",
               "服务费（元）", "订单总费用（元）", "充电电量（kWh）", "充电时长", "订单状态", "支付状态", "开票状态", "创建时间",
               "结束时间")
CAR_WIDTHS = (34, 16, 24, 14, 16, 6, 10, 12, 10, 10, 14, 14, 10, 10, 10, 10, 20, 20)
BIKE_HEADERS = ("订单编号", "用户手机号", "服务商", "物业", "电站", "区域", "设备编号", "插座号", "启动方式", "预付金额（元）",
                "预充时长（分钟）", "充电费用（元）", "充电时长", "订单状态", "支付状态", "开票状态", "创建时间", "结束时间")
BIKE_WIDTHS = (34, 14, 20, 20, 24, 14, 16, 8, 10, 12, 14, 12, 10, 10, 10, 10, 20, 20)


def _words(column, labels: Mapping[Any, str], *, keep_unknown: bool = False) -> sa.ColumnElement:
    """``column``'s value as the operators' word (``CASE``); a value without one gives '' (or itself with
    ``keep_unknown``). The cases are plain strings (enum members by value): the writer process unpickles
    the parameters without the models."""
    cases = {getattr(key, "value", key): label for key, label in labels.items()}
    return sa.case(cases, value=column, else_=column if keep_unknown else "")


def _zone() -> sa.ColumnElement:
    """The operators' time zone as the last column, so the row functions can write local times."""
    return sa.cast(sa.literal(settings()["TIMEZONE"]), sa.String)


def car_order_statement(filters: Mapping[str, Any], scope: Scope) -> sa.Select:
    """Car orders matching ``filters`` within ``scope``: id first, then the export's columns."""
    o = CarOrder
    return sa.select(o.id, o.trade_no, sa.func.coalesce(sa.func.nullif(o.phone, ""), o.card_no), o.station_name,
                     o.area_name, o.device_code, o.gun_number, _words(o.start_method, START_METHOD_LABELS), o.prepaid,
                     o.electricity_fee, o.service_fee, o.amount, o.energy_kwh, o.duration_s,
                     _words(o.state, STATE_LABELS["car"]), _words(o.pay_state, PAY_STATE_LABELS),
                     _words(o.invoice_state, INVOICE_STATE_LABELS), o.created_at, o.ended_at,
                     _zone()).where(*CAR.where(filters, scope))


def bike_order_statement(filters: Mapping[str, Any], scope: Scope) -> sa.Select:
    """E-bike orders matching ``filters`` within ``scope``: id first, then the export's columns."""
    o = BikeOrder
    return (sa.select(o.id, o.trade_no, o.phone, ServiceProvider.name.label("provider_name"),
                      Property.name.label("property_name"), o.station_name, o.area_name, o.device_code,
                      o.socket_number, _words(o.start_method, START_METHOD_LABELS), o.prepaid, o.preset_minutes,
                      o.amount, o.duration_s, _words(o.state, STATE_LABELS["bike"]), _words(o.pay_state, PAY_STATE_LABELS),
                      _words(o.invoice_state, INVOICE_STATE_LABELS), o.created_at, o.ended_at, _zone())
            .join(ServiceProvider, ServiceProvider.id == o.provider_id)
            .join(Property, Property.id == o.property_id)
            .where(*BIKE.where(filters, scope)))


CAR_ORDERS = ExportSource(title="汽车订单", permission="order.car:export", filters_schema=CarOrderFilters,
                          headers=CAR_HEADERS, statement=car_order_statement, key=CarOrder.id,
                          row="chargehub.charging.admin.rows:car_order_row", widths=CAR_WIDTHS)
BIKE_ORDERS = ExportSource(title="单车订单", permission="order.bike:export", filters_schema=BikeOrderFilters,
                           headers=BIKE_HEADERS, statement=bike_order_statement, key=BikeOrder.id,
                           row="chargehub.charging.admin.rows:bike_order_row", widths=BIKE_WIDTHS)
