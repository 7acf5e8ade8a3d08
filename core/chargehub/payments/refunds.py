"""Refunds (退费): money going back to the driver — the unused prepaid amount at settlement, a failed
start's whole amount, a payment that came after its order ended, and operators' 退费 of completed orders.

Every refund is a :class:`~chargehub.payments.models.Refund`. A balance refund is done at once (the ledger
entry and the record in one transaction); a provider refund is recorded PROCESSING, counted as returned
on the order and the payment right away, and sent by a job (:func:`run_refund`) once the transaction has
committed; the vendor's answer, a notification or a query settles it (:func:`apply_refund_result`). A
refund that finally fails counts as held again, so an operator can refund it anew.

The limit (``prepaid − refunded``, 最大退费金额 = 预付金额 − 已退费金额) is enforced by one conditional
``UPDATE`` of the order (:func:`_claim`): of two concurrent requests that together exceed it, one is refused,
on PostgreSQL and SQLite alike.
"""
from __future__ import annotations

import logging
from decimal import Decimal

import sqlalchemy as sa

from chargehub.charging.models import ORDER_MODELS, ONLINE_METHODS, OrderState, PayMethod, PayState
from chargehub.contracts.payments import CreateRefund, PaymentProviderError, RefundResult, RefundStatus
from chargehub.db import utcnow
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.jobs import enqueue_after_commit
from chargehub.payments.models import BALANCE, Payment, PaymentState, Refund, RefundKind, RefundState
from chargehub.payments.numbers import REFUND, new_number
from chargehub.payments.providers import provider_of_record
from chargehub.payments.service import SYSTEM_NAME, AmountMismatch, jsonable, lock, notify_url, record_columns

log = logging.getLogger("chargehub.payments")
ZERO = Decimal("0.00")
#: Retries of a refund the vendor could not take (timeouts, 5xx); the sweep queries after that.
RETRY_INTERVALS = (5, 30, 120, 600)


def _pay_state(refunded: Decimal, prepaid: Decimal) -> PayState:
    if refunded <= 0:
        return PayState.PAID
    return PayState.REFUNDED if refunded >= prepaid else PayState.PARTIALLY_REFUNDED


