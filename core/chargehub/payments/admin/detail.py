"""详细 of a payment (manual 3.4.3 §4, with 第三方回调) and of a refund (manual 3.4.6 §4)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chargehub.charging.models import ORDER_MODELS
from chargehub.extensions import db
from chargehub.payments.admin.labels import NOTIFICATION_STATE_LABELS
from chargehub.payments.models import Payment, PaymentNotification, Refund
from chargehub.tenancy.scope import condition

#: How much of a stored callback's body the detail shows.
BODY_LIMIT = 2000


def _order(record):
    return db.session.get(ORDER_MODELS[record.order_kind], record.order_id)


def notifications(out_no: str) -> list[dict[str, Any]]:
    """The stored vendor callbacks about ``out_no`` the caller may see, oldest first."""
    if not out_no:
        return []
    rows = db.session.execute(sa.select(PaymentNotification).where(
        PaymentNotification.out_no == out_no, condition(PaymentNotification))
        .order_by(PaymentNotification.received_at, PaymentNotification.id)).scalars()
    return [{"id": n.id, "plugin": n.plugin, "kind": n.kind, "state": n.state.value,
             "state_label": NOTIFICATION_STATE_LABELS.get(n.state.value, n.state.value), "reason": n.reason,
             "body": (n.body or "")[:BODY_LIMIT], "received_at": n.received_at, "processed_at": n.processed_at}
            for n in rows]


def payment_detail(payment: Payment) -> Payment:
    """The payment with 消费时长 (its order's duration), 订单费用 and the callbacks about it (for
    :class:`~.schemas.PaymentDetailSchema`)."""
    order = _order(payment)
    payment.duration_s = order.duration_s if order is not None else None
    payment.order_amount = order.amount if order is not None else None
    payment.notifications = notifications(payment.out_trade_no)
    return payment


def refund_detail(refund: Refund) -> Refund:
    """The refund with 支付编号 (its payment's ``out_trade_no``) (for :class:`~.schemas.RefundDetailSchema`)."""
    payment = db.session.get(Payment, refund.payment_id) if refund.payment_id else None
    refund.out_trade_no = payment.out_trade_no if payment is not None else None
    return refund
