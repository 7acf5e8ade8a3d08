"""详细 of car and e-bike orders (every section of manual 3.4.1 §7 / 3.4.2 §8), tenant isolation (another
provider's order is 404, a property user sees only its property's orders, a station-bound user only its
stations') and the order.car / order.bike permissions."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from chargehub.charging.models import BikeOrder, CarOrder, OrderReview, OrderState, OrderTransition, SettledBy
from chargehub.extensions import db
from chargehub.tenancy.models import AuthScope, StationKind, UserStation, UserType
from tests.orders_admin.conftest import all_days, make_user, select
from tests.orders_admin.test_car_orders import found

pytestmark = pytest.mark.smoke
CAR, BIKE = "/api/v1/admin/car-orders", "/api/v1/admin/bike-orders"
BILL = {"mode": "car_tou", "free": False, "stop_reason": None, "energy_kwh": "12.5000", "electricity_fee": "11.25",
        "service_fee": "7.50", "total": "18.75",
        "lines": [{"key": "peak", "label": "峰", "seconds": 1800, "units": 0, "energy_kwh": "7.5000",
                   "electricity_price": "1.00000", "service_price": "0.60000", "electricity_fee": "7.50",
                   "service_fee": "4.50", "amount": "12.00"},
                  {"key": "flat", "label": "平", "seconds": 1200, "units": 0, "energy_kwh": "5.0000",
                   "electricity_price": "0.75000", "service_price": "0.60000", "electricity_fee": "3.75",
                   "service_fee": "3.00", "amount": "6.75"}]}


def _settle_by_hand(order, operator) -> None:
    """What a settled, operator-ended order with a late device record looks like (rows written directly)."""
    at = order.created_at
    order.state, order.bill, order.end_reason = OrderState.COMPLETED, BILL, "后台结束 (ended by an operator)"
    order.electricity_fee, order.service_fee, order.amount = Decimal("11.25"), Decimal("7.50"), Decimal("18.75")
    order.energy_kwh, order.duration_s, order.power_w, order.max_power_w = Decimal("12.5"), 3000, 7000, 7200
    order.started_at, order.ended_at, order.settled_at = at + timedelta(seconds=20), at + timedelta(hours=1), at + timedelta(hours=1)
    order.settled_by, order.ended_by = SettledBy.OPERATOR, operator.id
    order.review, order.device_figures = OrderReview.PENDING, {"energy_kwh": "12.6000", "amount": "18.90"}
    db.session.add_all([
        OrderTransition(order_kind=order.kind, order_id=order.id, from_state=None, to_state="charging",
                        cause="司机启动 (driver start)", actor="driver", actor_id=None, at=at),
        OrderTransition(order_kind=order.kind, order_id=order.id, from_state="charging", to_state="suspended",
                        cause="设备离线超时 (device silent)", actor="system", at=at + timedelta(minutes=30)),
        OrderTransition(order_kind=order.kind, order_id=order.id, from_state="suspended", to_state="completed",
                        cause="后台结束", actor="user", actor_id=operator.id, at=at + timedelta(hours=1)),
    ])
    db.session.commit()


def test_car_order_detail_sections(dataset):
    a, client = dataset["A"], dataset["client"]
    spec = a["car"][10]
    _settle_by_hand(db.session.get(CarOrder, spec["id"]), a["owner"])
    detail = client.get(f"{CAR}/{spec['id']}", headers=a["headers"]).json
    assert {k: detail[k] for k in ("station_name", "area_name", "device_code", "factory_id", "gun_number", "trade_no",
                                   "phone", "plate", "rule_name", "rule_text")} == {
        k: spec[k] for k in ("station_name", "area_name", "device_code", "factory_id", "gun_number", "trade_no", "phone",
                             "plate", "rule_name", "rule_text")}
    assert (detail["order_type"], detail["order_type_label"]) == (spec["order_type"].value, "普通订单")
    assert detail["start_method_label"] in ("小程序", "刷卡", "即插即充", "后台启动")
    assert (detail["duration_s"], detail["energy_kwh"], detail["power_w"]) == (3000, "12.5000", 7000)
    assert (detail["amount"], detail["electricity_fee"], detail["service_fee"]) == ("18.75", "11.25", "7.50")
    assert (detail["state"], detail["state_label"], detail["can_end"]) == ("completed", "订单完成", False)
    assert detail["end_reason"] == "后台结束 (ended by an operator)"
    assert detail["created_at"] and detail["ended_at"] and detail["settled_by_label"] == "后台结束"
    assert detail["ended_by_name"] == a["owner"].name
    assert detail["payments"] == [{"pay_method": "balance", "pay_method_label": "余额", "pay_state": spec["pay_state"].value,
                                   "pay_state_label": detail["pay_state_label"], "prepaid": str(spec["prepaid"]),
                                   "amount": "18.75", "refunded": "0.00", "at": detail["created_at"]}]
    assert detail["bill"] == {"mode": "car_tou", "free": False, "energy_kwh": "12.5000", "electricity_fee": "11.25",
                              "service_fee": "7.50", "total": "18.75"}
    assert [(line["label"], line["energy_kwh"], line["electricity_price"], line["amount"]) for line in detail["bill_lines"]] \
        == [("峰", "7.5000", "1.00000", "12.00"), ("平", "5.0000", "0.75000", "6.75")]
    assert detail["refunds"] == [] and detail["refunded"] == "0.00"
    assert detail["invoices"] == [] and detail["invoice_state"] == spec["invoice_state"].value
    assert [(t["from_label"], t["to_label"], t["actor_label"], t["actor_name"]) for t in detail["transitions"]] == [
        ("", "充电中", "用户", None), ("充电中", "订单挂起", "系统", None), ("订单挂起", "订单完成", "操作员", a["owner"].name)]
    assert (detail["review"], detail["review_label"]) == ("pending", "待核对")
    assert detail["device_figures"] == {"energy_kwh": "12.6000", "amount": "18.90"}


def test_bike_order_detail_sections(dataset):
    a, client = dataset["A"], dataset["client"]
    spec = a["bike"][4]
    assert spec["state"] is OrderState.CHARGING
    detail = client.get(f"{BIKE}/{spec['id']}", headers=a["headers"]).json
    assert {k: detail[k] for k in ("station_name", "area_name", "device_code", "factory_id", "socket_number",
                                   "preset_minutes", "trade_no", "phone", "rule_name")} == {
        k: spec[k] for k in ("station_name", "area_name", "device_code", "factory_id", "socket_number", "preset_minutes",
                             "trade_no", "phone", "rule_name")}
    assert (detail["state_label"], detail["can_end"]) == ("充电中", True)
    assert detail["bill_lines"] == [] and detail["transitions"] == []
    assert detail["payments"][0]["prepaid"] == str(spec["prepaid"])
    _settle_by_hand(db.session.get(BikeOrder, spec["id"]), a["owner"])
    detail = client.get(f"{BIKE}/{spec['id']}", headers=a["headers"]).json
    assert (detail["state_label"], detail["can_end"]) == ("订单结束", False)
    assert [t["to_label"] for t in detail["transitions"]] == ["充电中", "订单挂起", "订单结束"]
    assert len(detail["bill_lines"]) == 2


def test_another_providers_order_is_404(dataset):
    a, b, client = dataset["A"], dataset["B"], dataset["client"]
    for url, spec in ((CAR, b["car"][0]), (BIKE, b["bike"][0])):
        assert client.get(f"{url}/{spec['id']}", headers=a["headers"]).status_code == 404
        response = client.post(f"{url}/{spec['id']}/end", headers=a["headers"], json={})
        assert response.status_code == 404
    assert db.session.get(CarOrder, b["car"][0]["id"]).state is b["car"][0]["state"]
    assert found(client, a["headers"], trade_no=b["car"][0]["trade_no"], **all_days()) == []
    # a search by another tenant's station finds nothing (the scope is checked on the station)
    assert found(client, a["headers"], station_id=b["stations"][0].id, **all_days()) == []
    assert found(client, a["headers"], BIKE, station_id=b["bike_stations"][0].id, **all_days()) == []
    totals = client.get(f"{CAR}/totals", headers=a["headers"], query_string={"station_id": b["stations"][0].id}).json
    assert totals["count"] == 0 and totals["amount"] == "0.00"


def test_property_user_sees_only_its_propertys_orders(dataset):
    a, client = dataset["A"], dataset["client"]
    prop_id = a["property"].id
    headers = a["property_headers"]
    assert found(client, headers, **all_days()) == select(a["car"], lambda s: s["property_id"] == prop_id)
    assert found(client, headers, BIKE, **all_days()) == select(a["bike"], lambda s: s["property_id"] == prop_id)
    other = next(s for s in a["car"] if s["property_id"] != prop_id)
    assert client.get(f"{CAR}/{other['id']}", headers=headers).status_code == 404
    mine = next(s for s in a["car"] if s["property_id"] == prop_id)
    assert client.get(f"{CAR}/{mine['id']}", headers=headers).json["trade_no"] == mine["trade_no"]
    totals = client.get(f"{CAR}/totals", headers=headers, query_string=all_days()).json
    assert totals["count"] == len(select(a["car"], lambda s: s["property_id"] == prop_id))


def test_station_bound_user_sees_only_its_stations(dataset, auth_headers):
    a, client = dataset["A"], dataset["client"]
    user = make_user(a, UserType.PROVIDER, auth_scope=AuthScope.STATIONS)
    db.session.add_all([UserStation(user_id=user.id, kind=StationKind.CAR, station_id=a["stations"][1].id),
                        UserStation(user_id=user.id, kind=StationKind.BIKE, station_id=a["bike_stations"][0].id)])
    db.session.commit()
    headers = auth_headers(user)
    assert found(client, headers, **all_days()) == select(a["car"], lambda s: s["station_id"] == a["stations"][1].id)
    assert found(client, headers, BIKE, **all_days()) == select(
        a["bike"], lambda s: s["station_id"] == a["bike_stations"][0].id)
    assert found(client, headers, station_id=a["stations"][0].id, **all_days()) == []  # a station not bound to them
    assert found(client, headers, station_id=a["stations"][1].id, **all_days()) == select(
        a["car"], lambda s: s["station_id"] == a["stations"][1].id)
    prop = a["property_headers"]  # property 2's owner: property 1's stations are not theirs
    assert found(client, prop, station_id=a["stations"][0].id, **all_days()) == []


@pytest.mark.parametrize("side,menu", [(CAR, "order.car"), (BIKE, "order.bike")])
def test_permissions(dataset, auth_headers, side, menu):
    a, client = dataset["A"], dataset["client"]
    spec = a["car" if side == CAR else "bike"][1]
    nothing = auth_headers(make_user(a, UserType.PROVIDER, ["home:list"]))
    for url in (side, f"{side}/totals", f"{side}/{spec['id']}"):
        response = client.get(url, headers=nothing)
        assert response.status_code == 403, url
        assert menu in response.json["message"]
    assert client.post(f"{side}/{spec['id']}/end", headers=nothing, json={}).status_code == 403
    lister = auth_headers(make_user(a, UserType.PROVIDER, [f"{menu}:list"]))
    assert client.get(side, headers=lister).status_code == 200
    assert client.get(f"{side}/totals", headers=lister).status_code == 200
    assert client.get(f"{side}/{spec['id']}", headers=lister).status_code == 403
    viewer = auth_headers(make_user(a, UserType.PROVIDER, [f"{menu}:list", f"{menu}:detail"]))
    assert client.get(f"{side}/{spec['id']}", headers=viewer).status_code == 200
    response = client.post(f"{side}/{spec['id']}/end", headers=viewer, json={})
    assert response.status_code == 403 and f"{menu}:edit" in response.json["message"]