def _claim(order, amount: Decimal) -> bool:
    """Count ``amount`` as returned on ``order`` unless that would exceed the prepaid amount (atomic)."""
    model = type(order)
    claimed = db.session.execute(
        sa.update(model).where(model.id == order.id, model.refunded + amount <= model.prepaid)
        .values(refunded=model.refunded + amount).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return False
    db.session.refresh(order, ["refunded", "prepaid"])
    order.pay_state = _pay_state(order.refunded, order.prepaid)
    return True


def give_back(order, amount: Decimal, note: str, kind: RefundKind, *, operator=None) -> Refund | None:
    """Return ``amount`` of what ``order`` holds to where it came from (in the caller's transaction).

    Balance: credited now. Provider: a PROCESSING refund sent after commit. Free test orders: only
    counted. :raises Conflict: ``amount`` is more than the order still holds (nothing changed).
    """
    amount = Decimal(amount).quantize(ZERO)
    if amount <= 0:
        return None
    if not _claim(order, amount):
        raise Conflict("退费金额超过可退金额 (more than the order still holds)")
    if order.pay_method is PayMethod.FREE:
        return None
    if order.pay_method is PayMethod.BALANCE and order.driver_id is not None:
        from chargehub.members.balance import release  # noqa: PLC0415 - members sits above charging

        release(order.driver_id, order.provider_id, amount, order.trade_no, note)
        payment = _paid_payment(order, BALANCE)
        return _record(order, payment, amount, note, kind, operator, RefundState.SUCCESS, BALANCE)
    if order.pay_method in ONLINE_METHODS:
        payment = _paid_payment(order)
        if payment is None:
            raise Conflict("找不到该订单的支付记录，无法退费 (no payment found for the order)")
        payment.refunded = (payment.refunded + amount).quantize(ZERO)
        refund = _record(order, payment, amount, note, kind, operator, RefundState.PROCESSING, payment.plugin)
        enqueue_after_commit("chargehub.payments.refunds:run_refund", refund.id, retries=len(RETRY_INTERVALS),
                             retry_intervals=RETRY_INTERVALS)
        return refund
    return None


def refund_payment(payment: Payment, amount: Decimal, kind: RefundKind, note: str) -> Refund:
    """Refund ``amount`` of a paid ``payment`` whose order holds none of it (a payment that came after its
    order ended); in the caller's transaction, sent after commit."""
    payment.refunded = (payment.refunded + amount).quantize(ZERO)
    order = db.session.get(ORDER_MODELS[payment.order_kind], payment.order_id)
    refund = _record(order, payment, amount, note, kind, None, RefundState.PROCESSING, payment.plugin)
    enqueue_after_commit("chargehub.payments.refunds:run_refund", refund.id, retries=len(RETRY_INTERVALS),
                         retry_intervals=RETRY_INTERVALS)
    return refund


def _paid_payment(order, plugin: str | None = None) -> Payment | None:
    statement = sa.select(Payment).where(Payment.order_kind == order.kind, Payment.order_id == order.id,
                                         Payment.state == PaymentState.PAID)
    if plugin is not None:
        statement = statement.where(Payment.plugin == plugin)
    return db.session.execute(statement.order_by(Payment.id.desc()).limit(1)).scalar_one_or_none()


def _record(order, payment: Payment | None, amount: Decimal, note: str, kind: RefundKind, operator,
            state: RefundState, plugin: str) -> Refund:
    refund = Refund(out_refund_no=new_number(REFUND), payment_id=payment.id if payment else None, kind=kind,
                    state=state, amount=amount, order_amount=order.amount, paid_amount=order.prepaid,
                    reason=note[:200], plugin=plugin, operator_id=getattr(operator, "id", None),
                    operator_name=(getattr(operator, "name", "") or SYSTEM_NAME)[:50], raw={},
                    refunded_at=utcnow() if state is RefundState.SUCCESS else None, **record_columns(order))
    db.session.add(refund)
    db.session.flush()
    return refund


def refund_order(kind: str, order_id: int, amount: Decimal, reason: str, operator) -> Refund:
    """退费 by an operator: part or all of what a completed order still holds; commits.

    :raises Conflict: the order is not 订单完成 with an amount above zero, is a free test order, or a
        concurrent refund took the rest. :raises ValidationFailed: a bad amount or no reason.
    """
    order = lock(ORDER_MODELS[kind], order_id)
    if order.state is not OrderState.COMPLETED or order.amount <= 0:
        raise Conflict("只有「订单完成」且订单总费用大于 0 的订单才能退费 (only completed orders with an amount)")
    if order.pay_method is PayMethod.FREE:
        raise Conflict("免费测试订单没有收款，无需退费 (a free test order took no money)")
    maximum = (order.prepaid - order.refunded).quantize(ZERO)
    if not reason or not reason.strip():
        raise ValidationFailed("请填写退费原因 (reason is required)", "reason")
    if amount <= 0 or amount > maximum:
        raise ValidationFailed(f"退费金额须在 0.01–{maximum} 元之间（最大退费金额 = 预付金额 − 已退费金额）"
                               f" (amount must be within 0.01–{maximum})", "amount")
    refund = give_back(order, amount, reason.strip(), RefundKind.MANUAL, operator=operator)
    db.session.commit()
    return refund


def run_refund(refund_id: int) -> str:
    """Job: send a PROCESSING refund to its provider (first taking split shares back where the provider
    requires it) and apply the answer. A retryable failure raises, so the job is retried."""
    refund = db.session.get(Refund, refund_id)
    if refund is None or refund.state is not RefundState.PROCESSING:
        return "skipped"
    provider = provider_of_record(refund)
    if provider is None:
        return apply_refund_result(refund_id, RefundResult(refund.out_refund_no, RefundStatus.FAILED,
                                                           message="电站支付配置不可用 (payment configuration unavailable)"))
    payment = db.session.get(Payment, refund.payment_id)
    if payment.split and provider.split_return_before_refund:
        from chargehub.payments.splits import return_shares  # noqa: PLC0415

        return_shares(payment, refund.amount, provider)
    refund = lock(Refund, refund_id)
    refund.attempts += 1
    db.session.commit()
    kind = refund.order_kind
    try:
        result = provider.execute_refund(CreateRefund(
            out_refund_no=refund.out_refund_no, out_trade_no=payment.out_trade_no,
            vendor_trade_no=payment.vendor_trade_no, amount=refund.amount, total=payment.amount,
            reason=refund.reason or "充电退费", notify_url=notify_url(refund.plugin, kind,
                                                                       refund.car_station_id or refund.bike_station_id)))
    except PaymentProviderError as exc:
        if exc.retryable:
            log.warning("refund %s: %s (retried)", refund.out_refund_no, exc.message)
            raise
        result = RefundResult(refund.out_refund_no, RefundStatus.FAILED, message=exc.message)
    return apply_refund_result(refund_id, result)


def apply_refund_result(refund_id: int, result: RefundResult) -> str:
    """Apply what the vendor says about a refund; commits. A refund already final changes no more.

    :returns: the refund's state afterwards, or ``"duplicate"``.
    :raises AmountMismatch: the vendor's amount is not the refund's (nothing changed).
    """
    refund = lock(Refund, refund_id)
    if result.amount is not None and result.amount != refund.amount:
        db.session.rollback()
        raise AmountMismatch(f"退款金额不符：通知 {result.amount} 元，退款 {refund.amount} 元 (amount mismatch)")
    if refund.state in (RefundState.SUCCESS, RefundState.FAILED):
        db.session.commit()
        return "duplicate"
    refund.vendor_refund_no = result.vendor_refund_no or refund.vendor_refund_no
    refund.raw = jsonable(result.raw) or refund.raw
    refund.message = (result.message or refund.message)[:300]
    if result.status is RefundStatus.SUCCESS:
        refund.state, refund.refunded_at = RefundState.SUCCESS, result.refunded_at or utcnow()
    elif result.status is RefundStatus.FAILED:
        refund.state = RefundState.FAILED
        _release(refund)
    elif result.status is RefundStatus.ABNORMAL:
        refund.state = RefundState.ABNORMAL
    db.session.commit()
    return refund.state.value


def _release(refund: Refund) -> None:
    """A failed refund: its amount counts as held again on the payment and (unless it was a late
    payment's) on the order."""
    if refund.payment_id is not None:
        payment = lock(Payment, refund.payment_id)
        payment.refunded = max(ZERO, payment.refunded - refund.amount)
    if refund.kind is RefundKind.LATE_PAYMENT:
        return
    order = lock(ORDER_MODELS[refund.order_kind], refund.order_id)
    order.refunded = max(ZERO, (order.refunded - refund.amount).quantize(ZERO))
    order.pay_state = _pay_state(order.refunded, order.prepaid)
