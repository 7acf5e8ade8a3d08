"""Fault injection on car orders with simulated YKC piles over real sockets: a pile dropping mid-charge
(挂起, then settled once on its record), a start never confirmed (订单异常 after the timeout), a start the
pile refuses, duplicate records, and an operator's 结束 on a suspended order followed by a late record."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import Gun, Pile
from chargehub.charging.control import end_by_operator
from chargehub.charging.models import CarOrder, OrderReview, OrderState, OrderTransition, PayState, SettledBy
from chargehub.charging.settlement import running_bill
from chargehub.charging.sweep import sweep
from chargehub.contracts.billing import yuan
from chargehub.db import utcnow
from chargehub.devices.models import PileTransactionRecord
from chargehub.extensions import db
from chargehub.members.balance import account
from chargehub.testing.helpers import wait_until
from tests.orders.conftest import driver_id, fresh, key

pytestmark = pytest.mark.timeout(150)


def _gun(world, pile_index: int, number: int = 1) -> Gun:
    return db.session.execute(sa.select(Gun).join(Pile, Pile.id == Gun.pile_id).where(
        Pile.factory_id == world.network.pile_codes[pile_index], Gun.number == number)).scalar_one()


def _start(world, gun: Gun, prepaid: str = "50.00") -> dict:
    response = world.client.post("/api/v1/app/orders", json={"gun_id": gun.id, "prepaid": prepaid},
                                 headers={**world.driver, **key()})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _order(trade_no: str) -> CarOrder:
    db.session.expire_all()
    return db.session.execute(sa.select(CarOrder).where(CarOrder.trade_no == trade_no)).scalar_one()


def _states(order: CarOrder) -> list[str]:
    return [t.to_state for t in db.session.execute(sa.select(OrderTransition).where(
        OrderTransition.order_kind == "car", OrderTransition.order_id == order.id).order_by(OrderTransition.id)).scalars()]


def _balance(world) -> Decimal:
    db.session.expire_all()
    return account(driver_id(world.phone), world.network.provider_id).balance


def _go_silent(world, pile_index: int) -> None:
    """Drop the pile's connection abruptly and keep it away until :func:`_come_back` (it keeps charging)."""
    pile = world.sim.fleet.pile(world.network.pile_codes[pile_index])
    world.sim.run(pile.drop_connection, 3600)
    pile_id = db.session.execute(sa.select(Pile.id).where(
        Pile.factory_id == world.network.pile_codes[pile_index])).scalar_one()
    wait_until(lambda: not fresh(Pile, pile_id).online, timeout=20)


def _come_back(world, pile_index: int) -> None:
    pile = world.sim.fleet.pile(world.network.pile_codes[pile_index])
    world.sim.run(pile.disconnect)
    world.sim.run(pile.start)


def _suspend_sweep() -> dict:
    return sweep(utcnow() + timedelta(seconds=600))


def test_a_pile_dropping_mid_charge_suspends_the_order_which_settles_once_on_its_record(car_world):
    world = car_world
    trade_no = _start(world, _gun(world, 0))["trade_no"]
    wait_until(lambda: _order(trade_no).energy_kwh > Decimal("0.1"), timeout=20)  # billed > 0.00 at any TOU rate
    _go_silent(world, 0)
    assert _suspend_sweep()["suspended"] == 1
    assert _order(trade_no).state is OrderState.SUSPENDED
    pile = world.sim.fleet.pile(world.network.pile_codes[0])
    world.sim.run(pile.stop_at_pile, 1)  # the driver presses the emergency stop while the pile is offline
    _come_back(world, 0)
    wait_until(lambda: _order(trade_no).state is OrderState.COMPLETED, timeout=30)
    settled = _order(trade_no)
    assert settled.settled_by is SettledBy.DEVICE and settled.amount > 0
    assert _states(settled) == ["starting", "charging", "suspended", "completed"]
    assert _balance(world) == Decimal("200.00") - settled.amount

    # the same record again (its acknowledgement "lost"): acknowledged, counted, nothing else changes
    before = (settled.amount, settled.settled_at, settled.refunded, len(_states(settled)))
    assert world.sim.run(pile.resend_record, trade_no)
    record = lambda: fresh(PileTransactionRecord, db.session.execute(sa.select(PileTransactionRecord.id).where(  # noqa: E731
        PileTransactionRecord.trade_no == trade_no)).scalar_one())
    wait_until(lambda: record().duplicates == 1, timeout=20)
    world.sim.wait_until(lambda: trade_no not in pile.unsent)
    again = _order(trade_no)
    assert (again.amount, again.settled_at, again.refunded, len(_states(again))) == before
    assert again.review is OrderReview.NONE
    assert _balance(world) == Decimal("200.00") - settled.amount


