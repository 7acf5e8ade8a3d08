"""The 汽车订单 and 单车订单 pages with the Flask test client: behind their menus' permissions, the manual's
search fields and columns, the totals rows, 结束 only where the state allows it, and every string in
English; and the generic totals declaration of the list-page pattern."""
from __future__ import annotations

import pytest

from chargehub_webui.pagespec import Column, PageSpec, Totals
from tests.browser.test_pages import embedded, make_user, signed_in, webui_app  # noqa: F401 - fixture
from tests.devices_admin.test_bike_pages import CJK, _strings

pytestmark = pytest.mark.smoke


def test_car_order_page(webui_app):  # noqa: F811
    client = signed_in(webui_app, make_user(webui_app, "13700000701", permissions=("order.car:list", "order.car:detail")))
    page = client.get("/admin/orders/car")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-menu="order.car"' in html and "webui/orders.js" in html and "webui/assets.js" in html
    spec = embedded(html, "page-spec")
    assert spec["api"] == "/api/v1/admin/car-orders" and spec["title"] == "汽车订单"
    assert [s["label"] for s in spec["search"]] == ["站点名称", "订单编号", "预约订单", "电桩编号", "电桩SN", "电枪编号", "手机号",
                                                   "充电卡号", "订单状态", "启动方式", "支付状态", "开票状态", "订单创建时间"]
    created = spec["search"][-1]
    assert (created["type"], created["params"], created["default_days"]) == ("daterange", ["created_from", "created_to"], 7)
    assert [c["label"] for c in spec["columns"]] == ["订单编号", "电站名称", "手机号/卡号", "电桩编号", "枪编号", "预付金额", "充电时长",
                                                    "充电电量", "电费", "服务费", "订单总费用", "启动方式", "订单状态", "支付状态",
                                                    "开票状态", "订单创建时间"]
    columns = {c["key"]: c for c in spec["columns"]}
    assert (columns["prepaid"]["suffix"], columns["energy_kwh"]["suffix"], columns["duration_s"]["format"]) == (
        "元", "度", "hms")
    assert columns["state"]["labels"]["suspended"] == "订单挂起"
    assert spec["totals"] == {"columns": ["prepaid", "duration_s", "energy_kwh", "electricity_fee", "service_fee",
                                          "amount"], "api": "{api}/totals", "page_label": "合计：本页总和",
                              "total_label": "总计：搜索条件下总和"}
    actions = {a["label"]: a for a in spec["actions"]}
    assert set(actions) == {"详细", "退费", "分账", "结束", "导出"}
    assert actions["结束"]["when"] == {"state": ["starting", "charging", "stopping", "suspended", "failed"]}
    assert actions["结束"]["permission"] == "order.car:edit" and "minutes" not in actions["结束"]["params"]
    assert actions["导出"]["params"]["kind"] == "car_order"
    assert set(actions["导出"]["params"]["filters"]) == {s["name"] for s in spec["search"][:-1]} | {
        "created_from", "created_to"}
    assert [key for key, _, _ in actions["详细"]["params"]["sections"]] == [
        "info", "payments", "bill", "refunds", "splits", "invoices", "transitions", "review"]
    refused = signed_in(webui_app, make_user(webui_app, "13700000702", permissions=("order.bike:list",)))
    assert refused.get("/admin/orders/car").status_code == 403


def test_bike_order_page(webui_app):  # noqa: F811
    client = signed_in(webui_app, make_user(webui_app, "13700000703", owner=True))
    spec = embedded(client.get("/admin/orders/bike").get_data(as_text=True), "page-spec")
    assert [s["label"] for s in spec["search"]] == ["电站名称", "订单状态", "订单类型", "启动方式", "手机号", "订单编号", "设备编号",
                                                   "出厂标识", "插座编号", "支付状态", "开票状态", "订单创建时间"]
    assert [c["label"] for c in spec["columns"]] == ["订单编号", "所属电站", "手机号", "设备编号", "插座编号", "预充金额", "预充时长",
                                                    "订单总额", "充电时长", "启动方式", "订单状态", "支付状态", "开票状态", "创建时间"]
    states = next(s for s in spec["search"] if s["name"] == "state")["options"]["choices"]
    assert [c["label"] for c in states] == ["启动中", "充电中", "订单结束", "订单异常", "订单挂起"]  # 启动中: awaiting payment
    assert spec["totals"]["columns"] == ["prepaid", "preset_minutes", "amount", "duration_s"]
    end = next(a for a in spec["actions"] if a["label"] == "结束")
    assert end["when"] == {"state": ["charging", "suspended", "failed"]}
    assert end["params"]["minutes"] is True and "2880" in end["params"]["minutes_help"]


@pytest.mark.parametrize("path", ["orders/car", "orders/bike"])
def test_every_string_of_the_pages_is_translated(webui_app, path):  # noqa: F811
    client = signed_in(webui_app, make_user(webui_app, "13700000704", owner=True))
    spec = embedded(client.get(f"/admin/{path}?lang=en").get_data(as_text=True), "page-spec")
    assert sorted({s for s in _strings(spec) if CJK.search(s)}) == []
    assert spec["totals"]["page_label"] == "Sum of this page"
    assert next(c for c in spec["columns"] if c["key"] == "duration_s")["labels"] == {"h": "h", "m": "m", "s": "s"}


def test_totals_must_name_list_columns_after_the_first():
    columns = (Column("name", "名称"), Column("amount", "金额"))
    spec = PageSpec(menu="x", path="x", title="x", api="/x", columns=columns, totals=Totals(columns=("amount",)))
    assert spec.to_json()["totals"]["columns"] == ["amount"]
    for wrong in (("name",), ("missing",)):
        with pytest.raises(ValueError):
            PageSpec(menu="x", path="x", title="x", api="/x", columns=columns, totals=Totals(columns=wrong))
