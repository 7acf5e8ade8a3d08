"""The fake Tianque's state and wire handling (used by :mod:`chargehub_suixingfu.testing`).

Verifies our envelope exactly as Tianque does — the canonical string is rebuilt here, independently of
the plugin's signing code, from the received text — and answers signed envelopes. Business error
``bizCode`` values are the sandbox's own (Tianque's real list is not public):

==========  ==========================================
``2002``    in progress (refund query)
``2010``    bad parameter
``2011``    no such trade / refund / split
``2012``    the trade's state does not allow it
``2013``    amount above what is left (over-refund, over-split)
``2014``    number reused with different content
==========  ==========================================

Envelope codes: ``0001`` signature did not verify, ``0002`` malformed envelope (fields, orgId,
timestamp format or age, reqData form).
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from chargehub_suixingfu.signing import parse_raw_object

CHINA = timezone(timedelta(hours=8))
AMT_RE = re.compile(r"^\d{1,10}\.\d{2}$")
NO_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
ENVELOPE_KEYS = ("orgId", "reqId", "reqData", "timestamp", "version", "signType", "sign")


class BizError(Exception):
    """A business refusal: answered as code 0000 with ``respData.bizCode`` / ``bizMsg``."""

    def __init__(self, code: str, msg: str) -> None:
        super().__init__(msg)
        self.code, self.msg = code, msg


class EnvelopeError(Exception):
    """The envelope itself is refused (signature, format): answered with ``code`` != 0000."""

    def __init__(self, code: str, msg: str) -> None:
        super().__init__(msg)
        self.code, self.msg = code, msg


def tq_canonical(values: dict, raw: dict) -> str:
    """Tianque's signing text, as the fake computes it: sorted k=v&, nested values as received."""
    parts = []
    for key in sorted(values):
        value = values[key]
        if key != "sign" and value not in (None, ""):
            parts.append(f"{key}={value if isinstance(value, str) else raw[key]}")
    return "&".join(parts)


def _hash(name: str) -> hashes.HashAlgorithm:
    return hashes.SHA256() if name == "SHA256" else hashes.SHA1()  # noqa: S303


def amount(text: Any, field: str) -> Decimal:
    """A yuan string with exactly two decimals, > 0."""
    if not isinstance(text, str) or not AMT_RE.match(text) or Decimal(text) <= 0:
        raise BizError("2010", f"{field} 金额格式错误 (two-decimal yuan > 0): {text!r}")
    return Decimal(text)


def need(req: dict, *names: str) -> None:
    """Refuse when a required reqData field is missing or empty."""
    missing = [n for n in names if req.get(n) in (None, "")]
    if missing:
        raise BizError("2010", f"缺少参数 {', '.join(missing)}")


