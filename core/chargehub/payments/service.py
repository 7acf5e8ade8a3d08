"""The prepaid payment of a charging order, and what its result does to the order.

Driver starts with ``online``: :func:`open_payment` records a PENDING payment beside the new order (启动中,
待支付) in the order's transaction; once that is committed, :func:`request_vendor_payment` asks the
station's provider for it and keeps the ``wx.requestPayment`` parameters for the mini-program. The result
comes back as a notification (:mod:`.notify`) or a query (:mod:`.sweep`); both end in
:func:`apply_payment_result`, which holds the payment row locked, refuses an amount that is not ours,
and changes things once however many copies arrive:

- PAID → the order is paid and its start is sent to the device by a job (:func:`start_paid_order`) —
  never from the vendor's request, which must be answered within seconds; a payment that arrives after
  its order has failed (not paid in time, connector gone) is refunded in full;
- FAILED / CLOSED → the order fails (订单异常) with nothing to return.

A balance start records its payment PAID at once (:func:`balance_payment`), so 支付订单 lists both.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any, Mapping

import sqlalchemy as sa
from flask import has_request_context, request

from chargehub.charging.models import ORDER_MODELS, OrderState, PayState
from chargehub.charging.settlement import lock  # the one row lock (SELECT … FOR UPDATE)
from chargehub.config import settings
from chargehub.contracts.payments import (
    CreatePayment,
    PaymentProvider,
    PaymentProviderError,
    PaymentResult,
    PaymentStatus,
)
from chargehub.db import utcnow
from chargehub.errors import Conflict
from chargehub.extensions import db
from chargehub.jobs import enqueue_after_commit
from chargehub.payments.models import BALANCE, Payment, PaymentState
from chargehub.payments.numbers import PAYMENT, new_number

log = logging.getLogger("chargehub.payments")
#: 操作者 / 操作人 of what no operator asked for.
SYSTEM_NAME = "系统"


class AmountMismatch(Conflict):
    """The vendor reports another amount than the one we asked for: refused, nothing changes."""


def record_columns(order) -> dict[str, Any]:
    """The columns a payment, refund or split copies from its order."""
    return dict(provider_id=order.provider_id, property_id=order.property_id,
                car_station_id=order.station_id if order.kind == "car" else None,
                bike_station_id=order.station_id if order.kind == "bike" else None,
                station_name=order.station_name, area_name=order.area_name, device_code=order.device_code,
                order_kind=order.kind, order_id=order.id, trade_no=order.trade_no, driver_id=order.driver_id,
                phone=order.phone)


def jsonable(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """A vendor's answer as JSON-safe values (decimals and times as text), for the ``raw`` columns."""
    def plain(value):
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)

    return plain(dict(values or {}))


def notify_url(plugin: str, kind: str, station_id: int) -> str:
    """Where vendors post notifications for ``station_id``'s payments through ``plugin``."""
    base = settings()["PAYMENT_NOTIFY_URL"] or settings()["PUBLIC_URL"]
    if not base and has_request_context():
        base = request.host_url
    return f"{(base or 'http://127.0.0.1:8000').rstrip('/')}/api/v1/payments/notify/{plugin}/{kind}/{station_id}"


def balance_payment(order) -> Payment:
    """The payment of a balance start: PAID at once (in the order's transaction)."""
    payment = Payment(out_trade_no=new_number(PAYMENT), plugin=BALANCE, amount=order.prepaid, state=PaymentState.PAID,
                      paid_at=utcnow(), raw={}, client_params={}, **record_columns(order))
    db.session.add(payment)
    return payment


def open_payment(order, provider: PaymentProvider, payer_id: str) -> Payment:
    """A PENDING payment of ``order``'s prepaid amount through ``provider`` (in the order's transaction)."""
    payment = Payment(out_trade_no=new_number(PAYMENT), plugin=provider.plugin_name, amount=order.prepaid,
                      state=PaymentState.PENDING, payer_id=payer_id[:128], split=provider.split_supported(), raw={},
                      client_params={}, **record_columns(order))
    db.session.add(payment)
    return payment


