"""The 支付订单, 退费管理 and 分账记录 pages and the order pages' 退费 / 分账 actions, with the Flask test client:
behind their menus' permissions, the manual's search fields, columns and actions, and every string in English."""
from __future__ import annotations

import pytest

from tests.browser.test_pages import embedded, make_user, signed_in, webui_app  # noqa: F401 - fixture
from tests.devices_admin.test_bike_pages import CJK, _strings

pytestmark = pytest.mark.smoke


def spec_of(client, path: str) -> dict:
    page = client.get(f"/admin/{path}")
    assert page.status_code == 200, path
    html = page.get_data(as_text=True)
    assert "webui/payments.js" in html and "webui/assets.js" in html
    return embedded(html, "page-spec")


def test_payment_page(webui_app):  # noqa: F811
    client = signed_in(webui_app, make_user(webui_app, "13700000801", permissions=("order.payment:list",)))
    spec = spec_of(client, "orders/payments")
    assert spec["api"] == "/api/v1/admin/payments" and spec["title"] == "支付订单"
    assert [s["label"] for s in spec["search"]] == ["订单类型", "站点名称", "支付类型", "支付状态", "订单编号", "手机号",
                                                   "发起时间", "支付时间"]
    station = next(s for s in spec["search"] if s["name"] == "station_id")
    assert station["options"]["params"] == {"kind": "order_kind"}  # the chosen side's stations
    created, paid = spec["search"][-2:]
    assert (created["params"], created["default_days"], paid["params"], paid["default_days"]) == (
        ["created_from", "created_to"], 7, ["paid_from", "paid_to"], None)
    assert [c["label"] for c in spec["columns"]] == ["订单编号", "订单类型", "电站", "支付金额", "手机号", "支付类型", "发起时间",
                                                    "支付时间", "支付状态"]
    actions = {a["label"]: a for a in spec["actions"]}
    assert set(actions) == {"详细", "导出"}
    assert actions["导出"]["params"]["kind"] == "payment" and actions["导出"]["permission"] == "order.payment:export"
    assert set(actions["导出"]["params"]["filters"]) == {"order_kind", "station_id", "plugin", "state", "trade_no", "phone",
                                                        "created_from", "created_to", "paid_from", "paid_to"}
    detail = [c["label"] for c in spec["detail"]]
    for label in ("所属电站", "区域", "设备", "订单类型", "订单号", "支付渠道", "支付金额", "消费时长", "用户手机号", "支付时间",
                  "第三方回调", "回调记录"):
        assert label in detail
    assert signed_in(webui_app, make_user(webui_app, "13700000802", permissions=("order.refund:list",))).get(
        "/admin/orders/payments").status_code == 403


def test_refund_and_split_pages(webui_app):  # noqa: F811
    client = signed_in(webui_app, make_user(webui_app, "13700000803", owner=True))
    refunds = spec_of(client, "orders/refunds")
    assert [s["label"] for s in refunds["search"]] == ["订单类型", "站点名称", "退费类型", "退费状态", "收款人", "订单编号",
                                                      "申请时间", "退款时间"]
    assert [c["label"] for c in refunds["columns"]] == ["订单编号", "收款人", "订单费用", "支付金额", "退费金额", "退费类型", "操作者",
                                                       "申请时间", "退费状态", "退费时间", "第三方退款单号"]
    assert {a["label"] for a in refunds["actions"]} == {"详细", "导出"}
    assert [c["label"] for c in refunds["detail"]] == ["电站", "区域", "订单编号", "支付编号", "订单总额", "支付总额", "退费金额",
                                                      "退款类型", "操作者", "退款时间", "退款原因", "退款状态", "退款结果", "退款单号",
                                                      "第三方退款单号", "收款人"]
    splits = spec_of(client, "stats/splits")
    assert [s["label"] for s in splits["search"]] == ["订单编号", "订单类型", "电站名称", "主导商户", "分账商户", "分账单号", "操作人",
                                                     "分账状态"]
    (revoke,) = splits["actions"]
    assert (revoke["label"], revoke["permission"], revoke["when"], revoke["handler"]) == (
        "分账撤销", "stats.split:revoke", {"state": "success"}, "split_revoke")


@pytest.mark.parametrize("menu,path", [("order.car", "orders/car"), ("order.bike", "orders/bike")])
def test_order_pages_have_refund_and_split(webui_app, menu, path):  # noqa: F811
    client = signed_in(webui_app, make_user(webui_app, f"1370000081{len(path)}", owner=True))
    spec = embedded(client.get(f"/admin/{path}").get_data(as_text=True), "page-spec")
    actions = {a["label"]: a for a in spec["actions"]}
    refund, split = actions["退费"], actions["分账"]
    assert (refund["permission"], refund["when"], refund["url"], refund["handler"]) == (
        f"{menu}:refund", {"state": "completed"}, "{api}/{id}/refund", "order_refund")
    assert refund["params"]["maximum"] == "最大退费金额（元）"
    assert (split["permission"], split["url"], split["params"]["resplit"]) == (
        f"{menu}:split", "{api}/{id}/splits", "/api/v1/admin/splits/{id}/resplit")
    detail = next(a for a in spec["actions"] if a["label"] == "详细")
    assert detail["params"]["column_enums"]["refunds"]["kind"]["manual"] == "人工退费"


@pytest.mark.parametrize("path", ["orders/payments", "orders/refunds", "stats/splits", "orders/car", "orders/bike"])
def test_every_string_of_the_pages_is_translated(webui_app, path):  # noqa: F811
    client = signed_in(webui_app, make_user(webui_app, "13700000820", owner=True))
    spec = embedded(client.get(f"/admin/{path}?lang=en").get_data(as_text=True), "page-spec")
    assert sorted({s for s in _strings(spec) if CJK.search(s)}) == []
