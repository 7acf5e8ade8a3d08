"""Refunds against the sandbox: full, partial, over-refund refused, notifications, PROCESSING → final."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chargehub.contracts.payments import CreateRefund, PaymentProviderError, PaymentStatus, RefundStatus
from wechatpay_helpers import create_payment, number, wait_for


def paid(sandbox, provider, receiver, amount: str) -> tuple[str, str]:
    out_trade_no, _ = create_payment(provider, receiver.url, amount)
    sandbox.pay(out_trade_no)
    receiver.clear()
    return out_trade_no, sandbox.payment(out_trade_no)["transaction_id"]


def refund(provider, receiver, out_trade_no, transaction_id, amount, total, out_refund_no=None):
    return provider.execute_refund(CreateRefund(
        out_refund_no=out_refund_no or number("R"), out_trade_no=out_trade_no, vendor_trade_no=transaction_id,
        amount=Decimal(amount), total=Decimal(total), reason="充电结束退还余额", notify_url=receiver.url))


def test_full_refund_succeeds_and_notifies(sandbox, provider, receiver):
    out_trade_no, transaction_id = paid(sandbox, provider, receiver, "20.00")
    result = refund(provider, receiver, out_trade_no, transaction_id, "20.00", "20.00")
    assert (result.status, result.amount, result.out_trade_no) == (RefundStatus.SUCCESS, Decimal("20.00"), out_trade_no)
    assert result.vendor_refund_no.startswith("50") and result.refunded_at is not None
    notification = wait_for(lambda: [n for n in receiver.parsed if n.refund is not None])
    assert notification, "no REFUND.SUCCESS notification arrived"
    got = notification[0].refund
    assert (got.out_refund_no, got.status, got.amount) == (result.out_refund_no, RefundStatus.SUCCESS, Decimal("20.00"))
    assert notification[0].raw["event_type"] == "REFUND.SUCCESS" and notification[0].ack.status == 204
    assert provider.execute_query_payment(out_trade_no).status is PaymentStatus.PAID  # REFUND is still paid
    assert sandbox.payment(out_trade_no)["state"] == "REFUND"
    assert [(r["amount"], r["state"]) for r in sandbox.refunds(out_trade_no)] == [(Decimal("20.00"), "SUCCESS")]


def test_partial_refunds_never_exceed_the_total(sandbox, provider, receiver):
    out_trade_no, transaction_id = paid(sandbox, provider, receiver, "10.00")
    first = refund(provider, receiver, out_trade_no, transaction_id, "3.33", "10.00")
    second = refund(provider, receiver, out_trade_no, "", "6.67", "10.00")  # by out_trade_no this time
    assert (first.amount, second.amount) == (Decimal("3.33"), Decimal("6.67"))
    with pytest.raises(PaymentProviderError) as exc:
        refund(provider, receiver, out_trade_no, transaction_id, "0.01", "10.00")
    assert (exc.value.code, exc.value.retryable) == ("INVALID_REQUEST", False)
    assert "可退金额" in exc.value.message
    assert sum(r["amount"] for r in sandbox.refunds(out_trade_no)) == Decimal("10.00")


def test_refund_is_idempotent_on_its_number(sandbox, provider, receiver):
    out_trade_no, transaction_id = paid(sandbox, provider, receiver, "5.00")
    out_refund_no = number("R")
    first = refund(provider, receiver, out_trade_no, transaction_id, "2.00", "5.00", out_refund_no)
    again = refund(provider, receiver, out_trade_no, transaction_id, "2.00", "5.00", out_refund_no)
    assert first.vendor_refund_no == again.vendor_refund_no
    assert len(sandbox.refunds(out_trade_no)) == 1


def test_refund_of_unpaid_order_or_wrong_total_is_refused(sandbox, provider, receiver):
    out_trade_no, _ = create_payment(provider, receiver.url, "5.00")
    with pytest.raises(PaymentProviderError) as exc:
        refund(provider, receiver, out_trade_no, "", "1.00", "5.00")
    assert exc.value.code == "INVALID_REQUEST" and not exc.value.retryable
    sandbox.pay(out_trade_no)
    with pytest.raises(PaymentProviderError) as exc:
        refund(provider, receiver, out_trade_no, "", "1.00", "6.00")
    assert "amount.total" in exc.value.message


@pytest.mark.parametrize(("final", "expected"), [("SUCCESS", RefundStatus.SUCCESS), ("ABNORMAL", RefundStatus.ABNORMAL),
                                                 ("CLOSED", RefundStatus.FAILED)])
def test_processing_refund_then_final_state(sandbox, provider, receiver, final, expected):
    out_trade_no, transaction_id = paid(sandbox, provider, receiver, "7.00")
    sandbox.faults["auto_refund"] = False
    result = refund(provider, receiver, out_trade_no, transaction_id, "7.00", "7.00")
    assert result.status is RefundStatus.PROCESSING and result.refunded_at is None
    assert provider.execute_query_refund(result.out_refund_no, out_trade_no).status is RefundStatus.PROCESSING
    (reply,) = sandbox.set_refund(result.out_refund_no, final)
    assert reply.status == 204
    (notification,) = [n for n in receiver.parsed if n.refund and n.refund.out_refund_no == result.out_refund_no]
    assert (notification.refund.status, notification.raw["event_type"]) == (expected, f"REFUND.{final}")
    queried = provider.execute_query_refund(result.out_refund_no, out_trade_no)
    assert (queried.status, queried.amount) == (expected, Decimal("7.00"))


def test_unknown_refund_query_is_a_business_error(provider):
    with pytest.raises(PaymentProviderError) as exc:
        provider.execute_query_refund(number("R"), number())
    assert (exc.value.code, exc.value.retryable) == ("RESOURCE_NOT_EXISTS", False)
