"""Split payments against each sandbox: a settled order of a station with split accounts is shared by the
configured ratios after settlement, 分账撤销 takes a share back, and a refund of a split order returns the
shares first where the provider requires it."""
from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
import sqlalchemy as sa

from chargehub.charging.models import CarOrder, OrderState
from chargehub.db import utcnow
from chargehub.extensions import db
from chargehub.payments.models import Payment, Refund, RefundKind, RefundState, Split, SplitState
from chargehub.payments.providers import provider_of_record
from chargehub.payments.refunds import refund_order
from chargehub.payments.splits import revoke_split
from chargehub.payments.sweep import sweep as payment_sweep
from chargehub.tenancy.auth import issue_token
from chargehub.tenancy.models import User
from chargehub.testing.helpers import wait_until
from tests.payments.conftest import key, open_paying_world, rows, wait_for
from tests.payments.test_payment_flows import first_gun, start_online

pytestmark = pytest.mark.timeout(180)
ACCOUNTS = [("1900000109", "分账商户甲", "0.2000"), ("1900000110", "分账商户乙", "0.1000")]


def test_a_settled_order_is_split_revoked_and_refunded(make_app, plugin):
    with open_paying_world(make_app, "car", plugin, split_accounts=ACCOUNTS) as world:
        order = start_online(world, {"gun_id": first_gun(world).id, "prepaid": "40.00"})
        out_trade_no = order["payment"]["out_trade_no"]
        assert rows(Payment, out_trade_no=out_trade_no)[0].split is True
        order_id = db.session.execute(sa.select(CarOrder.id).where(CarOrder.trade_no == order["trade_no"])).scalar_one()
        world.sandbox.pay(out_trade_no)
        wait_for(CarOrder, order_id, lambda o: o.state is OrderState.CHARGING and o.energy_kwh > Decimal("1"), timeout=30)
        assert world.client.post(f"/api/v1/app/orders/{order['trade_no']}/stop",
                                 headers={**world.driver, **key()}).status_code == 200
        done = wait_for(CarOrder, order_id, lambda o: o.state is OrderState.COMPLETED, timeout=30)

        shares = wait_until(lambda: (lambda found: found if len(found) == 2 and all(
            s.state is SplitState.SUCCESS for s in found) else None)(rows(Split, order_kind="car", order_id=order_id)),
                            timeout=20)
        expected = {account: (done.amount * Decimal(ratio)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
                    for account, _, ratio in ACCOUNTS}
        assert {s.receiver_account: s.amount for s in shares} == expected
        assert all(s.lead_merchant and s.operator_name == "系统" and s.base_amount == done.amount for s in shares)
        at_vendor = world.sandbox.splits(out_trade_no)
        assert {s.out_split_no for s in shares} <= {split["out_split_no"] for split in at_vendor}
        if provider_of_record(shares[0]).split_finish_required:  # every share succeeded: the rest is released
            wait_until(lambda: world.sandbox.payment(out_trade_no).get("unfrozen"), timeout=20)

        admin = db.session.get(User, world.network.admin_id)
        headers = {"Authorization": f"Bearer {issue_token(admin, 'splits')}"}
        first, second = shares
        answer = world.client.post(f"/api/v1/admin/splits/{first.id}/revoke", headers=headers)  # 分账撤销
        assert answer.status_code == 200, answer.get_json()
        revoked = rows(Split, id=first.id)[0]
        assert revoked.state is SplitState.REVOKED and revoked.returned == revoked.amount
        assert revoked.operator_name == admin.name
        again = world.client.post(f"/api/v1/admin/splits/{first.id}/revoke", headers=headers)
        assert again.status_code == 409 and "只有分账成功" in again.get_json()["message"]
        with pytest.raises(Exception, match="只有分账成功"):
            revoke_split(first.id, admin)

        part = (done.amount / 2).quantize(Decimal("0.01"))
        refund = refund_order("car", order_id, part, "服务投诉退费", admin)
        assert refund.kind is RefundKind.MANUAL and refund.operator_name == admin.name
        wait_until(lambda: rows(Refund, id=refund.id)[0].state is RefundState.SUCCESS, timeout=20)
        second = rows(Split, id=second.id)[0]
        provider = provider_of_record(second)
        if provider.split_return_before_refund:  # the vendor never claws shares back: they came back first
            assert second.returned == (second.amount * part / done.amount).quantize(Decimal("0.01"), rounding="ROUND_UP")
        else:
            assert second.returned == 0
        assert Decimal(str(world.sandbox.refunds(out_trade_no)[-1]["amount"])) == part


def _fail_split(world, out_split_no: str):
    """Let the vendor finish a share as failed (and post its notification)."""
    if world.plugin == "wechatpay":
        return world.sandbox.finish_split(out_split_no, "CLOSED")
    return world.sandbox.finish_split(out_split_no, success=False)


def test_a_failed_split_is_sent_again_from_the_admin(make_app, plugin):
    with open_paying_world(make_app, "car", plugin, split_accounts=ACCOUNTS[:1]) as world:
        world.sandbox.faults["auto_split"] = False  # the vendor answers "processing"; its notification decides
        order = start_online(world, {"gun_id": first_gun(world).id, "prepaid": "40.00"})
        order_id = db.session.execute(sa.select(CarOrder.id).where(CarOrder.trade_no == order["trade_no"])).scalar_one()
        world.sandbox.pay(order["payment"]["out_trade_no"])
        wait_for(CarOrder, order_id, lambda o: o.state is OrderState.CHARGING and o.energy_kwh > Decimal("1"), timeout=30)
        assert world.client.post(f"/api/v1/app/orders/{order['trade_no']}/stop",
                                 headers={**world.driver, **key()}).status_code == 200
        wait_for(CarOrder, order_id, lambda o: o.state is OrderState.COMPLETED, timeout=30)
        share = wait_until(lambda: next(iter(rows(Split, order_kind="car", order_id=order_id)), None), timeout=20)
        wait_until(lambda: world.sandbox.splits(order["payment"]["out_trade_no"]), timeout=20)  # the vendor has it
        assert rows(Split, id=share.id)[0].state is SplitState.PROCESSING
        first_number = share.out_split_no
        replies = _fail_split(world, first_number)
        assert all(200 <= reply.status < 300 for reply in replies), [(r.status, r.body) for r in replies]
        with world.app.app_context():  # the query finds the failure too, whether or not the notification came
            payment_sweep(now=utcnow() + timedelta(seconds=30))
        wait_until(lambda: rows(Split, id=share.id)[0].state is SplitState.FAILED, timeout=20)

        world.sandbox.faults["auto_split"] = True
        admin = db.session.get(User, world.network.admin_id)
        headers = {"Authorization": f"Bearer {issue_token(admin, 'resplit')}"}
        answer = world.client.post(f"/api/v1/admin/splits/{share.id}/resplit", headers=headers)  # 分账 again
        assert answer.status_code == 200, answer.get_json()
        again = rows(Split, id=share.id)[0]
        assert again.state is SplitState.SUCCESS and again.out_split_no != first_number
        assert again.attempts == 1 and again.operator_name == admin.name
        assert world.client.post(f"/api/v1/admin/splits/{share.id}/resplit", headers=headers).status_code == 409
