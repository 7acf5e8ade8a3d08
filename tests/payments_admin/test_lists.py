"""支付订单, 退费管理 and 分账记录 lists: every search field filters, the default 7-day window, paging and
the caller's scope."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from tests.orders_admin.conftest import all_days, day
from tests.payments_admin.conftest import PAYMENTS, REFUNDS, SPLITS, expect, ids

pytestmark = pytest.mark.smoke
ZONE = ZoneInfo("Asia/Shanghai")


def local_day(moment) -> str:
    return moment.astimezone(ZONE).date().isoformat()


def test_payment_search_fields(records):
    a, client = records["A"], records["client"]
    pay, h, every = a["payments"], a["headers"], all_days()
    assert ids(client, PAYMENTS, h, **every) == expect(pay)
    station = a["stations"][0]
    assert ids(client, PAYMENTS, h, station_id=station.id, **every) == expect(
        pay, lambda s: s["order"].kind == "car" and s["order"].station_id == station.id)
    bike = a["bike_stations"][1]
    assert ids(client, PAYMENTS, h, station_id=bike.id, station_kind="bike", **every) == expect(
        pay, lambda s: s["order"].kind == "bike" and s["order"].station_id == bike.id)
    assert ids(client, PAYMENTS, h, station_id=bike.id, order_kind="bike", **every) == expect(  # the side follows
        pay, lambda s: s["order"].kind == "bike" and s["order"].station_id == bike.id)
    assert ids(client, PAYMENTS, h, order_kind="bike", **every) == expect(pay, lambda s: s["order"].kind == "bike")
    assert ids(client, PAYMENTS, h, plugin="leshua", **every) == expect(pay, lambda s: s["plugin"] == "leshua")
    assert ids(client, PAYMENTS, h, state="paid", **every) == expect(pay, lambda s: s["state"].value == "paid")
    target = pay[5]
    assert ids(client, PAYMENTS, h, trade_no=target["order"].trade_no, **every) == [target["id"]]
    assert ids(client, PAYMENTS, h, trade_no=target["out_trade_no"], **every) == [target["id"]]
    phone = "13900002222"
    assert ids(client, PAYMENTS, h, phone="0000222", **every) == expect(pay, lambda s: s["order"].phone == phone)
    created = local_day(target["created_at"])
    assert ids(client, PAYMENTS, h, created_from=created, created_to=created) == expect(
        pay, lambda s: local_day(s["created_at"]) == created)
    paid = [s for s in pay if s["paid_at"]]
    first = local_day(paid[0]["paid_at"])
    assert ids(client, PAYMENTS, h, paid_from=first, paid_to=first) == expect(  # no created window then
        pay, lambda s: s["paid_at"] is not None and local_day(s["paid_at"]) == first)
    assert ids(client, PAYMENTS, h, plugin="balance", state="paid", order_kind="car", **every) == expect(
        pay, lambda s: s["plugin"] == "balance" and s["state"].value == "paid" and s["order"].kind == "car")


def test_payment_list_default_window_items_and_paging(records):
    a, client = records["A"], records["client"]
    window = expect(a["payments"], lambda s: local_day(s["created_at"]) >= day(6))
    assert ids(client, PAYMENTS, a["headers"]) == window
    page = client.get(PAYMENTS, headers=a["headers"], query_string={"page_size": 5, "page": 2, **all_days()}).json
    assert (page["total"], page["page"], len(page["items"])) == (len(a["payments"]), 2, 5)
    item = next(i for i in client.get(PAYMENTS, headers=a["headers"], query_string={
        "page_size": 100, **all_days()}).json["items"] if i["id"] == a["payments"][1]["id"])
    spec = a["payments"][1]
    assert (item["trade_no"], item["out_trade_no"], item["plugin"], item["plugin_label"], item["state"],
            item["state_label"], item["amount"], item["order_kind_label"]) == (
        spec["order"].trade_no, spec["out_trade_no"], "leshua", "乐刷", "paid", "已支付", str(spec["order"].prepaid),
        "汽车订单")
    bad = client.get(PAYMENTS, headers=a["headers"], query_string={"state": "lost", "sort": "nope"})
    assert bad.status_code == 422
    backwards = client.get(PAYMENTS, headers=a["headers"], query_string={"paid_from": day(1), "paid_to": day(3)})
    assert backwards.status_code == 422


def test_refund_search_fields(records):
    a, client = records["A"], records["client"]
    ref, h, every = a["refunds"], a["headers"], all_days()
    assert ids(client, REFUNDS, h, **every) == expect(ref)
    station = a["stations"][1]
    assert ids(client, REFUNDS, h, station_id=station.id, **every) == expect(
        ref, lambda s: s["order"].kind == "car" and s["order"].station_id == station.id)
    assert ids(client, REFUNDS, h, kind="manual", **every) == expect(ref, lambda s: s["kind"].value == "manual")
    assert ids(client, REFUNDS, h, state="success", **every) == expect(ref, lambda s: s["state"].value == "success")
    assert ids(client, REFUNDS, h, phone="13800001111", **every) == expect(
        ref, lambda s: s["order"].phone == "13800001111")
    target = ref[2]
    assert ids(client, REFUNDS, h, trade_no=target["order"].trade_no[-8:], **every) == expect(
        ref, lambda s: s["order"].trade_no.endswith(target["order"].trade_no[-8:]))
    created = local_day(target["created_at"])
    assert ids(client, REFUNDS, h, created_from=created, created_to=created) == expect(
        ref, lambda s: local_day(s["created_at"]) == created)
    done = next(s for s in ref if s["refunded_at"])
    when = local_day(done["refunded_at"])
    assert ids(client, REFUNDS, h, refunded_from=when, refunded_to=when) == expect(
        ref, lambda s: s["refunded_at"] is not None and local_day(s["refunded_at"]) == when)
    assert ids(client, REFUNDS, h) == expect(ref, lambda s: local_day(s["created_at"]) >= day(6))


def test_split_search_fields(records):
    a, client = records["A"], records["client"]
    spl, h = a["splits"], a["headers"]
    assert ids(client, SPLITS, h) == expect(spl)  # no date search: every split
    target = spl[1]
    assert ids(client, SPLITS, h, trade_no=target["order"].trade_no) == [target["id"]]
    station = target["order"]
    assert ids(client, SPLITS, h, station_id=station.station_id, station_kind=station.kind) == expect(
        spl, lambda s: s["order"].kind == station.kind and s["order"].station_id == station.station_id)
    assert ids(client, SPLITS, h, lead_merchant="LMA1") == expect(spl, lambda s: s["lead_merchant"] == "LMA1")
    assert ids(client, SPLITS, h, receiver_account="ACC2") == expect(spl, lambda s: s["receiver_account"] == "ACC2")
    assert ids(client, SPLITS, h, receiver_account="分账方0") == expect(spl, lambda s: s["receiver_account"] == "ACC0")
    assert ids(client, SPLITS, h, out_split_no=target["out_split_no"]) == [target["id"]]
    assert ids(client, SPLITS, h, operator_name="李四") == expect(spl, lambda s: s["operator_name"] == "李四")
    assert ids(client, SPLITS, h, order_kind="bike") == expect(spl, lambda s: s["order"].kind == "bike")
    assert ids(client, SPLITS, h, state="failed") == expect(spl, lambda s: s["state"].value == "failed")
    item = client.get(SPLITS, headers=h, query_string={"out_split_no": target["out_split_no"]}).json["items"][0]
    assert (item["state_label"], item["amount"], item["ratio"], item["receiver_name"]) == (
        {"processing": "分账中", "success": "分账成功", "failed": "分账失败", "revoking": "撤销中",
         "revoked": "已撤销"}[target["state"].value], "0.30", "0.3000", f"分账方{int(target['receiver_account'][-1])}")


def test_lists_are_scoped(records):
    a, b, client = records["A"], records["B"], records["client"]
    every = all_days()
    assert ids(client, PAYMENTS, b["headers"], **every) == expect(b["payments"])
    assert ids(client, REFUNDS, b["headers"], **every) == expect(b["refunds"])
    assert ids(client, SPLITS, b["headers"]) == expect(b["splits"])
    prop = a["property"]  # the owner of property 2 sees its stations' records only
    assert ids(client, PAYMENTS, a["property_headers"], **every) == expect(
        a["payments"], lambda s: s["order"].property_id == prop.id)
    assert ids(client, PAYMENTS, a["headers"], trade_no=b["payments"][0]["out_trade_no"], **every) == []
    foreign = b["stations"][0]
    assert ids(client, PAYMENTS, a["headers"], station_id=foreign.id, **every) == []
