"""结束 of car and e-bike orders from the admin API: settled through the order service on the last reported
figures (or the minutes an operator enters for an e-bike), 409 in states the manual does not allow."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from chargehub.charging.models import BikeOrder, CarOrder, OrderState, SettledBy
from chargehub.extensions import db

pytestmark = pytest.mark.smoke
CAR, BIKE = "/api/v1/admin/car-orders", "/api/v1/admin/bike-orders"


def _spec(specs, state):
    return next(s for s in specs if s["state"] is state)


@pytest.mark.parametrize("side,key,state,label", [
    (CAR, "car", OrderState.COMPLETED, "订单完成"),
    (BIKE, "bike", OrderState.COMPLETED, "订单结束"),
])
def test_end_refuses_a_finished_order(dataset, side, key, state, label):
    a, client = dataset["A"], dataset["client"]
    spec = _spec(a[key], state)
    response = client.post(f"{side}/{spec['id']}/end", headers=a["headers"], json={})
    assert response.status_code == 409
    assert label in response.json["message"]
    model = CarOrder if key == "car" else BikeOrder
    db.session.expire_all()
    assert db.session.get(model, spec["id"]).settled_by is None


def test_end_payloads_are_validated(dataset):
    a, client = dataset["A"], dataset["client"]
    bike = _spec(a["bike"], OrderState.CHARGING)
    for minutes in (0, 2881, "abc"):
        response = client.post(f"{BIKE}/{bike['id']}/end", headers=a["headers"], json={"minutes": minutes})
        assert response.status_code == 422, minutes
        assert "minutes" in response.json["errors"]["json"]
    car = _spec(a["car"], OrderState.CHARGING)
    response = client.post(f"{CAR}/{car['id']}/end", headers=a["headers"], json={"minutes": 30})
    assert response.status_code == 422  # a car order is settled on its energy: no minutes
    db.session.expire_all()
    assert db.session.get(BikeOrder, bike["id"]).state is OrderState.CHARGING


def test_car_end_settles_on_the_last_reported_energy(dataset):
    a, client = dataset["A"], dataset["client"]
    spec = _spec(a["car"], OrderState.SUSPENDED)
    order = db.session.get(CarOrder, spec["id"])
    order.started_at, order.last_report_at = order.created_at, order.created_at + timedelta(minutes=40)
    order.energy_kwh, order.amount = Decimal("8.2500"), Decimal("0.00")
    db.session.commit()
    response = client.post(f"{CAR}/{spec['id']}/end", headers=a["headers"], json={})
    assert response.status_code == 200, response.json
    detail = response.json
    assert (detail["state"], detail["state_label"], detail["can_end"]) == ("completed", "订单完成", False)
    assert detail["settled_by"] == SettledBy.OPERATOR.value and detail["ended_by_name"] == a["owner"].name
    assert detail["energy_kwh"] == "8.2500" and detail["duration_s"] == 40 * 60
    last = detail["transitions"][-1]
    assert (last["from_label"], last["to_label"], last["actor"], last["actor_name"]) == (
        "订单挂起", "订单完成", "user", a["owner"].name)
    again = client.post(f"{CAR}/{spec['id']}/end", headers=a["headers"], json={})
    assert again.status_code == 409


def test_bike_end_with_minutes_entered_by_the_operator(dataset):
    a, client = dataset["A"], dataset["client"]
    spec = _spec(a["bike"], OrderState.FAILED)
    response = client.post(f"{BIKE}/{spec['id']}/end", headers=a["headers"], json={"minutes": 45})
    assert response.status_code == 200, response.json
    detail = response.json
    assert (detail["state"], detail["state_label"]) == ("completed", "订单结束")
    assert detail["duration_s"] == 45 * 60
    assert "45" in detail["end_reason"]
    assert detail["transitions"][-1]["actor_label"] == "操作员"


def test_bike_end_on_the_last_reported_duration(dataset):
    a, client = dataset["A"], dataset["client"]
    spec = _spec(a["bike"], OrderState.CHARGING)
    order = db.session.get(BikeOrder, spec["id"])
    order.started_at, order.duration_s = order.created_at, 1500
    db.session.commit()
    response = client.post(f"{BIKE}/{spec['id']}/end", headers=a["headers"], json={})
    assert response.status_code == 200, response.json
    assert (response.json["state"], response.json["duration_s"]) == ("completed", 1500)
