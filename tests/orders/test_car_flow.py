"""A car charge end to end over real sockets: sign in, open the gun's QR URL, start with a prepaid amount
from the balance, watch the live data, stop, and get settled on the pile's record with the bill the one
pricing function gives."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import Gun
from chargehub.billing.services.pricing import price
from chargehub.billing.sides import SIDES
from chargehub.charging.models import CarOrder, OrderState, OrderTransition, PayState, SettledBy
from chargehub.contracts.billing import Usage, energy_units, yuan
from chargehub.devices.models import PileTransactionRecord, ReviewState
from chargehub.extensions import db
from chargehub.members.balance import account
from chargehub.qrcodes.links import charge_url
from chargehub.testing.helpers import wait_until
from tests.orders.conftest import driver_id, fresh, key

pytestmark = pytest.mark.timeout(120)


def _gun(world, pile_index: int = 0, number: int = 1) -> Gun:
    code = world.network.pile_codes[pile_index]
    from chargehub.assets.car_models import Pile

    return db.session.execute(sa.select(Gun).join(Pile, Pile.id == Gun.pile_id)
                              .where(Pile.factory_id == code, Gun.number == number)).scalar_one()


def _remote_stops(world, code: str) -> int:
    return world.sim.run(lambda: sum(1 for m in world.sim.fleet.pile(code).frames if type(m).__name__ == "RemoteStop"))


def test_driver_charges_a_car_from_qr_to_settlement(car_world):
    world, client = car_world, car_world.client
    gun = _gun(world)
    code = world.network.pile_codes[0]

    scanned = client.get("/api/v1/app/scan", query_string={"url": charge_url("gun", gun.qr_token)},
                         headers=world.driver)
    assert scanned.status_code == 200, scanned.get_json()
    assert scanned.get_json()["id"] == gun.id and scanned.get_json()["available"] is True

    headers = {**world.driver, **key()}
    body = {"gun_id": gun.id, "prepaid": "50.00", "pay_method": "balance"}
    started = client.post("/api/v1/app/orders", json=body, headers=headers)
    assert started.status_code == 201, started.get_json()
    order = started.get_json()
    assert order["state"] == "charging" and order["prepaid"] == "50.00" and order["pay_state"] == "paid"
    trade_no = order["trade_no"]
    assert trade_no.startswith(code + "01") and len(trade_no) == 32
    assert account(driver_id(world.phone), world.network.provider_id).balance == Decimal("150.00")

    # a retried start with the same key answers the same order and creates nothing
    again = client.post("/api/v1/app/orders", json=body, headers=headers)
    assert again.status_code == 201 and again.get_json()["trade_no"] == trade_no
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert db.session.execute(sa.select(sa.func.count()).select_from(CarOrder)).scalar_one() == 1
    # ... and a new start on the busy gun is refused
    busy = client.post("/api/v1/app/orders", json=body, headers={**world.driver, **key()})
    assert busy.status_code == 409

    # live data: energy accrues and the running cost is priced
    def live():
        return client.get(f"/api/v1/app/orders/{trade_no}/live", headers=world.driver).get_json()

    wait_until(lambda: Decimal(live()["energy_kwh"]) > Decimal("0.25"), timeout=20)  # a few seconds at 360 kW
    now = live()
    assert now["state"] == "charging" and now["power_w"] > 0 and Decimal(now["cost"]) > 0
    assert Decimal(now["left"]) == Decimal("50.00") - Decimal(now["cost"])

    stop_headers = {**world.driver, **key()}
    stopped = client.post(f"/api/v1/app/orders/{trade_no}/stop", headers=stop_headers)
    assert stopped.status_code == 200 and stopped.get_json()["state"] in ("stopping", "completed")
    again = client.post(f"/api/v1/app/orders/{trade_no}/stop", headers={**world.driver, **key()})
    assert again.status_code == 200  # a second stop changes nothing and sends nothing
    order_id = db.session.execute(sa.select(CarOrder.id).where(CarOrder.trade_no == trade_no)).scalar_one()
    wait_until(lambda: fresh(CarOrder, order_id).state is OrderState.COMPLETED, timeout=20)
    assert _remote_stops(world, code) == 1

    settled = fresh(CarOrder, order_id)
    record = db.session.execute(sa.select(PileTransactionRecord).where(
        PileTransactionRecord.trade_no == trade_no)).scalar_one()
    assert settled.settled_by is SettledBy.DEVICE and record.review_state is ReviewState.MATCHED
    assert settled.energy_kwh == record.energy_kwh

    # the bill is the billing function's over the reported samples closed by the pile's figures
    start, end = int(settled.started_at.timestamp()), int(settled.ended_at.timestamp())
    final = energy_units(record.energy_kwh)
    readings = [(start, 0)] + [(t, min(e, final)) for t, e, _w in settled.samples if start < t < end] + [(end, final)]
    rule = db.session.get(SIDES["car"].rule, settled.rule_id)
    expected = price(rule, settled.created_at, Usage(start, end, tuple(readings)))
    assert settled.bill == expected.to_dict()
    assert settled.amount == yuan(expected.total) > 0
    assert settled.electricity_fee + settled.service_fee == settled.amount
    # the pile billed the same energy on its own copy of the model (4-decimal amounts): within a fen
    assert abs(record.amount - settled.amount) <= Decimal("0.01")

    # the unused prepaid amount went back to the balance
    assert settled.refunded == Decimal("50.00") - settled.amount and settled.pay_state is PayState.PARTIALLY_REFUNDED
    assert account(driver_id(world.phone), world.network.provider_id).balance == Decimal("200.00") - settled.amount

    states = [t.to_state for t in db.session.execute(sa.select(OrderTransition).where(
        OrderTransition.order_kind == "car", OrderTransition.order_id == order_id).order_by(OrderTransition.id)).scalars()]
    assert states == ["starting", "charging", "stopping", "completed"]

    detail = client.get(f"/api/v1/app/orders/{trade_no}", headers=world.driver).get_json()
    assert detail["state"] == "completed" and detail["amount"] == str(settled.amount)
    assert detail["bill"]["total"] == str(settled.amount)
    mine = client.get("/api/v1/app/orders", headers=world.driver).get_json()
    assert [o["trade_no"] for o in mine["items"]] == [trade_no] and mine["total"] == 1


def test_a_start_on_an_offline_pile_or_without_balance_is_refused_and_changes_nothing(car_world):
    world, client = car_world, car_world.client
    gun = _gun(world, 1, 2)
    poor = client.post("/api/v1/app/orders", json={"gun_id": gun.id, "prepaid": "500.00"},
                       headers={**world.driver, **key()})
    assert poor.status_code == 409 and "余额不足" in poor.get_json()["message"]
    bad = client.post("/api/v1/app/orders", json={"gun_id": gun.id, "prepaid": "0.50"},
                      headers={**world.driver, **key()})
    assert bad.status_code == 422
    float_like = client.post("/api/v1/app/orders", json={"gun_id": gun.id, "prepaid": "10.001"},
                             headers={**world.driver, **key()})
    assert float_like.status_code == 422
    no_key = client.post("/api/v1/app/orders", json={"gun_id": gun.id, "prepaid": "10.00"}, headers=world.driver)
    assert no_key.status_code == 422
    world.sim.run(world.sim.fleet.pile(world.network.pile_codes[1]).disconnect)
    from chargehub.assets.car_models import Pile

    wait_until(lambda: not fresh(Pile, gun.pile_id).online, timeout=20)
    offline = client.post("/api/v1/app/orders", json={"gun_id": gun.id, "prepaid": "10.00"},
                          headers={**world.driver, **key()})
    assert offline.status_code == 409 and "离线" in offline.get_json()["message"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(CarOrder)).scalar_one() == 0
    assert account(driver_id(world.phone), world.network.provider_id).balance == Decimal("200.00")
    stranger = client.get("/api/v1/app/orders/12345678901234567890123456789012", headers=world.driver)
    assert stranger.status_code == 404
    assert client.get("/api/v1/app/orders").status_code == 401
