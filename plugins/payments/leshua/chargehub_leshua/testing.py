"""``LeshuaSandbox``: a fake Leshua on 127.0.0.1 for tests, core's flow tests and bench runs.

It implements :class:`chargehub.testing.sandbox.PaymentSandbox`. At construction it makes a random
10-digit merchant id and random 32-character trade and notify keys, and serves:

- ``POST /cgi-bin/lepos_pay_gateway.cgi``: dispatches on ``service`` (``get_tdcode``, ``query_status``,
  ``close_order``, ``unified_refund``, ``unified_query_refund``); checks our MD5 with the trade key and
  answers an XML ``<leshua>`` signed with the trade key.
- ``POST /api/share-merchant/{bind,multi-apply,multi-query,cancel}``: our *assumed* share-merchant API
  (see :mod:`chargehub_leshua.split`), same signing, JSON replies.
- ``POST /__sandbox__/{pay,fail,refund,split}/<number>`` and ``/__sandbox__/retry``: change state and post
  the XML notification, signed with the *notify* key, to the ``notify_url`` we gave. Exactly ``000000``
  (HTTP 200) acknowledges; anything else keeps the notification in :attr:`LeshuaSandbox.unacknowledged`
  until :meth:`LeshuaSandbox.retry` delivers it again (Leshua's real retry schedule is not public;
  :data:`RETRY_SCHEDULE_S` is informative only).

Knobs (:attr:`LeshuaSandbox.faults`, read on every request): ``bad_signature``, ``tamper_amount``,
``http_500`` (count), ``delay_s``, ``auto_refund`` (default on), ``auto_split`` (default on), plus
Leshua-specific ``sign_empty_values`` (strictness of the empty-values rule, both ways),
``amount_field`` (``"amount"`` or ``"amt"`` in payment notifications) and ``notify_with_trade_key``
(sign notifications with the trade key instead of the notify key).
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any, Mapping

import requests
from flask import Flask, Response, jsonify, request

from chargehub.testing.sandbox import Delivery, PaymentSandbox, Reply, SandboxServer

from chargehub_leshua.sandbox_ledger import (
    PAYMENT_STATES,
    REFUND_STATES,
    SPLIT_STATES,
    Refusal,
    SandboxLedger,
    md5_sign,
    now_text,
    random_key,
    to_xml,
    yuan,
)

GATEWAY_PATH = "/cgi-bin/lepos_pay_gateway.cgi"
SPLIT_PREFIX = "/api/share-merchant"
RETRY_SCHEDULE_S = (15, 15, 30, 180, 1800, 1800, 1800, 3600)
REPLY_SKIP = {"sign", "leshua", "resp_code"}
NOTIFY_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


class LeshuaSandbox(PaymentSandbox):
    """A fake Leshua merchant (see the module docstring for routes and knobs)."""

    def __init__(self, *, sign_empty_values: bool = False, amount_field: str = "amount") -> None:
        self.merchant_id = str(secrets.randbelow(9 * 10**9) + 10**9)
        self.trade_key = random_key()
        self.notify_key = random_key()
        self.faults: dict = {"bad_signature": False, "tamper_amount": False, "http_500": 0, "delay_s": 0,
                             "auto_refund": True, "auto_split": True, "sign_empty_values": sign_empty_values,
                             "amount_field": amount_field, "notify_with_trade_key": False}
        self.ledger = SandboxLedger(self.merchant_id)
        self.delivery = Delivery()
        self.received: list[dict] = []  # every request form that reached the gateway / split routes
        self.unacknowledged: list[dict] = []
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.server = SandboxServer(self._app())
        self.url = self.server.url

    # ------------------------------------------------------------------ PaymentSandbox

    def tenant_settings(self) -> dict:
        """Tenant settings pointing the plugin at this sandbox."""
        return {"base_url": self.url, "gateway_path": GATEWAY_PATH, "split_base_url": self.url,
                "timeout_s": 5.0, "sign_empty_values": bool(self.faults["sign_empty_values"])}

    def station_settings(self) -> dict:
        """The station's 支付配置 for this sandbox's merchant (keys included), split off."""
        return {"merchant_id": self.merchant_id, "trade_key": self.trade_key, "notify_key": self.notify_key,
                "appid": "wx5andb0x000000001", "split_enabled": False, "split_accounts": []}

    def split_station_settings(self, accounts: list[tuple[str, str, str]]) -> dict:
        """Like :meth:`station_settings` with splitting on for ``[(account, name, ratio)]``."""
        return {**self.station_settings(), "split_enabled": True,
                "split_accounts": [{"account": a, "name": n, "ratio": str(r)} for a, n, r in accounts]}

    def pay(self, out_trade_no: str, *, copies: int = 1, concurrent: bool = False) -> list[Reply]:
        """Mark the order paid (status 2) and deliver its notification ``copies`` times."""
        return self._control(f"pay/{out_trade_no}", {"copies": copies, "concurrent": concurrent})

    def fail(self, out_trade_no: str) -> list[Reply]:
        """Mark the order failed (status 8) and notify."""
        return self._control(f"fail/{out_trade_no}", {})

    def finish_refund(self, out_refund_no: str, *, success: bool = True) -> list[Reply]:
        """Move a refund 10 → 11 (or 12) and notify (for ``auto_refund`` off)."""
        return self._control(f"refund/{out_refund_no}", {"success": success})

    def finish_split(self, out_split_no: str, *, success: bool = True) -> list[Reply]:
        """Finish a processing split and notify (for ``auto_split`` off)."""
        return self._control(f"split/{out_split_no}", {"success": success})

    def retry(self) -> list[Reply]:
        """Deliver every unacknowledged notification once more."""
        return self._control("retry", {})

    def payment(self, out_trade_no: str) -> dict:
        """``state`` (contract value), ``status`` (Leshua code), ``amount`` (yuan), ``notify_url``, …"""
        with self.ledger.lock:
            record = dict(self.ledger.payments[out_trade_no])
        return {**record, "state": PAYMENT_STATES[record["status"]], "amount": yuan(record["amount_fen"])}

    def refunds(self, out_trade_no: str) -> list[dict]:
        """The refunds of an order: ``out_refund_no``, ``amount`` (yuan), ``state``, ``status``."""
        with self.ledger.lock:
            rows = [dict(r) for r in self.ledger.refunds.values() if r["third_order_id"] == out_trade_no]
        return [{**r, "out_refund_no": r["merchant_refund_id"], "amount": yuan(r["amount_fen"]),
                 "state": REFUND_STATES[r["status"]]} for r in rows]

    def splits(self, out_trade_no: str) -> list[dict]:
        """The splits of an order: ``out_split_no``, ``state``, ``receivers`` and ``returns`` (yuan)."""
        with self.ledger.lock:
            rows = [json.loads(json.dumps(s)) for s in self.ledger.splits.values()
                    if s["third_order_id"] == out_trade_no]
        return [{**s, "out_split_no": s["share_order_id"], "state": SPLIT_STATES[s["status"]],
                 "receivers": [{**r, "amount": yuan(r["amount_fen"])} for r in s["receivers"]],
                 "returns": [{**r, "out_return_no": r["cancel_id"], "account": r["share_merchant_id"],
                              "amount": yuan(int(r["amount"])), "state": SPLIT_STATES[r["status"]]}
                             for r in s["returns"]]} for s in rows]

    def drain(self, timeout: float = 10.0) -> None:
        """Wait for background notifications (refunds finished by ``auto_refund``) to be delivered."""
        deadline = time.monotonic() + timeout
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        """Stop the server."""
        self.drain()
        self.server.close()

    # ------------------------------------------------------------------ signing and delivery

    def _sign(self, fields: dict, key: str) -> dict:
        if self.faults.get("bad_signature"):
            key = random_key()
        fields["sign"] = md5_sign(fields, key, REPLY_SKIP, bool(self.faults.get("sign_empty_values")))
        return fields

    def _notify(self, url: str, fields: dict, copies: int = 1, concurrent: bool = False) -> list[Reply]:
        key = self.trade_key if self.faults.get("notify_with_trade_key") else self.notify_key
        body = to_xml(self._sign(dict(fields), key))
        replies = self.delivery.post_copies(url, body, NOTIFY_HEADERS, copies=copies, concurrent=concurrent)
        if not any(_acknowledged(r) for r in replies):
            with self._lock:
                self.unacknowledged.append({"url": url, "body": body, "attempts": len(replies),
                                            "next_in_s": RETRY_SCHEDULE_S[0]})
        return replies

    def _payment_notify(self, record: Mapping[str, Any]) -> dict:
        fen = record["amount_fen"] + (1 if self.faults.get("tamper_amount") else 0)
        field = "amt" if self.faults.get("amount_field") == "amt" else "amount"
        return {"error_code": "", field: str(fen), "attach": record["attach"], "bank_type": "CFT",
                "channel_datetime": record["pay_time"], "channel_order_id": record["out_transaction_id"],
                "leshua_order_id": record["leshua_order_id"], "merchant_id": self.merchant_id,
                "openid": record["sub_openid"], "out_transaction_id": record["out_transaction_id"],
                "pay_time": record["pay_time"], "pay_way": "WXZF", "royalty": record["royalty"],
                "settlement_amount": str(fen), "status": record["status"], "sub_openid": record["sub_openid"],
                "third_order_id": record["third_order_id"], "trade_type": "MINIAPP"}

    def _background(self, target, *args) -> None:
        worker = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._workers.append(worker)
        worker.start()

    def _control(self, path: str, payload: dict) -> list[Reply]:
        response = requests.post(f"{self.url}/__sandbox__/{path}", json=payload, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"sandbox control {path}: {response.status_code} {response.text}")
        return [Reply(r["url"], r["status"], r["body"].encode("latin-1")) for r in response.json()["replies"]]

    # ------------------------------------------------------------------ the Flask app

    def _app(self) -> Flask:
        app = Flask("leshua-sandbox")
        app.add_url_rule(GATEWAY_PATH, "gateway", self._gateway, methods=["POST"])
        app.add_url_rule(f"{SPLIT_PREFIX}/<action>", "share", self._share, methods=["POST"])
        app.add_url_rule("/__sandbox__/<action>/<number>", "control", self._control_route, methods=["POST"])
        app.add_url_rule("/__sandbox__/retry", "retry", self._retry_route, methods=["POST"])
        return app

    def _faulty(self) -> Response | None:
        delay = float(self.faults.get("delay_s") or 0)
        if delay:
            time.sleep(delay)
        with self._lock:
            if int(self.faults.get("http_500") or 0) > 0:
                self.faults["http_500"] = int(self.faults["http_500"]) - 1
                return Response("internal error", status=500)
        return None

    def _checked_form(self) -> tuple[dict, dict | None]:
        """The request form and, when it must be refused before any business rule, the error fields."""
        form = request.form.to_dict()
        self.received.append({"path": request.path, **form})
        strict = bool(self.faults.get("sign_empty_values"))
        if str(form.get("sign", "")).upper() != md5_sign(form, self.trade_key, {"sign"}, strict):
            return form, {"resp_code": "1", "resp_msg": "签名错误", "error_code": "SIGN_ERROR"}
        if form.get("merchant_id") != self.merchant_id:
            return form, {"resp_code": "0", "result_code": "1", "error_code": "MERCHANT_NOT_EXIST",
                          "error_msg": "商户不存在"}
        return form, None

    def _gateway(self) -> Response:
        failure = self._faulty()
        if failure is not None:
            return failure
        form, answer = self._checked_form()
        after = None
        if answer is None:
            handlers = {"get_tdcode": self.ledger.get_tdcode, "query_status": self.ledger.query_status,
                        "close_order": self.ledger.close_order,
                        "unified_query_refund": self.ledger.unified_query_refund}
            try:
                if form.get("service") == "unified_refund":
                    fields, refund = self.ledger.unified_refund(form)
                    if self.faults.get("auto_refund", True) and refund["status"] == "10":
                        self.ledger.finish_refund(refund["merchant_refund_id"], True)
                        after = refund
                elif form.get("service") in handlers:
                    fields = handlers[form["service"]](form)
                else:
                    raise Refusal("SERVICE_NOT_SUPPORT", f"不支持的service: {form.get('service')}")
                answer = {"resp_code": "0", "resp_msg": "", "result_code": "0", "error_code": "", "error_msg": "",
                         "merchant_id": self.merchant_id, **fields}
            except Refusal as exc:
                answer = {"resp_code": "0", "resp_msg": "", "result_code": "1", "error_code": exc.code,
                         "error_msg": exc.message}
        reply = self._sign({**answer, "nonce_str": secrets.token_hex(16)}, self.trade_key)
        if after is not None and after["notify_url"]:
            fields = self.ledger.refund_fields(after)
            self._background(self._notify, after["notify_url"], {**fields, "nonce_str": secrets.token_hex(16)})
        return Response(to_xml(reply), content_type="text/xml; charset=utf-8")

    def _share(self, action: str) -> Response:
        failure = self._faulty()
        if failure is not None:
            return failure
        form, answer = self._checked_form()
        if answer is None:
            handlers = {"bind": self.ledger.bind, "multi-query": self.ledger.query_split,
                        "cancel": self.ledger.cancel_split,
                        "multi-apply": lambda f: self.ledger.apply_split(f, bool(self.faults.get("auto_split", True)))}
            try:
                if action not in handlers:
                    raise Refusal("NOT_FOUND", f"unknown share-merchant action {action}")
                answer = {"resp_code": "0", "result_code": "0", "error_code": "", "error_msg": "",
                         **handlers[action](form)}
            except Refusal as exc:
                answer = {"resp_code": "0", "result_code": "1", "error_code": exc.code, "error_msg": exc.message}
        return jsonify(self._sign({**answer, "nonce_str": secrets.token_hex(16)}, self.trade_key))

    def _control_route(self, action: str, number: str) -> Response:
        payload = request.get_json(silent=True) or {}
        ledger = self.ledger
        with ledger.lock:
            if action in ("pay", "fail"):
                record = ledger.payments.get(number)
                if record is None or record["status"] not in ("0", "2" if action == "pay" else "0"):
                    return Response(f"order {number} cannot be {action}ed", status=409)
                if action == "pay":
                    if record["status"] == "0":
                        record.update(status="2", pay_time=now_text(), out_transaction_id="42" + secrets.token_hex(12))
                else:
                    record["status"] = "8"
                url, fields = record["notify_url"], self._payment_notify(record)
            elif action == "refund" and number in ledger.refunds:
                refund = ledger.finish_refund(number, bool(payload.get("success", True)))
                url, fields = refund["notify_url"], {**ledger.refund_fields(refund), "nonce_str": secrets.token_hex(16)}
            elif action == "split" and number in ledger.splits:
                split = ledger.splits[number]
                if split["status"] == "0":
                    split["status"] = "1" if payload.get("success", True) else "2"
                url, fields = split["notify_url"], {**ledger.split_fields(split), "nonce_str": secrets.token_hex(16)}
            else:
                return Response(f"nothing to {action}: {number}", status=404)
        replies = self._notify(url, fields, int(payload.get("copies", 1)), bool(payload.get("concurrent")))
        return jsonify(replies=[_reply_json(r) for r in replies])

    def _retry_route(self) -> Response:
        with self._lock:
            pending, self.unacknowledged = self.unacknowledged, []
        replies, still = [], []
        for item in pending:
            reply = self.delivery.post(item["url"], item["body"], NOTIFY_HEADERS)
            replies.append(reply)
            if not _acknowledged(reply):
                attempts = item["attempts"] + 1
                still.append({**item, "attempts": attempts,
                              "next_in_s": RETRY_SCHEDULE_S[min(attempts - 1, len(RETRY_SCHEDULE_S) - 1)]})
        with self._lock:
            self.unacknowledged.extend(still)
        return jsonify(replies=[_reply_json(r) for r in replies])


def _acknowledged(reply: Reply) -> bool:
    return reply.status == 200 and reply.body == b"000000"


def _reply_json(reply: Reply) -> dict:
    return {"url": reply.url, "status": reply.status, "body": reply.body.decode("latin-1")}
