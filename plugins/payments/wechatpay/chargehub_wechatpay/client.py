"""The only network code of the plugin: signed JSON requests to WeChat Pay API v3, verified replies.

Each request body is serialized once; those exact bytes are signed and sent. Every reply below 500 must
carry a valid platform signature (public-key mode: ``Wechatpay-Serial`` is the ``PUB_KEY_ID_…``), within
five minutes of our clock. Failures become :class:`PaymentProviderError`: retryable for timeouts,
connection errors, 429 and 5xx (and for a reply whose signature does not verify: the request was
idempotent and its outcome is unknown); not retryable for a business refusal (4xx), with the vendor's
``code`` and ``message``.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import quote, urlencode

import requests

from chargehub.contracts.payments import PaymentProviderError
from chargehub_wechatpay import signing

log = logging.getLogger(__name__)

USER_AGENT = "chargehub-wechatpay/1.0"


def encode_body(payload: Mapping[str, Any]) -> bytes:
    """The one serialization of a request body (compact UTF-8 JSON)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def api_path(template: str, *segments: str, query: Mapping[str, str] | None = None) -> str:
    """``template`` with each ``{}`` replaced by a quoted path segment, plus the query string."""
    path = template.format(*(quote(str(s), safe="") for s in segments))
    return f"{path}?{urlencode(query)}" if query else path


@dataclass(frozen=True)
class ApiReply:
    """A verified reply: HTTP status and the decoded JSON (``{}`` for 204)."""

    status: int
    data: dict


class WechatPayClient:
    """Talks to WeChat Pay (or its sandbox) for one merchant.

    :param clock: seconds since the epoch (injectable for tests); :param nonce: nonce source.
    """

    def __init__(self, *, base_url: str, mchid: str, serial_no: str, private_key_pem: str,
                 platform_public_key_pem: str, platform_key_id: str, timeout: float = 10.0,
                 session: requests.Session | None = None, clock: Callable[[], float] = time.time,
                 nonce: Callable[[], str] = signing.new_nonce) -> None:
        self.base_url = base_url.rstrip("/")
        self.mchid = mchid
        self.serial_no = serial_no
        self.private_key = signing.load_private_key(private_key_pem)
        self.platform_key = signing.load_public_key(platform_public_key_pem)
        self.platform_key_id = platform_key_id
        self.timeout = timeout
        self.session = session or requests.Session()
        self.clock = clock
        self.nonce = nonce

    def get(self, path: str) -> ApiReply:
        """GET ``path`` (with its query string)."""
        return self.request("GET", path)

    def post(self, path: str, payload: Mapping[str, Any]) -> ApiReply:
        """POST ``payload`` as JSON to ``path``."""
        return self.request("POST", path, payload)

    def request(self, method: str, path: str, payload: Mapping[str, Any] | None = None) -> ApiReply:
        """Sign and send one request; return the verified reply or raise :class:`PaymentProviderError`."""
        body = encode_body(payload) if payload is not None else b""
        timestamp, nonce = str(int(self.clock())), self.nonce()
        headers = {
            "Authorization": signing.authorization(mchid=self.mchid, serial_no=self.serial_no, key=self.private_key,
                                                   method=method, path=path, body=body, timestamp=timestamp,
                                                   nonce=nonce),
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            # Public-key mode: always name the platform key (required with encrypted fields).
            "Wechatpay-Serial": self.platform_key_id,
        }
        if payload is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.session.request(method, self.base_url + path, data=body if payload is not None else None,
                                            headers=headers, timeout=self.timeout, allow_redirects=False)
        except requests.Timeout:
            raise PaymentProviderError(f"微信支付请求超时 (WeChat Pay timed out after {self.timeout}s: {method} {path})",
                                       retryable=True) from None
        except requests.RequestException as exc:
            raise PaymentProviderError(f"无法连接微信支付 (cannot reach WeChat Pay: {type(exc).__name__})",
                                       retryable=True) from None
        return self._reply(method, path, response)

    def _reply(self, method: str, path: str, response: requests.Response) -> ApiReply:
        raw = response.content
        data = _json(raw)
        if response.status_code >= 500:
            log.warning("wechatpay %s %s: HTTP %s", method, path, response.status_code)
            raise PaymentProviderError(
                f"微信支付系统繁忙 (WeChat Pay HTTP {response.status_code}: {data.get('message', '')})".rstrip(),
                code=str(data.get("code", "")), retryable=True)
        try:
            signing.verify_headers({k.lower(): v for k, v in response.headers.items()}, raw, key=self.platform_key,
                                   key_id=self.platform_key_id, now=self.clock())
        except signing.SignatureError as exc:
            log.warning("wechatpay %s %s: reply refused: %s", method, path, exc.reason)
            raise PaymentProviderError(f"微信支付应答验签失败 (reply signature refused: {exc.reason})",
                                       code="RESPONSE_SIGNATURE_INVALID", retryable=True) from None
        if response.status_code >= 400:
            message = str(data.get("message") or f"HTTP {response.status_code}")
            raise PaymentProviderError(message, code=str(data.get("code", "")),
                                       retryable=response.status_code == 429)
        if response.status_code not in (200, 204):
            raise PaymentProviderError(f"微信支付应答异常 (unexpected HTTP {response.status_code})", retryable=True)
        return ApiReply(response.status_code, data)


def _json(raw: bytes) -> dict:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
