"""详细 of payments (with 第三方回调) and refunds, the order detail's 支付明细 / 退费明细 / 分账, and the
``payment`` / ``refund`` exports as real .xlsx files read back with openpyxl."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from chargehub.tenancy.models import UserType
from tests.devices_admin.test_exports import export, rows_of
from tests.orders_admin.conftest import all_days, make_user
from tests.payments_admin.conftest import PAYMENTS, REFUNDS

pytestmark = pytest.mark.smoke
ZONE = ZoneInfo("Asia/Shanghai")
PAYMENT_HEADERS = ("订单号", "订单类型", "支付类型", "支付金额（元）", "手机号", "电站", "支付状态", "第三方回调", "发起时间",
                   "支付时间")
REFUND_HEADERS = ("订单编号", "收款人", "订单费用（元）", "支付金额（元）", "退费金额（元）", "操作者", "申请时间", "退费状态",
                  "退费时间", "第三方退款单号")


def local(moment) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def test_payment_detail_with_callbacks(records):
    a, client = records["A"], records["client"]
    spec = a["payments"][1]  # leshua, paid
    order = spec["order"]
    detail = client.get(f"{PAYMENTS}/{spec['id']}", headers=a["headers"]).json
    assert {k: detail[k] for k in ("station_name", "area_name", "device_code", "order_kind_label", "trade_no",
                                   "plugin_label", "amount", "duration_s", "phone", "state_label")} == {
        "station_name": order.station_name, "area_name": order.area_name, "device_code": order.device_code,
        "order_kind_label": "汽车订单", "trade_no": order.trade_no, "plugin_label": "乐刷", "amount": str(order.prepaid),
        "duration_s": order.duration_s, "phone": order.phone, "state_label": "已支付"}
    assert detail["paid_at"] and detail["vendor_trade_no"] == "WXA000001"
    assert detail["raw"] == {"transaction_id": "WXA000001", "trade_state": "SUCCESS"}
    assert detail["notifications"] == []
    first = a["payments"][0]
    callbacks = client.get(f"{PAYMENTS}/{first['id']}", headers=a["headers"]).json["notifications"]
    assert [(n["state"], n["state_label"], n["reason"], n["body"]) for n in callbacks] == [
        ("rejected", "已拒绝", "签名错误 (bad signature)", '{"event": "paid"}'), ("applied", "已处理", "", '{"event": "paid"}')]
    assert all(n["received_at"] for n in callbacks)


def test_refund_detail(records):
    a, client = records["A"], records["client"]
    spec = next(s for s in a["refunds"] if s["state"].value == "success")
    order = spec["order"]
    detail = client.get(f"{REFUNDS}/{spec['id']}", headers=a["headers"]).json
    assert {k: detail[k] for k in ("station_name", "area_name", "trade_no", "out_trade_no", "order_amount",
                                   "paid_amount", "kind", "state_label", "message", "phone")} == {
        "station_name": order.station_name, "area_name": order.area_name, "trade_no": order.trade_no,
        "out_trade_no": spec["out_trade_no"], "order_amount": str(order.amount), "paid_amount": str(order.prepaid),
        "kind": spec["kind"].value, "state_label": "退款成功", "message": "退款成功", "phone": order.phone}
    assert detail["out_refund_no"].startswith("RA") and detail["vendor_refund_no"].startswith("VRA")
    assert detail["kind_label"] and detail["operator_name"] in ("系统", "张三") and detail["reason"].startswith("原因")
    assert detail["refunded_at"]


def test_order_detail_lists_payments_refunds_and_splits(records):
    a, client = records["A"], records["client"]
    spec = a["payments"][9]  # paid (state index 1), with a refund (9 % 3 == 0) and a split
    order = spec["order"]
    detail = client.get(f"/api/v1/admin/car-orders/{order.id}", headers=a["headers"]).json
    assert [(p["out_trade_no"], p["plugin_label"], p["state_label"], p["prepaid"]) for p in detail["payments"]] == [
        (spec["out_trade_no"], "乐刷", "已支付", str(order.prepaid))]
    assert detail["payments"][0]["pay_method_label"] == "余额"  # the order's 支付方式
    refund = next(r for r in a["refunds"] if r["order"] is order)
    assert [r["id"] for r in detail["refunds"]] == [refund["id"]]
    assert detail["refunds"][0]["kind_label"] and detail["refunds"][0]["amount"] == "10.00"
    split = next(s for s in a["splits"] if s["order"] is order)
    assert [(s["id"], s["out_split_no"], s["amount"]) for s in detail["splits"]] == [
        (split["id"], split["out_split_no"], "0.30")]
    plain = a["car"][-1]  # no records: 支付明细 is the order's own row
    detail = client.get(f"/api/v1/admin/car-orders/{plain['id']}", headers=a["headers"]).json
    assert [p.get("out_trade_no") for p in detail["payments"]] == [None] and detail["refunds"] == detail["splits"] == []


def test_payment_export(records):
    a, client = records["A"], records["client"]
    title, rows = rows_of(client, a["headers"], export(client, a["headers"], "payment", plugin="leshua", **all_days()))
    assert title == "支付订单" and rows[0] == PAYMENT_HEADERS
    expected = [s for s in a["payments"] if s["plugin"] == "leshua"]
    assert sorted(row[0] for row in rows[1:]) == sorted(s["order"].trade_no for s in expected)
    spec = expected[0]
    order = spec["order"]
    row = next(r for r in rows[1:] if r[0] == order.trade_no)
    assert row[:7] == (order.trade_no, "汽车订单", "乐刷", float(order.prepaid), order.phone or None, order.station_name,
                       "已支付")
    assert "WXA000001" in row[7] and row[8] == local(spec["created_at"]) and row[9] == local(spec["paid_at"])
    _, rows = rows_of(client, a["headers"], export(client, a["headers"], "payment"))  # the default window
    assert len(rows) - 1 == client.get(PAYMENTS, headers=a["headers"]).json["total"]
    bad = export(client, a["headers"], "payment", 422, state="lost")
    assert "state" in bad["errors"]["json"]["filters"]


def test_refund_export_and_permission(records, auth_headers):
    a, b, client = records["A"], records["B"], records["client"]
    title, rows = rows_of(client, a["headers"], export(client, a["headers"], "refund", state="success", **all_days()))
    assert title == "退费管理" and rows[0] == REFUND_HEADERS
    expected = [s for s in a["refunds"] if s["state"].value == "success"]
    assert len(rows) - 1 == len(expected)
    spec = expected[0]
    order = spec["order"]
    row = next(r for r in rows[1:] if r[0] == order.trade_no)
    assert row[1:6] == (order.phone or None, float(order.amount), float(order.prepaid), 1.0 + a["payments"].index(
        next(p for p in a["payments"] if p["order"] is order)), row[5])
    assert row[6:] == (local(spec["created_at"]), "退款成功", local(spec["refunded_at"]), row[9])
    assert row[9].startswith("VRA")
    _, rows = rows_of(client, b["headers"], export(client, b["headers"], "refund", **all_days()))
    assert len(rows) - 1 == len(b["refunds"])  # B's own only
    viewer = auth_headers(make_user(a, UserType.PROVIDER, ["order.refund:list", "order.payment:list"]))
    assert "order.refund:export" in export(client, viewer, "refund", 403)["message"]
    assert "order.payment:export" in export(client, viewer, "payment", 403)["message"]