def test_a_start_that_is_never_confirmed_fails_after_the_timeout_and_returns_the_money(car_world):
    world = car_world
    gun = _gun(world, 1, 2)
    pile = world.sim.fleet.pile(world.network.pile_codes[1])
    world.sim.run(pile.unplug, 2)
    order = _start(world, gun, "30.00")
    assert order["state"] == "starting" and "插枪" in order["end_reason"]  # 0x33 未插枪: waits for the plug
    assert _balance(world) == Decimal("170.00")
    assert sweep(utcnow())["failed"] == 0  # not yet
    assert sweep(utcnow() + timedelta(seconds=91))["failed"] == 1
    failed = _order(order["trade_no"])
    assert failed.state is OrderState.FAILED and "启动超时" in failed.end_reason
    assert failed.pay_state is PayState.REFUNDED and failed.refunded == Decimal("30.00") and failed.amount == 0
    assert _balance(world) == Decimal("200.00")
    assert failed.active_key is None  # the gun is free again
    assert sweep(utcnow() + timedelta(seconds=200))["failed"] == 0  # once


def test_plugging_in_within_the_window_starts_the_waiting_order(car_world):
    world = car_world
    gun = _gun(world, 1, 1)
    pile = world.sim.fleet.pile(world.network.pile_codes[1])
    world.sim.run(pile.unplug, 1)
    order = _start(world, gun, "20.00")
    assert order["state"] == "starting"
    world.sim.run(pile.plug, 1)
    wait_until(lambda: _order(order["trade_no"]).state is OrderState.CHARGING, timeout=15)
    assert _order(order["trade_no"]).started_at is not None


def test_a_start_the_pile_refuses_fails_at_once(car_world):
    world = car_world
    pile = world.sim.fleet.pile(world.network.pile_codes[0])
    world.sim.run(setattr, pile, "enabled", False)  # the pile refuses remote starts (0x33 reason 0x03)
    order = _start(world, _gun(world, 0, 2), "25.00")
    assert order["state"] == "failed" and "启动失败" in order["end_reason"]
    assert _balance(world) == Decimal("200.00")


def test_an_operator_ends_a_suspended_order_and_the_late_record_is_flagged_not_billed_twice(car_world):
    world = car_world
    trade_no = _start(world, _gun(world, 0))["trade_no"]
    wait_until(lambda: _order(trade_no).energy_kwh > Decimal("0.1"), timeout=20)  # billed > 0.00 at any TOU rate
    _go_silent(world, 0)
    _suspend_sweep()
    suspended = _order(trade_no)
    assert suspended.state is OrderState.SUSPENDED
    last_energy = suspended.energy_kwh
    end_by_operator(suspended, world.network.admin_id)
    ended = _order(trade_no)
    assert ended.state is OrderState.COMPLETED and ended.settled_by is SettledBy.OPERATOR
    assert ended.energy_kwh == last_energy and ended.amount > 0 and ended.ended_by == world.network.admin_id
    balance = _balance(world)
    assert balance == Decimal("200.00") - ended.amount

    pile = world.sim.fleet.pile(world.network.pile_codes[0])
    world.sim.run(pile.stop_at_pile, 1)
    _come_back(world, 0)
    wait_until(lambda: _order(trade_no).review is OrderReview.PENDING, timeout=30)
    late = _order(trade_no)
    assert late.amount == ended.amount and late.settled_by is SettledBy.OPERATOR  # not billed twice
    assert Decimal(late.device_figures["energy_kwh"]) >= last_energy
    assert _balance(world) == balance
    world.sim.wait_until(lambda: trade_no not in pile.unsent)  # the record was acknowledged all the same


