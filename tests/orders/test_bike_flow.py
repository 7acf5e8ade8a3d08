"""E-bike charges end to end over a real broker with simulated chargers: a duration order the charger ends
by itself, a driver's stop, duplicates, a charger going silent, and an operator's 结束 with a custom
duration. The simulated chargers run 60× fast (a real second is a charging minute)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice
from chargehub.billing.services.pricing import price
from chargehub.billing.sides import SIDES
from chargehub.charging.control import end_by_operator
from chargehub.charging.models import BikeOrder, OrderReview, OrderState, SettledBy
from chargehub.charging.sweep import sweep
from chargehub.contracts.billing import Usage, yuan
from chargehub.db import utcnow
from chargehub.devices.bike_models import BikeChargeRecord
from chargehub.devices.models import ReviewState
from chargehub.extensions import db
from chargehub.members.balance import account
from chargehub.qrcodes.links import charge_url
from chargehub.testing.helpers import wait_until
from tests.orders.conftest import driver_id, fresh, key

pytestmark = pytest.mark.timeout(150)


def _socket_id(world, device: int = 0, number: int = 1) -> int:
    return world.network.sockets[world.network.factory_ids[device]][number]


def _order(trade_no: str) -> BikeOrder:
    db.session.expire_all()
    return db.session.execute(sa.select(BikeOrder).where(BikeOrder.trade_no == trade_no)).scalar_one()


def _balance(world) -> Decimal:
    db.session.expire_all()
    return account(driver_id(world.phone), world.network.provider_id).balance


def _start(world, socket_id: int, prepaid: str, minutes: int | None = None) -> dict:
    body = {"socket_id": socket_id, "prepaid": prepaid, **({"minutes": minutes} if minutes else {})}
    response = world.client.post("/api/v1/app/orders", json=body, headers={**world.driver, **key()})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_duration_order_ends_at_its_time_and_settles_on_the_billing_function(bike_world):
    world = bike_world
    from chargehub.assets.bike_models import Socket

    token = fresh(Socket, _socket_id(world)).qr_token
    scanned = world.client.get("/api/v1/app/scan", query_string={"url": charge_url("socket", token)},
                               headers=world.driver).get_json()
    assert scanned["available"] is True and scanned["rule"]["options"] is not None
    order = _start(world, _socket_id(world), "2.00", minutes=3)
    assert order["state"] == "charging" and order["preset_minutes"] == 3
    trade_no = order["trade_no"]
    assert _balance(world) == Decimal("18.00")
    live = lambda: world.client.get(f"/api/v1/app/orders/{trade_no}/live", headers=world.driver).get_json()  # noqa: E731
    wait_until(lambda: live()["duration_s"] > 0, timeout=20)
    assert Decimal(live()["cost"]) == Decimal("0.20")  # a started 10-minute unit
    # the charger stops at 3 (simulated) minutes and uploads its record
    wait_until(lambda: _order(trade_no).state is OrderState.COMPLETED, timeout=30)
    settled = _order(trade_no)
    record = db.session.execute(sa.select(BikeChargeRecord).where(BikeChargeRecord.trade_no == trade_no)).scalar_one()
    assert settled.settled_by is SettledBy.DEVICE and record.review_state is ReviewState.MATCHED
    assert settled.duration_s == record.elapsed_s and 170 <= record.elapsed_s <= 190
    start = int(settled.started_at.timestamp())
    rule = db.session.get(SIDES["bike"].rule, settled.rule_id)
    expected = price(rule, settled.created_at, Usage(start, start + record.elapsed_s,
                                                     ((start, 0), (start + record.elapsed_s, int(record.energy_kwh * 10000)))))
    assert settled.bill["lines"] == expected.to_dict()["lines"] and settled.amount == yuan(expected.total)
    assert settled.amount == Decimal("0.20") and settled.refunded == Decimal("1.80")
    assert _balance(world) == Decimal("19.80")


def test_a_driver_stops_an_e_bike_charge_and_a_second_stop_changes_nothing(bike_world):
    world = bike_world
    trade_no = _start(world, _socket_id(world, 1, 2), "3.00")["trade_no"]  # no duration: until full
    wait_until(lambda: _order(trade_no).duration_s >= 60, timeout=20)
    stop = world.client.post(f"/api/v1/app/orders/{trade_no}/stop", headers={**world.driver, **key()})
    assert stop.status_code == 200
    device = world.sim.fleet.device(world.network.factory_ids[1])
    again = world.client.post(f"/api/v1/app/orders/{trade_no}/stop", headers={**world.driver, **key()})
    assert again.status_code == 200
    wait_until(lambda: _order(trade_no).state is OrderState.COMPLETED, timeout=30)
    assert len(world.sim.run(device.received_of, "stop")) == 1
    settled = _order(trade_no)
    assert settled.amount > 0 and settled.amount + settled.refunded == Decimal("3.00")
    assert _balance(world) == Decimal("20.00") - settled.amount
    # a duplicate of the record: acknowledged, nothing changes
    assert world.sim.run(device.resend_record, trade_no)
    wait_until(lambda: db.session.execute(sa.select(BikeChargeRecord.duplicates).where(
        BikeChargeRecord.trade_no == trade_no)).scalar_one() == 1, timeout=20)
    assert _order(trade_no).amount == settled.amount and _order(trade_no).review is OrderReview.NONE
    assert _balance(world) == Decimal("20.00") - settled.amount


def test_a_silent_charger_suspends_the_order_and_an_operator_ends_it_on_minutes_entered(bike_world):
    world = bike_world
    trade_no = _start(world, _socket_id(world, 0, 2), "5.00")["trade_no"]
    wait_until(lambda: _order(trade_no).duration_s >= 60, timeout=20)
    sn = world.network.factory_ids[0]
    device = world.sim.fleet.device(sn)
    world.sim.run(device.drop_connection, 3600)
    device_id = world.network.device_ids[0]
    wait_until(lambda: not fresh(BikeDevice, device_id).online, timeout=30)
    assert sweep(utcnow() + timedelta(seconds=600))["suspended"] >= 1
    assert _order(trade_no).state is OrderState.SUSPENDED
    end_by_operator(_order(trade_no), world.network.admin_id, minutes=45)
    ended = _order(trade_no)
    assert ended.state is OrderState.COMPLETED and ended.settled_by is SettledBy.OPERATOR
    assert ended.duration_s == 45 * 60 and ended.amount == Decimal("1.00")  # five started 10-minute units
    assert _balance(world) == Decimal("19.00")


def test_an_e_bike_order_stops_automatically_when_the_prepaid_amount_is_used_up(bike_world):
    world = bike_world
    trade_no = _start(world, _socket_id(world, 1, 1), "0.30")["trade_no"]
    assert sweep(utcnow())["auto_stopped"] == 0  # 0.20 for the first unit: still covered
    wait_until(lambda: _order(trade_no).duration_s > 600, timeout=30)  # the second unit began: 0.40 > 0.30
    assert sweep(utcnow())["auto_stopped"] == 1
    wait_until(lambda: _order(trade_no).state is OrderState.COMPLETED, timeout=30)
    settled = _order(trade_no)
    assert settled.amount == Decimal("0.30")  # capped at what was prepaid
    assert "超出预付" in settled.end_reason
    assert _balance(world) == Decimal("19.70")
