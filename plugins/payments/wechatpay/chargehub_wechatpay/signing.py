"""WeChat Pay API v3 cryptography as pure functions (no network, no clock: callers pass the time).

- requests are signed ``WECHATPAY2-SHA256-RSA2048`` (RSASSA-PKCS1-v1_5 / SHA-256 with the merchant key)
  over ``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n``;
- responses and notifications are verified with the platform public key over ``TIMESTAMP\\nNONCE\\nBODY\\n``;
- ``wx.requestPayment``'s ``paySign`` is the merchant signature over ``appId\\ntimeStamp\\nnonceStr\\npackage\\n``;
- notification resources are AES-256-GCM with the APIv3 key (ciphertext || 16-byte tag, Base64);
- sensitive request fields (a split receiver's name) are RSA-OAEP (SHA-1) with the platform public key.

The sandbox uses the same functions from the other side (sign responses, verify our requests).
"""
from __future__ import annotations

import base64
import functools
import re
import secrets
import string
from typing import Mapping

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEME = "WECHATPAY2-SHA256-RSA2048"
SIGNTEST_PREFIX = "WECHATPAY/SIGNTEST/"
MAX_SKEW_S = 300
_NONCE_ALPHABET = string.ascii_uppercase + string.digits
_AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')


class SignatureError(Exception):
    """A response or notification failed verification; ``reason`` says why (English, for logs)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def new_nonce(length: int = 32) -> str:
    """A random nonce of upper-case letters and digits (WeChat accepts up to 32 characters)."""
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(length))


@functools.lru_cache(maxsize=64)
def load_private_key(pem: str | bytes) -> rsa.RSAPrivateKey:
    """Parse an RSA private key (PKCS#8 or PKCS#1 PEM); ``ValueError`` when it is not one.

    Cached by the PEM text: parsing checks the key (~25 ms for RSA-2048) and providers are built for
    every notification; key objects are immutable."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


@functools.lru_cache(maxsize=64)
def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    """Parse an RSA public key (``pub_key.pem``, SubjectPublicKeyInfo PEM); ``ValueError`` otherwise (cached)."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def private_key_pem(key: rsa.RSAPrivateKey) -> str:
    """``key`` as PKCS#8 PEM text (what ``apiclient_key.pem`` holds)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_key_pem(key: rsa.RSAPublicKey) -> str:
    """``key`` as SubjectPublicKeyInfo PEM text (what ``pub_key.pem`` holds)."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def request_message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The five-line text a request signature covers (``path`` includes the query string)."""
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"


def response_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """The three-line text a response / notification signature covers."""
    return f"{timestamp}\n{nonce}\n".encode() + body + b"\n"


def rsa_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    """RSASSA-PKCS1-v1_5 / SHA-256 signature of ``message``, Base64."""
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (Base64) is ``key``'s RSASSA-PKCS1-v1_5 / SHA-256 signature of ``message``."""
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def authorization(*, mchid: str, serial_no: str, key: rsa.RSAPrivateKey, method: str, path: str,
                  body: bytes, timestamp: str, nonce: str) -> str:
    """The ``Authorization`` header value for one request."""
    signature = rsa_sign(key, request_message(method, path, timestamp, nonce, body))
    return (f'{SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{timestamp}",serial_no="{serial_no}"')


def parse_authorization(header: str) -> dict[str, str]:
    """The parameters of an ``Authorization`` header; ``ValueError`` if the scheme is not ours."""
    scheme, _, params = (header or "").partition(" ")
    if scheme != SCHEME:
        raise ValueError(f"authorization scheme must be {SCHEME}")
    values = dict(_AUTH_PARAM.findall(params))
    missing = {"mchid", "nonce_str", "signature", "timestamp", "serial_no"} - values.keys()
    if missing:
        raise ValueError(f"authorization lacks {', '.join(sorted(missing))}")
    return values


def pay_sign(key: rsa.RSAPrivateKey, app_id: str, timestamp: str, nonce: str, package: str) -> str:
    """``paySign`` for ``wx.requestPayment`` (signType ``RSA``)."""
    return rsa_sign(key, f"{app_id}\n{timestamp}\n{nonce}\n{package}\n".encode())


def pay_sign_valid(key: rsa.RSAPublicKey, params: Mapping[str, str]) -> bool:
    """Whether the ``wx.requestPayment`` parameters carry a valid ``paySign`` for ``key``."""
    message = f"{params.get('appId')}\n{params.get('timeStamp')}\n{params.get('nonceStr')}\n{params.get('package')}\n"
    return params.get("signType") == "RSA" and rsa_verify(key, message.encode(), str(params.get("paySign", "")))


def verify_headers(headers: Mapping[str, str], body: bytes, *, key: rsa.RSAPublicKey, key_id: str,
                   now: float, max_skew: int = MAX_SKEW_S) -> None:
    """Check the ``Wechatpay-*`` headers of a response or notification over ``body``.

    ``headers`` must have lower-case names. Raises :class:`SignatureError` for a missing header, a
    ``WECHATPAY/SIGNTEST/`` probe, another signature type, a serial that is not ``key_id``, a timestamp
    further than ``max_skew`` seconds from ``now``, or a signature that does not verify.
    """
    names = ("wechatpay-timestamp", "wechatpay-nonce", "wechatpay-signature", "wechatpay-serial")
    missing = [n for n in names if not headers.get(n)]
    if missing:
        raise SignatureError(f"missing header {', '.join(missing)}")
    signature = headers["wechatpay-signature"]
    if signature.startswith(SIGNTEST_PREFIX):
        raise SignatureError("signature probe (WECHATPAY/SIGNTEST/)")
    if headers.get("wechatpay-signature-type", "") != SCHEME:
        raise SignatureError(f"signature type must be {SCHEME}")
    if headers["wechatpay-serial"] != key_id:
        raise SignatureError(f"serial {headers['wechatpay-serial']!r} is not the platform key {key_id!r}")
    timestamp = headers["wechatpay-timestamp"]
    if not timestamp.isdigit() or abs(now - int(timestamp)) > max_skew:
        raise SignatureError(f"timestamp {timestamp!r} is outside the {max_skew}s window")
    if not rsa_verify(key, response_message(timestamp, headers["wechatpay-nonce"], body), signature):
        raise SignatureError("signature does not verify with the platform public key")


def signed_headers(key: rsa.RSAPrivateKey, key_id: str, body: bytes, timestamp: str, nonce: str) -> dict[str, str]:
    """The ``Wechatpay-*`` headers that sign ``body`` (the vendor side: sandbox responses, notifications)."""
    return {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": rsa_sign(key, response_message(timestamp, nonce, body)),
        "Wechatpay-Serial": key_id,
        "Wechatpay-Signature-Type": SCHEME,
    }


def aes_gcm_decrypt(apiv3_key: str, nonce: str, associated_data: str, ciphertext: str) -> bytes:
    """Decrypt a notification ``resource``; ``ValueError`` when the key, tag or Base64 do not fit."""
    try:
        data = base64.b64decode(ciphertext, validate=True)
        return AESGCM(apiv3_key.encode()).decrypt(nonce.encode(), data, (associated_data or "").encode())
    except (InvalidTag, ValueError, TypeError) as exc:
        raise ValueError(f"resource does not decrypt: {type(exc).__name__}") from None


def aes_gcm_encrypt(apiv3_key: str, nonce: str, associated_data: str, plaintext: bytes) -> str:
    """Encrypt a notification ``resource`` (the vendor side): Base64 of ciphertext and tag."""
    return base64.b64encode(AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), plaintext,
                                                                associated_data.encode())).decode()


def oaep_encrypt(key: rsa.RSAPublicKey, text: str) -> str:
    """RSA-OAEP (SHA-1) encryption of a sensitive field with the platform public key, Base64."""
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    return base64.b64encode(key.encrypt(text.encode(), oaep)).decode()


def oaep_decrypt(key: rsa.RSAPrivateKey, ciphertext: str) -> str:
    """Decrypt what :func:`oaep_encrypt` produced (the vendor side); ``ValueError`` when it cannot."""
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    try:
        return key.decrypt(base64.b64decode(ciphertext, validate=True), oaep).decode()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"field does not decrypt: {type(exc).__name__}") from None
