"""Verify and decode one WeChat Pay notification (回调通知). Pure: no network, no database, no clock.

Order of checks: headers and signature over ``timestamp\\nnonce\\nbody\\n`` with the platform public key
(``WECHATPAY/SIGNTEST/`` probes fail here, as WeChat expects), the timestamp within five minutes of
``now``, the envelope, AES-256-GCM decryption of ``resource`` with the APIv3 key, the merchant (and appid)
it is for, then the event type. The acknowledgement WeChat expects is HTTP 204 with no body; a rejection
answers 401 (signature) or 400 (anything else) with ``{"code":"FAIL","message":…}`` so WeChat retries.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping

from cryptography.hazmat.primitives.asymmetric import rsa

from chargehub.contracts.payments import Ack, Notification, NotificationRejected
from chargehub_wechatpay import results, signing

ACK = Ack(204)


def rejection(status: int, message: str) -> NotificationRejected:
    """A :class:`NotificationRejected` whose reply is WeChat's failure format."""
    body = json.dumps({"code": "FAIL", "message": message}, ensure_ascii=False).encode()
    return NotificationRejected(message, Ack(status, body, "application/json"))


def parse(headers: Mapping[str, str], body: bytes, *, now: datetime, platform_key: rsa.RSAPublicKey,
          platform_key_id: str, apiv3_key: str, mchid: str, appid: str = "") -> Notification:
    """Verify and decode ``body``; see the module docstring. Raises :class:`NotificationRejected`."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    try:
        signing.verify_headers(lowered, body, key=platform_key, key_id=platform_key_id, now=now.timestamp())
    except signing.SignatureError as exc:
        raise rejection(401, f"验签失败 (signature refused: {exc.reason})") from None
    envelope = _json_object(body, "notification body")
    resource = envelope.get("resource")
    event_type = str(envelope.get("event_type", ""))
    if envelope.get("resource_type") != "encrypt-resource" or not isinstance(resource, dict):
        raise rejection(400, "通知格式错误 (not an encrypt-resource notification)")
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise rejection(400, f"不支持的加密算法 (unsupported algorithm {resource.get('algorithm')!r})")
    try:
        plain = signing.aes_gcm_decrypt(apiv3_key, str(resource.get("nonce", "")),
                                        str(resource.get("associated_data", "") or ""),
                                        str(resource.get("ciphertext", "")))
    except ValueError as exc:
        raise rejection(400, f"解密失败 (resource does not decrypt: {exc})") from None
    data = _json_object(plain, "decrypted resource")
    if str(data.get("mchid", mchid)) != mchid or (appid and data.get("appid", appid) != appid):
        raise rejection(400, "通知不属于本商户 (notification for another merchant)")
    raw = {**envelope, "resource": data}
    try:
        if event_type.startswith("TRANSACTION."):
            payment = results.payment_result(data)
            return Notification(ack=ACK, payment=payment, raw=raw)
        if event_type.startswith("REFUND."):
            return Notification(ack=ACK, refund=results.refund_result(data), raw=raw)
        if event_type in ("PROFITSHARING.SUCCESS", "PROFITSHARING.RETURN"):
            return Notification(ack=ACK, split=results.split_notification_result(event_type, data), raw=raw)
    except ValueError as exc:
        raise rejection(400, f"通知内容无法识别 (unrecognised content: {exc})") from None
    raise rejection(400, f"未知通知类型 (unknown event_type {event_type!r})")


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise rejection(400, f"通知不是 JSON 对象 ({what} is not a JSON object)")
    return value
