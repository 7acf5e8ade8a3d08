"""What vendors get wrong, and what we do: notifications with a bad signature, a stale timestamp or
another amount are refused and change nothing (and stay stored for review); a lost notification is made
up for by the query; an unpaid order fails when the payment times out, and a payment that arrives after
that is refunded in full."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.charging.models import CarOrder, OrderState, PayState
from chargehub.db import utcnow
from chargehub.extensions import db
from chargehub.payments.models import (
    NotificationState,
    Payment,
    PaymentNotification,
    PaymentState,
    Refund,
    RefundKind,
    RefundState,
)
from chargehub.payments.sweep import sweep as payment_sweep
from chargehub.testing.helpers import wait_until
from tests.payments.conftest import key, open_paying_world, rows, wait_for
from tests.payments.test_payment_flows import first_gun, fresh_order, start_online

pytestmark = pytest.mark.timeout(180)


def _order_id(trade_no: str) -> int:
    return db.session.execute(sa.select(CarOrder.id).where(CarOrder.trade_no == trade_no)).scalar_one()


def _refused(world, out_trade_no: str, order_id: int, knob: str) -> None:
    world.sandbox.faults[knob] = True
    try:
        replies = world.sandbox.pay(out_trade_no)
    finally:
        world.sandbox.faults.pop(knob, None)
    assert replies and all(not 200 <= reply.status < 300 for reply in replies), [(r.status, r.body) for r in replies]
    stored = rows(PaymentNotification, plugin=world.plugin)
    assert stored and stored[-1].state is NotificationState.REJECTED and stored[-1].reason
    assert rows(Payment, out_trade_no=out_trade_no)[0].state is PaymentState.PENDING
    order = fresh_order(order_id)
    assert order.state is OrderState.STARTING and order.pay_state is PayState.UNPAID and order.started_at is None


@pytest.mark.parametrize("knob", ["bad_signature", "tamper_amount"])
def test_a_forged_or_altered_notification_changes_nothing(make_app, plugin, knob):
    with open_paying_world(make_app, "car", plugin) as world:
        order = start_online(world, {"gun_id": first_gun(world).id, "prepaid": "20.00"})
        order_id = _order_id(order["trade_no"])
        _refused(world, order["payment"]["out_trade_no"], order_id, knob)
        # the vendor has the money: the query finds it and the charge starts
        with world.app.app_context():
            assert payment_sweep(now=utcnow() + timedelta(seconds=30))["payments"] == 1
        wait_for(CarOrder, order_id, lambda o: o.state is OrderState.CHARGING, timeout=30)


def test_a_stale_wechat_notification_is_refused(make_app):
    with open_paying_world(make_app, "car", "wechatpay") as world:
        order = start_online(world, {"gun_id": first_gun(world).id, "prepaid": "20.00"})
        _refused(world, order["payment"]["out_trade_no"], _order_id(order["trade_no"]), "stale_timestamp")


def test_an_unpaid_order_fails_at_the_timeout_and_a_late_payment_is_refunded(make_app, plugin):
    with open_paying_world(make_app, "car", plugin) as world:
        order = start_online(world, {"gun_id": first_gun(world).id, "prepaid": "25.00"})
        order_id = _order_id(order["trade_no"])
        out_trade_no = order["payment"]["out_trade_no"]
        # the vendor is down while we give up on the payment: our close never reaches it
        world.sandbox.faults["http_500"] = 10
        try:
            with world.app.app_context():
                payment_sweep(now=utcnow() + timedelta(minutes=10))
        finally:
            world.sandbox.faults["http_500"] = 0
        failed = fresh_order(order_id)
        assert failed.state is OrderState.FAILED and failed.active_key is None and "支付超时" in failed.end_reason
        assert rows(Payment, out_trade_no=out_trade_no)[0].state is PaymentState.CLOSED
        assert rows(Refund, order_kind="car", order_id=order_id) == []  # nothing was taken, nothing to return

        replies = world.sandbox.pay(out_trade_no)  # the payer pays anyway: the money goes back in full
        assert all(200 <= reply.status < 300 for reply in replies), [(r.status, r.body) for r in replies]
        refund = wait_until(lambda: next(iter(rows(Refund, order_kind="car", order_id=order_id)), None), timeout=20)
        assert refund.kind is RefundKind.LATE_PAYMENT and refund.amount == Decimal("25.00")
        wait_until(lambda: rows(Refund, id=refund.id)[0].state is RefundState.SUCCESS, timeout=20)
        assert rows(Payment, out_trade_no=out_trade_no)[0].state is PaymentState.PAID
        assert fresh_order(order_id).state is OrderState.FAILED
        assert [Decimal(str(r["amount"])) for r in world.sandbox.refunds(out_trade_no)] == [Decimal("25.00")]


def test_stopping_before_paying_cancels_the_order(make_app, plugin):
    with open_paying_world(make_app, "car", plugin) as world:
        order = start_online(world, {"gun_id": first_gun(world).id, "prepaid": "20.00"})
        stopped = world.client.post(f"/api/v1/app/orders/{order['trade_no']}/stop",
                                    headers={**world.driver, **key()})
        assert stopped.status_code == 200, stopped.get_json()
        answer = stopped.get_json()
        assert answer["state"] == "failed" and answer["payment"]["state"] == "closed", answer
        cancelled = fresh_order(_order_id(order["trade_no"]))
        assert cancelled.active_key is None and cancelled.refunded == 0 and "取消" in cancelled.end_reason
        assert rows(Refund, order_kind="car", order_id=cancelled.id) == []
