"""The fake Leshua's memory and business rules (used by :mod:`chargehub_leshua.testing`).

Deliberately independent of the plugin's client code: the sandbox signs and verifies with its own few
lines (:func:`md5_sign`), so a mistake in :mod:`chargehub_leshua.signing` shows up as a failed test
rather than being mirrored. Amounts are kept in fen, as Leshua does.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import string
import threading
import time
from decimal import Decimal
from typing import Any, Mapping
from xml.sax.saxutils import escape

ALNUM = re.compile(r"^[A-Za-z0-9]{1,64}$")
PAY_WAYS = {"WXZF", "ZFBZF", "UPSMZF", "DCPAY"}
#: Leshua order and refund codes → the normalized state names the sandbox reports (contract values).
PAYMENT_STATES = {"0": "pending", "2": "paid", "6": "closed", "8": "failed", "10": "paid", "11": "paid", "12": "paid"}
REFUND_STATES = {"10": "processing", "11": "success", "12": "failed"}
SPLIT_STATES = {"0": "processing", "1": "success", "2": "failed"}


class Refusal(Exception):
    """A business refusal: the reply gets ``result_code=1`` with this ``error_code`` / ``error_msg``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def random_key(length: int = 32) -> str:
    """A throw-away key of letters and digits."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


def md5_sign(fields: Mapping[str, Any], key: str, skip: set[str], include_empty: bool) -> str:
    """Leshua's MD5: sorted ``k=v`` joined by ``&``, ``&key=``, upper-case hex."""
    parts = [f"{k}={fields[k]}" for k in sorted(fields)
             if k not in skip and (include_empty or str(fields[k]) != "")]
    return hashlib.md5(("&".join(parts) + "&key=" + key).encode()).hexdigest().upper()


def to_xml(fields: Mapping[str, Any]) -> bytes:
    """A flat ``<leshua>`` document."""
    body = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields.items())
    return f'<?xml version="1.0" encoding="utf-8"?><leshua>{body}</leshua>'.encode()


