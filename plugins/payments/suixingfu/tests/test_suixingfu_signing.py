"""The signing module: canonical string, raw JSON text, SHA1/SHA256 signatures, key formats."""
from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization

from chargehub_suixingfu import signing

PRIVATE, PUBLIC = signing.generate_key_pair()


def test_canonical_string_sorts_skips_sign_and_empty_and_keeps_raw_text():
    values = {"version": "1.0", "orgId": "07296653", "sign": "x", "reqData": {"b": 1, "a": "中"},
              "empty": "", "none": None, "timestamp": "20260101120000"}
    raw = {"reqData": '{"b":1,"a":"中"}'}
    assert signing.canonical_string(values, raw) == (
        'orgId=07296653&reqData={"b":1,"a":"中"}&timestamp=20260101120000&version=1.0')
    # a string reqData is used as it is (its JSON text), never re-serialized
    values["reqData"] = '{"z":"1","a":"2"}'
    assert 'reqData={"z":"1","a":"2"}' in signing.canonical_string(values)


def test_parse_raw_object_keeps_the_exact_text_of_nested_values():
    text = '{ "code" : "0000", "respData" : {"z": "1",  "a": [1, 2]}, "n": 12.30 }'
    obj = signing.parse_raw_object(text)
    assert list(obj.values["respData"]) == ["z", "a"]
    assert obj.raw["respData"] == '{"z": "1",  "a": [1, 2]}'
    assert obj.raw["n"] == "12.30"
    for bad in ('[1]', '{"a":1,"a":2}', '{"a":1} x', '{"a" 1}', ''):
        with pytest.raises(ValueError):
            signing.parse_raw_object(bad)


def test_encode_object_inserts_raw_text():
    assert signing.encode_object([("a", "中"), ("r", {"x": 1})], {"r": '{"x":1}'}) == '{"a":"中","r":{"x":1}}'


@pytest.mark.parametrize("algorithm", ["SHA1", "SHA256"])
def test_sign_and_verify_round_trip_and_algorithm_mismatch(algorithm):
    signature = signing.sign("a=1&b=中", PRIVATE, algorithm)
    assert signing.verify("a=1&b=中", signature, PUBLIC, algorithm)
    assert not signing.verify("a=1&b=中 ", signature, PUBLIC, algorithm)
    other = "SHA256" if algorithm == "SHA1" else "SHA1"
    assert not signing.verify("a=1&b=中", signature, PUBLIC, other)
    assert not signing.verify("a=1&b=中", "not base64!", PUBLIC, algorithm)
    assert not signing.verify("a=1&b=中", "", PUBLIC, algorithm)


def test_bare_base64_der_keys_as_tianque_hands_them_out():
    private_der = serialization.load_pem_private_key(PRIVATE.encode(), None).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public_der = serialization.load_pem_public_key(PUBLIC.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    private_b64, public_b64 = base64.b64encode(private_der).decode(), base64.b64encode(public_der).decode()
    signature = signing.sign("k=v", private_b64)
    assert signing.verify("k=v", signature, PUBLIC) and signing.verify("k=v", signature, public_b64)
    with pytest.raises(ValueError):
        signing.load_private_key("not a key")
    with pytest.raises(ValueError):
        signing.sign("k=v", PRIVATE, "MD5")
