"""``WechatPaySandbox``: an offline WeChat Pay API v3 on 127.0.0.1 (spec §1.11), for tests and benches.

It generates throw-away keys at construction — the merchant's RSA-2048 pair (private half to the plugin
settings), the platform's RSA-2048 pair (public-key mode, id ``PUB_KEY_ID_…``) and a 32-character APIv3
key — verifies our request signatures, signs its replies and posts AES-256-GCM encrypted, signed
notifications to the ``notify_url`` our client gave. Usage::

    with WechatPaySandbox() as sandbox:
        provider = WechatPayProvider({**sandbox.tenant_settings(), **sandbox.station_settings()})
        created = provider.execute_create_payment(...)
        sandbox.pay(out_trade_no, copies=2)      # → notifications, our replies

Fault knobs (``sandbox.faults``, read on every request): ``bad_signature``, ``stale_timestamp``
(replies and notifications), ``tamper_amount`` (notifications say one fen more), ``tamper_ciphertext``
(notification resource does not decrypt), ``probe`` (notifications are ``WECHATPAY/SIGNTEST/`` probes),
``http_500`` (count of API requests answered 500), ``delay_s`` (sleep before answering API requests),
``auto_refund`` / ``auto_split`` (default on: refunds / splits finish at once and notify).
"""
from __future__ import annotations

import base64
import json
import secrets
import string
import threading
import time
import uuid
from decimal import Decimal
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from chargehub.testing.sandbox import Delivery, PaymentSandbox, Reply, SandboxServer
from chargehub_wechatpay import signing
from chargehub_wechatpay.sandbox_api import install_checks, install_payment_routes, now_rfc3339
from chargehub_wechatpay.sandbox_control import install_control_routes
from chargehub_wechatpay.sandbox_split import install_split_routes

DEFAULT_FAULTS = {"bad_signature": False, "stale_timestamp": False, "tamper_amount": False,
                  "tamper_ciphertext": False, "probe": False, "http_500": 0, "delay_s": 0.0,
                  "auto_refund": True, "auto_split": True}
SUMMARIES = {"TRANSACTION.SUCCESS": "支付成功", "REFUND.SUCCESS": "退款成功", "REFUND.ABNORMAL": "退款异常",
             "REFUND.CLOSED": "退款关闭", "PROFITSHARING.SUCCESS": "分账成功", "PROFITSHARING.RETURN": "分账回退"}
RECEIVER_FIELDS = ("type", "account", "amount", "description", "result", "fail_reason", "create_time", "finish_time",
                   "detail_id")
ORIGINAL_TYPES = {"TRANSACTION": "transaction", "REFUND": "refund", "PROFITSHARING": "profitsharing"}


