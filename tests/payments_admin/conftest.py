"""Fixtures of the payments admin tests: the order admin's seeded orders (tests.orders_admin) with payment,
refund, split and notification records on them, made with the payment services' own column copy
(:func:`chargehub.payments.service.record_columns`).

Tenant A: payments on its first 24 car and 24 e-bike orders (every plugin and state), a refund on every
third payment (every kind and state), a split on every paid payment (every state), and two stored
callbacks for its first payment. Tenant B: a few of each. Each record's spec is kept (``payments``,
``refunds``, ``splits``) so tests compute the expected rows of a search.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from chargehub.charging.models import BikeOrder, CarOrder
from chargehub.extensions import db
from chargehub.payments.models import (
    NotificationState,
    Payment,
    PaymentNotification,
    PaymentState,
    Refund,
    RefundKind,
    RefundState,
    Split,
    SplitState,
)
from chargehub.payments.service import record_columns
from tests.orders_admin.conftest import dataset  # noqa: F401 - fixture


@pytest.fixture
def app(make_app):
    """The app of these tests: the three payment plugins installed (their names label 支付类型)."""
    import chargehub_leshua.plugin as leshua
    import chargehub_suixingfu.plugin as suixingfu
    import chargehub_wechatpay.plugin as wechatpay

    application = make_app(plugins=[wechatpay, leshua, suixingfu])
    with application.app_context():
        yield application

PLUGINS = ("wechatpay", "leshua", "suixingfu", "balance")
PAYMENTS, REFUNDS, SPLITS = "/api/v1/admin/payments", "/api/v1/admin/refunds", "/api/v1/admin/splits"


def _records(net: dict[str, Any], per_side: int) -> None:
    tag = net["tag"]
    orders = ([db.session.get(CarOrder, s["id"]) for s in net["car"][:per_side]]
              + [db.session.get(BikeOrder, s["id"]) for s in net["bike"][:per_side]])
    payments, refunds, splits = [], [], []
    for i, order in enumerate(orders):
        state = tuple(PaymentState)[i % 4]
        paid = state is PaymentState.PAID
        payment = Payment(out_trade_no=f"P{tag}{i:08d}", plugin=PLUGINS[i % 4], amount=order.prepaid, state=state,
                          vendor_trade_no=f"WX{tag}{i:06d}" if paid else "", created_at=order.created_at,
                          paid_at=order.created_at + timedelta(minutes=1) if paid else None,
                          raw={"transaction_id": f"WX{tag}{i:06d}", "trade_state": "SUCCESS"} if paid else {},
                          **record_columns(order))
        db.session.add(payment)
        db.session.flush()
        payments.append({"id": payment.id, "order": order, "out_trade_no": payment.out_trade_no,
                         "plugin": payment.plugin, "state": state, "created_at": payment.created_at,
                         "paid_at": payment.paid_at})
        if i % 3 == 0:
            r_state = tuple(RefundState)[(i // 3) % 4]
            refund = Refund(out_refund_no=f"R{tag}{i:08d}", payment_id=payment.id, kind=tuple(RefundKind)[(i // 3) % 4],
                            state=r_state, amount=Decimal("1.00") + i, order_amount=order.amount,
                            paid_amount=order.prepaid, reason=f"原因{i}", plugin=payment.plugin,
                            operator_name="张三" if i % 2 else "系统",
                            message="退款成功" if r_state is RefundState.SUCCESS else "",
                            vendor_refund_no=f"VR{tag}{i:06d}" if r_state is RefundState.SUCCESS else "", raw={},
                            created_at=order.created_at + timedelta(minutes=2),
                            refunded_at=(order.created_at + timedelta(hours=30)
                                         if r_state is RefundState.SUCCESS else None), **record_columns(order))
            db.session.add(refund)
            db.session.flush()
            refunds.append({"id": refund.id, "order": order, "kind": refund.kind, "state": r_state,
                            "created_at": refund.created_at, "refunded_at": refund.refunded_at,
                            "out_trade_no": payment.out_trade_no})
        if paid:
            s_state = tuple(SplitState)[len(splits) % 5]
            split = Split(out_split_no=f"S{tag}{i:08d}", payment_id=payment.id, plugin=payment.plugin,
                          amount=Decimal("0.30"), state=s_state, lead_merchant=f"LM{tag}{i % 2}", receiver_account=f"ACC{i % 3}",
                          receiver_name=f"分账方{i % 3}", ratio=Decimal("0.3000"), base_amount=order.amount,
                          operator_name="李四" if i % 2 else "系统", raw={}, created_at=order.created_at,
                          **record_columns(order))
            db.session.add(split)
            db.session.flush()
            splits.append({"id": split.id, "order": order, "state": s_state, "lead_merchant": split.lead_merchant,
                           "receiver_account": split.receiver_account, "operator_name": split.operator_name,
                           "out_split_no": split.out_split_no})
    first = payments[0]
    for state, reason in ((NotificationState.REJECTED, "签名错误 (bad signature)"), (NotificationState.APPLIED, "")):
        db.session.add(PaymentNotification(plugin=first["plugin"], provider_id=net["provider_id"],
                                           car_station_id=first["order"].station_id, kind="payment",
                                           out_no=first["out_trade_no"], body='{"event": "paid"}', state=state,
                                           reason=reason))
    db.session.commit()
    net.update(payments=payments, refunds=refunds, splits=splits)


@pytest.fixture
def records(dataset):  # noqa: F811
    """The order admin's dataset with payment, refund and split records (see the module docstring)."""
    _records(dataset["A"], 24)
    _records(dataset["B"], 3)
    return dataset


def ids(client, url: str, headers: dict, **args) -> list[int]:
    """Ids of every row the list ``url`` answers for ``args`` (one page of 100)."""
    response = client.get(url, headers=headers, query_string={"page_size": 100, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["total"] == len(body["items"])
    return sorted(item["id"] for item in body["items"])


def expect(specs: list[dict], predicate=lambda s: True) -> list[int]:
    """Ids of the record specs matching ``predicate``, sorted."""
    return sorted(s["id"] for s in specs if predicate(s))
