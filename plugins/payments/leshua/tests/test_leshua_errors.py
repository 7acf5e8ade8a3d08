"""Transport and trust failures: 5xx, timeouts, refused connections, bad or unparseable replies,
and notifications that must change nothing."""
from __future__ import annotations

import socket
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from leshua_helpers import build_provider, create_request

from chargehub.contracts.payments import NotificationRejected, PaymentProviderError
from chargehub.testing.sandbox import SandboxServer

from chargehub_leshua.sandbox_ledger import md5_sign, to_xml


def test_http_500_is_retryable_and_the_retry_succeeds(provider, sandbox, receiver):
    request = create_request(receiver, "1.00")
    sandbox.faults["http_500"] = 2
    for _ in range(2):
        with pytest.raises(PaymentProviderError) as err:
            provider.execute_create_payment(request)
        assert (err.value.retryable, err.value.code) == (True, "500")
    created = provider.execute_create_payment(request)  # the same request again, unchanged
    assert created.vendor_trade_no == sandbox.payment(request.out_trade_no)["leshua_order_id"]


def test_timeout_is_retryable(sandbox, receiver):
    provider = build_provider({**sandbox.tenant_settings(), "timeout_s": 0.3}, sandbox.station_settings())
    sandbox.faults["delay_s"] = 1.0
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_query_payment("P1")
    assert err.value.retryable and "超时" in err.value.message
    sandbox.faults["delay_s"] = 0


def test_connection_refused_is_retryable(sandbox):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = build_provider({**sandbox.tenant_settings(), "base_url": f"http://127.0.0.1:{port}"},
                              sandbox.station_settings())
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_close_payment("P1")
    assert err.value.retryable and err.value.code == ""


def test_reply_with_bad_signature_is_refused(provider, sandbox, receiver):
    sandbox.faults["bad_signature"] = True
    request = create_request(receiver, "1.00")
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_create_payment(request)
    assert (err.value.code, err.value.retryable) == ("INVALID_SIGNATURE", False)
    assert sandbox.payment(request.out_trade_no)["state"] == "pending"  # it reached Leshua; we distrust the reply


def test_our_bad_signature_is_refused_by_the_sandbox(sandbox, receiver):
    provider = build_provider(sandbox.tenant_settings(), {**sandbox.station_settings(), "trade_key": "wrong"})
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_create_payment(create_request(receiver, "1.00"))
    assert (err.value.code, err.value.message, err.value.retryable) == ("SIGN_ERROR", "签名错误", False)
    assert sandbox.ledger.payments == {}


def test_unparseable_and_4xx_replies():
    from flask import Flask  # noqa: PLC0415

    app = Flask("broken")
    app.add_url_rule("/html", "html", lambda: "<html><body>maintenance</body></html>", methods=["POST"])
    app.add_url_rule("/junk", "junk", lambda: "not xml at all", methods=["POST"])
    app.add_url_rule("/teapot", "teapot", lambda: ("no", 418), methods=["POST"])
    with SandboxServer(app) as server:
        def provider_at(path):
            return build_provider({"base_url": server.url, "gateway_path": path},
                                  {"merchant_id": "1234567890", "trade_key": "k", "notify_key": "n"})
        for path in ("/html", "/junk"):
            with pytest.raises(PaymentProviderError) as err:
                provider_at(path).execute_query_payment("P1")
            assert err.value.retryable and "无法解析" in err.value.message
        with pytest.raises(PaymentProviderError) as err:
            provider_at("/teapot").execute_query_payment("P1")
        assert (err.value.retryable, err.value.code) == (False, "418")


def _notify_body(sandbox, key, **fields):
    values = {"merchant_id": sandbox.merchant_id, "third_order_id": "P1", "status": "2", "amount": "100", **fields}
    values["sign"] = md5_sign(values, key, {"sign", "leshua", "resp_code"}, False)
    return to_xml(values)


def test_parse_notification_rejections(provider, sandbox):
    now = datetime.now(timezone.utc)
    good = provider.parse_notification({}, _notify_body(sandbox, sandbox.notify_key), now=now)
    assert good.payment.amount is not None and good.ack.body == b"000000" and good.ack.status == 200
    text = _notify_body(sandbox, sandbox.notify_key).decode()
    signature = text.split("<sign>")[1].split("</sign>")[0]
    lowered = text.replace(signature, signature.lower()).encode()
    assert provider.parse_notification({}, lowered, now=now).payment.status.value == "paid"  # case-insensitive

    cases = {
        "trade key": _notify_body(sandbox, sandbox.trade_key),
        "no signature": to_xml({"merchant_id": sandbox.merchant_id, "third_order_id": "P1", "status": "2"}),
        "other merchant": _notify_body(sandbox, sandbox.notify_key, merchant_id="9999999999"),
        "unknown status": _notify_body(sandbox, sandbox.notify_key, status="77"),
        "not xml": b"status=2&amount=100",
        "other root": b"<xml><status>2</status></xml>",
        "entity bomb": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><leshua><s>&a;</s></leshua>',
    }
    for name, body in cases.items():
        with pytest.raises(NotificationRejected) as err:
            provider.parse_notification({}, body, now=now)
        assert (err.value.ack.status, err.value.ack.body) == (400, b"FAIL"), name
        assert err.value.reason, name


def test_tampered_body_fails_verification(provider, sandbox):
    body = _notify_body(sandbox, sandbox.notify_key).replace(b"<amount>100</amount>", b"<amount>1</amount>")
    with pytest.raises(NotificationRejected):
        provider.parse_notification({}, body, now=datetime.now(timezone.utc))


@pytest.mark.parametrize("amount", ["0.001", "0", "-1.00"])
def test_amount_that_is_not_whole_fen_is_refused_before_sending(provider, sandbox, receiver, amount):
    request = create_request(receiver, "1.00")
    request = type(request)(**{**request.__dict__, "amount": Decimal(amount)})
    with pytest.raises(PaymentProviderError) as err:
        provider.execute_create_payment(request)
    assert not err.value.retryable and sandbox.received == []
