"""Refunds against the sandbox: full, partial, over-refund, notifications, queries, failures."""
from __future__ import annotations

from decimal import Decimal

import pytest
from leshua_helpers import order_no, paid_payment

from chargehub.contracts.payments import CreateRefund, PaymentProviderError, PaymentStatus, RefundStatus


def refund_request(receiver, out_trade_no: str, amount: str, total: str, *, vendor_trade_no: str = "",
                   number: str | None = None) -> CreateRefund:
    """A refund of ``amount`` notifying ``receiver``."""
    return CreateRefund(out_refund_no=number or order_no("R"), out_trade_no=out_trade_no,
                        vendor_trade_no=vendor_trade_no, amount=Decimal(amount), total=Decimal(total),
                        reason="充电结束退余额", notify_url=receiver.url)


def test_full_refund_processing_then_notified_success(provider, sandbox, receiver):
    number = paid_payment(provider, sandbox, receiver, "50.00")
    leshua_id = sandbox.payment(number)["leshua_order_id"]
    request = refund_request(receiver, number, "50.00", "50.00", vendor_trade_no=leshua_id)
    result = provider.execute_refund(request)

    assert (result.out_refund_no, result.status, result.amount) == (request.out_refund_no, RefundStatus.PROCESSING,
                                                                    Decimal("50.00"))
    assert result.vendor_refund_no.startswith("LR") and result.out_trade_no == number
    sent = sandbox.received[-1]
    assert (sent["service"], sent["refund_amount"], sent["leshua_order_id"]) == ("unified_refund", "5000", leshua_id)

    sandbox.drain()
    refunds = [n.refund for n in receiver.parsed if n.refund is not None]
    assert [(r.out_refund_no, r.status, r.amount) for r in refunds] == [
        (request.out_refund_no, RefundStatus.SUCCESS, Decimal("50.00"))]
    assert refunds[0].refunded_at is not None and receiver.parsed[-1].ack.body == b"000000"
    assert sandbox.unacknowledged == []
    queried = provider.execute_query_refund(request.out_refund_no, number)
    assert (queried.status, queried.amount, queried.vendor_refund_no) == (
        RefundStatus.SUCCESS, Decimal("50.00"), result.vendor_refund_no)
    # a fully refunded order reports Leshua status 11, still "paid" for the payment
    assert provider.execute_query_payment(number).status is PaymentStatus.PAID
    assert sandbox.payment(number)["status"] == "11"


def test_partial_refunds_and_over_refund_refused(provider, sandbox, receiver):
    number = paid_payment(provider, sandbox, receiver, "10.00")
    first = provider.execute_refund(refund_request(receiver, number, "3.50", "10.00"))
    second = provider.execute_refund(refund_request(receiver, number, "6.00", "10.00"))
    assert (first.amount, second.amount) == (Decimal("3.50"), Decimal("6.00"))

    with pytest.raises(PaymentProviderError) as err:
        provider.execute_refund(refund_request(receiver, number, "0.51", "10.00"))
    assert (err.value.code, err.value.retryable) == ("REFUND_AMOUNT_EXCEED", False)
    assert err.value.message == "退款金额超过可退金额"

    last = provider.execute_refund(refund_request(receiver, number, "0.50", "10.00"))
    assert last.status is RefundStatus.PROCESSING
    sandbox.drain()
    assert sorted(r["amount"] for r in sandbox.refunds(number)) == [Decimal("0.50"), Decimal("3.50"), Decimal("6.00")]
    assert {r["state"] for r in sandbox.refunds(number)} == {"success"}


def test_same_refund_number_is_idempotent(provider, sandbox, receiver):
    number = paid_payment(provider, sandbox, receiver, "10.00")
    request = refund_request(receiver, number, "4.00", "10.00")
    first = provider.execute_refund(request)
    again = provider.execute_refund(request)
    assert first.vendor_refund_no == again.vendor_refund_no and len(sandbox.refunds(number)) == 1


def test_refund_of_unpaid_payment_refused(provider, sandbox, receiver):
    from leshua_helpers import create_request  # noqa: PLC0415

    request = create_request(receiver, "9.00")
    provider.execute_create_payment(request)
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_refund(refund_request(receiver, request.out_trade_no, "9.00", "9.00"))
    assert (err.value.code, err.value.retryable) == ("ORDER_STATUS_ERROR", False)


def test_refund_number_with_underscore_refused_before_sending(provider, sandbox, receiver):
    number = paid_payment(provider, sandbox, receiver, "10.00")
    before = len(sandbox.received)
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_refund(refund_request(receiver, number, "1.00", "10.00", number="R_1"))
    assert (err.value.code, err.value.retryable) == ("INVALID_REFUND_ID", False)
    assert len(sandbox.received) == before


def test_refund_manual_finish_success_and_failure(provider, sandbox, receiver):
    sandbox.faults["auto_refund"] = False
    number = paid_payment(provider, sandbox, receiver, "10.00")
    ok = provider.execute_refund(refund_request(receiver, number, "2.00", "10.00"))
    bad = provider.execute_refund(refund_request(receiver, number, "3.00", "10.00"))
    assert provider.execute_query_refund(ok.out_refund_no, number).status is RefundStatus.PROCESSING

    (reply,) = sandbox.finish_refund(ok.out_refund_no)
    assert reply.body == b"000000"
    (reply,) = sandbox.finish_refund(bad.out_refund_no, success=False)
    assert reply.body == b"000000"
    refunds = {n.refund.out_refund_no: n.refund for n in receiver.parsed if n.refund is not None}
    assert refunds[ok.out_refund_no].status is RefundStatus.SUCCESS
    assert refunds[bad.out_refund_no].status is RefundStatus.FAILED
    assert refunds[bad.out_refund_no].message == "银行卡状态异常" and refunds[bad.out_refund_no].refunded_at is None
    assert provider.execute_query_refund(bad.out_refund_no, number).status is RefundStatus.FAILED
    # the failed 3.00 is refundable again
    assert provider.execute_refund(refund_request(receiver, number, "8.00", "10.00")).amount == Decimal("8.00")


def test_query_unknown_refund(provider, sandbox, receiver):
    number = paid_payment(provider, sandbox, receiver, "1.00")
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_query_refund("RNOSUCHREFUND", number)
    assert (err.value.code, err.value.retryable) == ("REFUND_NOT_EXIST", False)
