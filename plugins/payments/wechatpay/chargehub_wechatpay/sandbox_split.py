"""The sandbox's profit-sharing (分账) routes: receivers, split orders, returns, unfreeze.

Rules kept: the payment must be paid and created with ``settle_info.profit_sharing``; all splits of a
payment together stay within ``sandbox.max_split_ratio`` of its total; a receiver that was never added
ends ``CLOSED`` with ``NO_RELATION``; receiver names arrive RSA-OAEP encrypted with the platform key and
need the ``Wechatpay-Serial`` header; a return takes back at most what the merchant receiver got.
"""
from __future__ import annotations

import re
import secrets
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from flask import Flask, request

from chargehub_wechatpay import signing
from chargehub_wechatpay.sandbox_api import PAID_STATES, ApiError, body_json, json_reply, need, now_rfc3339, param_error

if TYPE_CHECKING:  # pragma: no cover
    from chargehub_wechatpay.testing import WechatPaySandbox

OUT_ORDER_NO = re.compile(r"^[0-9A-Za-z_\-|*@]{1,64}$")
RECEIVER_TYPES = ("MERCHANT_ID", "PERSONAL_OPENID")
RELATIONS = ("STORE", "STAFF", "STORE_OWNER", "PARTNER", "HEADQUARTER", "BRAND", "DISTRIBUTOR", "USER", "SUPPLIER",
             "CUSTOM")


def _decrypted_name(sandbox: "WechatPaySandbox", value: str) -> str:
    if request.headers.get("Wechatpay-Serial") != sandbox.platform_key_id:
        raise param_error("加密字段须带 Wechatpay-Serial 平台公钥 ID (Wechatpay-Serial must name the platform key)")
    try:
        return signing.oaep_decrypt(sandbox.platform_key, value)
    except ValueError:
        raise param_error("name 解密失败 (name does not decrypt with the platform key)") from None


def _paid_split_order(sandbox: "WechatPaySandbox", transaction_id: str) -> dict:
    order = next((o for o in sandbox.orders.values() if o["transaction_id"] == transaction_id and transaction_id), None)
    if order is None:
        raise ApiError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
    if order["trade_state"] not in PAID_STATES or not order["profit_sharing"]:
        raise ApiError(400, "INVALID_REQUEST", "订单未支付或下单时未设置分账 (not paid, or not created for profit sharing)")
    if order["unfrozen"]:
        raise ApiError(400, "INVALID_REQUEST", "订单剩余资金已解冻 (the order's funds are already unfrozen)")
    return order