def probe_signature() -> str:
    """A ``WECHATPAY/SIGNTEST/`` probe signature (random bytes: it verifies against nothing)."""
    return signing.SIGNTEST_PREFIX + base64.b64encode(secrets.token_bytes(256)).decode()


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class WechatPaySandbox(PaymentSandbox):
    """Fake WeChat Pay (direct merchant, public-key mode) implementing :class:`PaymentSandbox`.

    :param mchid: the merchant number the sandbox serves; :param max_split_ratio: the most of a payment
        all its splits may take (WeChat's default for ordinary merchants is 30%).
    """

    def __init__(self, *, mchid: str = "1900009191", appid: str | None = None,
                 max_split_ratio: Decimal = Decimal("0.30"), delivery_timeout: float = 10.0) -> None:
        self.mchid = mchid
        self.appid = appid or "wx" + secrets.token_hex(8)
        self.merchant_key = _new_key()
        self.merchant_serial_no = secrets.token_hex(20).upper()
        self.platform_key = _new_key()
        self.platform_key_id = f"PUB_KEY_ID_01{mchid}{secrets.randbelow(10**10):010d}"
        self.wrong_key = _new_key()
        alphabet = string.ascii_letters + string.digits
        self.apiv3_key = "".join(secrets.choice(alphabet) for _ in range(32))
        self.max_split_ratio = Decimal(max_split_ratio)
        self.faults: dict = dict(DEFAULT_FAULTS)
        self.lock = threading.RLock()
        self.orders: dict[str, dict] = {}
        self.refund_records: dict[str, dict] = {}
        self.receivers: dict[tuple[str, str], dict] = {}
        self.split_records: dict[str, dict] = {}
        self.return_records: dict[str, dict] = {}
        self.delivery = Delivery(timeout=delivery_timeout)
        self._timers: list[threading.Timer] = []
        self.app = Flask("wechatpay_sandbox")
        install_checks(self.app, self)
        install_payment_routes(self.app, self)
        install_split_routes(self.app, self)
        install_control_routes(self.app, self)
        self.server = SandboxServer(self.app)
        self.url = self.server.url
        self._http = requests.Session()

    # ------------------------------------------------------------------ PaymentSandbox

    def tenant_settings(self) -> dict:
        """``{"base_url": <sandbox url>}`` (and a short timeout)."""
        return {"base_url": self.url, "timeout_s": 5.0}

    def station_settings(self) -> dict:
        """The station's 支付配置 for this sandbox's merchant (keys included), split off."""
        return {"appid": self.appid, "mchid": self.mchid, "merchant_serial_no": self.merchant_serial_no,
                "merchant_private_key": signing.private_key_pem(self.merchant_key), "apiv3_key": self.apiv3_key,
                "platform_public_key": signing.public_key_pem(self.platform_key.public_key()),
                "platform_public_key_id": self.platform_key_id, "split_enabled": False, "split_accounts": []}

    def split_station_settings(self, accounts: list[tuple[str, str, str]]) -> dict:
        """:meth:`station_settings` with splitting on; an all-digit account is a merchant, else an openid."""
        return {**self.station_settings(), "split_enabled": True, "split_accounts": [
            {"account": account, "name": name, "ratio": str(ratio),
             "kind": "merchant" if account.isdigit() else "personal"} for account, name, ratio in accounts]}

    def pay(self, out_trade_no: str, *, copies: int = 1, concurrent: bool = False) -> list[Reply]:
        """Mark the order paid and post ``TRANSACTION.SUCCESS`` ``copies`` times; our replies."""
        return self._replies("POST", "/__sandbox__/pay", {"out_trade_no": out_trade_no, "copies": copies,
                                                          "concurrent": concurrent})

    def fail(self, out_trade_no: str) -> list[Reply]:
        """Mark the order ``PAYERROR`` (WeChat sends no notification for it: the list is empty)."""
        return self._replies("POST", "/__sandbox__/fail", {"out_trade_no": out_trade_no})

    def payment(self, out_trade_no: str) -> dict:
        """The order: ``state`` (WeChat ``trade_state``), ``amount`` (Decimal yuan), ``notify_url``, ids…"""
        data = self._control("GET", f"/__sandbox__/payments/{out_trade_no}")
        return {**data, "amount": Decimal(data["amount"])}

    def refunds(self, out_trade_no: str) -> list[dict]:
        """The order's refunds: ``out_refund_no``, ``amount`` (Decimal yuan), ``state`` (WeChat status)…"""
        data = self._control("GET", f"/__sandbox__/payments/{out_trade_no}/refunds")
        return [{**r, "amount": Decimal(r["amount"])} for r in data["refunds"]]

    def splits(self, out_trade_no: str) -> list[dict]:
        """The order's splits: ``out_split_no``, ``state``, ``receivers`` and ``returns`` (amounts Decimal)."""
        data = self._control("GET", f"/__sandbox__/payments/{out_trade_no}/splits")
        return [{**s, "receivers": [{**r, "amount": Decimal(r["amount"])} for r in s["receivers"]],
                 "returns": [{**r, "amount": Decimal(r["amount"])} for r in s["returns"]]} for s in data["splits"]]

    def close(self) -> None:
        """Stop pending notifications and the server."""
        for timer in list(self._timers):
            timer.join(timeout=5)
        self.server.close()

    def __enter__(self) -> "WechatPaySandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ more controls

    def set_refund(self, out_refund_no: str, status: str = "SUCCESS") -> list[Reply]:
        """Move a refund to ``SUCCESS`` / ``ABNORMAL`` / ``CLOSED`` and post ``REFUND.<status>``."""
        return self._replies("POST", "/__sandbox__/refund", {"out_refund_no": out_refund_no, "status": status})

    def finish_split(self, out_split_no: str, result: str = "SUCCESS") -> list[Reply]:
        """Finish a PROCESSING split (receivers ``SUCCESS`` or ``CLOSED``); posts ``PROFITSHARING.SUCCESS``."""
        return self._replies("POST", "/__sandbox__/split", {"out_split_no": out_split_no, "result": result})

    def finish_split_return(self, out_return_no: str, result: str = "SUCCESS") -> None:
        """Finish a PROCESSING split return (``SUCCESS`` or ``FAILED``)."""
        self._control("POST", "/__sandbox__/split-return", {"out_return_no": out_return_no, "result": result})

    def probe(self, url: str) -> Reply:
        """Post one ``WECHATPAY/SIGNTEST/`` probe (a well-formed envelope, deliberately bad signature)."""
        return self._replies("POST", "/__sandbox__/probe", {"url": url})[0]

    def check_pay_sign(self, params: dict) -> bool:
        """Whether ``wx.requestPayment`` parameters are signed by the merchant key for a known prepay_id."""
        data = self._control("POST", "/__sandbox__/paysign", {"params": params})
        return bool(data["valid"] and data["prepay_id_known"])

    def wait_deliveries(self, count: int, timeout: float = 5.0) -> list[Reply]:
        """Wait until at least ``count`` notifications were delivered in all; every reply so far."""
        deadline = time.monotonic() + timeout
        while len(self.delivery.replies) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.delivery.replies)

    def _control(self, method: str, path: str, payload: dict | None = None) -> dict:
        response = self._http.request(method, self.url + path, json=payload, timeout=30)
        if response.status_code != 200:
            raise LookupError(f"sandbox {path}: HTTP {response.status_code} {response.text}")
        return response.json()

    def _replies(self, method: str, path: str, payload: dict) -> list[Reply]:
        return [Reply(r["url"], r["status"], base64.b64decode(r["body"]), r["at"])
                for r in self._control(method, path, payload)["replies"]]

    # ------------------------------------------------------------------ documents (callers hold the lock)

    def transaction_doc(self, order: dict) -> dict:
        """The order as WeChat's transaction document."""
        doc: dict[str, Any] = {"appid": order["appid"], "mchid": order["mchid"], "out_trade_no": order["out_trade_no"],
                               "trade_type": "JSAPI", "trade_state": order["trade_state"],
                               "trade_state_desc": order["trade_state_desc"], "attach": order["attach"],
                               "payer": {"openid": order["openid"]},
                               "amount": {"total": order["total"], "currency": "CNY", "payer_currency": "CNY"}}
        if order["transaction_id"]:
            doc.update(transaction_id=order["transaction_id"], bank_type="OTHERS", success_time=order["success_time"])
            doc["amount"]["payer_total"] = order["total"]
        return doc

    def refund_doc(self, record: dict) -> dict:
        """A refund as the refund API answers it."""
        doc = {"refund_id": record["refund_id"], "out_refund_no": record["out_refund_no"],
               "transaction_id": record["transaction_id"], "out_trade_no": record["out_trade_no"],
               "channel": "ORIGINAL", "user_received_account": "支付用户零钱", "create_time": record["create_time"],
               "status": record["status"], "funds_account": "AVAILABLE",
               "amount": {"total": record["total"], "refund": record["refund"], "payer_total": record["total"],
                          "payer_refund": record["refund"], "settlement_total": record["total"],
                          "settlement_refund": record["refund"], "discount_refund": 0, "currency": "CNY"}}
        if record["success_time"]:
            doc["success_time"] = record["success_time"]
        return doc

    def refund_resource(self, record: dict) -> dict:
        """A refund as a ``REFUND.*`` notification's decrypted resource."""
        doc = {"mchid": self.mchid, "out_trade_no": record["out_trade_no"], "transaction_id": record["transaction_id"],
               "out_refund_no": record["out_refund_no"], "refund_id": record["refund_id"],
               "refund_status": record["status"], "user_received_account": "支付用户零钱",
               "amount": {"total": record["total"], "refund": record["refund"], "payer_total": record["total"],
                          "payer_refund": record["refund"]}}
        if record["success_time"]:
            doc["success_time"] = record["success_time"]
        return doc

    def set_refund_status(self, record: dict, status: str) -> None:
        """Move a refund (SUCCESS also marks the order ``REFUND``)."""
        record["status"] = status
        if status == "SUCCESS":
            record["success_time"] = now_rfc3339()
            order = self.orders[record["out_trade_no"]]
            order["trade_state"], order["trade_state_desc"] = "REFUND", "转入退款"

    def split_doc(self, record: dict) -> dict:
        """A split order as the profit-sharing API answers it."""
        return {"transaction_id": record["transaction_id"], "out_order_no": record["out_order_no"],
                "order_id": record["order_id"], "state": record["state"],
                "receivers": [{k: r[k] for k in RECEIVER_FIELDS} for r in record["receivers"]]}

    def return_doc(self, record: dict) -> dict:
        """A split return as the return-orders API answers it."""
        return {"order_id": record["order_id"], "out_order_no": record["out_order_no"],
                "out_return_no": record["out_return_no"], "return_id": record["return_id"],
                "return_mchid": record["account"], "amount": record["amount"], "description": record["description"],
                "result": record["result"], "fail_reason": record["fail_reason"],
                "create_time": record["create_time"], "finish_time": record["finish_time"]}

    def finish_split_record(self, record: dict, result: str) -> None:
        """Finish a split: pending receivers get ``result``; ``unfreeze_unsplit`` releases the rest."""
        record["state"] = "FINISHED"
        for receiver in record["receivers"]:
            if receiver["result"] == "PENDING":
                receiver["result"], receiver["finish_time"] = result, now_rfc3339()
                if result == "CLOSED":
                    receiver["fail_reason"] = "ACCOUNT_ABNORMAL"
        if record["finish"]:
            self.orders[record["out_trade_no"]]["unfrozen"] = True

    # ------------------------------------------------------------------ signing and notifications

    def sign_headers(self, body: bytes, *, notification: bool = False) -> dict[str, str]:
        """``Wechatpay-*`` headers over ``body``, honouring ``bad_signature``, ``stale_timestamp``, ``probe``."""
        timestamp = int(time.time()) - (600 if self.faults.get("stale_timestamp") else 0)
        key = self.wrong_key if self.faults.get("bad_signature") else self.platform_key
        headers = signing.signed_headers(key, self.platform_key_id, body, str(timestamp), signing.new_nonce())
        if notification and self.faults.get("probe"):
            headers["Wechatpay-Signature"] = probe_signature()
        return headers

    def notification(self, event_type: str, resource: dict) -> tuple[bytes, dict[str, str]]:
        """The body and headers of one notification (encrypted resource, signed envelope), knobs applied."""
        resource = json.loads(json.dumps(resource))
        if self.faults.get("tamper_amount"):
            amount = resource.get("amount") or resource.get("receiver") or {}
            for name in ("total", "payer_total", "refund", "payer_refund", "amount"):
                if isinstance(amount.get(name), int):
                    amount[name] += 1
        original_type = ORIGINAL_TYPES[event_type.split(".")[0]]
        nonce = signing.new_nonce(12)
        ciphertext = signing.aes_gcm_encrypt(self.apiv3_key, nonce, original_type,
                                             json.dumps(resource, ensure_ascii=False).encode())
        if self.faults.get("tamper_ciphertext"):
            raw = bytearray(base64.b64decode(ciphertext))
            raw[0] ^= 0x01
            ciphertext = base64.b64encode(bytes(raw)).decode()
        envelope = {"id": str(uuid.uuid4()), "create_time": now_rfc3339(), "resource_type": "encrypt-resource",
                    "event_type": event_type, "summary": SUMMARIES.get(event_type, event_type),
                    "resource": {"original_type": original_type, "algorithm": "AEAD_AES_256_GCM",
                                 "ciphertext": ciphertext, "associated_data": original_type, "nonce": nonce}}
        body = json.dumps(envelope, ensure_ascii=False).encode()
        return body, {"Content-Type": "application/json", **self.sign_headers(body, notification=True)}

    def notify(self, url: str, event_type: str, resource: dict, *, copies: int = 1,
               concurrent: bool = False) -> list[Reply]:
        """Post one notification (the same bytes ``copies`` times) to ``url``; our replies."""
        body, headers = self.notification(event_type, resource)
        return self.delivery.post_copies(url, body, headers, copies=copies, concurrent=concurrent)

    def notify_later(self, url: str, event_type: str, resource: dict) -> None:
        """Post a notification shortly, after the current API reply went out (as WeChat does)."""
        timer = threading.Timer(0.05, self.notify, args=(url, event_type, resource))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def split_resources(self, record: dict) -> list[dict]:
        """One ``PROFITSHARING.SUCCESS`` resource per receiver of a fully successful split (else none)."""
        if record["unfreeze"] or any(r["result"] != "SUCCESS" for r in record["receivers"]):
            return []
        return [{"mchid": self.mchid, "transaction_id": record["transaction_id"], "order_id": record["order_id"],
                 "out_order_no": record["out_order_no"], "success_time": r["finish_time"],
                 "receiver": {"type": r["type"], "account": r["account"], "amount": r["amount"],
                              "description": r["description"]}} for r in record["receivers"]]

    def notify_split_later(self, record: dict) -> None:
        """Post the split's ``PROFITSHARING.SUCCESS`` notifications to its payment's notify_url, shortly.

        WeChat takes the profit-sharing notify URL from the merchant console, not from the request."""
        with self.lock:
            url = self.orders[record["out_trade_no"]]["notify_url"]
            resources = self.split_resources(record)
        for resource in resources:
            self.notify_later(url, "PROFITSHARING.SUCCESS", resource)

