"""The MD5 signing rule, as pure functions."""
from __future__ import annotations

import hashlib

from chargehub_leshua import signing
from chargehub_leshua.sandbox_ledger import md5_sign

PARAMS = {"service": "query_status", "merchant_id": "1234567890", "third_order_id": "P1", "nonce_str": "abc",
          "attach": "", "sign": "IGNORED"}


def test_canonical_string_sorts_and_skips():
    assert signing.canonical_string(PARAMS) == "merchant_id=1234567890&nonce_str=abc&service=query_status&third_order_id=P1"
    assert signing.canonical_string(PARAMS, include_empty=True).startswith("attach=&merchant_id=")
    reply = {"leshua": "x", "resp_code": "0", "result_code": "0", "sign": "s", "b": "2", "a": "1"}
    assert signing.canonical_string(reply, exclude=signing.REPLY_EXCLUDED) == "a=1&b=2&result_code=0"


def test_known_vector():
    text = b"merchant_id=1234567890&nonce_str=abc&service=query_status&third_order_id=P1&key=KEY"
    assert hashlib.md5(text).hexdigest().upper() == "97A294A39AD3E383F26790FD5B3A0629"
    assert signing.sign(PARAMS, "KEY") == "97A294A39AD3E383F26790FD5B3A0629"
    # the sandbox's independent implementation agrees, both ways of the empty-values rule
    for include_empty in (False, True):
        assert signing.sign(PARAMS, "KEY", include_empty=include_empty) == md5_sign(PARAMS, "KEY", {"sign"},
                                                                                    include_empty)
    assert signing.sign(PARAMS, "KEY") != signing.sign(PARAMS, "KEY", include_empty=True)


def test_verify_is_case_insensitive_and_key_bound():
    reply = {"resp_code": "0", "result_code": "0", "status": "2"}
    reply["sign"] = signing.sign(reply, "K", exclude=signing.REPLY_EXCLUDED)
    assert signing.verify(reply, "K")
    assert signing.verify({**reply, "sign": reply["sign"].lower()}, "K")
    assert not signing.verify(reply, "other")
    assert not signing.verify({**reply, "status": "8"}, "K")
    assert signing.verify({**reply, "resp_code": "1"}, "K")  # resp_code is not signed
    assert not signing.verify({k: v for k, v in reply.items() if k != "sign"}, "K")
    assert not signing.verify(reply, "")
