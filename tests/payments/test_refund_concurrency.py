"""Operators' 退费 requests racing on one order never return more than it still holds (最大退费金额 =
预付金额 − 已退费金额), through the admin API, in parallel, on the real database."""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import pytest
import sqlalchemy as sa

from chargehub.charging.models import CarOrder, OrderState
from chargehub.extensions import db
from chargehub.members.balance import account
from chargehub.payments.models import Refund, RefundKind, RefundState
from chargehub.tenancy.auth import issue_token
from chargehub.tenancy.models import User
from tests.orders.conftest import driver_id
from tests.orders.test_concurrency import _post, _together
from tests.payments.conftest import key, rows, wait_for
from tests.payments.test_payment_flows import first_gun

pytestmark = pytest.mark.timeout(180)


def test_parallel_refunds_never_exceed_the_maximum(car_world):
    world = car_world
    started = world.client.post("/api/v1/app/orders", json={"gun_id": first_gun(world).id, "prepaid": "40.00",
                                                            "pay_method": "balance"}, headers={**world.driver, **key()})
    assert started.status_code == 201, started.get_json()
    trade_no = started.get_json()["trade_no"]
    order_id = db.session.execute(sa.select(CarOrder.id).where(CarOrder.trade_no == trade_no)).scalar_one()
    wait_for(CarOrder, order_id, lambda o: o.energy_kwh > Decimal("1"), timeout=20)
    assert world.client.post(f"/api/v1/app/orders/{trade_no}/stop", headers={**world.driver, **key()}).status_code == 200
    done = wait_for(CarOrder, order_id, lambda o: o.state is OrderState.COMPLETED, timeout=30)
    maximum = done.prepaid - done.refunded
    assert maximum == done.amount > 0
    balance_before = account(driver_id(world.phone), world.network.provider_id).balance

    token = issue_token(db.session.get(User, world.network.admin_id), "refund-race")
    headers = {"Authorization": f"Bearer {token}"}
    share = (maximum / 3).quantize(Decimal("0.01"), rounding=ROUND_DOWN)  # three fit, the fourth and later cannot
    path = f"/api/v1/admin/car-orders/{order_id}/refund"
    results = _together(*[_post(world.app, path, headers, {"amount": str(share), "reason": "并发退费测试"})
                          for _ in range(8)])
    accepted = [body for status, body in results if status in (200, 201)]
    refused = [(status, body) for status, body in results if status not in (200, 201)]
    assert len(accepted) == 3, results
    assert all(status in (409, 422) for status, _ in refused), refused

    manual = [r for r in rows(Refund, order_kind="car", order_id=order_id) if r.kind is RefundKind.MANUAL]
    assert len(manual) == 3 and all(r.state is RefundState.SUCCESS for r in manual)
    after = db.session.get(CarOrder, order_id)
    db.session.refresh(after)
    assert after.refunded <= after.prepaid and after.prepaid - after.refunded == maximum - 3 * share
    assert account(driver_id(world.phone), world.network.provider_id).balance == balance_before + 3 * share
