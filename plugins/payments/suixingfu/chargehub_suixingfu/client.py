"""The Tianque HTTP client: the plugin's only network code.

One call = build ``reqData`` as compact JSON **once**, sign the envelope's canonical string with our
private key, send exactly the signed text, then verify the reply's signature over the text as received
(``respData`` keeps Tianque's key order) with Tianque's public key.

Errors: ``code != "0000"`` → non-retryable :class:`PaymentProviderError` carrying Tianque's ``msg``; a
reply whose signature does not verify → non-retryable (a key or configuration problem; code ``SIGN``);
timeouts, connection errors, HTTP 5xx and unreadable bodies → retryable.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping

import requests

from chargehub.contracts.payments import PaymentProviderError

from chargehub_suixingfu import signing

#: Tianque's timestamps are Beijing time (no DST, so a fixed offset is exact).
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class TianqueReply:
    """A verified reply: ``resp_data`` parsed (arrival key order kept) and the envelope as received."""

    resp_data: dict[str, Any]
    envelope: dict[str, Any]

    @property
    def biz_code(self) -> str:
        """``respData.bizCode`` ("" when absent)."""
        return str(self.resp_data.get("bizCode", ""))

    @property
    def biz_msg(self) -> str:
        """``respData.bizMsg`` ("" when absent)."""
        return str(self.resp_data.get("bizMsg", ""))


class TianqueClient:
    """Signs, sends and verifies Tianque open-platform calls.

    :param settings: the provider's merged settings (``base_url``, ``org_id``, ``org_private_key``,
        ``tianque_public_key``, ``sign_algorithm``, ``timestamp_format``, ``req_data_as``, ``timeout_s``).
    :param session: a ``requests.Session`` (one is made when omitted).
    :param clock: returns an aware ``datetime`` (tests inject one).
    :param new_req_id: returns a fresh ``reqId`` (≤ 32 characters).
    """

    def __init__(self, settings: Mapping[str, Any], *, session: requests.Session | None = None,
                 clock: Callable[[], datetime] | None = None,
                 new_req_id: Callable[[], str] | None = None) -> None:
        self.base_url = str(settings.get("base_url") or "https://openapi.tianquetech.com").rstrip("/")
        self.org_id = str(settings.get("org_id") or "")
        self.private_key = str(settings.get("org_private_key") or "")
        self.public_key = str(settings.get("tianque_public_key") or "")
        self.algorithm = str(settings.get("sign_algorithm") or "SHA1")
        self.timestamp_format = str(settings.get("timestamp_format") or "%Y%m%d%H%M%S")
        self.req_data_as = str(settings.get("req_data_as") or "string")
        self.timeout = float(settings.get("timeout_s") or 10.0)
        self.session = session or requests.Session()
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.new_req_id = new_req_id or (lambda: uuid.uuid4().hex)
        if not (self.org_id and self.private_key and self.public_key):
            raise PaymentProviderError("随行付未配置机构编号或密钥 (Tianque orgId or keys not configured)",
                                       code="CONFIG")

    # ------------------------------------------------------------------ request side

    def build_body(self, req_data: Mapping[str, Any]) -> tuple[str, str]:
        """(reqId, the signed JSON body text) for ``req_data``; reqData's text is built once and reused."""
        req_text = signing.compact_json(dict(req_data))
        req_id = self.new_req_id()
        envelope: dict[str, Any] = {
            "orgId": self.org_id,
            "reqId": req_id,
            "reqData": req_text if self.req_data_as == "string" else dict(req_data),
            "timestamp": self.clock().astimezone(CHINA_TZ).strftime(self.timestamp_format),
            "version": "1.0",
            "signType": "RSA",
        }
        raw = {} if self.req_data_as == "string" else {"reqData": req_text}
        envelope["sign"] = signing.sign(signing.canonical_string(envelope, raw), self.private_key, self.algorithm)
        return req_id, signing.encode_object(envelope.items(), raw)

    # ------------------------------------------------------------------ the call

    def call(self, path: str, req_data: Mapping[str, Any]) -> TianqueReply:
        """POST ``req_data`` to ``path``; return the verified reply (``code == "0000"``).

        :raises PaymentProviderError: see the module docstring for which are retryable.
        """
        req_id, body = self.build_body(req_data)
        url = self.base_url + path
        try:
            response = self.session.post(url, data=body.encode("utf-8"), timeout=self.timeout,
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        except requests.Timeout as exc:
            raise PaymentProviderError(f"随行付接口超时 (Tianque timed out): {path}", retryable=True) from exc
        except requests.RequestException as exc:
            raise PaymentProviderError(f"无法连接随行付 (cannot reach Tianque): {exc}", retryable=True) from exc
        if response.status_code >= 500:
            raise PaymentProviderError(f"随行付服务器错误 (Tianque HTTP {response.status_code})",
                                       code=f"HTTP{response.status_code}", retryable=True)
        if response.status_code != 200:
            raise PaymentProviderError(f"随行付拒绝请求 (Tianque HTTP {response.status_code})",
                                       code=f"HTTP{response.status_code}")
        try:
            reply = signing.parse_raw_object(response.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise PaymentProviderError(f"随行付应答无法解析 (unreadable Tianque reply): {exc}",
                                       retryable=True) from exc
        return self._check(reply, req_id)

    def _check(self, reply: signing.RawObject, req_id: str) -> TianqueReply:
        values = reply.values
        code, msg = str(values.get("code", "")), str(values.get("msg", ""))
        if code != "0000":
            # Error envelopes may come unsigned; they only ever lead to a refusal, never to a state change.
            raise PaymentProviderError(msg or f"随行付返回错误 (Tianque error) {code}", code=code)
        if not signing.verify_object(reply, self.public_key, self.algorithm):
            raise PaymentProviderError("随行付应答验签失败 (Tianque reply signature invalid)", code="SIGN")
        if values.get("reqId") not in (None, "", req_id):
            raise PaymentProviderError("随行付应答 reqId 不符 (reply is for another request)", code="REQID")
        resp_data = values.get("respData")
        if isinstance(resp_data, str):
            try:
                resp_data = signing.parse_raw_object(resp_data).values
            except ValueError as exc:
                raise PaymentProviderError("随行付 respData 无法解析 (unreadable respData)", retryable=True) from exc
        if not isinstance(resp_data, dict):
            raise PaymentProviderError("随行付应答缺少 respData (reply without respData)", retryable=True)
        return TianqueReply(resp_data=resp_data, envelope=values)
