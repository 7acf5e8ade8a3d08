"""The fake Tianque's business handlers and Flask app (API paths plus ``/__sandbox__/`` control routes)."""
from __future__ import annotations

import base64
import secrets
import time
from decimal import Decimal
from typing import Callable

from flask import Flask, Response, jsonify, request

from chargehub_suixingfu.sandbox_app import (
    NO_RE,
    BizError,
    TianqueState,
    amount,
    need,
    new_id,
    now_text,
)
from chargehub_suixingfu.schemas import LEDGER_PATHS

class Handlers:
    """One method per Tianque path; each takes reqData and returns respData fields (or raises BizError)."""

    def __init__(self, state: TianqueState, deliver_later: Callable[[dict], None]) -> None:
        self.state = state
        self.deliver_later = deliver_later

    def _payment(self, req: dict, no_key: str = "origOrderNo", uuid_key: str = "origUuid") -> dict:
        pays = self.state.payments
        pay = pays.get(req.get(no_key) or "") or next(
            (p for p in pays.values() if req.get(uuid_key) and p["uuid"] == req.get(uuid_key)), None)
        if pay is None:
            raise BizError("2011", "原交易不存在 (no such trade)")
        return pay

    def jsapi_scan(self, req: dict) -> dict:
        """``/order/jsapiScan``: create a mini-program (payWay 03) or JS (02) payment."""
        appid_field = self.state.faults.get("sub_appid_field", "subAppid")
        need(req, "ordNo", "amt", "payType", "payWay", "subject", "userId", "notifyUrl", appid_field)
        if not NO_RE.match(req["ordNo"]):
            raise BizError("2010", "ordNo 格式错误")
        amt = amount(req["amt"], "amt")
        if req["payType"] != "WECHAT" or req["payWay"] not in ("02", "03"):
            raise BizError("2010", "沙箱只支持 WECHAT 02/03")
        flag = req.get("ledgerAccountFlag", "01")
        if flag not in ("00", "01"):
            raise BizError("2010", "ledgerAccountFlag 只能是 00 或 01")
        if flag == "00" and not (str(req.get("ledgerAccountEffectTime", "")).isdigit()
                                 and 1 <= int(req["ledgerAccountEffectTime"]) <= 30):
            raise BizError("2010", "ledgerAccountEffectTime 应为 1-30")
        old = self.state.payments.get(req["ordNo"])
        if old is not None:
            if old["amount"] != amt or old["state"] != "PAYING":
                raise BizError("2014", "订单号重复 (ordNo reused)")
            return old["resp"]
        prepay = "wx" + secrets.token_hex(14)
        pay = {"ordNo": req["ordNo"], "uuid": new_id("U"), "sxfUuid": new_id("S"), "amount": amt,
               "state": "PAYING", "notify_url": req["notifyUrl"], "user_id": req["userId"],
               "sub_appid": req[appid_field], "ledger_flag": flag, "subject": req["subject"]}
        pay["resp"] = {
            "ordNo": pay["ordNo"], "uuid": pay["uuid"], "sxfUuid": pay["sxfUuid"], "prepayId": prepay,
            "payAppId": pay["sub_appid"], "payTimeStamp": str(int(time.time())),
            "paynonceStr": secrets.token_hex(16), "payPackage": f"prepay_id={prepay}", "paySignType": "RSA",
            "paySign": base64.b64encode(secrets.token_bytes(64)).decode(),
        }
        self.state.payments[pay["ordNo"]] = pay
        return pay["resp"]

    def trade_query(self, req: dict) -> dict:
        """``/query/tradeQuery`` by ``ordNo`` (or ``uuid``)."""
        pay = self._payment(req, "ordNo", "uuid")
        return {"ordNo": pay["ordNo"], "uuid": pay["uuid"], "sxfUuid": pay["sxfUuid"], "tranSts": pay["state"],
                "amt": f"{pay['amount']:.2f}", "payTime": pay.get("paid_at", ""), "buyerId": pay["user_id"],
                "payType": "WECHAT", "transactionId": pay.get("transaction_id", "")}

    def close(self, req: dict) -> dict:
        """``/order/close`` (modelled; not in Tianque's public docs)."""
        pay = self._payment(req)
        if pay["state"] in ("SUCCESS", "FAIL"):
            raise BizError("2012", "订单已支付或失败，不能关单")
        pay["state"] = "CLOSED"
        return {"ordNo": pay["ordNo"], "tranSts": "CLOSED"}

    def refund(self, req: dict) -> dict:
        """``/order/refund``: partial refunds allowed up to what is left; ``auto_refund`` finishes at once."""
        need(req, "ordNo", "amt")
        pay = self._payment(req)
        amt = amount(req["amt"], "amt")
        old = self.state.refund_records.get(req["ordNo"])
        if old is not None:
            if old["amount"] != amt or old["out_trade_no"] != pay["ordNo"]:
                raise BizError("2014", "退款单号重复 (refund ordNo reused)")
            return self._refund_resp(old)
        if pay["state"] != "SUCCESS":
            raise BizError("2012", "原交易未成功，不能退款")
        taken = sum((r["amount"] for r in self.state.refund_records.values()
                     if r["out_trade_no"] == pay["ordNo"] and r["state"] != "REFUNDFAIL"), Decimal(0))
        if amt > pay["amount"] - taken:
            raise BizError("2013", f"退款金额超过可退金额 {pay['amount'] - taken:.2f} (over-refund)")
        ref = {"out_refund_no": req["ordNo"], "out_trade_no": pay["ordNo"], "uuid": new_id("R"), "amount": amt,
               "state": "REFUNDING", "notify_url": req.get("notifyUrl", ""), "reason": req.get("refundReason", "")}
        self.state.refund_records[ref["out_refund_no"]] = ref
        if self.state.faults.get("auto_refund", True):
            ref["state"], ref["finished_at"] = "REFUNDSUC", now_text()
            self.deliver_later({"kind": "refund", "key": ref["out_refund_no"]})
        return self._refund_resp(ref)

    @staticmethod
    def _refund_resp(ref: dict) -> dict:
        return {"ordNo": ref["out_refund_no"], "origOrderNo": ref["out_trade_no"], "uuid": ref["uuid"],
                "amt": f"{ref['amount']:.2f}", "tranSts": ref["state"], "refundTime": ref.get("finished_at", "")}

    def refund_query(self, req: dict) -> dict:
        """``/query/refundQuery`` by the refund ``ordNo``: bizCode 2002 while REFUNDING."""
        ref = self.state.refund_records.get(req.get("ordNo") or "")
        if ref is None:
            raise BizError("2011", "退款不存在 (no such refund)")
        if ref["state"] == "REFUNDING":
            raise BizError("2002", "退款处理中")
        return self._refund_resp(ref)

    def launch_ledger(self, req: dict) -> dict:
        """``launchLedger``: split a paid ``ledgerAccountFlag=00`` trade among ``ledgerRule``."""
        need(req, "ordNo", "ledgerRule")
        pay = self._payment(req, "origOrderNo", "uuid")
        rules = req["ledgerRule"]
        if not isinstance(rules, list) or not rules or not all(
                isinstance(r, dict) and str(r.get("mno", "")).isalnum() for r in rules):
            raise BizError("2010", "ledgerRule 格式错误")
        receivers = [{"account": r["mno"], "amount": amount(r.get("allotValue"), "allotValue")} for r in rules]
        total = sum((r["amount"] for r in receivers), Decimal(0))
        old = self.state.split_records.get(req["ordNo"])
        if old is not None:
            if old["receivers"] != receivers:
                raise BizError("2014", "分账单号重复")
            return self._split_resp(old)
        if pay["state"] != "SUCCESS" or pay["ledger_flag"] != "00":
            raise BizError("2012", "交易未成功或未开通分账 (not paid with ledgerAccountFlag 00)")
        done = sum((r["amount"] for s in self.state.split_records.values() if s["out_trade_no"] == pay["ordNo"]
                    and s["state"] != "FAIL" for r in s["receivers"]), Decimal(0))
        if total > pay["amount"] - done:
            raise BizError("2013", "分账金额超过可分金额 (over-split)")
        split = {"out_split_no": req["ordNo"], "out_trade_no": pay["ordNo"], "uuid": new_id("L"),
                 "receivers": receivers, "state": "PROCESSING", "notify_url": req.get("notifyAddress", ""),
                 "returns": []}
        if self.state.faults.get("auto_split", True):
            split["state"] = "SUCCESS"
        self.state.split_records[split["out_split_no"]] = split
        return self._split_resp(split)

    @staticmethod
    def _split_resp(split: dict) -> dict:
        return {"ordNo": split["out_split_no"], "uuid": split["uuid"], "ledgerSts": split["state"]}

    def query_ledger(self, req: dict) -> dict:
        """Query a split by our split ``ordNo`` (assumed API)."""
        split = self.state.split_records.get(req.get("ordNo") or "")
        if split is None:
            raise BizError("2011", "分账不存在")
        return self._split_resp(split)

    def cancel_ledger(self, req: dict) -> dict:
        """Take a receiver's share back (assumed API)."""
        need(req, "ordNo", "origOrdNo", "ledgerRule")
        split = self.state.split_records.get(req["origOrdNo"])
        if split is None:
            raise BizError("2011", "原分账不存在")
        old = self.state.return_records.get(req["ordNo"])
        if old is not None:
            return self._return_resp(old)
        if split["state"] != "SUCCESS":
            raise BizError("2012", "分账未成功，不能回退")
        rules = req["ledgerRule"]
        rule = rules[0] if isinstance(rules, list) and len(rules) == 1 else None
        if not isinstance(rule, dict):
            raise BizError("2010", "ledgerRule 应为一个接收方")
        amt = amount(rule.get("allotValue"), "allotValue")
        share = sum((r["amount"] for r in split["receivers"] if r["account"] == rule.get("mno")), Decimal(0))
        back = sum((r["amount"] for r in split["returns"] if r["account"] == rule.get("mno")
                    and r["state"] != "FAIL"), Decimal(0))
        if share == 0:
            raise BizError("2010", "该接收方不在原分账中")
        if amt > share - back:
            raise BizError("2013", "回退金额超过已分金额 (over-return)")
        ret = {"out_return_no": req["ordNo"], "out_split_no": split["out_split_no"], "uuid": new_id("C"),
               "account": rule["mno"], "amount": amt,
               "state": "SUCCESS" if self.state.faults.get("auto_split", True) else "PROCESSING"}
        split["returns"].append(ret)
        self.state.return_records[ret["out_return_no"]] = ret
        return self._return_resp(ret)

    @staticmethod
    def _return_resp(ret: dict) -> dict:
        return {"ordNo": ret["out_return_no"], "origOrdNo": ret["out_split_no"], "uuid": ret["uuid"],
                "ledgerSts": ret["state"]}

    def query_cancel(self, req: dict) -> dict:
        """Query a split return by its ``ordNo`` (assumed API)."""
        ret = self.state.return_records.get(req.get("ordNo") or "")
        if ret is None:
            raise BizError("2011", "分账回退不存在")
        return self._return_resp(ret)