def now_text() -> str:
    """Beijing time as Leshua writes it."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 8 * 3600))


def _fen(value: Any, name: str) -> int:
    try:
        fen = int(str(value))
    except ValueError:
        raise Refusal("PARAM_ERROR", f"{name}格式错误") from None
    if fen <= 0:
        raise Refusal("PARAM_ERROR", f"{name}必须大于0")
    return fen


def yuan(fen: int) -> Decimal:
    """Fen → yuan (for the sandbox's reports)."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


class SandboxLedger:
    """Payments, refunds, splits and bound receivers of one fake merchant (thread-safe)."""

    def __init__(self, merchant_id: str) -> None:
        self.merchant_id = merchant_id
        self.lock = threading.RLock()
        self.payments: dict[str, dict] = {}
        self.by_leshua_id: dict[str, str] = {}
        self.refunds: dict[str, dict] = {}
        self.splits: dict[str, dict] = {}
        self.bound: dict[str, str] = {}

    # ------------------------------------------------------------------ gateway services

    def get_tdcode(self, form: Mapping[str, str]) -> dict:
        """Create (or return the same) mini-program order."""
        no = form.get("third_order_id", "")
        if not ALNUM.match(no):
            raise Refusal("PARAM_ERROR", "third_order_id须为64位以内字母数字")
        fen = _fen(form.get("amount"), "amount")
        if form.get("pay_way") not in PAY_WAYS:
            raise Refusal("PARAM_ERROR", "pay_way无效")
        if form.get("jspay_flag") in ("1", "3") and not form.get("sub_openid"):
            raise Refusal("PARAM_ERROR", "sub_openid必填")
        if not form.get("notify_url"):
            raise Refusal("PARAM_ERROR", "notify_url必填")
        with self.lock:
            record = self.payments.get(no)
            if record is not None and record["amount_fen"] != fen:
                raise Refusal("ORDER_EXISTS", "订单号重复")
            if record is None:
                record = {"third_order_id": no, "leshua_order_id": "LS" + secrets.token_hex(10), "status": "0",
                          "amount_fen": fen, "notify_url": form["notify_url"], "sub_openid": form.get("sub_openid", ""),
                          "royalty": form.get("royalty", "0"), "appid": form.get("appid", ""),
                          "attach": form.get("attach", ""), "body": form.get("body", ""), "pay_time": "",
                          "jspay_flag": form.get("jspay_flag", ""), "out_transaction_id": ""}
                self.payments[no] = record
                self.by_leshua_id[record["leshua_order_id"]] = no
        info = {"appId": record["appid"] or "wx0000000000sandbox", "timeStamp": str(int(time.time())),
                "nonceStr": secrets.token_hex(16), "package": "prepay_id=wx" + secrets.token_hex(14),
                "signType": "RSA", "paySign": secrets.token_urlsafe(48)}
        return {"leshua_order_id": record["leshua_order_id"], "channel_order_id": "",
                "jspay_info": json.dumps(info, separators=(",", ":"))}

    def order(self, form: Mapping[str, str]) -> dict:
        """The order named by ``leshua_order_id`` (wins) or ``third_order_id``."""
        no = self.by_leshua_id.get(form.get("leshua_order_id", ""), form.get("third_order_id", ""))
        record = self.payments.get(no)
        if record is None:
            raise Refusal("ORDER_NOT_EXIST", "订单不存在")
        return record

    def query_status(self, form: Mapping[str, str]) -> dict:
        """The order's status and amount."""
        with self.lock:
            record = self.order(form)
            return {"third_order_id": record["third_order_id"], "leshua_order_id": record["leshua_order_id"],
                    "status": record["status"], "amount": str(record["amount_fen"]), "pay_time": record["pay_time"],
                    "sub_openid": record["sub_openid"], "pay_way": "WXZF"}

    def close_order(self, form: Mapping[str, str]) -> dict:
        """Close an unpaid order (a closed one stays closed)."""
        with self.lock:
            record = self.order(form)
            if record["status"] not in ("0", "6"):
                raise Refusal("ORDER_STATUS_ERROR", "订单已支付或已失败，不能关闭")
            record["status"] = "6"
            return {"third_order_id": record["third_order_id"], "status": "6"}

    def unified_refund(self, form: Mapping[str, str]) -> tuple[dict, dict]:
        """Accept a refund (status 10); return the reply fields and the refund record."""
        refund_no = form.get("merchant_refund_id", "")
        if not ALNUM.match(refund_no):
            raise Refusal("PARAM_ERROR", "merchant_refund_id须为字母数字（不能含下划线）")
        fen = _fen(form.get("refund_amount"), "refund_amount")
        with self.lock:
            record = self.order(form)
            existing = self.refunds.get(refund_no)
            if existing is not None:
                if existing["amount_fen"] != fen or existing["third_order_id"] != record["third_order_id"]:
                    raise Refusal("REFUND_ID_EXISTS", "退款单号重复")
                return self.refund_fields(existing), existing
            if record["status"] not in ("2", "10", "11"):
                raise Refusal("ORDER_STATUS_ERROR", "订单未支付，不能退款")
            taken = sum(r["amount_fen"] for r in self.refunds.values()
                        if r["third_order_id"] == record["third_order_id"] and r["status"] != "12")
            if taken + fen > record["amount_fen"]:
                raise Refusal("REFUND_AMOUNT_EXCEED", "退款金额超过可退金额")
            refund = {"merchant_refund_id": refund_no, "leshua_refund_id": "LR" + secrets.token_hex(10),
                      "third_order_id": record["third_order_id"], "leshua_order_id": record["leshua_order_id"],
                      "amount_fen": fen, "status": "10", "notify_url": form.get("notify_url", ""),
                      "refund_time": "", "failure_reason": ""}
            self.refunds[refund_no] = refund
            return self.refund_fields(refund), refund

    def unified_query_refund(self, form: Mapping[str, str]) -> dict:
        """Where a refund stands."""
        with self.lock:
            refund = self.refunds.get(form.get("merchant_refund_id", ""))
            if refund is None or refund["third_order_id"] != form.get("third_order_id", refund["third_order_id"]):
                raise Refusal("REFUND_NOT_EXIST", "退款单不存在")
            return self.refund_fields(refund)

    def finish_refund(self, refund_no: str, success: bool) -> dict:
        """Move a refund 10 → 11 (success) or 12 (failure); the payment becomes 11 once fully refunded."""
        with self.lock:
            refund = self.refunds[refund_no]
            if refund["status"] != "10":
                return refund
            refund["status"] = "11" if success else "12"
            refund["refund_time"] = now_text()
            refund["failure_reason"] = "" if success else "银行卡状态异常"
            record = self.payments[refund["third_order_id"]]
            done = sum(r["amount_fen"] for r in self.refunds.values()
                       if r["third_order_id"] == record["third_order_id"] and r["status"] == "11")
            if done >= record["amount_fen"]:
                record["status"] = "11"
            return refund

    def refund_fields(self, refund: Mapping[str, Any]) -> dict:
        """A refund as reply / notification fields."""
        record = self.payments[refund["third_order_id"]]
        return {"merchant_id": self.merchant_id, "third_order_id": refund["third_order_id"],
                "leshua_order_id": refund["leshua_order_id"], "merchant_refund_id": refund["merchant_refund_id"],
                "leshua_refund_id": refund["leshua_refund_id"], "refund_amount": str(refund["amount_fen"]),
                "total_amount": str(record["amount_fen"]), "status": refund["status"],
                "refund_time": refund["refund_time"], "failure_reason": refund["failure_reason"]}

    # ------------------------------------------------------------------ share-merchant (our assumed API)

    def bind(self, form: Mapping[str, str]) -> dict:
        """Bind a receiver (binding again is fine)."""
        account = form.get("share_merchant_id", "")
        if not account:
            raise Refusal("PARAM_ERROR", "share_merchant_id必填")
        with self.lock:
            self.bound[account] = form.get("share_merchant_name", "")
        return {"share_merchant_id": account, "status": "1"}

    def apply_split(self, form: Mapping[str, str], finish_now: bool) -> dict:
        """Split a paid ``royalty=1`` order among bound receivers."""
        split_no = form.get("share_order_id", "")
        if not ALNUM.match(split_no):
            raise Refusal("PARAM_ERROR", "share_order_id须为字母数字")
        try:
            detail = json.loads(form.get("share_detail", ""))
            receivers = [{"account": d["share_merchant_id"], "name": d.get("name", ""),
                          "amount_fen": _fen(d["amount"], "amount")} for d in detail]
        except (ValueError, KeyError, TypeError):
            raise Refusal("PARAM_ERROR", "share_detail格式错误") from None
        with self.lock:
            if split_no in self.splits:
                return self.split_fields(self.splits[split_no])
            record = self.order(form)
            if record["royalty"] != "1":
                raise Refusal("ROYALTY_NOT_OPEN", "该订单未开启分账 (royalty!=1)")
            if record["status"] not in ("2", "10", "11"):
                raise Refusal("ORDER_STATUS_ERROR", "订单未支付，不能分账")
            unbound = [r["account"] for r in receivers if r["account"] not in self.bound]
            if unbound:
                raise Refusal("SHARE_MERCHANT_NOT_BOUND", f"分账方未绑定: {','.join(unbound)}")
            already = sum(r["amount_fen"] for s in self.splits.values() if s["third_order_id"] == record["third_order_id"]
                          and s["status"] != "2" for r in s["receivers"])
            if already + sum(r["amount_fen"] for r in receivers) > record["amount_fen"]:
                raise Refusal("SHARE_AMOUNT_EXCEED", "分账金额超过订单金额")
            split = {"share_order_id": split_no, "leshua_share_id": "LSS" + secrets.token_hex(9),
                     "third_order_id": record["third_order_id"], "receivers": receivers,
                     "status": "1" if finish_now else "0", "notify_url": form.get("notify_url", ""),
                     "finish": form.get("finish", "1"), "returns": []}
            self.splits[split_no] = split
            return self.split_fields(split)

    def split_fields(self, split: Mapping[str, Any]) -> dict:
        """A split as reply / notification fields."""
        return {"merchant_id": self.merchant_id, "share_order_id": split["share_order_id"],
                "leshua_share_id": split["leshua_share_id"], "third_order_id": split["third_order_id"],
                "status": split["status"]}

    def query_split(self, form: Mapping[str, str]) -> dict:
        """A split's status, or a cancel's when ``cancel_id`` is given."""
        with self.lock:
            split = self.splits.get(form.get("share_order_id", ""))
            if split is None:
                raise Refusal("SHARE_ORDER_NOT_EXIST", "分账单不存在")
            if form.get("cancel_id"):
                back = next((r for r in split["returns"] if r["cancel_id"] == form["cancel_id"]), None)
                if back is None:
                    raise Refusal("CANCEL_NOT_EXIST", "分账撤销单不存在")
                return dict(back)
            return self.split_fields(split)

    def cancel_split(self, form: Mapping[str, str]) -> dict:
        """Take (part of) a receiver's share back; final at once."""
        cancel_id = form.get("cancel_id", "")
        if not ALNUM.match(cancel_id):
            raise Refusal("PARAM_ERROR", "cancel_id须为字母数字")
        fen = _fen(form.get("amount"), "amount")
        with self.lock:
            split = self.splits.get(form.get("share_order_id", ""))
            if split is None:
                raise Refusal("SHARE_ORDER_NOT_EXIST", "分账单不存在")
            existing = next((r for r in split["returns"] if r["cancel_id"] == cancel_id), None)
            if existing is not None:
                return dict(existing)
            if split["status"] != "1":
                raise Refusal("SHARE_STATUS_ERROR", "分账未成功，不能撤销")
            account = form.get("share_merchant_id", "")
            share = sum(r["amount_fen"] for r in split["receivers"] if r["account"] == account)
            back = sum(int(r["amount"]) for r in split["returns"] if r["share_merchant_id"] == account)
            if share == 0 or back + fen > share:
                raise Refusal("CANCEL_AMOUNT_EXCEED", "撤销金额超过分账金额")
            entry = {"cancel_id": cancel_id, "leshua_cancel_id": "LSC" + secrets.token_hex(9),
                     "share_merchant_id": account, "amount": str(fen), "status": "1"}
            split["returns"].append(entry)
            return dict(entry)
