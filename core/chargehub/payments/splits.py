"""Split payments (分账): each settled order's amount shared with the station's split accounts.

A payment created through a provider that splits for the station (``split_supported()``) is marked
``split``. When its order settles with an amount above zero, a job (:func:`split_payment`) records one
:class:`~chargehub.payments.models.Split` per configured account — ``amount × ratio``, rounded down to the
cent — and asks the provider for each; where the vendor keeps the unsplit rest frozen
(``split_finish_required``, WeChat), a finishing request releases it once every share succeeded. Operators
try a failed split again (:func:`resplit`, 分账 on the order pages) and take a successful one back
(:func:`revoke_split`, 分账撤销). Before a refund of a split payment, providers that never claw shares
back (WeChat Pay) get the shares returned in proportion to the refund first (:func:`return_shares`).
"""
from __future__ import annotations

import logging
from decimal import ROUND_DOWN, ROUND_UP, Decimal

import sqlalchemy as sa

from chargehub.charging.models import ORDER_MODELS
from chargehub.contracts.payments import (
    CreateSplit,
    CreateSplitReturn,
    PaymentProvider,
    PaymentProviderError,
    SplitAccount,
    SplitReceiver,
    SplitResult,
    SplitReturnResult,
    SplitStatus,
)
from chargehub.db import utcnow
from chargehub.errors import Conflict
from chargehub.extensions import db
from chargehub.jobs import enqueue_after_commit
from chargehub.payments.models import Payment, PaymentState, Split, SplitState
from chargehub.payments.numbers import SPLIT, SPLIT_RETURN, new_number
from chargehub.payments.providers import provider_of_record
from chargehub.payments.service import SYSTEM_NAME, jsonable, lock, notify_url, record_columns

log = logging.getLogger("chargehub.payments")
CENT = Decimal("0.01")


def split_after_settlement(order) -> None:
    """Called by settlement (in its transaction): split the order's payment once it has committed."""
    payment = db.session.execute(sa.select(Payment.id).where(
        Payment.order_kind == order.kind, Payment.order_id == order.id, Payment.state == PaymentState.PAID,
        Payment.split.is_(True))).scalar()
    if payment is not None:
        enqueue_after_commit("chargehub.payments.splits:split_payment", payment, retries=3,
                             retry_intervals=(10, 60, 300))


def split_payment(payment_id: int) -> int:
    """Job: record and send the shares of a settled split payment (once: a payment with splits is done).

    :returns: how many shares were sent.
    """
    payment = lock(Payment, payment_id)
    order = db.session.get(ORDER_MODELS[payment.order_kind], payment.order_id)
    done = db.session.execute(sa.select(sa.func.count()).select_from(Split).where(Split.payment_id == payment.id)).scalar()
    provider = provider_of_record(payment)
    if done or order.settled_at is None or order.amount <= 0 or provider is None or not provider.split_supported():
        db.session.commit()
        return 0
    shares = []
    for account in provider.split_accounts():
        amount = (order.amount * account.ratio).quantize(CENT, rounding=ROUND_DOWN)
        if amount <= 0:
            continue
        split = Split(out_split_no=new_number(SPLIT), payment_id=payment.id, plugin=payment.plugin, amount=amount,
                      state=SplitState.PROCESSING, lead_merchant=provider.merchant_no()[:64],
                      receiver_account=account.account[:64], receiver_name=account.name[:100],
                      receiver_kind=account.kind, ratio=account.ratio, base_amount=order.amount,
                      operator_name=SYSTEM_NAME, raw={}, **record_columns(order))
        db.session.add(split)
        shares.append(split)
    db.session.commit()
    for split in shares:
        _send(split.id, provider)
    return len(shares)


def _send(split_id: int, provider: PaymentProvider) -> str:
    split = db.session.get(Split, split_id)
    payment = db.session.get(Payment, split.payment_id)
    kind = split.order_kind
    try:
        provider.execute_add_split_receiver(SplitAccount(split.receiver_account, split.receiver_name, split.ratio,
                                                         split.receiver_kind))
        result = provider.execute_split(CreateSplit(
            out_split_no=split.out_split_no, out_trade_no=payment.out_trade_no, vendor_trade_no=payment.vendor_trade_no,
            receivers=(SplitReceiver(split.receiver_account, split.receiver_name, split.amount, split.receiver_kind),),
            notify_url=notify_url(split.plugin, kind, split.car_station_id or split.bike_station_id), finish=False))
    except PaymentProviderError as exc:
        log.warning("split %s failed: %s", split.out_split_no, exc.message)
        result = SplitResult(split.out_split_no, SplitStatus.FAILED, message=exc.message)
    return apply_split_result(split_id, result)


def apply_split_result(split_id: int, result: SplitResult) -> str:
    """Apply what the vendor says about a split; commits. A finished split changes no more."""
    split = lock(Split, split_id)
    if split.state is not SplitState.PROCESSING:
        db.session.commit()
        return "duplicate"
    split.vendor_split_no = result.vendor_split_no or split.vendor_split_no
    split.raw = jsonable(result.raw) or split.raw
    split.message = (result.message or "")[:300]
    if result.status is SplitStatus.SUCCESS:
        split.state, split.finished_at = SplitState.SUCCESS, utcnow()
        if not _unfinished(split.payment_id):
            enqueue_after_commit("chargehub.payments.splits:finish_splits", split.payment_id)
    elif result.status is SplitStatus.FAILED:
        split.state, split.finished_at = SplitState.FAILED, utcnow()
    db.session.commit()
    return split.state.value


