"""The two order searches as SQL, shared by the lists, their totals and the exports.

汽车订单 (3.4.1): 站点名称, 电枪编号, 订单状态, 启动方式, 支付状态, 开票状态 equal; 订单编号, 电桩编号,
电桩SN, 手机号, 充电卡号 contain; 预约订单 is a yes / no; 订单创建时间 a range of local dates.
单车订单 (3.4.2): 电站名称, 订单状态, 订单类型, 启动方式, 插座编号, 支付状态, 开票状态 equal; 手机号, 订单编号,
设备编号, 出厂标识 contain; 订单创建时间 likewise.

The lists must stay fast over millions of orders (bench/orders: p95 ≤ 40 ms at 32 clients), so they
select only the columns they show, straight from the order table (orders carry the station name, codes
and phone they were made with: no joins, no ORM objects), count with the same conditions, and lean on
the ``(station_id, created_at)``, ``(provider_id, created_at)`` and ``(created_at)`` indexes: every
search has a created-at range (the schema fills in the default window) and the default order is
``created_at`` descending.

Scope of a search by station: the caller's scope is checked on the *station* (one uncorrelated
``EXISTS`` through the one scoping helper) instead of on every order row. That is the same set of
orders — an order copies its provider and property from its station when it is made, and a station's
provider and property never change — but it lets PostgreSQL count (and page) a station's orders from
the ``(station_id, created_at)`` index alone. Checked per row, the provider condition made the planner
AND in the whole provider's index: 35 ms instead of 2 ms for the count of a busy station's 90 days among
1,000,000 orders.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_smorest import abort

from chargehub.api.listing import contains, created_between, equals
from chargehub.assets.bike_models import BikeStation
from chargehub.assets.car_models import CarStation
from chargehub.charging.models import BikeOrder, CarOrder, OrderType
from chargehub.charging.states import STATE_LABELS
from chargehub.config import settings
from chargehub.db import utcnow
from chargehub.extensions import db
from chargehub.tenancy.scope import Scope, condition

#: 默认查询一周数据: a search without dates covers today and the 6 local dates before it.
DEFAULT_DAYS = 7
CENT = Decimal("0.01")
KWH = Decimal("0.0001")


def default_window(today: date | None = None) -> tuple[date, date]:
    """``(from, to)``: the last :data:`DEFAULT_DAYS` local dates, today included."""
    today = today or utcnow().astimezone(ZoneInfo(settings()["TIMEZONE"])).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def _reservation(order, value: bool | None):
    """预约订单: of type reservation or tied to a reservation (``False``: neither)."""
    if value is None:
        return None
    reserved = sa.or_(order.order_type == OrderType.RESERVATION, order.reservation_id.is_not(None))
    return reserved if value else sa.not_(reserved)


def car_conditions(filters: Mapping[str, Any]) -> list:
    """The 汽车订单 search as conditions on :class:`CarOrder` (``None`` entries: empty fields)."""
    order, f = CarOrder, filters
    return [equals(order.station_id, f.get("station_id")), contains(order.trade_no, f.get("trade_no")),
            _reservation(order, f.get("reservation")), contains(order.device_code, f.get("device_code")),
            contains(order.factory_id, f.get("factory_id")), equals(order.gun_number, f.get("gun_number")),
            contains(order.phone, f.get("phone")), contains(order.card_no, f.get("card_no")),
            equals(order.state, f.get("state")), equals(order.start_method, f.get("start_method")),
            equals(order.pay_state, f.get("pay_state")), equals(order.invoice_state, f.get("invoice_state")),
            created_between(order.created_at, f)]


def bike_conditions(filters: Mapping[str, Any]) -> list:
    """The 单车订单 search as conditions on :class:`BikeOrder` (``None`` entries: empty fields)."""
    order, f = BikeOrder, filters
    return [equals(order.station_id, f.get("station_id")), equals(order.state, f.get("state")),
            equals(order.order_type, f.get("order_type")), equals(order.start_method, f.get("start_method")),
            contains(order.phone, f.get("phone")), contains(order.trade_no, f.get("trade_no")),
            contains(order.device_code, f.get("device_code")), contains(order.factory_id, f.get("factory_id")),
            equals(order.socket_number, f.get("socket_number")), equals(order.pay_state, f.get("pay_state")),
            equals(order.invoice_state, f.get("invoice_state")), created_between(order.created_at, f)]


@dataclass(frozen=True)
class Side:
    """What the car and e-bike order lists differ in."""

    kind: str
    model: Any
    station: Any
    conditions: Callable[[Mapping[str, Any]], list]
    #: the list's columns (attribute names of the model)
    columns: tuple[str, ...]
    #: the summed columns: money (2 decimals), ``energy_kwh`` (4), whole numbers otherwise
    totals: tuple[str, ...]

    def where(self, filters: Mapping[str, Any], scope: Scope | None = None) -> list:
        """The search's conditions and the scope's (default: the current user's), on the searched station
        when the search names one (see the module docstring), else on the orders."""
        conditions = [c for c in self.conditions(filters) if c is not None]
        station_id = filters.get("station_id")
        if station_id is None:
            return [condition(self.model, scope), *conditions]
        visible = sa.exists().where(self.station.id == station_id, condition(self.station, scope))
        return [visible, *conditions]


_COMMON = ("id", "trade_no", "station_id", "station_name", "area_name", "phone", "card_no", "device_code",
           "factory_id", "order_type", "start_method", "prepaid", "duration_s", "energy_kwh", "amount", "state",
           "pay_state", "invoice_state", "created_at", "ended_at")
_SUMS = ("prepaid", "energy_kwh", "duration_s", "electricity_fee", "service_fee", "amount")
CAR = Side("car", CarOrder, CarStation, car_conditions,
           _COMMON + ("gun_number", "reservation_id", "electricity_fee", "service_fee"), _SUMS)
BIKE = Side("bike", BikeOrder, BikeStation, bike_conditions,
            _COMMON + ("socket_number", "preset_minutes", "charge_mode", "electricity_fee", "service_fee"),
            _SUMS + ("preset_minutes",))
SIDES = {"car": CAR, "bike": BIKE}
#: Sortable list columns (``sort=-created_at`` is the default).
SORTABLE = ("created_at", "trade_no", "prepaid", "amount", "energy_kwh", "duration_s")
DEFAULT_SORT = "-created_at"


def _sum_value(name: str, value: Any) -> Decimal | int:
    """A sum as the API shows it: money to the cent, energy to 0.0001 kWh, counts as integers."""
    if name == "energy_kwh":
        return Decimal(str(value or 0)).quantize(KWH, rounding=ROUND_HALF_UP)
    if name in ("duration_s", "preset_minutes"):
        return int(value or 0)
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _ordering(side: Side, sort: str | None) -> list:
    sort = sort or DEFAULT_SORT
    key = sort.lstrip("-")
    if key not in SORTABLE:
        abort(422, message="排序字段无效 (unknown sort field)",
              errors={"query": {"sort": [f"可选: {', '.join(sorted(SORTABLE))}"]}})
    descending = sort.startswith("-")
    column, tie = getattr(side.model, key), side.model.id
    return [column.desc(), tie.desc()] if descending else [column.asc(), tie.asc()]


def list_page(side: Side, args: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the search: ``{items, total, page, page_size, page_totals}``; items are plain dicts
    with ``state_label`` (and, for cars, ``phone_or_card``)."""
    where = side.where(args)
    ordering = _ordering(side, args.get("sort"))
    page, size = args.get("page", 1), args.get("page_size", 20)
    columns = [getattr(side.model, name) for name in side.columns]
    statement = sa.select(*columns).where(*where).order_by(*ordering).limit(size).offset((page - 1) * size)
    items = [dict(row) for row in db.session.execute(statement).mappings()]
    total = db.session.execute(sa.select(sa.func.count()).select_from(side.model).where(*where)).scalar_one()
    labels = STATE_LABELS[side.kind]
    for item in items:
        item["state_label"] = labels.get(item["state"], item["state"].value)
        if side.kind == "car":
            item["phone_or_card"] = item["phone"] or item["card_no"]
    page_totals = {name: _sum_value(name, sum((item[name] or 0) for item in items)) for name in side.totals}
    return {"items": items, "total": total, "page": page, "page_size": size, "page_totals": page_totals}


def search_totals(side: Side, filters: Mapping[str, Any]) -> dict[str, Any]:
    """总计 搜索条件下总和: ``{count, <each summed column>}`` over every order the search finds."""
    model = side.model
    sums = [sa.func.coalesce(sa.func.sum(getattr(model, name)), 0) for name in side.totals]
    row = db.session.execute(sa.select(sa.func.count(), *sums).select_from(model).where(*side.where(filters))).one()
    return {"count": row[0], **{name: _sum_value(name, value) for name, value in zip(side.totals, row[1:])}}
