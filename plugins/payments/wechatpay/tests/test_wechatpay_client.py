"""The client against the sandbox's faults: 5xx, timeouts, bad reply signatures, our bad signatures."""
from __future__ import annotations

import socket
from decimal import Decimal

import pytest

from chargehub.contracts.payments import PaymentProviderError, PaymentStatus
from chargehub_wechatpay import signing
from chargehub_wechatpay.client import WechatPayClient, api_path, encode_body
from wechatpay_helpers import build_provider, create_payment, number


def test_5xx_is_retryable_and_the_retry_succeeds(sandbox, provider, receiver):
    sandbox.faults["http_500"] = 1
    out_trade_no = number()
    with pytest.raises(PaymentProviderError) as exc:
        create_payment(provider, receiver.url, "1.00", out_trade_no=out_trade_no)
    assert (exc.value.retryable, exc.value.code) == (True, "SYSTEM_ERROR")
    assert sandbox.faults["http_500"] == 0
    _, created = create_payment(provider, receiver.url, "1.00", out_trade_no=out_trade_no)  # same request again
    assert created.client_params["package"].startswith("prepay_id=")


def test_timeout_is_retryable(sandbox):
    slow = build_provider(sandbox, timeout_s=0.3)
    sandbox.faults["delay_s"] = 1.0
    with pytest.raises(PaymentProviderError) as exc:
        slow.execute_query_payment(number())
    assert exc.value.retryable is True and exc.value.code == "" and "timed out" in exc.value.message


def test_connection_refused_is_retryable(sandbox):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    nobody = build_provider(sandbox, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(PaymentProviderError) as exc:
        nobody.execute_query_payment(number())
    assert exc.value.retryable is True and "cannot reach" in exc.value.message


@pytest.mark.parametrize("knob", ["bad_signature", "stale_timestamp"])
def test_reply_with_bad_signature_or_stale_timestamp_is_refused(sandbox, provider, receiver, knob):
    out_trade_no, _ = create_payment(provider, receiver.url, "2.00")
    sandbox.faults[knob] = True
    with pytest.raises(PaymentProviderError) as exc:
        provider.execute_query_payment(out_trade_no)
    assert exc.value.code == "RESPONSE_SIGNATURE_INVALID" and "reply signature refused" in exc.value.message
    sandbox.faults[knob] = False
    assert provider.execute_query_payment(out_trade_no).status is PaymentStatus.PENDING


def test_reply_from_another_platform_key_id_is_refused(sandbox, receiver):
    settings = {**sandbox.station_settings(), "platform_public_key_id": "PUB_KEY_ID_0000000000000000"}
    other = build_provider(sandbox, settings)
    with pytest.raises(PaymentProviderError) as exc:
        other.execute_query_payment(number())
    assert exc.value.code == "RESPONSE_SIGNATURE_INVALID" and "serial" in exc.value.message


def test_our_wrong_signature_gets_401_sign_error(sandbox):
    from cryptography.hazmat.primitives.asymmetric import rsa

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings = {**sandbox.station_settings(), "merchant_private_key": signing.private_key_pem(stranger)}
    forged = build_provider(sandbox, settings)
    with pytest.raises(PaymentProviderError) as exc:
        forged.execute_query_payment(number())
    assert (exc.value.code, exc.value.retryable) == ("SIGN_ERROR", False)


def test_body_is_signed_exactly_as_sent(sandbox):
    client = WechatPayClient(base_url=sandbox.url, mchid=sandbox.mchid, serial_no=sandbox.merchant_serial_no,
                             private_key_pem=signing.private_key_pem(sandbox.merchant_key),
                             platform_public_key_pem=signing.public_key_pem(sandbox.platform_key.public_key()),
                             platform_key_id=sandbox.platform_key_id)
    assert encode_body({"description": "充电 ⚡", "amount": {"total": 1}}) == \
        '{"description":"充电 ⚡","amount":{"total":1}}'.encode()
    reply = client.post("/v3/pay/transactions/jsapi", {
        "appid": sandbox.appid, "mchid": sandbox.mchid, "description": "夜间充电 · “快充”",
        "out_trade_no": number(), "notify_url": "http://127.0.0.1:9/cb", "amount": {"total": 100},
        "payer": {"openid": "o3"}})
    assert reply.status == 200 and reply.data["prepay_id"].startswith("wx")
    path = api_path("/v3/pay/transactions/out-trade-no/{}", "a b/c", query={"mchid": "1"})
    assert path == "/v3/pay/transactions/out-trade-no/a%20b%2Fc?mchid=1"


def test_sandbox_validates_fields(sandbox):
    client = WechatPayClient(base_url=sandbox.url, mchid=sandbox.mchid, serial_no=sandbox.merchant_serial_no,
                             private_key_pem=signing.private_key_pem(sandbox.merchant_key),
                             platform_public_key_pem=signing.public_key_pem(sandbox.platform_key.public_key()),
                             platform_key_id=sandbox.platform_key_id)
    with pytest.raises(PaymentProviderError) as exc:
        client.post("/v3/pay/transactions/jsapi", {"appid": sandbox.appid, "mchid": sandbox.mchid,
                                                   "description": "x", "out_trade_no": "bad no!",
                                                   "notify_url": "http://x/cb", "amount": {"total": 1},
                                                   "payer": {"openid": "o"}})
    assert (exc.value.code, exc.value.retryable) == ("PARAM_ERROR", False) and "out_trade_no" in exc.value.message
    with pytest.raises(PaymentProviderError) as exc:
        client.post("/v3/pay/transactions/jsapi", {"appid": sandbox.appid, "mchid": sandbox.mchid})
    assert exc.value.code == "PARAM_ERROR" and "description" in exc.value.message


def test_amount_conversion_on_the_wire(sandbox, provider, receiver):
    out_trade_no, _ = create_payment(provider, receiver.url, "0.01")
    assert sandbox.payment(out_trade_no)["amount"] == Decimal("0.01")
    assert provider.execute_query_payment(out_trade_no).amount == Decimal("0.01")


def test_sandbox_is_a_payment_sandbox_and_raw_settings_work(sandbox, receiver):
    from chargehub.testing.sandbox import PaymentSandbox
    from chargehub_wechatpay.provider import WechatPayProvider

    assert isinstance(sandbox, PaymentSandbox) and sandbox.url.startswith("http://127.0.0.1:")
    assert sandbox.tenant_settings()["base_url"] == sandbox.url
    raw = WechatPayProvider({**sandbox.tenant_settings(), **sandbox.station_settings()})
    out_trade_no, created = create_payment(raw, receiver.url, "3.21")
    assert sandbox.check_pay_sign(dict(created.client_params))
    assert raw.execute_query_payment(out_trade_no).amount == Decimal("3.21")