def install_split_routes(app: Flask, sandbox: "WechatPaySandbox") -> None:
    """``/v3/profitsharing/…``: receivers/add, orders (+ query), return-orders (+ query), orders/unfreeze."""

    @app.post("/v3/profitsharing/receivers/add")
    def add_receiver():
        data = body_json()
        if need(data, "appid") != sandbox.appid:
            raise ApiError(400, "APPID_MCHID_NOT_MATCH", "appid 与商户号不匹配")
        kind = need(data, "type")
        if kind not in RECEIVER_TYPES:
            raise param_error("type 须为 MERCHANT_ID 或 PERSONAL_OPENID")
        account = need(data, "account", max_len=64)
        if need(data, "relation_type") not in RELATIONS:
            raise param_error("relation_type 无效")
        if kind == "MERCHANT_ID" and not data.get("name"):
            raise param_error("商户分账方须提供 name (a merchant receiver needs its name)")
        name = _decrypted_name(sandbox, data["name"]) if data.get("name") else ""
        with sandbox.lock:
            sandbox.receivers[(kind, account)] = {"type": kind, "account": account, "name": name,
                                                  "relation_type": data["relation_type"]}
        return json_reply({"type": kind, "account": account, "name": data.get("name", ""),
                           "relation_type": data["relation_type"]})

    @app.post("/v3/profitsharing/orders")
    def create_split():
        data = body_json()
        if need(data, "appid") != sandbox.appid:
            raise ApiError(400, "APPID_MCHID_NOT_MATCH", "appid 与商户号不匹配")
        transaction_id = need(data, "transaction_id")
        out_order_no = need(data, "out_order_no", pattern=OUT_ORDER_NO)
        receivers = need(data, "receivers", list)
        if not 1 <= len(receivers) <= 50:
            raise param_error("receivers 须为 1–50 个")
        wanted = []
        for item in receivers:
            if not isinstance(item, dict) or item.get("type") not in RECEIVER_TYPES:
                raise param_error("receivers[].type 无效")
            if item.get("name"):
                _decrypted_name(sandbox, item["name"])
            wanted.append({"type": item["type"], "account": need(item, "account", max_len=64),
                           "amount": need(item, "amount", int), "description": need(item, "description", max_len=80)})
        with sandbox.lock:
            existing = sandbox.split_records.get(out_order_no)
            if existing is not None:
                return json_reply(sandbox.split_doc(existing))
            order = _paid_split_order(sandbox, transaction_id)
            already = sum(r["amount"] for s in sandbox.split_records.values()
                          if s["out_trade_no"] == order["out_trade_no"] and not s["unfreeze"] for r in s["receivers"])
            limit = int((Decimal(order["total"]) * sandbox.max_split_ratio).to_integral_value(ROUND_FLOOR))
            if already + sum(r["amount"] for r in wanted) > limit:
                raise ApiError(400, "INVALID_REQUEST", f"分账金额超出最大分账比例 (splits would exceed {limit} fen, "
                                                       f"{sandbox.max_split_ratio} of the total)")
            record = {"out_order_no": out_order_no, "order_id": f"3008{secrets.randbelow(10**24):024d}",
                      "transaction_id": transaction_id, "out_trade_no": order["out_trade_no"], "state": "PROCESSING",
                      "unfreeze": False, "finish": bool(data.get("unfreeze_unsplit")), "returns": [],
                      "receivers": [{**r, "result": "PENDING", "fail_reason": "", "create_time": now_rfc3339(),
                                     "finish_time": "", "detail_id": f"3601{secrets.randbelow(10**24):024d}"}
                                    for r in wanted]}
            for receiver in record["receivers"]:
                if (receiver["type"], receiver["account"]) not in sandbox.receivers:
                    receiver["result"], receiver["fail_reason"] = "CLOSED", "NO_RELATION"
            sandbox.split_records[out_order_no] = record
            auto = bool(sandbox.faults.get("auto_split", True))
            if auto:
                sandbox.finish_split_record(record, "SUCCESS")
            reply = json_reply(sandbox.split_doc(record))
        if auto:
            sandbox.notify_split_later(record)
        return reply

    @app.get("/v3/profitsharing/orders/<out_order_no>")
    def query_split(out_order_no: str):
        with sandbox.lock:
            record = sandbox.split_records.get(out_order_no)
            if record is None or record["transaction_id"] != request.args.get("transaction_id"):
                raise ApiError(404, "RESOURCE_NOT_EXISTS", "分账单不存在")
            return json_reply(sandbox.split_doc(record))

    @app.post("/v3/profitsharing/orders/unfreeze")
    def unfreeze():
        data = body_json()
        transaction_id, out_order_no = need(data, "transaction_id"), need(data, "out_order_no", pattern=OUT_ORDER_NO)
        need(data, "description", max_len=80)
        with sandbox.lock:
            existing = sandbox.split_records.get(out_order_no)
            if existing is not None:
                return json_reply(sandbox.split_doc(existing))
            order = _paid_split_order(sandbox, transaction_id)
            split = sum(r["amount"] for s in sandbox.split_records.values()
                        if s["out_trade_no"] == order["out_trade_no"]
                        for r in s["receivers"] if r["result"] != "CLOSED")
            order["unfrozen"] = True
            record = {"out_order_no": out_order_no, "order_id": f"3008{secrets.randbelow(10**24):024d}",
                      "transaction_id": transaction_id, "out_trade_no": order["out_trade_no"], "state": "FINISHED",
                      "unfreeze": True, "finish": True, "returns": [],
                      "receivers": [{"type": "MERCHANT_ID", "account": sandbox.mchid, "amount": order["total"] - split,
                                     "description": "解冻给分账方", "result": "SUCCESS", "fail_reason": "",
                                     "create_time": now_rfc3339(), "finish_time": now_rfc3339(),
                                     "detail_id": f"3601{secrets.randbelow(10**24):024d}"}]}
            sandbox.split_records[out_order_no] = record
            return json_reply(sandbox.split_doc(record))

    @app.post("/v3/profitsharing/return-orders")
    def create_return():
        data = body_json()
        out_return_no = need(data, "out_return_no", pattern=OUT_ORDER_NO)
        account = need(data, "return_mchid", max_len=32)
        amount = need(data, "amount", int)
        need(data, "description", max_len=80)
        with sandbox.lock:
            existing = sandbox.return_records.get(out_return_no)
            if existing is not None:
                return json_reply(sandbox.return_doc(existing))
            split = sandbox.split_records.get(data.get("out_order_no", "")) or next(
                (s for s in sandbox.split_records.values() if s["order_id"] == data.get("order_id")), None)
            if split is None:
                raise ApiError(404, "RESOURCE_NOT_EXISTS", "分账单不存在")
            share = next((r for r in split["receivers"] if r["type"] == "MERCHANT_ID" and r["account"] == account
                          and r["result"] == "SUCCESS"), None)
            if share is None:
                raise ApiError(400, "INVALID_REQUEST", "回退方未成功分得该单 (the receiver got no share of this split)")
            returned = sum(r["amount"] for r in split["returns"] if r["account"] == account and r["result"] != "FAILED")
            if returned + amount > share["amount"]:
                raise ApiError(400, "INVALID_REQUEST", "回退金额超过分账金额 (returns would exceed the share)")
            record = {"out_return_no": out_return_no, "return_id": f"3008{secrets.randbelow(10**24):024d}",
                      "out_order_no": split["out_order_no"], "order_id": split["order_id"], "account": account,
                      "amount": amount, "description": data["description"], "result": "PROCESSING",
                      "fail_reason": "", "create_time": now_rfc3339(), "finish_time": ""}
            if sandbox.faults.get("auto_split", True):
                record["result"], record["finish_time"] = "SUCCESS", now_rfc3339()
            split["returns"].append(record)
            sandbox.return_records[out_return_no] = record
            return json_reply(sandbox.return_doc(record))

    @app.get("/v3/profitsharing/return-orders/<out_return_no>")
    def query_return(out_return_no: str):
        with sandbox.lock:
            record = sandbox.return_records.get(out_return_no)
            if record is None or record["out_order_no"] != request.args.get("out_order_no"):
                raise ApiError(404, "RESOURCE_NOT_EXISTS", "回退单不存在")
            return json_reply(sandbox.return_doc(record))
