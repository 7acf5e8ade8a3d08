"""The order detail's 支付明细, 退费明细 and 分账 rows (manual 3.4.1 §7, 3.4.2 §8): the order's payment, refund
and split records, with the words for their enums.

Kept apart from :mod:`.schemas` so the order admin (:mod:`chargehub.charging.admin`) can nest these rows
without importing the payment searches (which build on the order admin's own schema helpers).
"""
from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.payments.admin.labels import (
    PAYMENT_STATE_LABELS,
    REFUND_KIND_LABELS,
    REFUND_STATE_LABELS,
    SPLIT_STATE_LABELS,
    plugin_label,
)
from chargehub.payments.models import Payment, Refund, Split
from chargehub.tenancy.scope import condition


def _money(label: str) -> ma.fields.Decimal:
    return ma.fields.Decimal(places=2, as_string=True, metadata={"label": label, "description": "元"})


class PaymentRecordRowSchema(ma.Schema):
    """What 支付明细 shows of a payment record (the order admin's payment row adds the order's columns)."""

    id = ma.fields.Integer()
    out_trade_no = ma.fields.String(metadata={"label": "支付单号"})
    plugin = ma.fields.String(metadata={"label": "支付渠道", "description": "wechatpay / leshua / suixingfu / balance"})
    plugin_label = ma.fields.String(metadata={"label": "支付渠道（文字）"})
    state = ma.fields.String(metadata={"label": "支付状态", "description": "pending / paid / failed / closed"})
    state_label = ma.fields.String(metadata={"label": "支付状态（文字）"})
    vendor_trade_no = ma.fields.String(metadata={"label": "第三方支付单号"})
    paid_at = ma.fields.DateTime(allow_none=True, metadata={"label": "支付时间"})


class OrderRefundRowSchema(ma.Schema):
    """退费明细: one refund of the order."""

    id = ma.fields.Integer()
    out_refund_no = ma.fields.String(metadata={"label": "退款单号"})
    vendor_refund_no = ma.fields.String(metadata={"label": "第三方退款单号"})
    kind = ma.fields.String(metadata={"label": "退费类型"})
    kind_label = ma.fields.String(metadata={"label": "退费类型（文字）"})
    state = ma.fields.String(metadata={"label": "退费状态"})
    state_label = ma.fields.String(metadata={"label": "退费状态（文字）"})
    amount = _money("退费金额")
    plugin_label = ma.fields.String(metadata={"label": "退回渠道"})
    reason = ma.fields.String(metadata={"label": "退款原因"})
    message = ma.fields.String(metadata={"label": "退款结果"})
    operator_name = ma.fields.String(metadata={"label": "操作者"})
    created_at = ma.fields.DateTime(metadata={"label": "申请时间"})
    refunded_at = ma.fields.DateTime(allow_none=True, metadata={"label": "退款时间"})


class OrderSplitRowSchema(ma.Schema):
    """分账: one receiver's share of the order's payment."""

    id = ma.fields.Integer()
    out_split_no = ma.fields.String(metadata={"label": "分账单号"})
    lead_merchant = ma.fields.String(metadata={"label": "主导商户"})
    receiver_account = ma.fields.String(metadata={"label": "分账商户"})
    receiver_name = ma.fields.String(metadata={"label": "分账商户名称"})
    ratio = ma.fields.Decimal(places=4, as_string=True, metadata={"label": "分账比例"})
    amount = _money("分账金额")
    returned = _money("已回退金额")
    state = ma.fields.String(metadata={"label": "分账状态"})
    state_label = ma.fields.String(metadata={"label": "分账状态（文字）"})
    message = ma.fields.String(metadata={"label": "分账结果"})
    operator_name = ma.fields.String(metadata={"label": "操作人"})
    created_at = ma.fields.DateTime(metadata={"label": "分账时间"})
    finished_at = ma.fields.DateTime(allow_none=True, metadata={"label": "完成时间"})


def _of_order(model, order) -> list:
    statement = (sa.select(model).where(model.order_kind == order.kind, model.order_id == order.id, condition(model))
                 .order_by(model.created_at, model.id))
    return list(db.session.execute(statement).scalars())


def payment_rows(order) -> list[dict[str, Any]]:
    """The order's payment records, oldest first: the record's columns, ``prepaid`` (the payment's amount),
    ``refunded`` (returned of it), ``amount`` (the order's) and ``at`` (发起时间)."""
    return [{"id": p.id, "out_trade_no": p.out_trade_no, "plugin": p.plugin, "plugin_label": plugin_label(p.plugin),
             "state": p.state.value, "state_label": PAYMENT_STATE_LABELS.get(p.state, p.state.value),
             "vendor_trade_no": p.vendor_trade_no, "paid_at": p.paid_at, "prepaid": p.amount, "refunded": p.refunded,
             "amount": order.amount, "at": p.created_at} for p in _of_order(Payment, order)]


def refund_rows(order) -> list[dict[str, Any]]:
    """The order's refunds, oldest first."""
    return [{"id": r.id, "out_refund_no": r.out_refund_no, "vendor_refund_no": r.vendor_refund_no,
             "kind": r.kind.value, "kind_label": REFUND_KIND_LABELS.get(r.kind, r.kind.value), "state": r.state.value,
             "state_label": REFUND_STATE_LABELS.get(r.state, r.state.value), "amount": r.amount,
             "plugin_label": plugin_label(r.plugin), "reason": r.reason, "message": r.message,
             "operator_name": r.operator_name, "created_at": r.created_at, "refunded_at": r.refunded_at}
            for r in _of_order(Refund, order)]


def split_rows(order) -> list[dict[str, Any]]:
    """The order's split shares, oldest first."""
    return [{"id": s.id, "out_split_no": s.out_split_no, "lead_merchant": s.lead_merchant,
             "receiver_account": s.receiver_account, "receiver_name": s.receiver_name, "ratio": s.ratio,
             "amount": s.amount, "returned": s.returned, "state": s.state.value,
             "state_label": SPLIT_STATE_LABELS.get(s.state, s.state.value), "message": s.message,
             "operator_name": s.operator_name, "created_at": s.created_at, "finished_at": s.finished_at}
            for s in _of_order(Split, order)]