def request_vendor_payment(payment_id: int, provider: PaymentProvider, client_ip: str) -> Payment:
    """Ask the vendor for the committed PENDING payment; keep what the mini-program needs to pay it.

    :raises Conflict: the vendor refused or could not be reached — the payment is closed and the order
        failed (订单异常, nothing was taken), so the driver can try again.
    """
    payment = db.session.get(Payment, payment_id)
    kind = "car" if payment.car_station_id is not None else "bike"
    request_value = CreatePayment(
        out_trade_no=payment.out_trade_no, amount=payment.amount,
        description=f"充电预付-{payment.station_name}"[:127], payer_id=payment.payer_id,
        notify_url=notify_url(payment.plugin, kind, payment.car_station_id or payment.bike_station_id),
        expires_at=utcnow() + timedelta(seconds=float(settings()["PAYMENT_TIMEOUT"])), split=payment.split,
        client_ip=client_ip or "127.0.0.1", attach="")
    try:
        created = provider.execute_create_payment(request_value)
    except PaymentProviderError as exc:
        log.warning("payment %s refused by %s: %s", payment.out_trade_no, payment.plugin, exc.message)
        _close(payment.id, f"支付下单失败：{exc.message}")
        raise Conflict(f"支付下单失败：{exc.message}，请稍后重试 (the payment provider refused: {exc.message})") from None
    payment = lock(Payment, payment_id)
    payment.client_params = {str(k): str(v) for k, v in created.client_params.items()}
    payment.vendor_trade_no = created.vendor_trade_no or payment.vendor_trade_no
    payment.raw = jsonable(created.raw)
    db.session.commit()
    return payment


def _close(payment_id: int, message: str) -> None:
    """Close a PENDING payment and fail its still unpaid order (nothing was taken)."""
    payment = lock(Payment, payment_id)
    if payment.state is PaymentState.PENDING:
        payment.state, payment.closed_at, payment.message = PaymentState.CLOSED, utcnow(), message[:300]
        _fail_unpaid_order(payment, message)
    db.session.commit()


def _fail_unpaid_order(payment: Payment, cause: str) -> None:
    from chargehub.charging.settlement import fail  # noqa: PLC0415 - charging sits below payments
    from chargehub.charging.states import SYSTEM, can_move  # noqa: PLC0415

    order = lock(ORDER_MODELS[payment.order_kind], payment.order_id)
    if order.pay_state is PayState.UNPAID and order.settled_at is None and can_move(order, OrderState.FAILED):
        fail(order, cause, SYSTEM)


def payment_of_order(order) -> Payment | None:
    """The order's latest payment (``None`` for free test orders and orders from before payments)."""
    return db.session.execute(sa.select(Payment).where(Payment.order_kind == order.kind, Payment.order_id == order.id)
                              .order_by(Payment.id.desc()).limit(1)).scalar_one_or_none()


def apply_payment_result(payment_id: int, result: PaymentResult, *, source: str) -> str:
    """Apply what the vendor says about payment ``payment_id`` (a notification or a query); commits.

    :returns: ``"paid"``, ``"failed"``, ``"closed"``, ``"duplicate"`` (already final) or ``"pending"``.
    :raises AmountMismatch: the vendor's amount is not the payment's (nothing changed).
    """
    payment = lock(Payment, payment_id)
    import sys, threading; print("DBGLOCK", threading.get_ident(), id(db.session()), payment.state, db.session.get_bind().dialect.name, file=sys.stderr)
    if result.amount is not None and result.amount != payment.amount:
        db.session.rollback()
        raise AmountMismatch(f"金额不符：通知 {result.amount} 元，订单 {payment.amount} 元 (amount mismatch)")
    paid = result.status is PaymentStatus.PAID
    if (paid and payment.state is PaymentState.PAID) or (not paid and payment.state is not PaymentState.PENDING) \
            or result.status is PaymentStatus.PENDING:
        outcome = "pending" if payment.state is PaymentState.PENDING else "duplicate"
        db.session.commit()
        return outcome
    payment.raw = jsonable(result.raw) or payment.raw
    if source == "notification":
        payment.notified_at = utcnow()
    if paid:  # also a payment we had closed: the money was taken, so _order_paid gives it back
        payment.state = PaymentState.PAID
        payment.paid_at = result.paid_at or utcnow()
        payment.vendor_trade_no = result.vendor_trade_no or payment.vendor_trade_no
        payment.payer_id = result.payer_id or payment.payer_id
        _order_paid(payment)
        db.session.commit()
        return "paid"
    payment.state = PaymentState.FAILED if result.status is PaymentStatus.FAILED else PaymentState.CLOSED
    payment.closed_at = utcnow()
    payment.message = (result.message or ("支付失败" if payment.state is PaymentState.FAILED else "支付已关闭"))[:300]
    _fail_unpaid_order(payment, f"{payment.message} (payment {payment.state.value})")
    db.session.commit()
    return payment.state.value


