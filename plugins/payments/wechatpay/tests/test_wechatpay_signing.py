"""The pure cryptography and money helpers."""
from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chargehub.contracts.payments import PaymentProviderError
from chargehub_wechatpay import signing
from chargehub_wechatpay.money import from_fen, to_fen


@pytest.fixture(scope="module")
def keys():
    return (rsa.generate_private_key(public_exponent=65537, key_size=2048),
            rsa.generate_private_key(public_exponent=65537, key_size=2048))


def test_request_message_has_five_lines_with_trailing_newline():
    message = signing.request_message("post", "/v3/x?a=1", "1700000000", "N0NCE", b'{"k":"\xe5\x85\x85"}')
    assert message == b'POST\n/v3/x?a=1\n1700000000\nN0NCE\n{"k":"\xe5\x85\x85"}\n'
    assert signing.request_message("GET", "/v3/y", "1", "n", b"") == b"GET\n/v3/y\n1\nn\n\n"
    assert signing.response_message("1", "n", b"") == b"1\nn\n\n"


def test_authorization_round_trip(keys):
    merchant, other = keys
    header = signing.authorization(mchid="1900009191", serial_no="ABC123", key=merchant, method="GET",
                                   path="/v3/z", body=b"", timestamp="1700000000", nonce="XYZ")
    params = signing.parse_authorization(header)
    assert (params["mchid"], params["serial_no"], params["timestamp"], params["nonce_str"]) == (
        "1900009191", "ABC123", "1700000000", "XYZ")
    message = signing.request_message("GET", "/v3/z", "1700000000", "XYZ", b"")
    assert signing.rsa_verify(merchant.public_key(), message, params["signature"])
    assert not signing.rsa_verify(other.public_key(), message, params["signature"])
    assert not signing.rsa_verify(merchant.public_key(), message + b"x", params["signature"])
    assert not signing.rsa_verify(merchant.public_key(), message, "not base64!")
    with pytest.raises(ValueError):
        signing.parse_authorization('WECHATPAY2-SHA256-RSA2048 mchid="1"')
    with pytest.raises(ValueError):
        signing.parse_authorization("Bearer x")


def test_verify_headers_checks_everything(keys):
    platform, other = keys
    body = b'{"ok":true}'
    good = {k.lower(): v for k, v in signing.signed_headers(platform, "PUB_KEY_ID_1", body, "1700000000", "n").items()}
    signing.verify_headers(good, body, key=platform.public_key(), key_id="PUB_KEY_ID_1", now=1700000100)
    cases = {
        "missing": ({**good, "wechatpay-nonce": ""}, "missing"),
        "probe": ({**good, "wechatpay-signature": signing.SIGNTEST_PREFIX + "AAAA"}, "probe"),
        "type": ({**good, "wechatpay-signature-type": "HMAC"}, "signature type"),
        "serial": ({**good, "wechatpay-serial": "PUB_KEY_ID_2"}, "serial"),
        "other key": ({k.lower(): v for k, v in signing.signed_headers(other, "PUB_KEY_ID_1", body, "1700000000",
                                                                         "n").items()}, "does not verify"),
    }
    for name, (headers, reason) in cases.items():
        with pytest.raises(signing.SignatureError) as exc:
            signing.verify_headers(headers, body, key=platform.public_key(), key_id="PUB_KEY_ID_1", now=1700000100)
        assert reason in exc.value.reason, name
    with pytest.raises(signing.SignatureError, match="window"):
        signing.verify_headers(good, body, key=platform.public_key(), key_id="PUB_KEY_ID_1", now=1700000301)


def test_pay_sign_covers_four_lines(keys):
    merchant, _ = keys
    params = {"appId": "wx0123456789abcdef", "timeStamp": "1700000000", "nonceStr": "abc", "package": "prepay_id=wx1",
              "signType": "RSA"}
    params["paySign"] = signing.pay_sign(merchant, params["appId"], params["timeStamp"], params["nonceStr"],
                                         params["package"])
    message = b"wx0123456789abcdef\n1700000000\nabc\nprepay_id=wx1\n"
    assert signing.rsa_verify(merchant.public_key(), message, params["paySign"])
    assert signing.pay_sign_valid(merchant.public_key(), params)
    assert not signing.pay_sign_valid(merchant.public_key(), {**params, "signType": "MD5"})
    assert not signing.pay_sign_valid(merchant.public_key(), {**params, "package": "prepay_id=wx2"})


def test_aes_gcm_round_trip_and_tamper():
    key = "0123456789abcdefghijABCDEFGHIJ01"
    ciphertext = signing.aes_gcm_encrypt(key, "123456789012", "transaction", json.dumps({"a": 1}).encode())
    assert json.loads(signing.aes_gcm_decrypt(key, "123456789012", "transaction", ciphertext)) == {"a": 1}
    raw = bytearray(base64.b64decode(ciphertext))
    raw[-1] ^= 1
    for args in ((key, "123456789012", "transaction", base64.b64encode(raw).decode()),
                 (key, "123456789012", "refund", ciphertext),
                 ("x" * 32, "123456789012", "transaction", ciphertext),
                 (key, "123456789012", "transaction", "%%%")):
        with pytest.raises(ValueError):
            signing.aes_gcm_decrypt(*args)


def test_oaep_round_trip(keys):
    platform, other = keys
    encrypted = signing.oaep_encrypt(platform.public_key(), "某某充电运营有限公司")
    assert signing.oaep_decrypt(platform, encrypted) == "某某充电运营有限公司"
    assert encrypted != signing.oaep_encrypt(platform.public_key(), "某某充电运营有限公司")  # randomized padding
    with pytest.raises(ValueError):
        signing.oaep_decrypt(other, encrypted)


def test_pem_helpers_round_trip_and_reject_garbage(keys):
    merchant, _ = keys
    assert signing.load_private_key(signing.private_key_pem(merchant)).private_numbers() == merchant.private_numbers()
    public = signing.load_public_key(signing.public_key_pem(merchant.public_key()))
    assert public.public_numbers() == merchant.public_key().public_numbers()
    for bad in ("", "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n"):
        with pytest.raises(ValueError):
            signing.load_private_key(bad)
        with pytest.raises(ValueError):
            signing.load_public_key(bad)
    assert len(signing.new_nonce()) == 32 and signing.new_nonce() != signing.new_nonce()


@pytest.mark.parametrize(("yuan", "fen"), [("0.01", 1), ("12.34", 1234), ("100", 10000), ("99999.99", 9999999)])
def test_to_fen_exact(yuan, fen):
    assert to_fen(Decimal(yuan)) == fen
    assert from_fen(fen) == Decimal(yuan).quantize(Decimal("0.01"))


@pytest.mark.parametrize("bad", [Decimal("0.001"), Decimal("1.005"), Decimal("0"), Decimal("-0.01"),
                                 Decimal("NaN"), Decimal("Infinity"), 0.1, "1.00"])
def test_to_fen_refuses(bad):
    with pytest.raises(PaymentProviderError) as exc:
        to_fen(bad)
    assert exc.value.code == "AMOUNT_INVALID" and exc.value.retryable is False


def test_from_fen_without_amount():
    assert from_fen(None) is None and from_fen("x") is None and from_fen(True) is None
    assert from_fen("250") == Decimal("2.50")
