"""Payments against the fake Tianque over real HTTP: create, notify, query, close, transport faults."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from chargehub.contracts.payments import NotificationRejected, PaymentProviderError, PaymentStatus
from chargehub_suixingfu import signing
from chargehub_suixingfu.testing import SuixingfuSandbox
from suixingfu_helpers import Receiver, make_provider, order

ACK = '{"code":"success","msg":"成功"}'.encode()


def test_create_payment_is_signed_verified_and_maps_client_params(sandbox, provider):
    created = provider.execute_create_payment(order(amount="12.3"))
    (call,) = sandbox.received
    req = call["req_data"]
    assert call["path"] == "/order/jsapiScan"
    assert (req["mno"], req["ordNo"], req["amt"], req["payType"], req["payWay"], req["userId"]) == (
        sandbox.mno, "CH20260101000001", "12.30", "WECHAT", "03", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    assert req["subAppid"] == sandbox.sub_appid and req["ledgerAccountFlag"] == "01"
    assert "ledgerAccountEffectTime" not in req and req["trmIp"] == "10.1.2.3" and req["timeExpire"] == "15"
    # reqData was sent as a string, built once: the envelope's text is exactly the compact JSON
    assert call["envelope"]["reqData"] == signing.compact_json(req)
    resp = created.raw
    assert created.client_params == {
        "appId": resp["payAppId"], "timeStamp": resp["payTimeStamp"], "nonceStr": resp["paynonceStr"],
        "package": resp["payPackage"], "signType": resp["paySignType"], "paySign": resp["paySign"]}
    assert created.client_params["appId"] == sandbox.sub_appid
    assert created.client_params["package"].startswith("prepay_id=")
    assert created.vendor_trade_no == sandbox.payment("CH20260101000001")["uuid"]
    assert sandbox.payment("CH20260101000001")["amount"] == Decimal("12.30")


def test_pay_notifies_and_the_receiver_parses_paid_and_acks(sandbox, receiver, provider):
    provider.execute_create_payment(order(amount="45.67", notify_url=receiver.url))
    (reply,) = sandbox.pay("CH20260101000001")
    assert (reply.status, reply.body) == (200, ACK)
    (note,) = receiver.parsed
    assert note.payment.status is PaymentStatus.PAID and note.refund is None
    assert note.payment.amount == Decimal("45.67")
    assert note.payment.out_trade_no == "CH20260101000001"
    assert note.payment.vendor_trade_no == sandbox.payment("CH20260101000001")["uuid"]
    assert note.payment.paid_at is not None and note.payment.paid_at.tzinfo is not None
    assert note.ack.content_type == "application/json"
    assert sandbox.notifications[0]["acked"] and sandbox.payment("CH20260101000001")["state"] == "SUCCESS"


@pytest.mark.parametrize("concurrent", [False, True])
def test_duplicate_and_concurrent_copies_are_each_parsed_and_acked(sandbox, receiver, provider, concurrent):
    provider.execute_create_payment(order(notify_url=receiver.url))
    replies = sandbox.pay("CH20260101000001", copies=4, concurrent=concurrent)
    assert [(r.status, r.body) for r in replies] == [(200, ACK)] * 4
    assert len(receiver.parsed) == 4
    assert {(n.payment.out_trade_no, n.payment.status, n.payment.amount) for n in receiver.parsed} == {
        ("CH20260101000001", PaymentStatus.PAID, Decimal("12.34"))}


def test_notification_with_a_bad_signature_is_rejected_and_retried(sandbox, receiver, provider):
    provider.execute_create_payment(order(notify_url=receiver.url))
    sandbox.faults["bad_signature"] = True
    (reply,) = sandbox.pay("CH20260101000001")
    assert reply.status == 400 and json.loads(reply.body)["code"] == "fail"
    assert receiver.parsed == [] and "bad signature" in receiver.rejected[0].reason
    assert sandbox.notifications[0]["acked"] is False
    sandbox.faults["bad_signature"] = False
    # the fake keeps the same (badly signed) body for its retry: still refused, still not acknowledged
    (again,) = sandbox.redeliver()
    assert again.status == 400 and not sandbox.notifications[0]["acked"]
    (fresh,) = sandbox.pay("CH20260101000001")
    assert fresh.body == ACK and receiver.parsed[0].payment.status is PaymentStatus.PAID


def test_tampered_amount_is_reported_as_the_vendor_said(sandbox, receiver, provider):
    provider.execute_create_payment(order(amount="10.00", notify_url=receiver.url))
    sandbox.faults["tamper_amount"] = True
    sandbox.pay("CH20260101000001")
    assert receiver.parsed[0].payment.amount == Decimal("10.01")  # core compares and refuses the mismatch


def test_parse_notification_rejects_malformed_unsigned_and_foreign(sandbox, provider):
    now = datetime.now(timezone.utc)
    for body, reason in ((b"not json", "not a JSON object"), (b'{"ordNo":"X1","amt":"1.00"}', "not signed")):
        with pytest.raises(NotificationRejected) as info:
            provider.parse_notification({}, body, now=now)
        assert reason in info.value.reason and info.value.ack.status == 400
        assert json.loads(info.value.ack.body)["code"] == "fail"
    foreign = dict(orgId="OTHER", ordNo="X1", amt="1.00", bizCode="0000")
    foreign["sign"] = signing.sign(signing.canonical_string(foreign), sandbox.tianque_private_key)
    with pytest.raises(NotificationRejected) as info:
        provider.parse_notification({}, json.dumps(foreign).encode(), now=now)
    assert "another orgId" in info.value.reason


def test_failed_payment_notify_and_query(sandbox, receiver, provider):
    provider.execute_create_payment(order(notify_url=receiver.url))
    assert provider.execute_query_payment("CH20260101000001").status is PaymentStatus.PENDING
    sandbox.fail("CH20260101000001")
    assert receiver.parsed[0].payment.status is PaymentStatus.FAILED
    result = provider.execute_query_payment("CH20260101000001")
    assert (result.status, result.amount, result.paid_at) == (PaymentStatus.FAILED, Decimal("12.34"), None)


def test_query_paid_payment(sandbox, provider):
    provider.execute_create_payment(order())
    sandbox.pay("CH20260101000001")
    result = provider.execute_query_payment("CH20260101000001")
    assert (result.status, result.amount, result.payer_id) == (
        PaymentStatus.PAID, Decimal("12.34"), "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_query_payment("NOSUCH1")
    assert info.value.code == "2011" and not info.value.retryable and "不存在" in info.value.message


def test_close_unpaid_then_closed_and_paid_cannot_close(sandbox, provider):
    provider.execute_create_payment(order("CLOSE1"))
    provider.execute_close_payment("CLOSE1")
    assert sandbox.payment("CLOSE1")["state"] == "CLOSED"
    assert provider.execute_query_payment("CLOSE1").status is PaymentStatus.CLOSED
    provider.execute_create_payment(order("PAID1"))
    sandbox.pay("PAID1")
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_close_payment("PAID1")
    assert info.value.code == "2012" and not info.value.retryable


def test_same_order_twice_is_idempotent_but_a_different_amount_is_refused(sandbox, provider):
    first = provider.execute_create_payment(order())
    assert provider.execute_create_payment(order()).client_params == first.client_params
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_create_payment(order(amount="1.00"))
    assert info.value.code == "2014" and not info.value.retryable


def test_http_500_is_retryable_then_the_retry_succeeds(sandbox, provider):
    sandbox.faults["http_500"] = 1
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_create_payment(order())
    assert info.value.retryable and info.value.code == "HTTP500"
    assert provider.execute_create_payment(order()).client_params["appId"] == sandbox.sub_appid


def test_timeout_and_connection_error_are_retryable(sandbox):
    provider = make_provider(sandbox, timeout_s=0.3)
    sandbox.faults["delay_s"] = 1.0
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_query_payment("CH1")
    assert info.value.retryable and "超时" in info.value.message
    dead = make_provider(sandbox, base_url="http://127.0.0.1:9")
    with pytest.raises(PaymentProviderError) as info:
        dead.execute_query_payment("CH1")
    assert info.value.retryable and info.value.code == ""


def test_reply_with_a_bad_signature_is_refused(sandbox, provider):
    sandbox.faults["bad_signature"] = True
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_create_payment(order())
    assert info.value.code == "SIGN" and not info.value.retryable and "验签失败" in info.value.message


def test_our_wrong_key_is_refused_by_the_sandbox(sandbox):
    other_private, _ = signing.generate_key_pair()
    provider = make_provider(sandbox, station={**sandbox.station_settings(), "org_private_key": other_private})
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_create_payment(order())
    assert (info.value.code, info.value.message, info.value.retryable) == ("0001", "验签失败", False)
    assert sandbox.received == []


VARIANTS = [
    {"sign_algorithm": "SHA1", "req_data_as": "string", "timestamp_format": "%Y%m%d%H%M%S"},
    {"sign_algorithm": "SHA256", "req_data_as": "string", "timestamp_format": "%Y-%m-%d %H:%M:%S"},
    {"sign_algorithm": "SHA1", "req_data_as": "object", "timestamp_format": "%Y-%m-%d %H:%M:%S"},
    {"sign_algorithm": "SHA256", "req_data_as": "object", "timestamp_format": "%Y%m%d%H%M%S",
     "sub_appid_field": "subAppId"},
]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(v.values()))
def test_variants_work_end_to_end_when_both_sides_agree(variant):
    receiver = Receiver()
    with SuixingfuSandbox(**variant) as sandbox:
        provider = make_provider(sandbox)
        receiver.provider = provider
        provider.execute_create_payment(order(notify_url=receiver.url))
        envelope = sandbox.received[0]["envelope"]
        assert isinstance(envelope["reqData"], str if variant["req_data_as"] == "string" else dict)
        datetime.strptime(envelope["timestamp"], variant["timestamp_format"])
        assert variant.get("sub_appid_field", "subAppid") in sandbox.received[0]["req_data"]
        assert sandbox.pay("CH20260101000001")[0].body == ACK
        assert receiver.parsed[0].payment.status is PaymentStatus.PAID
        assert provider.execute_query_payment("CH20260101000001").status is PaymentStatus.PAID
    receiver.server.close()


@pytest.mark.parametrize("knob, value, code", [
    ("sign_algorithm", "SHA256", "0001"),
    ("req_data_as", "object", "0002"),
    ("timestamp_format", "%Y-%m-%d %H:%M:%S", "0002"),
])
def test_sandbox_pins_each_variant(sandbox, provider, knob, value, code):
    sandbox.faults[knob] = value  # the client still uses the defaults
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_create_payment(order())
    assert info.value.code == code and not info.value.retryable