class TianqueState:
    """Keys, knobs and the in-memory trades of one fake Tianque; every handler runs under :attr:`lock`."""

    def __init__(self, faults: dict, keys: dict, org_id: str, mno: str, sub_appid: str) -> None:
        self.faults, self.keys = faults, keys
        self.org_id, self.mno, self.sub_appid = org_id, mno, sub_appid
        self.lock = threading.RLock()
        self.payments: dict[str, dict] = {}
        self.refund_records: dict[str, dict] = {}
        self.split_records: dict[str, dict] = {}
        self.return_records: dict[str, dict] = {}
        self.received: list[dict] = []
        self.notifications: list[dict] = []

    # ------------------------------------------------------------------ signatures

    def sign(self, text: str) -> str:
        """Sign as Tianque (with the wrong key when ``bad_signature`` is on)."""
        name = "wrong_private" if self.faults.get("bad_signature") else "tianque_private"
        key = serialization.load_pem_private_key(self.keys[name].encode(), None)
        algo = _hash(self.faults.get("sign_algorithm", "SHA1"))
        return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), algo)).decode()

    def verify_ours(self, text: str, signature: str) -> bool:
        """Whether ``signature`` is the org's over ``text`` with the configured algorithm."""
        key = serialization.load_pem_public_key(self.keys["org_public"].encode())
        try:
            key.verify(base64.b64decode(signature), text.encode(), padding.PKCS1v15(),
                       _hash(self.faults.get("sign_algorithm", "SHA1")))
        except (InvalidSignature, ValueError):
            return False
        return True

    # ------------------------------------------------------------------ envelopes

    def open_envelope(self, text: str) -> tuple[dict, dict]:
        """(envelope values, reqData dict) after every check Tianque makes."""
        try:
            obj = parse_raw_object(text)
        except ValueError as exc:
            raise EnvelopeError("0002", f"报文不是 JSON 对象: {exc}") from exc
        values = obj.values
        missing = [k for k in ENVELOPE_KEYS if values.get(k) in (None, "")]
        if missing:
            raise EnvelopeError("0002", f"缺少公共参数 {', '.join(missing)}")
        if values["orgId"] != self.org_id:
            raise EnvelopeError("0002", "机构不存在 (unknown orgId)")
        if values["version"] != "1.0" or values["signType"] != "RSA":
            raise EnvelopeError("0002", "version 或 signType 不支持")
        form = self.faults.get("req_data_as", "string")
        if (form == "string") != isinstance(values["reqData"], str) or \
                (form == "object" and not isinstance(values["reqData"], dict)):
            raise EnvelopeError("0002", f"reqData 应为 JSON {form}")
        try:
            stamp = datetime.strptime(values["timestamp"], self.faults.get("timestamp_format", "%Y%m%d%H%M%S"))
        except (TypeError, ValueError) as exc:
            raise EnvelopeError("0002", "timestamp 格式错误") from exc
        if abs(datetime.now(CHINA).replace(tzinfo=None) - stamp) > timedelta(minutes=10):
            raise EnvelopeError("0002", "timestamp 已过期")
        if not self.verify_ours(tq_canonical(values, obj.raw), values["sign"]):
            raise EnvelopeError("0001", "验签失败")
        req = values["reqData"]
        if isinstance(req, str):
            try:
                req = json.loads(req)
            except ValueError as exc:
                raise EnvelopeError("0002", "reqData 不是 JSON") from exc
        if not isinstance(req, dict):
            raise EnvelopeError("0002", "reqData 不是对象")
        return values, req

    def envelope(self, req_id: str, code: str, msg: str, resp_data: dict | None) -> bytes:
        """A signed reply envelope; ``respData`` as a string or an object per ``req_data_as``."""
        values: dict[str, Any] = {"code": code, "msg": msg, "orgId": self.org_id, "reqId": req_id}
        raw: dict[str, str] = {}
        if resp_data is not None:
            text = json.dumps(resp_data, ensure_ascii=False, separators=(",", ":"))
            if self.faults.get("req_data_as", "string") == "string":
                values["respData"] = text
            else:
                values["respData"], raw["respData"] = resp_data, text
        values["signType"] = "RSA"
        values["sign"] = self.sign(tq_canonical(values, raw))
        body = ",".join(json.dumps(k) + ":" + (raw[k] if k in raw else json.dumps(v, ensure_ascii=False))
                        for k, v in values.items())
        return ("{" + body + "}").encode()

    def handle(self, path: str, text: str, handler: Callable[[dict], dict]) -> tuple[int, bytes]:
        """Open, dispatch and answer one API call: (HTTP status, body)."""
        req_id = ""
        try:
            envelope, req = self.open_envelope(text)
            req_id = envelope["reqId"]
            with self.lock:
                self.received.append({"path": path, "envelope": envelope, "req_data": req, "body": text})
                if req.get("mno") != self.mno:
                    raise BizError("2010", "商户不存在 (unknown mno)")
                resp = {"bizCode": "0000", "bizMsg": "成功", **handler(req)}
        except EnvelopeError as exc:
            return 200, self.envelope(req_id, exc.code, exc.msg, None)
        except BizError as exc:
            resp = {"bizCode": exc.code, "bizMsg": exc.msg}
        return 200, self.envelope(req_id, "0000", "成功", resp)

    # ------------------------------------------------------------------ notifications

    def notify_body(self, fields: dict) -> bytes:
        """A signed JSON notification (sorted k=v& over every field but ``sign``)."""
        values = {"orgId": self.org_id, "mno": self.mno, **fields, "signType": "RSA"}
        values["sign"] = self.sign(tq_canonical(values, {}))
        return json.dumps(values, ensure_ascii=False).encode()

    def payment_notify(self, pay: dict) -> bytes:
        """The notify for a paid or failed payment (``tamper_amount`` adds 0.01 yuan, validly signed)."""
        amt = pay["amount"] + (Decimal("0.01") if self.faults.get("tamper_amount") else 0)
        paid = pay["state"] == "SUCCESS"
        return self.notify_body({
            "ordNo": pay["ordNo"], "uuid": pay["uuid"], "sxfUuid": pay["sxfUuid"], "amt": f"{amt:.2f}",
            "bizCode": "0000" if paid else "2003", "bizMsg": "交易成功" if paid else "支付失败",
            "payType": "WECHAT", "payTime": pay.get("paid_at") or "", "buyerId": pay["user_id"],
            "transactionId": pay.get("transaction_id", ""), "channelId": "wx_sandbox",
        })

    def refund_notify(self, ref: dict) -> bytes:
        """The notify for a finished refund, keyed by the refund ``ordNo``."""
        ok = ref["state"] == "REFUNDSUC"
        return self.notify_body({
            "ordNo": ref["out_refund_no"], "origOrderNo": ref["out_trade_no"], "uuid": ref["uuid"],
            "amt": f"{ref['amount']:.2f}", "tranSts": ref["state"], "bizCode": "0000" if ok else "2012",
            "bizMsg": "退款成功" if ok else "退款失败", "payTime": ref.get("finished_at") or "",
        })

    def split_notify(self, split: dict) -> bytes:
        """The (assumed) ledger notify: ``ordNo`` = our split number, ``ledgerSts``."""
        ok = split["state"] == "SUCCESS"
        return self.notify_body({
            "ordNo": split["out_split_no"], "uuid": split["uuid"], "ledgerSts": split["state"],
            "bizCode": "0000" if ok else "2012", "bizMsg": "分账成功" if ok else "分账失败",
        })

    def record_notification(self, kind: str, key: str, url: str, body: bytes) -> dict:
        """Remember a notification to deliver (and redeliver until acknowledged)."""
        item = {"kind": kind, "key": key, "url": url, "body": body, "replies": [], "acked": False}
        with self.lock:
            self.notifications.append(item)
        return item


def now_text() -> str:
    """Beijing time as ``yyyyMMddHHmmss``."""
    return datetime.now(CHINA).strftime("%Y%m%d%H%M%S")


def new_id(prefix: str) -> str:
    """A fake Tianque id."""
    return prefix + time.strftime("%Y%m%d") + secrets.token_hex(8)