def test_a_car_order_stops_automatically_below_one_yuan_left(car_world):
    world = car_world
    trade_no = _start(world, _gun(world, 1, 1), "1.50")["trade_no"]
    # less than 1 yuan of the 1.50 is left once the running bill passes 0.50 (whichever TOU rate is in force now)
    wait_until(lambda: yuan(running_bill(_order(trade_no)).total) > Decimal("0.55"), timeout=30)
    assert sweep(utcnow())["auto_stopped"] == 1
    wait_until(lambda: _order(trade_no).state is OrderState.COMPLETED, timeout=30)
    settled = _order(trade_no)
    causes = [t.cause for t in db.session.execute(sa.select(OrderTransition).where(
        OrderTransition.order_kind == "car", OrderTransition.order_id == settled.id)).scalars()]
    assert any("余额不足" in cause for cause in causes)
    assert Decimal("0.50") < settled.amount <= Decimal("1.50")
    assert _balance(world) == Decimal("200.00") - settled.amount


def test_a_pile_billing_on_a_different_model_gets_the_platforms_balance(car_world):
    from dataclasses import replace

    from chargehub.devices.models import GunLive

    world = car_world
    pile = world.sim.fleet.pile(world.network.pile_codes[0])
    # the pile holds a stale model: it bills three times the platform's prices
    world.sim.run(lambda: setattr(pile, "billing", replace(pile.billing, unit_prices=tuple(
        3 * price for price in pile.billing.unit_prices))))
    order = _start(world, _gun(world, 0, 2), "50.00")
    gun_id = _order(order["trade_no"]).gun_id
    wait_until(lambda: fresh(GunLive, gun_id).amount > Decimal("1.50"), timeout=30)
    assert sweep(utcnow())["balances_pushed"] == 1
    balance = world.sim.run(lambda: pile.gun(2).session.balance)
    pile_amount = fresh(GunLive, gun_id).amount
    # the pile may now spend its own amount so far plus what the platform says is left of the 50.00
    # (less than its own amount, since it over-bills): more than 50.00, less than 50.00 + its amount
    assert Decimal("50.00") < balance < Decimal("50.00") + pile_amount
    assert _order(order["trade_no"]).state is OrderState.CHARGING


def test_a_start_confirmed_after_its_timeout_is_stopped_and_its_record_flagged(car_world):
    world = car_world
    gun = _gun(world, 1, 2)
    pile = world.sim.fleet.pile(world.network.pile_codes[1])
    world.sim.run(pile.unplug, 2)
    order = _start(world, gun, "30.00")
    assert sweep(utcnow() + timedelta(seconds=91))["failed"] == 1  # 订单异常, money returned
    world.sim.run(pile.plug, 2)  # plugged within the pile's window: the pile starts after all
    wait_until(lambda: world.sim.run(lambda: pile.gun_state(2)) == "charging", timeout=15)
    wait_until(lambda: sweep(utcnow())["orphans_stopped"] == 1, timeout=15)  # once its status came in
    wait_until(lambda: _order(order["trade_no"]).review is OrderReview.PENDING, timeout=20)
    failed = _order(order["trade_no"])
    assert failed.state is OrderState.FAILED and failed.amount == 0  # nothing billed; the figures for review
    assert _balance(world) == Decimal("200.00")
    assert sweep(utcnow())["orphans_stopped"] == 0
