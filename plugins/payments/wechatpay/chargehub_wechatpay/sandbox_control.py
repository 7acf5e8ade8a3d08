"""The sandbox's control routes under ``/__sandbox__/`` (tests only; never signed, never authenticated).

They change the sandbox's state the way a payer or WeChat would and post the resulting notification
to the stored ``notify_url``; replies come back as ``{"replies": [{url, status, body (Base64), at}]}``.
"""
from __future__ import annotations

import base64
import json
import secrets
from typing import TYPE_CHECKING

from flask import Flask, jsonify, request

from chargehub.testing.sandbox import Reply
from chargehub_wechatpay import signing
from chargehub_wechatpay.money import from_fen
from chargehub_wechatpay.sandbox_api import now_rfc3339

if TYPE_CHECKING:  # pragma: no cover
    from chargehub_wechatpay.testing import WechatPaySandbox


def _yuan(fen: int) -> str:
    return str(from_fen(fen))


def _replies(replies: list[Reply]):
    return jsonify(replies=[{"url": r.url, "status": r.status, "body": base64.b64encode(r.body).decode(), "at": r.at}
                            for r in replies])


def _problem(status: int, message: str):
    return jsonify(error=message), status


def install_control_routes(app: Flask, sandbox: "WechatPaySandbox") -> None:
    """pay, fail, refund, split, split-return, probe, paysign and the read-only record views."""

    @app.post("/__sandbox__/pay")
    def pay():
        data = request.get_json(force=True)
        with sandbox.lock:
            order = sandbox.orders.get(data.get("out_trade_no", ""))
            if order is None:
                return _problem(404, "no such order")
            if order["trade_state"] in ("CLOSED", "PAYERROR"):
                return _problem(409, f"order is {order['trade_state']}")
            if not order["transaction_id"]:
                order["transaction_id"] = f"4200{secrets.randbelow(10**24):024d}"
                order["success_time"] = now_rfc3339()
                order["trade_state"], order["trade_state_desc"] = "SUCCESS", "支付成功"
            resource = sandbox.transaction_doc(order)
            resource["trade_state"], resource["trade_state_desc"] = "SUCCESS", "支付成功"
            url = order["notify_url"]
        return _replies(sandbox.notify(url, "TRANSACTION.SUCCESS", resource, copies=int(data.get("copies", 1)),
                                       concurrent=bool(data.get("concurrent", False))))

    @app.post("/__sandbox__/fail")
    def fail():
        data = request.get_json(force=True)
        with sandbox.lock:
            order = sandbox.orders.get(data.get("out_trade_no", ""))
            if order is None:
                return _problem(404, "no such order")
            if order["trade_state"] not in ("NOTPAY", "USERPAYING"):
                return _problem(409, f"order is {order['trade_state']}")
            order["trade_state"], order["trade_state_desc"] = "PAYERROR", "支付失败，请重新下单支付"
        return _replies([])

    @app.post("/__sandbox__/refund")
    def refund():
        data = request.get_json(force=True)
        status = data.get("status", "SUCCESS")
        if status not in ("SUCCESS", "ABNORMAL", "CLOSED"):
            return _problem(400, "status must be SUCCESS, ABNORMAL or CLOSED")
        with sandbox.lock:
            record = sandbox.refund_records.get(data.get("out_refund_no", ""))
            if record is None:
                return _problem(404, "no such refund")
            sandbox.set_refund_status(record, status)
            resource, url = sandbox.refund_resource(record), record["notify_url"]
        return _replies(sandbox.notify(url, f"REFUND.{status}", resource) if url else [])

    @app.post("/__sandbox__/split")
    def split():
        data = request.get_json(force=True)
        result = data.get("result", "SUCCESS")
        if result not in ("SUCCESS", "CLOSED"):
            return _problem(400, "result must be SUCCESS or CLOSED")
        with sandbox.lock:
            record = sandbox.split_records.get(data.get("out_split_no", ""))
            if record is None:
                return _problem(404, "no such split")
            sandbox.finish_split_record(record, result)
            url = sandbox.orders[record["out_trade_no"]]["notify_url"]
            resources = sandbox.split_resources(record)
        replies: list[Reply] = []
        for resource in resources:
            replies += sandbox.notify(url, "PROFITSHARING.SUCCESS", resource)
        return _replies(replies)

    @app.post("/__sandbox__/split-return")
    def split_return():
        data = request.get_json(force=True)
        with sandbox.lock:
            record = sandbox.return_records.get(data.get("out_return_no", ""))
            if record is None:
                return _problem(404, "no such return")
            if record["result"] == "PROCESSING":
                record["result"], record["finish_time"] = data.get("result", "SUCCESS"), now_rfc3339()
                if record["result"] == "FAILED":
                    record["fail_reason"] = "BALANCE_NOT_ENOUGH"
        return jsonify(result=record["result"])

    @app.post("/__sandbox__/probe")
    def probe():
        data = request.get_json(force=True)
        body, headers = sandbox.notification("TRANSACTION.SUCCESS", {"mchid": sandbox.mchid, "probe": True})
        headers["Wechatpay-Signature"] = signing.SIGNTEST_PREFIX + base64.b64encode(secrets.token_bytes(256)).decode()
        return _replies([sandbox.delivery.post(data["url"], body, headers)])

    @app.post("/__sandbox__/paysign")
    def paysign():
        params = (request.get_json(force=True) or {}).get("params") or {}
        valid = signing.pay_sign_valid(sandbox.merchant_key.public_key(), params)
        package = str(params.get("package", ""))
        with sandbox.lock:
            known = any(f"prepay_id={o['prepay_id']}" == package for o in sandbox.orders.values())
        return jsonify(valid=valid and params.get("appId") == sandbox.appid, prepay_id_known=known)

    @app.get("/__sandbox__/payments/<out_trade_no>")
    def payment(out_trade_no: str):
        with sandbox.lock:
            order = sandbox.orders.get(out_trade_no)
            if order is None:
                return _problem(404, "no such order")
            view = {k: order[k] for k in ("out_trade_no", "notify_url", "transaction_id", "prepay_id", "openid",
                                          "description", "profit_sharing", "unfrozen", "attach")}
            return jsonify(state=order["trade_state"], amount=_yuan(order["total"]), **view)

    @app.get("/__sandbox__/payments/<out_trade_no>/refunds")
    def refunds(out_trade_no: str):
        with sandbox.lock:
            rows = [{"out_refund_no": r["out_refund_no"], "refund_id": r["refund_id"], "amount": _yuan(r["refund"]),
                     "state": r["status"], "notify_url": r["notify_url"], "reason": r["reason"]}
                    for r in sandbox.refund_records.values() if r["out_trade_no"] == out_trade_no]
        return jsonify(refunds=rows)

    @app.get("/__sandbox__/payments/<out_trade_no>/splits")
    def splits(out_trade_no: str):
        with sandbox.lock:
            rows = [{"out_split_no": s["out_order_no"], "order_id": s["order_id"], "state": s["state"],
                     "unfreeze": s["unfreeze"],
                     "receivers": [{"account": r["account"], "type": r["type"], "amount": _yuan(r["amount"]),
                                    "result": r["result"], "fail_reason": r["fail_reason"]} for r in s["receivers"]],
                     "returns": [{"out_return_no": b["out_return_no"], "account": b["account"],
                                  "amount": _yuan(b["amount"]), "state": b["result"]} for b in s["returns"]]}
                    for s in sandbox.split_records.values() if s["out_trade_no"] == out_trade_no]
        return jsonify(splits=json.loads(json.dumps(rows)))
