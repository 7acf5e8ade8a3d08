"""Races: two drivers starting on one gun, one driver's start sent twice at once with the same key, and an
operator's 结束 racing the pile's record. Each thread has its own app context and database session."""
from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import Gun, Pile
from chargehub.charging import ingest
from chargehub.charging.control import end_by_operator
from chargehub.charging.models import CarOrder, OrderReview, OrderState, OrderTransition
from chargehub.charging.states import StaleOrder
from chargehub.contracts.devices import DeviceEvent
from chargehub.db import utcnow
from chargehub.devices.ingest.directory import PileRef
from chargehub.extensions import db
from chargehub.members.balance import account, top_up
from tests.orders.conftest import driver_id, sign_in

pytestmark = pytest.mark.timeout(120)


def _gun(world, pile_index: int, number: int) -> Gun:
    return db.session.execute(sa.select(Gun).join(Pile, Pile.id == Gun.pile_id).where(
        Pile.factory_id == world.network.pile_codes[pile_index], Gun.number == number)).scalar_one()


def _together(*calls):
    """Run the calls in threads released at the same moment; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _post(app, path, headers, body):
    def call():
        with app.app_context():
            response = app.test_client().post(path, json=body, headers=headers)
            return response.status_code, response.get_json()
    return call


def test_two_drivers_starting_on_one_gun_get_one_order(car_world):
    world = car_world
    other = sign_in(world.client, world.inbox, "13911112222")
    top_up(driver_id("13911112222"), world.network.provider_id, Decimal("100.00"), commit=True)
    gun = _gun(world, 0, 2)
    body = {"gun_id": gun.id, "prepaid": "30.00"}
    results = _together(_post(world.app, "/api/v1/app/orders", {**world.driver, "Idempotency-Key": uuid.uuid4().hex}, body),
                        _post(world.app, "/api/v1/app/orders", {**other, "Idempotency-Key": uuid.uuid4().hex}, body))
    assert sorted(status for status, _ in results) == [201, 409], results
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(CarOrder)).scalar_one() == 1
    balances = [account(driver_id(world.phone), world.network.provider_id).balance,
                account(driver_id("13911112222"), world.network.provider_id).balance]
    assert balances in ([Decimal("170.00"), Decimal("100.00")], [Decimal("200.00"), Decimal("70.00")])  # the winner's only


def test_one_start_sent_twice_at_once_with_the_same_key_creates_one_order(car_world):
    world = car_world
    headers = {**world.driver, "Idempotency-Key": uuid.uuid4().hex}
    body = {"gun_id": _gun(world, 1, 1).id, "prepaid": "20.00"}
    results = _together(_post(world.app, "/api/v1/app/orders", headers, body),
                        _post(world.app, "/api/v1/app/orders", headers, body))
    statuses = sorted(status for status, _ in results)
    assert statuses in ([201, 201], [201, 409]), results  # the copy waits its turn or is told to retry
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(CarOrder)).scalar_one() == 1
    assert account(driver_id(world.phone), world.network.provider_id).balance == Decimal("180.00")
    retry = world.client.post("/api/v1/app/orders", json=body, headers=headers)
    assert retry.status_code == 201 and retry.get_json()["trade_no"] == next(p for s, p in results if s == 201)["trade_no"]


def test_an_operators_end_racing_the_piles_record_settles_once(car_world):
    world = car_world
    response = world.client.post("/api/v1/app/orders", json={"gun_id": _gun(world, 1, 2).id, "prepaid": "40.00"},
                                 headers={**world.driver, "Idempotency-Key": uuid.uuid4().hex})
    trade_no = response.get_json()["trade_no"]
    order = db.session.execute(sa.select(CarOrder).where(CarOrder.trade_no == trade_no)).scalar_one()
    assert order.state is OrderState.CHARGING
    pile = db.session.get(Pile, order.pile_id)
    ref = PileRef(pile.id, pile.provider_id, pile.property_id, pile.station_id, pile.area_id, pile.name, pile.code,
                  pile.factory_id, {order.gun_number: order.gun_id})
    now = utcnow()
    record = DeviceEvent(pile.factory_id, "transaction_record", {
        "trade_no": trade_no, "gun": order.gun_number, "started_at": (now - timedelta(minutes=5)).isoformat(),
        "ended_at": now.isoformat(), "energy_kwh": "3.2100", "amount": "4.1730", "stop_reason": "远程停止"},
        now, True)
    app, order_id, admin_id = world.app, order.id, world.network.admin_id

    def operator():
        with app.app_context():
            try:
                end_by_operator(db.session.get(CarOrder, order_id), admin_id)
                return "ended"
            except Exception as exc:  # noqa: BLE001 - the loser of the race may be refused
                return type(exc).__name__

    def device():
        # as the gateway's writer does: a batch that fails is rolled back and its items applied again alone
        with app.app_context():
            for attempt in ("recorded", "recorded on retry"):
                try:
                    ingest.on_transaction_record(record, ref)
                    db.session.commit()
                    return attempt
                except StaleOrder:
                    db.session.rollback()
            return "failed"

    results = _together(operator, device)
    db.session.expire_all()
    settled = db.session.get(CarOrder, order_id)
    completions = db.session.execute(sa.select(sa.func.count()).select_from(OrderTransition).where(
        OrderTransition.order_kind == "car", OrderTransition.order_id == order_id,
        OrderTransition.to_state == "completed")).scalar_one()
    assert settled.state is OrderState.COMPLETED and completions == 1, results
    balance = account(driver_id(world.phone), world.network.provider_id).balance
    assert balance == Decimal("200.00") - settled.amount  # returned once, whoever won
    if settled.settled_by.value == "operator":
        assert settled.review is OrderReview.PENDING and settled.device_figures["energy_kwh"] == "3.2100"
    else:
        assert settled.energy_kwh == Decimal("3.2100") and settled.review is OrderReview.NONE
