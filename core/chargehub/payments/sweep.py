"""The payment sweep: a periodic job (``PAYMENT_SWEEP_EVERY``) for results no notification brought.

- a PENDING payment older than :data:`QUERY_AFTER` is queried; one older than ``PAYMENT_TIMEOUT`` that is
  still not paid is closed at the vendor and its order fails (支付超时, nothing was taken);
- a PROCESSING refund, split or split return older than :data:`QUERY_AFTER` is queried.

Vendors that cannot be reached are asked again at the next sweep; nothing here raises.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from chargehub.config import settings
from chargehub.contracts.payments import PaymentProviderError, PaymentResult, PaymentStatus
from chargehub.db import utcnow
from chargehub.errors import Conflict
from chargehub.extensions import db, jobs
from chargehub.payments.models import Payment, PaymentState, Refund, RefundState, Split, SplitState
from chargehub.payments.providers import provider_of_record
from chargehub.payments.refunds import apply_refund_result
from chargehub.payments.service import apply_payment_result
from chargehub.payments.splits import apply_return_result, apply_split_result

log = logging.getLogger("chargehub.payments")
QUERY_AFTER = timedelta(seconds=20)
BATCH = 200
TIMEOUT_MESSAGE = "支付超时：未在规定时间内完成支付 (not paid in time)"


def register_periodic_jobs(app) -> None:
    """Register the sweep at ``app``'s ``PAYMENT_SWEEP_EVERY``."""
    jobs.register_periodic("payments.sweep", "chargehub.payments.sweep:sweep",
                           every=timedelta(seconds=int(settings(app)["PAYMENT_SWEEP_EVERY"])))


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Run every pass once; returns how many records each pass looked at."""
    now = now or utcnow()
    counts = {"payments": _payments(now), "refunds": _refunds(now), "splits": _splits(now)}
    if any(counts.values()):
        log.info("payment sweep: %s", counts)
    return counts


def _ids(statement) -> list[int]:
    return list(db.session.execute(statement.limit(BATCH)).scalars())


def _payments(now: datetime) -> int:
    timeout = now - timedelta(seconds=float(settings()["PAYMENT_TIMEOUT"]))
    ids = _ids(sa.select(Payment.id).where(Payment.state == PaymentState.PENDING,
                                           Payment.created_at <= now - QUERY_AFTER).order_by(Payment.id))
    for payment_id in ids:
        payment = db.session.get(Payment, payment_id)
        provider = provider_of_record(payment)
        result = None
        if provider is not None:
            try:
                result = provider.execute_query_payment(payment.out_trade_no)
            except PaymentProviderError as exc:
                log.info("query of payment %s: %s", payment.out_trade_no, exc.message)
        db.session.rollback()
        try:
            if result is not None and result.status is not PaymentStatus.PENDING:
                apply_payment_result(payment_id, result, source="query")
            elif payment.created_at <= timeout:
                _expire(payment_id, provider)
        except Conflict as exc:
            db.session.rollback()
            log.warning("payment %s: %s", payment_id, exc)
    return len(ids)


def _expire(payment_id: int, provider) -> None:
    payment = db.session.get(Payment, payment_id)
    if provider is not None:
        try:
            provider.execute_close_payment(payment.out_trade_no)
        except PaymentProviderError as exc:
            log.info("close of payment %s: %s", payment.out_trade_no, exc.message)
    apply_payment_result(payment_id, PaymentResult(payment.out_trade_no, PaymentStatus.CLOSED, message=TIMEOUT_MESSAGE),
                         source="timeout")


def _refunds(now: datetime) -> int:
    ids = _ids(sa.select(Refund.id).where(Refund.state == RefundState.PROCESSING,
                                          Refund.updated_at <= now - QUERY_AFTER).order_by(Refund.id))
    for refund_id in ids:
        refund = db.session.get(Refund, refund_id)
        payment = db.session.get(Payment, refund.payment_id) if refund.payment_id else None
        provider = provider_of_record(refund)
        if provider is None or payment is None:
            continue
        if refund.attempts == 0:  # its job never ran (a worker lost on the way): send it now
            db.session.rollback()
            jobs.enqueue("chargehub.payments.refunds:run_refund", refund_id)
            continue
        try:
            result = provider.execute_query_refund(refund.out_refund_no, payment.out_trade_no)
        except PaymentProviderError as exc:
            log.info("query of refund %s: %s", refund.out_refund_no, exc.message)
            db.session.rollback()
            continue
        db.session.rollback()
        try:
            apply_refund_result(refund_id, result)
        except Conflict as exc:
            db.session.rollback()
            log.warning("refund %s: %s", refund_id, exc)
    return len(ids)


def _splits(now: datetime) -> int:
    ids = _ids(sa.select(Split.id).where(Split.state.in_((SplitState.PROCESSING, SplitState.REVOKING)),
                                         Split.updated_at <= now - QUERY_AFTER).order_by(Split.id))
    for split_id in ids:
        split = db.session.get(Split, split_id)
        provider = provider_of_record(split)
        payment = db.session.get(Payment, split.payment_id)
        if provider is None:
            continue
        try:
            if split.state is SplitState.PROCESSING:
                result = provider.execute_query_split(split.out_split_no, payment.vendor_trade_no)
                db.session.rollback()
                apply_split_result(split_id, result)
            else:
                answer = provider.execute_query_split_return(split.out_return_no, split.out_split_no)
                db.session.rollback()
                apply_return_result(split_id, answer, split.amount - split.returned)
        except PaymentProviderError as exc:
            db.session.rollback()
            log.info("query of split %s: %s", split.out_split_no, exc.message)
    return len(ids)
