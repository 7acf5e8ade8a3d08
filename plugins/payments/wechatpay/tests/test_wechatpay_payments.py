"""Payments against the sandbox over real HTTP: create + paySign, notifications, query, close."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from chargehub.contracts.payments import (
    CreatePayment,
    NotificationRejected,
    PaymentProviderError,
    PaymentStatus,
)
from chargehub_wechatpay import signing
from wechatpay_helpers import create_payment, number


def test_create_payment_returns_signed_request_payment_params(sandbox, provider, receiver):
    out_trade_no, created = create_payment(provider, receiver.url, "12.34")
    params = created.client_params
    assert set(params) == {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert all(isinstance(v, str) for v in params.values())
    assert params["appId"] == sandbox.appid and params["signType"] == "RSA"
    assert params["package"].startswith("prepay_id=wx") and params["package"] == f"prepay_id={created.raw['prepay_id']}"
    # the sandbox checks it with the merchant public key, and so do we, over the four lines
    assert sandbox.check_pay_sign(dict(params)) is True
    assert signing.pay_sign_valid(sandbox.merchant_key.public_key(), params)
    assert not sandbox.check_pay_sign({**params, "nonceStr": params["nonceStr"][:-1] + "X"})
    record = sandbox.payment(out_trade_no)
    assert (record["state"], record["amount"], record["notify_url"]) == ("NOTPAY", Decimal("12.34"), receiver.url)
    assert record["profit_sharing"] is False


def test_same_order_twice_gives_the_same_prepay_id(provider, receiver):
    out_trade_no, first = create_payment(provider, receiver.url, "3.00")
    _, second = create_payment(provider, receiver.url, "3.00", out_trade_no=out_trade_no)
    assert first.raw["prepay_id"] == second.raw["prepay_id"]
    with pytest.raises(PaymentProviderError) as exc:
        create_payment(provider, receiver.url, "3.01", out_trade_no=out_trade_no)
    assert (exc.value.code, exc.value.retryable) == ("INVALID_REQUEST", False)


def test_pay_notification_is_parsed_as_paid_with_the_amount(sandbox, provider, receiver):
    out_trade_no, _ = create_payment(provider, receiver.url, "25.60")
    replies = sandbox.pay(out_trade_no)
    assert [(r.status, r.body) for r in replies] == [(204, b"")]
    (notification,) = receiver.parsed
    payment = notification.payment
    assert notification.refund is None and notification.split is None
    assert (payment.out_trade_no, payment.status) == (out_trade_no, PaymentStatus.PAID)
    assert payment.amount == Decimal("25.60")
    assert payment.vendor_trade_no == sandbox.payment(out_trade_no)["transaction_id"] != ""
    assert payment.payer_id == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" and payment.paid_at.tzinfo is not None
    assert notification.raw["event_type"] == "TRANSACTION.SUCCESS"
    assert notification.raw["resource"]["amount"]["total"] == 2560


@pytest.mark.parametrize("concurrent", [False, True])
def test_duplicate_notifications_parse_identically(sandbox, provider, receiver, concurrent):
    out_trade_no, _ = create_payment(provider, receiver.url, "8.88")
    replies = sandbox.pay(out_trade_no, copies=4, concurrent=concurrent)
    assert [r.status for r in replies] == [204] * 4
    assert len(receiver.parsed) == 4
    first = receiver.parsed[0]
    assert all(n == first for n in receiver.parsed)
    assert first.payment.amount == Decimal("8.88") and first.payment.status is PaymentStatus.PAID


@pytest.mark.parametrize(("knob", "status", "reason"), [
    ("bad_signature", 401, "signature does not verify"),
    ("probe", 401, "WECHATPAY/SIGNTEST/"),
    ("stale_timestamp", 401, "outside"),
    ("tamper_ciphertext", 400, "does not decrypt"),
])
def test_bad_notifications_are_rejected(sandbox, provider, receiver, knob, status, reason):
    out_trade_no, _ = create_payment(provider, receiver.url, "1.00")
    sandbox.faults[knob] = True
    (reply,) = sandbox.pay(out_trade_no)
    assert reply.status == status
    assert json.loads(reply.body)["code"] == "FAIL"
    assert receiver.parsed == []
    (rejection,) = receiver.rejected
    assert reason in rejection.reason and rejection.ack.status == status
    assert rejection.ack.content_type == "application/json"


def test_probe_route_is_rejected(sandbox, receiver):
    reply = sandbox.probe(receiver.url)
    assert reply.status == 401 and receiver.parsed == []
    assert "SIGNTEST" in receiver.rejected[0].reason


def test_tampered_amount_is_reported_so_core_can_refuse_it(sandbox, provider, receiver):
    out_trade_no, _ = create_payment(provider, receiver.url, "10.00")
    sandbox.faults["tamper_amount"] = True
    (reply,) = sandbox.pay(out_trade_no)
    assert reply.status == 204
    (notification,) = receiver.parsed
    assert notification.payment.amount == Decimal("10.01")
    assert notification.payment.amount != sandbox.payment(out_trade_no)["amount"]


def test_parse_notification_is_pure_and_checks_now(sandbox, provider):
    resource = {"mchid": sandbox.mchid, "appid": sandbox.appid, "out_trade_no": "P000001", "transaction_id": "42001",
                "trade_state": "SUCCESS", "trade_state_desc": "支付成功", "success_time": "2025-01-02T03:04:05+08:00",
                "payer": {"openid": "o1"}, "amount": {"total": 501, "payer_total": 501, "currency": "CNY"}}
    body, headers = sandbox.notification("TRANSACTION.SUCCESS", resource)
    now = datetime.now(timezone.utc)
    parsed = provider.parse_notification(headers, body, now=now)
    assert (parsed.payment.amount, parsed.ack.status, parsed.ack.body) == (Decimal("5.01"), 204, b"")
    assert parsed.payment.paid_at == datetime(2025, 1, 1, 19, 4, 5, tzinfo=timezone.utc)
    with pytest.raises(NotificationRejected) as exc:
        provider.parse_notification(headers, body, now=now + timedelta(minutes=6))
    assert exc.value.ack.status == 401
    with pytest.raises(NotificationRejected) as exc:
        provider.parse_notification(headers, body.replace(b'"id"', b'"Id"'), now=now)
    assert "signature" in exc.value.reason
    other = sandbox.notification("TRANSACTION.SUCCESS", {**resource, "mchid": "1900000001"})
    with pytest.raises(NotificationRejected) as exc:
        provider.parse_notification(other[1], other[0], now=now)
    assert exc.value.ack.status == 400 and "another merchant" in exc.value.reason


def test_query_and_close(sandbox, provider, receiver):
    out_trade_no, _ = create_payment(provider, receiver.url, "6.50")
    pending = provider.execute_query_payment(out_trade_no)
    assert (pending.status, pending.amount, pending.vendor_trade_no) == (PaymentStatus.PENDING, Decimal("6.50"), "")
    provider.execute_close_payment(out_trade_no)
    closed = provider.execute_query_payment(out_trade_no)
    assert closed.status is PaymentStatus.CLOSED and sandbox.payment(out_trade_no)["state"] == "CLOSED"
    with pytest.raises(PaymentProviderError) as exc:
        create_payment(provider, receiver.url, "6.50", out_trade_no=out_trade_no)
    assert exc.value.code == "ORDER_CLOSED" and not exc.value.retryable


def test_paid_order_cannot_be_closed_or_created_again(sandbox, provider, receiver):
    out_trade_no, _ = create_payment(provider, receiver.url, "2.00")
    sandbox.pay(out_trade_no)
    paid = provider.execute_query_payment(out_trade_no)
    assert paid.status is PaymentStatus.PAID and paid.vendor_trade_no.startswith("4200")
    for attempt in (lambda: provider.execute_close_payment(out_trade_no),
                    lambda: create_payment(provider, receiver.url, "2.00", out_trade_no=out_trade_no)):
        with pytest.raises(PaymentProviderError) as exc:
            attempt()
        assert (exc.value.code, exc.value.message, exc.value.retryable) == ("ORDERPAID", exc.value.message, False)
        assert "已支付" in exc.value.message


def test_failed_payment_queries_as_failed(sandbox, provider, receiver):
    out_trade_no, _ = create_payment(provider, receiver.url, "4.00")
    assert sandbox.fail(out_trade_no) == []
    assert provider.execute_query_payment(out_trade_no).status is PaymentStatus.FAILED


def test_unknown_order_is_a_business_error(provider):
    with pytest.raises(PaymentProviderError) as exc:
        provider.execute_query_payment(number())
    assert (exc.value.code, exc.value.retryable) == ("ORDER_NOT_EXIST", False)


@pytest.mark.parametrize("amount", [Decimal("1.005"), Decimal("0"), Decimal("-1.00"), 1.5])
def test_non_cent_amounts_are_refused_before_sending(provider, receiver, amount):
    with pytest.raises(PaymentProviderError) as exc:
        provider.execute_create_payment(CreatePayment(
            out_trade_no=number(), amount=amount, description="x", notify_url=receiver.url, payer_id="o",
            expires_at=datetime.now(timezone.utc) + timedelta(minutes=5)))
    assert exc.value.code == "AMOUNT_INVALID" and not exc.value.retryable


def test_split_payment_sets_profit_sharing_and_sends_attach(sandbox, provider, receiver):
    out_trade_no = number()
    provider.execute_create_payment(CreatePayment(
        out_trade_no=out_trade_no, amount=Decimal("9.99"), description="电单车充电 ⚡", notify_url=receiver.url,
        payer_id="o2", expires_at=datetime.now(timezone.utc) + timedelta(minutes=5), split=True, attach="A1b2"))
    record = sandbox.payment(out_trade_no)
    assert (record["profit_sharing"], record["attach"], record["description"]) == (True, "A1b2", "电单车充电 ⚡")
