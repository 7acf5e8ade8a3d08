"""Paid charging end to end against each vendor's sandbox: the driver starts with ``online``, pays in the
sandbox, the vendor's notification (over real HTTP, signed as the vendor signs) starts the pile, the driver
stops, the order settles, and the unused prepaid amount goes back through the vendor automatically."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import Gun, Pile
from chargehub.charging.models import BikeOrder, CarOrder, OrderState, OrderTransition, PayState
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
from chargehub.testing.helpers import wait_until
from tests.payments.conftest import key, open_paying_world, rows, wait_for

pytestmark = pytest.mark.timeout(180)


def first_gun(world, number: int = 1) -> Gun:
    return db.session.execute(sa.select(Gun).join(Pile, Pile.id == Gun.pile_id).where(
        Pile.factory_id == world.network.pile_codes[0], Gun.number == number)).scalar_one()


def start_online(world, body: dict) -> dict:
    answer = world.client.post("/api/v1/app/orders", json={"pay_method": "online", "payer_id": "oSandboxPayer01", **body},
                               headers={**world.driver, **key()})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


@pytest.mark.smoke  # the embedded SQLite too: its concurrent notifications must apply once
def test_paid_car_charge_starts_on_payment_and_refunds_the_rest(make_app, plugin):
    with open_paying_world(make_app, "car", plugin) as world:
        gun = first_gun(world)
        order = start_online(world, {"gun_id": gun.id, "prepaid": "30.00"})
        assert order["state"] == "starting" and order["pay_state"] == "unpaid", order
        payment = order["payment"]
        assert payment["state"] == "pending" and payment["plugin"] == plugin and payment["amount"] == "30.00"
        assert payment["client_params"], "the mini-program needs wx.requestPayment parameters"
        order_id = db.session.execute(sa.select(CarOrder.id).where(CarOrder.trade_no == order["trade_no"])).scalar_one()
        # nothing is sent to the pile before the money is there
        assert fresh_order(order_id).started_at is None

        replies = world.sandbox.pay(payment["out_trade_no"], copies=3, concurrent=True)
        assert all(200 <= reply.status < 300 for reply in replies), [(r.status, r.body) for r in replies]
        charging = wait_for(CarOrder, order_id, lambda o: o.state is OrderState.CHARGING, timeout=30)
        assert charging.pay_state is PayState.PAID and charging.paid_at is not None
        paid = rows(Payment, order_kind="car", order_id=order_id)
        assert [p.state for p in paid] == [PaymentState.PAID] and paid[0].vendor_trade_no
        applied = rows(PaymentNotification, out_no=payment["out_trade_no"])
        assert len(applied) == 3 and {n.state for n in applied} == {NotificationState.APPLIED}
        # the three copies raced: exactly one was applied, the others found it done
        assert sorted(n.reason for n in applied) == ["duplicate", "duplicate", "paid"]

        # more than a kWh, so the bill is certainly above 0.00 whatever the rounding
        wait_until(lambda: fresh_order(order_id).energy_kwh > Decimal("1"), timeout=30)
        stop = world.client.post(f"/api/v1/app/orders/{order['trade_no']}/stop", headers={**world.driver, **key()})
        assert stop.status_code == 200, stop.get_json()
        done = wait_for(CarOrder, order_id, lambda o: o.state is OrderState.COMPLETED, timeout=30)
        assert Decimal("0") < done.amount < Decimal("30.00")
        unused = Decimal("30.00") - done.amount
        assert done.refunded == unused
        refund = wait_until(lambda: next((r for r in rows(Refund, order_kind="car", order_id=order_id)
                                          if r.state is RefundState.SUCCESS), None), timeout=20)
        assert refund.kind is RefundKind.SETTLEMENT and refund.amount == unused and refund.plugin == plugin
        assert len(rows(Refund, order_kind="car", order_id=order_id)) == 1
        at_vendor = world.sandbox.refunds(payment["out_trade_no"])
        assert [Decimal(str(r["amount"])) for r in at_vendor] == [unused]
        # one start, one settlement, whatever was delivered twice
        moves = db.session.execute(sa.select(OrderTransition.to_state).where(
            OrderTransition.order_kind == "car", OrderTransition.order_id == order_id)).scalars().all()
        assert moves.count("charging") == 1 and moves.count("completed") == 1


def fresh_order(order_id: int, model=CarOrder):
    db.session.expire_all()
    return db.session.get(model, order_id)


def test_paid_bike_charge_with_a_duration(make_app, mqtt_url, plugin):
    with open_paying_world(make_app, "bike", plugin, mqtt_url=mqtt_url) as world:
        from chargehub.assets.bike_models import Socket

        socket = db.session.execute(sa.select(Socket).where(Socket.station_id == world.network.station_id)
                                    .order_by(Socket.id)).scalars().first()
        order = start_online(world, {"socket_id": socket.id, "prepaid": "2.00", "minutes": 30})
        assert order["state"] == "starting" and order["payment"]["state"] == "pending"
        order_id = db.session.execute(sa.select(BikeOrder.id).where(BikeOrder.trade_no == order["trade_no"])).scalar_one()
        world.sandbox.pay(order["payment"]["out_trade_no"])
        wait_for(BikeOrder, order_id, lambda o: o.state is OrderState.CHARGING and o.started_at is not None, timeout=30)
        stop = world.client.post(f"/api/v1/app/orders/{order['trade_no']}/stop", headers={**world.driver, **key()})
        assert stop.status_code == 200, stop.get_json()
        done = wait_for(BikeOrder, order_id, lambda o: o.state is OrderState.COMPLETED, timeout=30)
        unused = Decimal("2.00") - done.amount
        assert unused > 0 and done.refunded == unused
        wait_until(lambda: [r for r in rows(Refund, order_kind="bike", order_id=order_id)
                            if r.state is RefundState.SUCCESS and r.amount == unused], timeout=20)


def test_a_station_without_payment_configuration_cannot_start_paid_charging(car_world):
    gun = first_gun(car_world)
    answer = car_world.client.post("/api/v1/app/orders", json={"gun_id": gun.id, "prepaid": "30.00", "pay_method": "online",
                                                                "payer_id": "oSandboxPayer01"},
                                   headers={**car_world.driver, **key()})
    assert answer.status_code == 409 and "未配置支付方式" in answer.get_json()["message"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(CarOrder)).scalar() == 0
    # the balance keeps working without any provider
    answer = car_world.client.post("/api/v1/app/orders", json={"gun_id": gun.id, "prepaid": "30.00", "pay_method": "balance"},
                                   headers={**car_world.driver, **key()})
    assert answer.status_code == 201 and answer.get_json()["payment"]["plugin"] == "balance"


def test_bad_online_starts_are_refused_and_create_nothing(make_app):
    with open_paying_world(make_app, "car", "wechatpay") as world:
        gun = first_gun(world)
        cases = [({"gun_id": gun.id, "prepaid": "30.00", "pay_method": "online"}, 422, "openid"),
                 ({"gun_id": gun.id, "prepaid": "30.00", "pay_method": "wechat", "payer_id": "oX1234567"}, 422,
                  "不支持的支付方式"),
                 ({"gun_id": gun.id, "prepaid": "0.50", "pay_method": "online", "payer_id": "oX1234567"}, 422,
                  "预付金额")]
        for body, status, words in cases:
            answer = world.client.post("/api/v1/app/orders", json=body, headers={**world.driver, **key()})
            assert answer.status_code == status, (body, answer.get_json())
            assert words in str(answer.get_json()), answer.get_json()
        assert rows(CarOrder) == [] and rows(Payment) == []
