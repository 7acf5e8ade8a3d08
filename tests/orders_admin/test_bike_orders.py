"""单车订单 list and totals: every search field of manual 3.4.2 finds exactly the expected orders, the default
7-day window, 合计 本页总和 (with 预充时长) and 总计 搜索条件下总和."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chargehub.charging.models import InvoiceState, OrderState, OrderType, PayState, StartMethod
from tests.orders_admin.conftest import BIKE_STATES, PHONES, all_days, day, select
from tests.orders_admin.test_car_orders import found

LIST = "/api/v1/admin/bike-orders"
TOTALS = "/api/v1/admin/bike-orders/totals"

#: (search args, predicate on the spec) by search field; ``n`` is tenant A's network.
SEARCHES = {
    "station_id": lambda n: ({"station_id": n["bike_stations"][1].id},
                             lambda s: s["station_id"] == n["bike_stations"][1].id),
    "order_type": lambda n: ({"order_type": "collective"}, lambda s: s["order_type"] is OrderType.COLLECTIVE),
    "phone": lambda n: ({"phone": "37000033"}, lambda s: s["phone"] == PHONES[2]),
    "trade_no": lambda n: ({"trade_no": "00000000021"}, lambda s: s["trade_no"].endswith("021")),
    "device_code": lambda n: ({"device_code": "ad0001"}, lambda s: s["device_code"] == "AD0001"),
    "factory_id": lambda n: ({"factory_id": "FAC00002"}, lambda s: s["factory_id"] == "AFAC00002"),
    "socket_number": lambda n: ({"socket_number": 2}, lambda s: s["socket_number"] == 2),
    "pay_state": lambda n: ({"pay_state": "refunded"}, lambda s: s["pay_state"] is PayState.REFUNDED),
    "invoice_state": lambda n: ({"invoice_state": "none"}, lambda s: s["invoice_state"] is InvoiceState.NONE),
    "one_day": lambda n: ({"created_from": day(7), "created_to": day(7)}, lambda s: s["days_ago"] == 7),
    "range": lambda n: ({"created_from": day(9), "created_to": day(2)}, lambda s: 2 <= s["days_ago"] <= 9),
    "combined": lambda n: ({"device_code": "AD0002", "socket_number": 1, "state": "charging"},
                           lambda s: s["device_code"] == "AD0002" and s["socket_number"] == 1
                           and s["state"] is OrderState.CHARGING),
}


@pytest.mark.parametrize("field", sorted(SEARCHES))
def test_each_search_field_finds_exactly_the_expected_orders(dataset, field):
    a = dataset["A"]
    args, predicate = SEARCHES[field](a)
    if not {"created_from", "created_to"} & set(args):
        args = {**all_days(), **args}
    expected = select(a["bike"], predicate)
    assert 0 < len(expected) < len(a["bike"]), "the dataset must make this search meaningful"
    assert found(dataset["client"], a["headers"], LIST, **args) == expected


@pytest.mark.parametrize("state", BIKE_STATES)
def test_state_search(dataset, state):
    a = dataset["A"]
    expected = select(a["bike"], lambda s: s["state"] is state)
    assert expected
    assert found(dataset["client"], a["headers"], LIST, state=state.value, **all_days()) == expected


@pytest.mark.parametrize("method", list(StartMethod))
def test_start_method_search(dataset, method):
    a = dataset["A"]
    expected = select(a["bike"], lambda s: s["start_method"] is method)
    assert expected
    assert found(dataset["client"], a["headers"], LIST, start_method=method.value, **all_days()) == expected


def test_car_only_states_are_refused(dataset):
    response = dataset["client"].get(LIST, headers=dataset["A"]["headers"], query_string={"state": "stopping"})
    assert response.status_code == 422
    assert "单车订单状态" in str(response.json["errors"]["query"]["state"])


def test_default_window_is_the_last_seven_local_days(dataset):
    a = dataset["A"]
    orders = found(dataset["client"], a["headers"], LIST)
    assert orders == select(a["bike"], lambda s: s["days_ago"] <= 6)
    assert a["bike"][0]["id"] in orders and a["bike"][2]["id"] in orders  # local midnights 6 days ago and today
    assert a["bike"][1]["id"] not in orders  # 23:59:59 seven days ago


@pytest.mark.smoke
def test_page_totals_and_search_totals(dataset):
    a, client = dataset["A"], dataset["client"]
    args = {**all_days(), "phone": "138"}
    expected = select(a["bike"], lambda s: s["phone"] == PHONES[0])
    page = client.get(LIST, headers=a["headers"], query_string={**args, "page_size": 4}).json
    assert page["total"] == len(expected) and len(page["items"]) == 4
    items = page["items"]
    assert page["page_totals"] == {
        "prepaid": str(sum(Decimal(i["prepaid"]) for i in items)),
        "energy_kwh": str(sum(Decimal(i["energy_kwh"]) for i in items)),
        "duration_s": sum(i["duration_s"] for i in items),
        "preset_minutes": sum(i["preset_minutes"] for i in items),
        "amount": str(sum(Decimal(i["amount"]) for i in items)),
        "electricity_fee": page["page_totals"]["electricity_fee"], "service_fee": page["page_totals"]["service_fee"]}
    specs = [s for s in a["bike"] if s["id"] in set(expected)]
    totals = client.get(TOTALS, headers=a["headers"], query_string=args).json
    assert totals["count"] == len(expected)
    assert Decimal(totals["prepaid"]) == sum(s["prepaid"] for s in specs)
    assert Decimal(totals["amount"]) == sum(s["amount"] for s in specs)
    assert Decimal(totals["energy_kwh"]) == sum(s["energy_kwh"] for s in specs)
    assert totals["duration_s"] == sum(s["duration_s"] for s in specs)
    assert totals["preset_minutes"] == sum(s["preset_minutes"] for s in specs)


def test_items_show_the_manual_columns(dataset):
    a, client = dataset["A"], dataset["client"]
    spec = a["bike"][5]
    item = client.get(LIST, headers=a["headers"], query_string={**all_days(), "trade_no": spec["trade_no"]}).json["items"]
    assert len(item) == 1
    item = item[0]
    assert {k: item[k] for k in ("trade_no", "station_name", "phone", "device_code", "socket_number", "prepaid",
                                 "preset_minutes", "amount", "duration_s", "start_method", "state", "state_label",
                                 "pay_state", "invoice_state")} == {
        "trade_no": spec["trade_no"], "station_name": spec["station_name"], "phone": spec["phone"],
        "device_code": spec["device_code"], "socket_number": spec["socket_number"], "prepaid": str(spec["prepaid"]),
        "preset_minutes": spec["preset_minutes"], "amount": str(spec["amount"]), "duration_s": spec["duration_s"],
        "start_method": spec["start_method"].value, "state": spec["state"].value, "state_label": "订单结束",
        "pay_state": spec["pay_state"].value, "invoice_state": spec["invoice_state"].value}
