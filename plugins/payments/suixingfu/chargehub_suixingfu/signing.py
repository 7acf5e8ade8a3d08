"""Tianque signatures (pure): the canonical string, SHA1withRSA / SHA256withRSA, raw JSON fields.

The canonical string (spec §3.1): every top-level field except ``sign``, sorted by key, joined as
``k=v&k=v``. A string value is used as it is; a nested value (``reqData`` / ``respData`` sent as a JSON
object) is used as **the exact JSON text that was sent or received** — never re-serialized, because the
vendor signs the text in its own key order. ``null`` and ``""`` values are left out (the common rule in
the integrations we read; unconfirmed, see README).
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
from typing import Any, Iterable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ALGORITHMS = ("SHA1", "SHA256")

_WS = " \t\r\n"
_DECODER = json.JSONDecoder()


def compact_json(value: Any) -> str:
    """``value`` as compact JSON text (no spaces, UTF-8 characters kept): how we build ``reqData``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class RawObject:
    """A parsed top-level JSON object that remembers each value's exact source text.

    :attr values: key -> parsed value (nested objects keep their arrival order).
    :attr raw: key -> the value's JSON text exactly as it appeared.
    """

    def __init__(self, values: dict[str, Any], raw: dict[str, str]) -> None:
        self.values = values
        self.raw = raw


def parse_raw_object(text: str) -> RawObject:
    """Parse a JSON object, keeping each top-level value's source text.

    :raises ValueError: not a JSON object, malformed, or a duplicated key.
    """
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}

    def skip(i: int) -> int:
        while i < len(text) and text[i] in _WS:
            i += 1
        return i

    i = skip(0)
    if i >= len(text) or text[i] != "{":
        raise ValueError("not a JSON object")
    i = skip(i + 1)
    if i < len(text) and text[i] == "}":
        end = i + 1
    else:
        while True:
            if i >= len(text) or text[i] != '"':
                raise ValueError(f"expected a key at {i}")
            key, i = _DECODER.raw_decode(text, i)
            i = skip(i)
            if i >= len(text) or text[i] != ":":
                raise ValueError(f"expected ':' at {i}")
            i = skip(i + 1)
            value, end = _DECODER.raw_decode(text, i)
            if key in values:
                raise ValueError(f"duplicated key {key!r}")
            values[key], raw[key] = value, text[i:end]
            i = skip(end)
            if i < len(text) and text[i] == ",":
                i = skip(i + 1)
                continue
            if i < len(text) and text[i] == "}":
                end = i + 1
                break
            raise ValueError(f"expected ',' or '}}' at {i}")
    if skip(end) != len(text):
        raise ValueError("trailing data after the JSON object")
    return RawObject(values, raw)


def encode_object(items: Iterable[tuple[str, Any]], raw: Mapping[str, str] | None = None) -> str:
    """Write a JSON object from ``items`` in order; keys in ``raw`` get that exact JSON text as value."""
    raw = raw or {}
    parts = []
    for key, value in items:
        text = raw[key] if key in raw else compact_json(value)
        parts.append(f"{compact_json(key)}:{text}")
    return "{" + ",".join(parts) + "}"


def canonical_string(values: Mapping[str, Any], raw: Mapping[str, str] | None = None) -> str:
    """The text that is signed: sorted ``k=v`` pairs joined by ``&`` (see the module docstring)."""
    raw = raw or {}
    parts = []
    for key in sorted(values):
        value = values[key]
        if key == "sign" or value is None or value == "":
            continue
        if isinstance(value, str):
            text = value
        elif key in raw:
            text = raw[key]
        else:
            text = compact_json(value)
        parts.append(f"{key}={text}")
    return "&".join(parts)


def _hash(algorithm: str) -> hashes.HashAlgorithm:
    if algorithm == "SHA1":
        return hashes.SHA1()  # noqa: S303 - Tianque's "RSA" sign type is SHA1withRSA
    if algorithm == "SHA256":
        return hashes.SHA256()
    raise ValueError(f"unknown sign algorithm {algorithm!r} (use {' or '.join(ALGORITHMS)})")


def _key_bytes(text: str) -> tuple[bytes, bool]:
    """(bytes, is_pem): Tianque's portal hands out bare Base64 DER; PEM is accepted too."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return text.encode(), True
    try:
        return base64.b64decode("".join(text.split()), validate=True), False
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not PEM and not Base64 DER") from exc


@functools.lru_cache(maxsize=64)
def load_private_key(text: str) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM (PKCS#1 or PKCS#8) or bare Base64 DER (PKCS#8).

    :raises ValueError: not a readable RSA private key.
    """
    data, pem = _key_bytes(text)
    key = (serialization.load_pem_private_key(data, None) if pem
           else serialization.load_der_private_key(data, None))
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


@functools.lru_cache(maxsize=64)
def load_public_key(text: str) -> rsa.RSAPublicKey:
    """An RSA public key from PEM or bare Base64 DER (SubjectPublicKeyInfo).

    :raises ValueError: not a readable RSA public key.
    """
    data, pem = _key_bytes(text)
    key = serialization.load_pem_public_key(data) if pem else serialization.load_der_public_key(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def sign(text: str, private_key_pem: str, algorithm: str = "SHA1") -> str:
    """Base64 of the PKCS#1 v1.5 signature of ``text`` (UTF-8) with our private key."""
    key = load_private_key(private_key_pem)
    return base64.b64encode(key.sign(text.encode("utf-8"), padding.PKCS1v15(), _hash(algorithm))).decode()


def verify(text: str, signature: str, public_key_pem: str, algorithm: str = "SHA1") -> bool:
    """Whether ``signature`` (Base64) signs ``text`` (UTF-8) under ``public_key_pem``."""
    if not isinstance(signature, str) or not signature:
        return False
    try:
        raw_signature = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    key = load_public_key(public_key_pem)
    try:
        key.verify(raw_signature, text.encode("utf-8"), padding.PKCS1v15(), _hash(algorithm))
    except InvalidSignature:
        return False
    return True


def verify_object(obj: RawObject, public_key_pem: str, algorithm: str = "SHA1") -> bool:
    """Verify a received envelope or notification (its ``sign`` over its canonical string)."""
    return verify(canonical_string(obj.values, obj.raw), obj.values.get("sign", ""), public_key_pem, algorithm)


def generate_key_pair(bits: int = 2048) -> tuple[str, str]:
    """A fresh RSA key pair as (private PKCS#8 PEM, public SPKI PEM): for sandboxes and tests."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public
