"""Payments over real HTTP against the sandbox: create, notify, duplicates, signatures, query, close."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from leshua_helpers import Receiver, build_provider, create_request, paid_payment

from chargehub.contracts.payments import PaymentProviderError, PaymentStatus


def test_create_payment_is_signed_and_returns_parsed_jspay_info(provider, sandbox, receiver):
    request = create_request(receiver, "12.34", attach="station7")
    created = provider.execute_create_payment(request)

    sent = sandbox.received[-1]
    assert sent["service"] == "get_tdcode"
    assert (sent["amount"], sent["pay_way"], sent["jspay_flag"], sent["royalty"]) == ("1234", "WXZF", "3", "0")
    assert sent["sub_openid"] == request.payer_id and sent["merchant_id"] == sandbox.merchant_id
    assert sent["notify_url"] == receiver.url and sent["attach"] == "station7"
    assert sent["appid"] == "wx5andb0x000000001" and 60 <= int(sent["order_expiration"]) <= 600
    assert len(sent["nonce_str"]) == 32 and sent["sign"].isupper()

    record = sandbox.payment(request.out_trade_no)
    assert created.vendor_trade_no == record["leshua_order_id"] != ""
    assert (record["state"], record["amount"], record["notify_url"]) == ("pending", Decimal("12.34"), receiver.url)
    assert set(created.client_params) == {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert created.client_params["package"].startswith("prepay_id=")
    assert created.client_params["appId"] == "wx5andb0x000000001"
    assert all(isinstance(v, str) for v in created.client_params.values())
    assert json.loads(created.raw["jspay_info"]) == dict(created.client_params)


def test_pay_notifies_paid_with_amount_and_is_acked(provider, sandbox, receiver):
    request = create_request(receiver, "30.00")
    provider.execute_create_payment(request)
    (reply,) = sandbox.pay(request.out_trade_no)

    assert (reply.status, reply.body) == (200, b"000000")
    (notification,) = receiver.parsed
    result = notification.payment
    assert (result.out_trade_no, result.status, result.amount) == (request.out_trade_no, PaymentStatus.PAID,
                                                                  Decimal("30.00"))
    assert result.vendor_trade_no == sandbox.payment(request.out_trade_no)["leshua_order_id"]
    assert result.payer_id == request.payer_id
    assert result.paid_at is not None and abs((result.paid_at - datetime.now(timezone.utc)).total_seconds()) < 60
    assert notification.refund is None and notification.split is None
    assert sandbox.unacknowledged == []
    assert sandbox.payment(request.out_trade_no)["state"] == "paid"


@pytest.mark.parametrize("concurrent", [False, True])
def test_duplicate_copies_are_each_parsed_and_acked(provider, sandbox, receiver, concurrent):
    request = create_request(receiver, "5.50")
    provider.execute_create_payment(request)
    replies = sandbox.pay(request.out_trade_no, copies=4, concurrent=concurrent)

    assert [(r.status, r.body) for r in replies] == [(200, b"000000")] * 4
    assert len(receiver.parsed) == 4
    assert {(n.payment.out_trade_no, n.payment.status, n.payment.amount) for n in receiver.parsed} == {
        (request.out_trade_no, PaymentStatus.PAID, Decimal("5.50"))}


def test_failed_payment_notifies_failed(provider, sandbox, receiver):
    request = create_request(receiver, "1.00")
    provider.execute_create_payment(request)
    (reply,) = sandbox.fail(request.out_trade_no)
    assert reply.body == b"000000"
    assert receiver.parsed[0].payment.status is PaymentStatus.FAILED
    assert receiver.parsed[0].payment.paid_at is None
    assert provider.execute_query_payment(request.out_trade_no).status is PaymentStatus.FAILED


@pytest.mark.parametrize("knob", ["bad_signature", "notify_with_trade_key"])
def test_badly_signed_notification_is_rejected_and_retried(provider, sandbox, receiver, knob):
    request = create_request(receiver, "8.00")
    provider.execute_create_payment(request)
    sandbox.faults[knob] = True
    (reply,) = sandbox.pay(request.out_trade_no)

    assert (reply.status, reply.body) == (400, b"FAIL")
    assert receiver.parsed == [] and len(receiver.rejected) == 1
    assert "notify key" in receiver.rejected[0].reason
    assert len(sandbox.unacknowledged) == 1 and sandbox.unacknowledged[0]["attempts"] == 1

    (again,) = sandbox.retry()  # Leshua re-posts the very same (still badly signed) body
    assert again.body == b"FAIL" and sandbox.unacknowledged[0]["attempts"] == 2


def test_unacknowledged_notification_is_delivered_again(provider, sandbox, receiver):
    request = create_request(receiver, "8.00")
    provider.execute_create_payment(request)
    receiver.server.close()  # our side is down
    (reply,) = sandbox.pay(request.out_trade_no)
    assert reply.status == 0 and len(sandbox.unacknowledged) == 1

    replacement = Receiver()  # our side again, on another port: re-point the pending delivery
    replacement.provider = provider
    try:
        sandbox.unacknowledged[0]["url"] = replacement.url
        (again,) = sandbox.retry()
        assert (again.status, again.body) == (200, b"000000")
        assert sandbox.unacknowledged == []
        assert replacement.parsed[0].payment.amount == Decimal("8.00")
    finally:
        replacement.server.close()


def test_tampered_amount_is_reported_as_is(provider, sandbox, receiver):
    request = create_request(receiver, "20.00")
    provider.execute_create_payment(request)
    sandbox.faults["tamper_amount"] = True
    sandbox.pay(request.out_trade_no)
    (notification,) = receiver.parsed
    # the provider reports what the vendor says; core compares it with its record and refuses the mismatch
    assert notification.payment.amount == Decimal("20.01") != request.amount


@pytest.mark.parametrize("field", ["amount", "amt"])
def test_notify_amount_field_amount_or_amt(provider, sandbox, receiver, field):
    sandbox.faults["amount_field"] = field
    request = create_request(receiver, "7.77")
    provider.execute_create_payment(request)
    sandbox.pay(request.out_trade_no)
    (notification,) = receiver.parsed
    assert field in notification.raw and ({"amount", "amt"} - {field}).isdisjoint(notification.raw)
    assert notification.payment.amount == Decimal("7.77")


def test_query_and_close(provider, sandbox, receiver):
    request = create_request(receiver, "3.00")
    provider.execute_create_payment(request)
    pending = provider.execute_query_payment(request.out_trade_no)
    assert (pending.status, pending.amount, pending.paid_at) == (PaymentStatus.PENDING, Decimal("3.00"), None)

    provider.execute_close_payment(request.out_trade_no)
    assert sandbox.payment(request.out_trade_no)["state"] == "closed"
    assert provider.execute_query_payment(request.out_trade_no).status is PaymentStatus.CLOSED
    sent = sandbox.received[-2]
    assert (sent["service"], sent["third_order_id"]) == ("close_order", request.out_trade_no)


def test_query_paid_and_close_paid_refused(provider, sandbox, receiver):
    number = paid_payment(provider, sandbox, receiver, "4.20")
    result = provider.execute_query_payment(number)
    assert (result.status, result.amount) == (PaymentStatus.PAID, Decimal("4.20")) and result.paid_at is not None
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_close_payment(number)
    assert (err.value.code, err.value.retryable) == ("ORDER_STATUS_ERROR", False)


def test_query_unknown_order_is_a_business_error(provider):
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_query_payment("P000NOSUCHORDER")
    assert (err.value.code, err.value.retryable, err.value.message) == ("ORDER_NOT_EXIST", False, "订单不存在")


def test_split_payment_carries_royalty(sandbox, receiver):
    station = sandbox.split_station_settings([("1234567890", "分账方甲", "0.3")])
    provider = build_provider(sandbox.tenant_settings(), station)
    receiver.provider = provider
    request = create_request(receiver, "10.00", split=True)
    provider.execute_create_payment(request)
    assert sandbox.received[-1]["royalty"] == "1" and sandbox.payment(request.out_trade_no)["royalty"] == "1"


@pytest.mark.parametrize("strict", [False, True])
def test_sign_empty_values_matching_both_ways(receiver, strict):
    from chargehub_leshua.testing import LeshuaSandbox  # noqa: PLC0415

    box = LeshuaSandbox(sign_empty_values=strict)
    try:
        provider = build_provider(box.tenant_settings(), {**box.station_settings(), "appid": ""})
        receiver.provider = provider
        assert provider.settings["sign_empty_values"] is strict
        # client_ip "" is sent empty: it only signs right when both sides read the rule alike
        request = create_request(receiver, "2.00")
        request = type(request)(**{**request.__dict__, "client_ip": ""})
        provider.execute_create_payment(request)
        (reply,) = box.pay(request.out_trade_no)
        assert reply.body == b"000000"  # the notify has empty fields (error_code, attach) too
        assert receiver.parsed[-1].payment.amount == Decimal("2.00")
    finally:
        box.close()


@pytest.mark.parametrize("strict", [False, True])
def test_sign_empty_values_mismatch_fails_both_ways(receiver, strict):
    from chargehub_leshua.testing import LeshuaSandbox  # noqa: PLC0415

    box = LeshuaSandbox(sign_empty_values=strict)
    try:
        provider = build_provider({**box.tenant_settings(), "sign_empty_values": not strict}, box.station_settings())
        receiver.provider = provider
        request = create_request(receiver, "2.00")
        request = type(request)(**{**request.__dict__, "client_ip": ""})
        with pytest.raises(PaymentProviderError) as err:  # our request has an empty value: Leshua refuses it
            provider.execute_create_payment(request)
        assert (err.value.code, err.value.retryable) == ("SIGN_ERROR", False)
        assert box.received[-1]["client_ip"] == ""

        paid = create_request(receiver, "2.00")
        build_provider(box.tenant_settings(), box.station_settings()).execute_create_payment(paid)
        with pytest.raises(PaymentProviderError) as err:  # no empty value in the request, but in the reply
            provider.execute_query_payment(paid.out_trade_no)
        assert (err.value.code, err.value.retryable) == ("INVALID_SIGNATURE", False)
        (reply,) = box.pay(paid.out_trade_no)  # nor does a notification with empty values
        assert reply.body == b"FAIL" and receiver.parsed == []
    finally:
        box.close()
