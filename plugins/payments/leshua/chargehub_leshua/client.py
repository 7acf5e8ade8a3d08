"""The only network code of the plugin: form POSTs to Leshua, replies parsed and verified.

Gateway calls (:meth:`LeshuaClient.call`) POST ``service=<name>`` plus the fields, a ``nonce_str`` and
the MD5 ``sign`` (trade key) as ``application/x-www-form-urlencoded`` and read an XML ``<leshua>`` reply
signed with the trade key. Share-merchant calls (:meth:`LeshuaClient.call_split`) are signed the same way
and accept a JSON or an XML reply (the format is not public: specs §2.5).

Errors: timeouts, connection errors, 5xx and unparseable replies raise a *retryable*
:class:`PaymentProviderError`; ``resp_code`` / ``result_code`` other than ``0`` and a reply whose
signature does not verify raise a non-retryable one carrying Leshua's ``error_code`` / ``error_msg``.
"""
from __future__ import annotations

import json
import secrets
from typing import Any, Mapping

import requests
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from chargehub.contracts.payments import PaymentProviderError

from chargehub_leshua import signing

SIGNATURE_ERROR = "INVALID_SIGNATURE"


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The fields of a flat ``<leshua>`` document (``ValueError`` when it is not one)."""
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException, TypeError) as exc:
        raise ValueError(f"not XML: {exc}") from None
    if root.tag != "leshua":
        raise ValueError(f"root element is <{root.tag}>, not <leshua>")
    return {child.tag: (child.text or "").strip() for child in root}


def _flat_json(body: bytes) -> dict[str, str]:
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("JSON reply is not an object")
    out = {}
    for name, value in data.items():
        if isinstance(value, (dict, list)):
            out[name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            out[name] = "" if value is None else str(value)
    return out


class LeshuaClient:
    """Talks to one Leshua merchant's gateway and share-merchant API.

    :param base_url: gateway host (``https://paygate.leshuazf.com`` or a sandbox URL).
    :param gateway_path: the gateway CGI path.
    :param split_base_url: share-merchant host.
    :param trade_key: signs requests, verifies synchronous replies.
    :param timeout_s: per request (connect and read).
    :param sign_empty_values: whether empty values take part in signatures.
    """

    def __init__(self, *, base_url: str, gateway_path: str, split_base_url: str, trade_key: str,
                 timeout_s: float = 10.0, sign_empty_values: bool = False,
                 session: requests.Session | None = None) -> None:
        self.gateway_url = base_url.rstrip("/") + gateway_path
        self.split_base_url = split_base_url.rstrip("/")
        self.trade_key = trade_key
        self.timeout_s = timeout_s
        self.sign_empty_values = sign_empty_values
        self.session = session or requests.Session()

    # ------------------------------------------------------------------ public

    def call(self, service: str, fields: Mapping[str, Any]) -> dict[str, str]:
        """Call the gateway ``service``; return the verified reply fields (``result_code`` was ``0``)."""
        response = self._post(self.gateway_url, {"service": service, **fields})
        try:
            reply = parse_xml(response.content)
        except ValueError as exc:
            raise PaymentProviderError(f"乐刷应答无法解析 (unparseable reply to {service}): {exc}",
                                       retryable=True) from None
        return self._check(reply, service)

    def call_split(self, path: str, fields: Mapping[str, Any]) -> dict[str, str]:
        """Call a share-merchant ``path``; return the verified reply fields (JSON or XML reply)."""
        response = self._post(self.split_base_url + path, fields)
        body = response.content.strip()
        try:
            reply = _flat_json(body) if body.startswith(b"{") else parse_xml(body)
        except ValueError as exc:
            raise PaymentProviderError(f"乐刷分账应答无法解析 (unparseable reply from {path}): {exc}",
                                       retryable=True) from None
        return self._check(reply, path)

    def signed_form(self, fields: Mapping[str, Any]) -> dict[str, str]:
        """``fields`` as strings with a fresh ``nonce_str`` and the trade-key ``sign``."""
        form = {name: "" if value is None else str(value) for name, value in fields.items()}
        form.setdefault("nonce_str", secrets.token_hex(16))
        form["sign"] = signing.sign(form, self.trade_key, include_empty=self.sign_empty_values)
        return form

    # ------------------------------------------------------------------ internals

    def _post(self, url: str, fields: Mapping[str, Any]) -> requests.Response:
        form = self.signed_form(fields)
        try:
            response = self.session.post(url, data=form, timeout=self.timeout_s)
        except requests.Timeout:
            raise PaymentProviderError(f"乐刷请求超时 (timeout after {self.timeout_s}s: {url})",
                                       retryable=True) from None
        except requests.RequestException as exc:
            raise PaymentProviderError(f"乐刷连接失败 (connection error: {exc})", retryable=True) from None
        if response.status_code >= 500:
            raise PaymentProviderError(f"乐刷服务暂不可用 (HTTP {response.status_code})",
                                       code=str(response.status_code), retryable=True)
        if response.status_code != 200:
            raise PaymentProviderError(f"乐刷拒绝请求 (HTTP {response.status_code})", code=str(response.status_code))
        return response

    def _check(self, reply: dict[str, str], what: str) -> dict[str, str]:
        if reply.get("resp_code", "0") != "0":
            raise PaymentProviderError(reply.get("resp_msg") or reply.get("error_msg") or f"{what} failed",
                                       code=reply.get("error_code") or reply.get("resp_code", ""))
        if not signing.verify(reply, self.trade_key, include_empty=self.sign_empty_values):
            raise PaymentProviderError(f"乐刷应答签名无效 (reply to {what} has an invalid signature)",
                                       code=SIGNATURE_ERROR)
        if reply.get("result_code", "0") != "0":
            raise PaymentProviderError(reply.get("error_msg") or reply.get("resp_msg") or f"{what} refused",
                                       code=reply.get("error_code") or reply.get("result_code", ""))
        return reply