def build_app(state: TianqueState, handlers: Handlers, control: dict[str, Callable[[dict], list]]) -> Flask:
    """The Flask app: Tianque's paths (with the http_500 / delay_s knobs) and the control routes."""
    app = Flask("tianque_sandbox")
    routes = {
        "/order/jsapiScan": handlers.jsapi_scan,
        "/query/tradeQuery": handlers.trade_query,
        "/order/close": handlers.close,
        "/order/refund": handlers.refund,
        "/query/refundQuery": handlers.refund_query,
        LEDGER_PATHS["ledger_launch_path"]: handlers.launch_ledger,
        LEDGER_PATHS["ledger_query_path"]: handlers.query_ledger,
        LEDGER_PATHS["ledger_return_path"]: handlers.cancel_ledger,
        LEDGER_PATHS["ledger_return_query_path"]: handlers.query_cancel,
    }

    def api_view(path: str, handler: Callable[[dict], dict]):
        def view() -> Response:
            delay = float(state.faults.get("delay_s") or 0)
            if delay:
                time.sleep(delay)
            with state.lock:
                if int(state.faults.get("http_500") or 0) > 0:
                    state.faults["http_500"] = int(state.faults["http_500"]) - 1
                    return Response("internal error", status=500)
            status, body = state.handle(path, request.get_data(as_text=True), handler)
            return Response(body, status=status, content_type="application/json;charset=utf-8")
        return view

    for path, handler in routes.items():
        app.add_url_rule(path, endpoint=path, view_func=api_view(path, handler), methods=["POST"])

    def control_view(name: str):
        def view() -> Response:
            try:
                replies = control[name](request.get_json(force=True) or {})
            except BizError as exc:
                return jsonify({"error": exc.msg}), 404
            return jsonify({"replies": [{"url": r.url, "status": r.status, "at": r.at,
                                         "body": base64.b64encode(r.body).decode()} for r in replies]})
        return view

    for name in control:
        app.add_url_rule(f"/__sandbox__/{name}", endpoint=f"control_{name}", view_func=control_view(name),
                         methods=["POST"])
    return app
