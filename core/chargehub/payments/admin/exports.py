"""The export kinds ``payment`` (支付订单, manual 3.4.3 §3) and ``refund`` (退费管理, manual 3.4.6 §3).

Filters are the lists' searches (:mod:`.schemas`, default window included), matched by the same
conditions (:mod:`.conditions`) and scoped for the user who asked. The statements select plain columns
with the enums already in words (SQL ``CASE`` over the one set of labels), so the writer process
(:mod:`.rows`) needs nothing of the app.
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from chargehub.charging.admin.exports import _words, _zone
from chargehub.exports.kinds import ExportSource
from chargehub.payments.admin.conditions import PAYMENTS, REFUNDS
from chargehub.payments.admin.labels import ORDER_KIND_LABELS, PAYMENT_STATE_LABELS, REFUND_STATE_LABELS, plugin_labels
from chargehub.payments.admin.schemas import PaymentFilters, RefundFilters
from chargehub.payments.models import Payment, Refund
from chargehub.tenancy.scope import Scope

#: How much of the vendor's last answer the 第三方回调 column shows.
CALLBACK_CHARS = 200
PAYMENT_HEADERS = ("订单号", "订单类型", "支付类型", "支付金额（元）", "手机号", "电站", "支付状态", "第三方回调", "发起时间",
                   "支付时间")
PAYMENT_WIDTHS = (34, 10, 10, 12, 14, 24, 10, 60, 20, 20)
REFUND_HEADERS = ("订单编号", "收款人", "订单费用（元）", "支付金额（元）", "退费金额（元）", "操作者", "申请时间", "退费状态",
                  "退费时间", "第三方退款单号")
REFUND_WIDTHS = (34, 14, 12, 12, 12, 12, 20, 10, 20, 34)


def payment_statement(filters: Mapping[str, Any], scope: Scope) -> sa.Select:
    """Payments matching ``filters`` within ``scope``: id first, then the export's columns, the zone last."""
    p = Payment
    return sa.select(p.id, p.trade_no, _words(p.order_kind, ORDER_KIND_LABELS, keep_unknown=True),
                     _words(p.plugin, plugin_labels(), keep_unknown=True), p.amount, p.phone, p.station_name,
                     _words(p.state, PAYMENT_STATE_LABELS), sa.func.substr(sa.cast(p.raw, sa.Text), 1, CALLBACK_CHARS),
                     p.created_at, p.paid_at, _zone()).where(*PAYMENTS.where(filters, scope))


def refund_statement(filters: Mapping[str, Any], scope: Scope) -> sa.Select:
    """Refunds matching ``filters`` within ``scope``: id first, then the export's columns, the zone last."""
    r = Refund
    return sa.select(r.id, r.trade_no, r.phone, r.order_amount, r.paid_amount, r.amount, r.operator_name,
                     r.created_at, _words(r.state, REFUND_STATE_LABELS), r.refunded_at, r.vendor_refund_no,
                     _zone()).where(*REFUNDS.where(filters, scope))


PAYMENT_EXPORT = ExportSource(title="支付订单", permission="order.payment:export", filters_schema=PaymentFilters,
                              headers=PAYMENT_HEADERS, statement=payment_statement, key=Payment.id,
                              row="chargehub.payments.admin.rows:payment_row", widths=PAYMENT_WIDTHS)
REFUND_EXPORT = ExportSource(title="退费管理", permission="order.refund:export", filters_schema=RefundFilters,
                             headers=REFUND_HEADERS, statement=refund_statement, key=Refund.id,
                             row="chargehub.payments.admin.rows:refund_row", widths=REFUND_WIDTHS)