def _unfinished(payment_id: int) -> int:
    """How many shares of the payment are not (yet) successful: processing or failed."""
    return db.session.execute(sa.select(sa.func.count()).select_from(Split).where(
        Split.payment_id == payment_id, Split.state.in_((SplitState.PROCESSING, SplitState.FAILED)))).scalar()


def finish_splits(payment_id: int) -> str:
    """Job: every share succeeded — release the unsplit rest to the lead merchant where the vendor keeps it
    frozen (``split_finish_required``). A refusal is logged: the vendor releases it on its own in the end."""
    payment = db.session.get(Payment, payment_id)
    provider = provider_of_record(payment)
    if provider is None or not provider.split_finish_required or _unfinished(payment_id):
        return "skipped"
    kind = payment.order_kind
    try:
        result = provider.execute_split(CreateSplit(
            out_split_no=new_number(SPLIT), out_trade_no=payment.out_trade_no, vendor_trade_no=payment.vendor_trade_no,
            receivers=(), notify_url=notify_url(payment.plugin, kind, payment.car_station_id or payment.bike_station_id),
            finish=True))
    except PaymentProviderError as exc:
        log.warning("releasing the rest of payment %s: %s", payment.out_trade_no, exc.message)
        return "failed"
    return result.status.value


def resplit(split_id: int, operator) -> Split:
    """分账 by an operator: send a failed share again under a new split number."""
    split = lock(Split, split_id)
    if split.state is not SplitState.FAILED:
        raise Conflict("只有分账失败的记录可以重新分账 (only a failed split can be sent again)")
    provider = provider_of_record(split)
    if provider is None or not provider.split_supported():
        raise Conflict("电站未开启分账或支付配置不可用 (splitting is off for the station)")
    split.out_split_no = new_number(SPLIT)
    split.state, split.finished_at, split.message = SplitState.PROCESSING, None, ""
    split.operator_id, split.operator_name = operator.id, (operator.name or SYSTEM_NAME)[:50]
    split.attempts += 1
    db.session.commit()
    _send(split.id, provider)
    return db.session.get(Split, split_id)


def revoke_split(split_id: int, operator) -> Split:
    """分账撤销 by an operator: take a successful share back to the lead merchant."""
    split = lock(Split, split_id)
    if split.state is not SplitState.SUCCESS:
        raise Conflict("只有分账成功的记录可以撤销 (only a successful split can be revoked)")
    provider = provider_of_record(split)
    if provider is None:
        raise Conflict("电站支付配置不可用 (payment configuration unavailable)")
    split.state, split.out_return_no = SplitState.REVOKING, new_number(SPLIT_RETURN)
    split.operator_id, split.operator_name = operator.id, (operator.name or SYSTEM_NAME)[:50]
    db.session.commit()
    _return(split.id, provider, split.amount - split.returned, "分账撤销")
    return db.session.get(Split, split_id)


def _return(split_id: int, provider: PaymentProvider, amount: Decimal, description: str) -> SplitReturnResult:
    split = db.session.get(Split, split_id)
    try:
        result = provider.execute_split_return(CreateSplitReturn(
            out_return_no=split.out_return_no, out_split_no=split.out_split_no, vendor_split_no=split.vendor_split_no,
            account=split.receiver_account, amount=amount, description=description))
    except PaymentProviderError as exc:
        result = SplitReturnResult(split.out_return_no, SplitStatus.FAILED, message=exc.message)
    apply_return_result(split_id, result, amount)
    return result


def apply_return_result(split_id: int, result: SplitReturnResult, amount: Decimal) -> str:
    """Apply the answer to a return of ``amount`` of a share; commits."""
    split = lock(Split, split_id)
    split.message = (result.message or "")[:300]
    if result.status is SplitStatus.SUCCESS:
        split.returned = min(split.amount, (split.returned + amount).quantize(CENT))
        split.state = SplitState.REVOKED if split.returned >= split.amount else SplitState.SUCCESS
    elif result.status is SplitStatus.FAILED and split.state is SplitState.REVOKING:
        split.state = SplitState.SUCCESS
    db.session.commit()
    return split.state.value


def return_shares(payment: Payment, refund_amount: Decimal, provider: PaymentProvider) -> None:
    """Before refunding ``refund_amount`` of a split payment: take back each successful share in proportion
    (share × refund ÷ split base, rounded up to the cent, at most what is left of the share)."""
    splits = db.session.execute(sa.select(Split).where(Split.payment_id == payment.id,
                                                       Split.state == SplitState.SUCCESS)).scalars().all()
    for split in splits:
        portion = (split.amount * refund_amount / split.base_amount).quantize(CENT, rounding=ROUND_UP)
        portion = min(portion, split.amount - split.returned)
        if portion <= 0:
            continue
        split = lock(Split, split.id)
        split.out_return_no = new_number(SPLIT_RETURN)
        db.session.commit()
        _return(split.id, provider, portion, "退款前分账回退")
