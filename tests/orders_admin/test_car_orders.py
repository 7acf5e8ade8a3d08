"""汽车订单 list and totals: every search field of manual 3.4.1 finds exactly the expected orders, the default
7-day window, sorting, paging, 合计 本页总和 and 总计 搜索条件下总和."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chargehub.charging.models import InvoiceState, OrderState, OrderType, PayState, StartMethod
from tests.orders_admin.conftest import CAR_STATES, PHONES, all_days, day, select

LIST = "/api/v1/admin/car-orders"
TOTALS = "/api/v1/admin/car-orders/totals"


def found(client, headers, url=LIST, **args) -> list[int]:
    """Ids of every order the list finds (one page of up to 100)."""
    response = client.get(url, headers=headers, query_string={"page_size": 100, **args})
    assert response.status_code == 200, response.json
    assert response.json["total"] == len(response.json["items"])
    return sorted(item["id"] for item in response.json["items"])


#: (search args, predicate on the spec) by search field; ``n`` is tenant A's network.
SEARCHES = {
    "station_id": lambda n: ({"station_id": n["stations"][1].id}, lambda s: s["station_id"] == n["stations"][1].id),
    "trade_no": lambda n: ({"trade_no": "0000017"}, lambda s: s["trade_no"].endswith("17")),
    "reservation_yes": lambda n: ({"reservation": "true"},
                                  lambda s: s["order_type"] is OrderType.RESERVATION or s["reservation_id"] is not None),
    "reservation_no": lambda n: ({"reservation": "false"},
                                 lambda s: s["order_type"] is not OrderType.RESERVATION and s["reservation_id"] is None),
    "device_code": lambda n: ({"device_code": "ap0003"}, lambda s: s["device_code"] == "AP0003"),
    "factory_id": lambda n: ({"factory_id": "SN000001"}, lambda s: s["factory_id"] == "ASN000001"),
    "gun_number": lambda n: ({"gun_number": 2}, lambda s: s["gun_number"] == 2),
    "phone": lambda n: ({"phone": "0002222"}, lambda s: s["phone"] == PHONES[1]),
    "card_no": lambda n: ({"card_no": "carda0003"}, lambda s: s["card_no"] == "CARDA0003"),
    "pay_state": lambda n: ({"pay_state": "partially_refunded"}, lambda s: s["pay_state"] is PayState.PARTIALLY_REFUNDED),
    "invoice_state": lambda n: ({"invoice_state": "invoicing"}, lambda s: s["invoice_state"] is InvoiceState.INVOICING),
    "one_day": lambda n: ({"created_from": day(6), "created_to": day(6)}, lambda s: s["days_ago"] == 6),
    "from_only": lambda n: ({"created_from": day(3)}, lambda s: s["days_ago"] <= 3),
    "to_only": lambda n: ({"created_to": day(10)}, lambda s: s["days_ago"] >= 10),
    "combined": lambda n: ({"station_id": n["stations"][0].id, "start_method": "app", "phone": "1380000"},
                           lambda s: s["station_id"] == n["stations"][0].id and s["start_method"] is StartMethod.APP
                           and s["phone"] == PHONES[0]),
}


@pytest.mark.parametrize("field", sorted(SEARCHES))
def test_each_search_field_finds_exactly_the_expected_orders(dataset, field):
    a = dataset["A"]
    args, predicate = SEARCHES[field](a)
    if not {"created_from", "created_to"} & set(args):
        args = {**all_days(), **args}
    expected = select(a["car"], predicate)
    assert 0 < len(expected) < len(a["car"]), "the dataset must make this search meaningful"
    assert found(dataset["client"], a["headers"], **args) == expected


@pytest.mark.parametrize("state", CAR_STATES)
def test_state_search(dataset, state):
    a = dataset["A"]
    expected = select(a["car"], lambda s: s["state"] is state)
    assert expected
    assert found(dataset["client"], a["headers"], state=state.value, **all_days()) == expected


@pytest.mark.parametrize("method", list(StartMethod))
def test_start_method_search(dataset, method):
    a = dataset["A"]
    expected = select(a["car"], lambda s: s["start_method"] is method)
    assert expected
    assert found(dataset["client"], a["headers"], start_method=method.value, **all_days()) == expected


@pytest.mark.smoke
def test_default_window_is_the_last_seven_local_days(dataset):
    a = dataset["A"]
    orders = found(dataset["client"], a["headers"])
    assert orders == select(a["car"], lambda s: s["days_ago"] <= 6)
    edge_in, edge_out, today_midnight = a["car"][0]["id"], a["car"][1]["id"], a["car"][2]["id"]
    assert edge_in in orders  # 6 days ago at 00:00:00 local
    assert today_midnight in orders  # today at 00:00:00 local
    assert edge_out not in orders  # 7 days ago at 23:59:59 local
    totals = dataset["client"].get(TOTALS, headers=a["headers"]).json
    assert totals["count"] == len(orders)


def test_bad_searches_answer_422(dataset):
    client, headers = dataset["client"], dataset["A"]["headers"]
    for args, field in (({"state": "lost"}, "state"), ({"created_from": day(1), "created_to": day(2)}, "created_to"),
                        ({"gun_number": 0}, "gun_number"), ({"reservation": "maybe"}, "reservation")):
        response = client.get(LIST, headers=headers, query_string=args)
        assert response.status_code == 422, args
        assert field in str(response.json["errors"]), response.json
    response = client.get(LIST, headers=headers, query_string={"sort": "phone"})
    assert response.status_code == 422
    assert "created_at" in str(response.json["errors"]["query"]["sort"])


def _sum(specs, ids, name):
    return sum((s[name] for s in specs if s["id"] in ids), Decimal(0) if name != "duration_s" else 0)


@pytest.mark.smoke
def test_page_totals_and_search_totals(dataset):
    a, client = dataset["A"], dataset["client"]
    args = {**all_days(), "station_id": a["stations"][0].id}
    expected = select(a["car"], lambda s: s["station_id"] == a["stations"][0].id)
    page = client.get(LIST, headers=a["headers"], query_string={**args, "page": 2, "page_size": 5}).json
    assert page["total"] == len(expected) and page["page"] == 2 and len(page["items"]) == 5
    on_page = {item["id"] for item in page["items"]}
    sums = page["page_totals"]
    assert sums == {
        "prepaid": str(_sum(a["car"], on_page, "prepaid")), "energy_kwh": str(_sum(a["car"], on_page, "energy_kwh")),
        "duration_s": _sum(a["car"], on_page, "duration_s"), "amount": str(_sum(a["car"], on_page, "amount")),
        "electricity_fee": str(_sum(a["car"], on_page, "electricity_fee")),
        "service_fee": str(_sum(a["car"], on_page, "service_fee"))}
    assert sums["prepaid"] == str(sum(Decimal(item["prepaid"]) for item in page["items"]))
    totals = client.get(TOTALS, headers=a["headers"], query_string=args).json
    every = set(expected)
    assert totals == {
        "count": len(expected), "prepaid": str(_sum(a["car"], every, "prepaid")),
        "energy_kwh": str(_sum(a["car"], every, "energy_kwh")), "duration_s": _sum(a["car"], every, "duration_s"),
        "electricity_fee": str(_sum(a["car"], every, "electricity_fee")),
        "service_fee": str(_sum(a["car"], every, "service_fee")), "amount": str(_sum(a["car"], every, "amount"))}
    empty = client.get(TOTALS, headers=a["headers"], query_string={**args, "trade_no": "nothing"}).json
    assert empty == {"count": 0, "prepaid": "0.00", "energy_kwh": "0.0000", "duration_s": 0, "electricity_fee": "0.00",
                     "service_fee": "0.00", "amount": "0.00"}


def test_items_show_the_manual_columns_newest_first(dataset):
    a, client = dataset["A"], dataset["client"]
    page = client.get(LIST, headers=a["headers"], query_string={**all_days(), "page_size": 100}).json
    created = [item["created_at"] for item in page["items"]]
    assert created == sorted(created, reverse=True)
    spec = next(s for s in a["car"] if s["start_method"] is StartMethod.CARD and s["state"] is OrderState.SUSPENDED)
    item = next(i for i in page["items"] if i["id"] == spec["id"])
    assert item["trade_no"] == spec["trade_no"]
    assert item["station_name"] == spec["station_name"]
    assert item["phone_or_card"] == spec["card_no"] and item["phone"] == ""
    assert (item["device_code"], item["gun_number"]) == (spec["device_code"], spec["gun_number"])
    assert item["prepaid"] == str(spec["prepaid"]) and item["amount"] == str(spec["amount"])
    assert item["energy_kwh"] == str(spec["energy_kwh"]) and item["duration_s"] == spec["duration_s"]
    assert (item["state"], item["state_label"]) == ("suspended", "订单挂起")
    assert item["start_method"] == "card"
    assert {item["pay_state"], item["invoice_state"]} == {spec["pay_state"].value, spec["invoice_state"].value}


def test_sorting(dataset):
    a, client = dataset["A"], dataset["client"]
    items = client.get(LIST, headers=a["headers"], query_string={**all_days(), "page_size": 100, "sort": "prepaid"}).json["items"]
    values = [Decimal(item["prepaid"]) for item in items]
    assert values == sorted(values) and len(values) == len(a["car"])
    oldest = client.get(LIST, headers=a["headers"], query_string={**all_days(), "page_size": 1, "sort": "created_at"}).json
    assert oldest["items"][0]["id"] == min(a["car"], key=lambda s: s["created_at"])["id"]
