"""Refunds against the fake Tianque: full, partial, over-refund, processing, notifications."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from chargehub.contracts.payments import CreateRefund, PaymentProviderError, RefundStatus
from suixingfu_helpers import order

ACK = '{"code":"success","msg":"成功"}'.encode()


def refund(no: str, amount: str, notify_url: str = "", trade: str = "CH20260101000001") -> CreateRefund:
    """A CreateRefund of ``amount`` yuan of the test order (12.34 yuan)."""
    return CreateRefund(out_refund_no=no, out_trade_no=trade, vendor_trade_no="", amount=Decimal(amount),
                        total=Decimal("12.34"), reason="充电结束退余额", notify_url=notify_url)


@pytest.fixture
def paid(sandbox, provider):
    provider.execute_create_payment(order())
    sandbox.pay("CH20260101000001")
    return provider


def test_full_refund_succeeds_and_is_queryable(sandbox, paid):
    result = paid.execute_refund(refund("RF1", "12.34"))
    assert (result.status, result.amount, result.out_trade_no) == (RefundStatus.SUCCESS, Decimal("12.34"),
                                                                    "CH20260101000001")
    req = sandbox.received[-1]["req_data"]
    assert (req["ordNo"], req["origOrderNo"], req["amt"]) == ("RF1", "CH20260101000001", "12.34")
    assert [(r["out_refund_no"], r["amount"], r["state"]) for r in sandbox.refunds("CH20260101000001")] == [
        ("RF1", Decimal("12.34"), "REFUNDSUC")]
    queried = paid.execute_query_refund("RF1", "CH20260101000001")
    assert (queried.status, queried.vendor_refund_no) == (RefundStatus.SUCCESS, result.vendor_refund_no)
    assert queried.refunded_at is not None


def test_partial_refunds_then_over_refund_is_refused(sandbox, paid):
    assert paid.execute_refund(refund("RF1", "5.00")).status is RefundStatus.SUCCESS
    assert paid.execute_refund(refund("RF2", "7.00")).amount == Decimal("7.00")
    with pytest.raises(PaymentProviderError) as info:
        paid.execute_refund(refund("RF3", "0.35"))
    assert info.value.code == "2013" and not info.value.retryable and "0.34" in info.value.message
    assert paid.execute_refund(refund("RF3", "0.34")).status is RefundStatus.SUCCESS
    assert sum(r["amount"] for r in sandbox.refunds("CH20260101000001")) == Decimal("12.34")


def test_refund_of_an_unpaid_order_is_refused(sandbox, provider):
    provider.execute_create_payment(order())
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_refund(refund("RF1", "1.00"))
    assert info.value.code == "2012" and not info.value.retryable


def test_processing_refund_then_notify_success(sandbox, receiver, paid):
    sandbox.faults["auto_refund"] = False
    result = paid.execute_refund(refund("RF1", "2.00", notify_url=receiver.url))
    assert result.status is RefundStatus.PROCESSING
    # refundQuery answers bizCode 2002 while the refund is in progress
    assert paid.execute_query_refund("RF1", "CH20260101000001").status is RefundStatus.PROCESSING
    (reply,) = sandbox.finish_refund("RF1")
    assert (reply.status, reply.body) == (200, ACK)
    (note,) = receiver.parsed
    assert note.payment is None and note.refund is not None
    assert (note.refund.out_refund_no, note.refund.out_trade_no, note.refund.status, note.refund.amount) == (
        "RF1", "CH20260101000001", RefundStatus.SUCCESS, Decimal("2.00"))
    assert paid.execute_query_refund("RF1", "CH20260101000001").status is RefundStatus.SUCCESS


def test_failed_refund_notify_and_the_money_can_be_refunded_again(sandbox, receiver, paid):
    sandbox.faults["auto_refund"] = False
    paid.execute_refund(refund("RF1", "12.34", notify_url=receiver.url))
    sandbox.finish_refund("RF1", success=False)
    assert receiver.parsed[0].refund.status is RefundStatus.FAILED
    assert paid.execute_query_refund("RF1", "CH20260101000001").status is RefundStatus.FAILED
    sandbox.faults["auto_refund"] = True
    assert paid.execute_refund(refund("RF2", "12.34")).status is RefundStatus.SUCCESS


def test_auto_refund_notifies_in_the_background(sandbox, receiver, paid):
    paid.execute_refund(refund("RF1", "1.00", notify_url=receiver.url))
    sandbox.drain()
    (note,) = receiver.parsed
    assert (note.refund.out_refund_no, note.refund.status) == ("RF1", RefundStatus.SUCCESS)
    assert [n["acked"] for n in sandbox.notifications if n["kind"] == "refund"] == [True]


def test_unacknowledged_refund_notify_is_redelivered(sandbox, receiver, paid):
    sandbox.faults["auto_refund"] = False
    paid.execute_refund(refund("RF1", "1.00", notify_url=receiver.url))
    provider, receiver.provider = receiver.provider, None  # our side crashes: HTTP 500, not acknowledged
    (reply,) = sandbox.finish_refund("RF1")
    assert reply.status == 500 and not sandbox.notifications[-1]["acked"]
    receiver.provider = provider
    (again,) = [r for r in sandbox.redeliver() if r.url == receiver.url]  # the payment's notify too
    assert json.loads(again.body) == {"code": "success", "msg": "成功"} and sandbox.notifications[-1]["acked"]
    assert receiver.parsed[0].refund.status is RefundStatus.SUCCESS


def test_refund_query_of_an_unknown_refund_is_refused(paid):
    with pytest.raises(PaymentProviderError) as info:
        paid.execute_query_refund("NOPE", "CH20260101000001")
    assert info.value.code == "2011" and not info.value.retryable