def _order_paid(payment: Payment) -> None:
    from chargehub.charging.states import SYSTEM, transition  # noqa: PLC0415
    from chargehub.payments.refunds import refund_payment  # noqa: PLC0415
    from chargehub.payments.models import RefundKind  # noqa: PLC0415

    order = lock(ORDER_MODELS[payment.order_kind], payment.order_id)
    if order.pay_state is PayState.UNPAID and order.settled_at is None and order.state is OrderState.STARTING:
        order.pay_state, order.paid_at = PayState.PAID, utcnow()
        if order.kind == "bike":
            transition(order, OrderState.CHARGING, "支付成功，开始充电 (paid: starting)", SYSTEM)
        enqueue_after_commit("chargehub.payments.service:start_paid_order", order.kind, order.id)
        return
    # The order ended before the money came (payment timeout, start refused): give all of it back.
    refund_payment(payment, payment.amount, RefundKind.LATE_PAYMENT,
                   f"订单 {order.trade_no} 已结束，支付晚到全额退回 (paid after the order ended)")


def start_paid_order(kind: str, order_id: int) -> str:
    """Job: send the start of a paid order to its device and apply the answer (idempotent)."""
    from chargehub.charging.connectors import load_connector  # noqa: PLC0415
    from chargehub.charging.settlement import rule_of  # noqa: PLC0415
    from chargehub.charging.start import apply_start_answer, send_start  # noqa: PLC0415

    model = ORDER_MODELS[kind]
    order = db.session.get(model, order_id)
    if order is None or order.settled_at is not None or order.started_at is not None \
            or order.pay_state is PayState.UNPAID:
        return "skipped"
    connector = load_connector("gun" if kind == "car" else "socket", order.gun_id if kind == "car" else order.socket_id)
    result = send_start(order, connector, rule_of(order))
    order = apply_start_answer(model, order_id, result)
    return order.state.value


def cancel_unpaid(order) -> None:
    """结束 before paying (the driver gave up): close the payment at the vendor and fail the order, nothing
    taken. If the vendor says it was paid after all, the payment is applied instead (the charge starts)."""
    from chargehub.payments.providers import provider_of_record  # noqa: PLC0415 - providers imports this module

    payment = payment_of_order(order)
    if payment is None or payment.state is not PaymentState.PENDING:
        return
    provider = provider_of_record(payment)
    if provider is not None:
        try:
            provider.execute_close_payment(payment.out_trade_no)
        except PaymentProviderError:
            try:
                result = provider.execute_query_payment(payment.out_trade_no)
            except PaymentProviderError:
                result = None
            if result is not None and result.status is PaymentStatus.PAID:
                apply_payment_result(payment.id, result, source="query")
                return
    apply_payment_result(payment.id, PaymentResult(payment.out_trade_no, PaymentStatus.CLOSED,
                                                   message="用户取消支付 (cancelled before payment)"), source="cancel")


def payment_payload(payment: Payment | None) -> dict[str, Any] | None:
    """What the driver API says of an order's payment (``client_params`` only while it can be paid)."""
    if payment is None:
        return None
    return {"out_trade_no": payment.out_trade_no, "plugin": payment.plugin, "state": payment.state.value,
            "amount": str(Decimal(payment.amount).quantize(Decimal("0.01"))),
            "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
            "client_params": dict(payment.client_params) if payment.state is PaymentState.PENDING else {}}
