"""后台启动: an operator test-starts a gun and a socket from the admin API (free orders), within scope."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.charging.control import end_by_operator
from chargehub.charging.models import BikeOrder, CarOrder, OrderState, PayMethod, StartMethod
from chargehub.extensions import db
from chargehub.tenancy.auth import issue_token
from chargehub.tenancy.models import User
from chargehub.testing.helpers import wait_until
from tests.orders.test_car_faults import _gun, _order

pytestmark = pytest.mark.timeout(120)


def test_an_operator_test_starts_a_gun_and_ends_the_order(car_world, make_provider):
    world = car_world
    admin = db.session.get(User, world.network.admin_id)
    headers = {"Authorization": f"Bearer {issue_token(admin, 'test')}"}
    gun = _gun(world, 0, 1)
    response = world.client.post(f"/api/v1/admin/guns/{gun.id}/start", json={"prepaid": "5.00"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "charging" and body["pay_method"] == "free"
    order = _order(body["trade_no"])
    assert order.start_method is StartMethod.ADMIN and order.pay_method is PayMethod.FREE and order.driver_id is None
    assert order.created_by == admin.id
    wait_until(lambda: _order(body["trade_no"]).energy_kwh > Decimal("0.01"), timeout=20)
    end_by_operator(_order(body["trade_no"]), admin.id)
    assert _order(body["trade_no"]).state is OrderState.COMPLETED

    _other, stranger = make_provider("别家服务商")
    foreign = world.client.post(f"/api/v1/admin/guns/{gun.id}/start", json={"prepaid": "5.00"},
                                headers={"Authorization": f"Bearer {issue_token(stranger, 'test')}"})
    assert foreign.status_code == 404
    assert db.session.execute(sa.select(sa.func.count()).select_from(CarOrder)).scalar_one() == 1


def test_an_operator_test_starts_an_e_bike_socket_for_some_minutes(bike_world):
    world = bike_world
    admin = db.session.get(User, world.network.admin_id)
    headers = {"Authorization": f"Bearer {issue_token(admin, 'test')}"}
    socket_id = world.network.sockets[world.network.factory_ids[0]][1]
    response = world.client.post(f"/api/v1/admin/bike-sockets/{socket_id}/start", json={"prepaid": "1.00", "minutes": 2},
                                 headers=headers)
    assert response.status_code == 201, response.get_json()
    trade_no = response.get_json()["trade_no"]
    order = lambda: (db.session.expire_all(), db.session.execute(  # noqa: E731
        sa.select(BikeOrder).where(BikeOrder.trade_no == trade_no)).scalar_one())[1]
    wait_until(lambda: order().state is OrderState.COMPLETED, timeout=30)  # the charger ends at 2 minutes
    assert order().amount == Decimal("0.20") and order().start_method is StartMethod.ADMIN
