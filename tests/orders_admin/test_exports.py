"""导出 of 汽车订单 and 单车订单: real .xlsx files written by the export writer process, read back with openpyxl —
headers, rows in words and local time, the list's filters (default window included), the asker's scope and
the export permission."""
from __future__ import annotations

from datetime import timezone
from zoneinfo import ZoneInfo

import pytest

from chargehub.tenancy.models import UserType
from tests.devices_admin.test_exports import export, rows_of
from tests.orders_admin.conftest import all_days, make_user, select

pytestmark = pytest.mark.smoke
CAR_HEADERS = ("订单编号", "用户手机号/卡号", "电站", "区域", "电桩编号", "枪号", "启动方式", "预付金额（元）", "电费（元）",
               "服务费（元）", "订单总费用（元）", "充电电量（kWh）", "充电时长", "订单状态", "支付状态", "开票状态", "创建时间",
               "结束时间")
BIKE_HEADERS = ("订单编号", "用户手机号", "服务商", "物业", "电站", "区域", "设备编号", "插座号", "启动方式", "预付金额（元）",
                "预充时长（分钟）", "充电费用（元）", "充电时长", "订单状态", "支付状态", "开票状态", "创建时间", "结束时间")
LOCAL = ZoneInfo("Asia/Shanghai")


def local(moment) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def hms(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def test_car_order_export(dataset):
    a, client = dataset["A"], dataset["client"]
    station = a["stations"][0]
    started = export(client, a["headers"], "car_order", station_id=station.id, **all_days())
    assert started["kind"] == "car_order"
    title, rows = rows_of(client, a["headers"], started)
    assert title == "汽车订单"
    assert rows[0] == CAR_HEADERS
    expected = select(a["car"], lambda s: s["station_id"] == station.id)
    assert len(rows) - 1 == len(expected)
    by_trade = {row[0]: row for row in rows[1:]}
    spec = next(s for s in a["car"] if s["id"] == expected[3])
    assert by_trade[spec["trade_no"]] == (
        spec["trade_no"], spec["phone"] or spec["card_no"], station.name, spec["area_name"], spec["device_code"],
        spec["gun_number"], {"app": "小程序", "card": "刷卡", "vin": "即插即充", "admin": "后台启动"}[spec["start_method"].value],
        float(spec["prepaid"]), float(spec["electricity_fee"]), float(spec["service_fee"]), float(spec["amount"]),
        float(spec["energy_kwh"]), hms(spec["duration_s"]),
        {"starting": "启动中", "charging": "充电中", "stopping": "结束中", "completed": "订单完成", "failed": "订单异常",
         "suspended": "订单挂起"}[spec["state"].value],
        {"unpaid": "待支付", "paid": "已支付", "partially_refunded": "部分退款", "refunded": "已退款"}[spec["pay_state"].value],
        {"none": "未开票", "invoicing": "开票中", "invoiced": "已开票"}[spec["invoice_state"].value],
        local(spec["created_at"]), None)
    card = next(s for s in a["car"] if s["station_id"] == station.id and s["card_no"])
    assert by_trade[card["trade_no"]][1] == card["card_no"]  # a card start: the card number instead of a phone


def test_car_order_export_default_window_and_scope(dataset):
    a, b, client = dataset["A"], dataset["B"], dataset["client"]
    _, rows = rows_of(client, a["headers"], export(client, a["headers"], "car_order"))
    assert sorted(row[0] for row in rows[1:]) == sorted(s["trade_no"] for s in a["car"] if s["days_ago"] <= 6)
    midnight = a["car"][0]  # 6 days ago at local midnight: in the window, written in local time
    assert local(midnight["created_at"]).endswith("00:00:00")
    assert local(midnight["created_at"]) in {row[16] for row in rows[1:]}
    _, rows = rows_of(client, a["property_headers"], export(client, a["property_headers"], "car_order", **all_days()))
    assert {row[2] for row in rows[1:]} == {a["stations"][2].name}
    _, rows = rows_of(client, a["headers"], export(client, a["headers"], "car_order", trade_no=b["car"][0]["trade_no"],
                                                   **all_days()))
    assert rows[1:] == []
    bad = export(client, a["headers"], "car_order", 422, state="lost", page=2)
    assert {"state", "page"} <= set(bad["errors"]["json"]["filters"])


def test_bike_order_export(dataset):
    a, client = dataset["A"], dataset["client"]
    title, rows = rows_of(client, a["headers"], export(client, a["headers"], "bike_order", socket_number=2, **all_days()))
    assert title == "单车订单"
    assert rows[0] == BIKE_HEADERS
    expected = [s for s in a["bike"] if s["socket_number"] == 2]
    assert sorted(row[0] for row in rows[1:]) == sorted(s["trade_no"] for s in expected)
    spec = expected[0]
    row = next(r for r in rows[1:] if r[0] == spec["trade_no"])
    prop = next(p for p in a["properties"] if p.id == spec["property_id"])
    assert row[:8] == (spec["trade_no"], spec["phone"] or None, "服务商A", prop.name, spec["station_name"],
                       spec["area_name"], spec["device_code"], 2)
    assert row[9:13] == (float(spec["prepaid"]), spec["preset_minutes"], float(spec["amount"]), hms(spec["duration_s"]))
    assert row[13] == {"charging": "充电中", "completed": "订单结束", "failed": "订单异常", "suspended": "订单挂起"}[
        spec["state"].value]
    assert row[16] == local(spec["created_at"].astimezone(timezone.utc))


def test_export_needs_the_export_permission(dataset, auth_headers):
    a, client = dataset["A"], dataset["client"]
    viewer = auth_headers(make_user(a, UserType.PROVIDER, ["order.car:list", "order.bike:list", "order.bike:export"]))
    refused = export(client, viewer, "car_order", 403)
    assert "order.car:export" in refused["message"]
    _, rows = rows_of(client, viewer, export(client, viewer, "bike_order", **all_days()))
    assert len(rows) - 1 == len(a["bike"])


@pytest.mark.parametrize("kind", ["car_order", "bike_order"])
def test_the_writer_gets_plain_parameters(dataset, kind):
    """The writer process unpickles the chunk query without the app: enum cases must be plain strings, or
    unpickling them imports the models (and the whole app: +40 MB of writer memory)."""
    from datetime import datetime

    from chargehub.exports import get_source
    from chargehub.exports.query import chunk_query
    from chargehub.extensions import db
    from chargehub.tenancy.scope import scope_of

    source = get_source(kind)
    filters = source.filters_schema().load({"state": "charging", "start_method": "app", "pay_state": "paid"})
    query = chunk_query(source.statement(filters, scope_of(dataset["A"]["owner"])), source.key, 1000, db.engine.dialect)
    assert {type(v) for v in query.params.values()} <= {str, int, datetime}
    assert not any(type(v).__module__.startswith("chargehub") for v in query.params.values())
