"""The sandbox's WeChat Pay API v3 routes (payments and refunds) and the checks every request passes.

Every ``/v3/…`` request: the fault knobs ``delay_s`` and ``http_500``, then our ``Authorization`` verified
over the raw path and body with the merchant public key (401 ``SIGN_ERROR``), then field checks (400
``PARAM_ERROR`` and the business codes WeChat uses). Every ``/v3/…`` reply is signed with the platform
key and carries all ``Wechatpay-*`` headers. State lives on the :class:`~chargehub_wechatpay.testing.
WechatPaySandbox` (``sandbox.lock`` guards it). Profit-sharing routes are in :mod:`.sandbox_split`.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request

from chargehub_wechatpay import signing

if TYPE_CHECKING:  # pragma: no cover
    from chargehub_wechatpay.testing import WechatPaySandbox

OUT_TRADE_NO = re.compile(r"^[0-9A-Za-z_\-|*]{6,32}$")
OUT_REFUND_NO = re.compile(r"^[0-9A-Za-z_\-|*@]{1,64}$")
PAID_STATES = ("SUCCESS", "REFUND")
CHINA = timezone(timedelta(hours=8))


class ApiError(Exception):
    """An error reply in WeChat's format: ``{"code": …, "message": …}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def param_error(message: str) -> ApiError:
    """400 ``PARAM_ERROR``."""
    return ApiError(400, "PARAM_ERROR", message)


def json_reply(payload: Any, status: int = 200) -> Response:
    """A JSON reply (compact UTF-8), or an empty one for 204."""
    if status == 204:
        return Response(b"", status=204)
    return Response(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), status=status,
                    content_type="application/json; charset=utf-8")


def body_json() -> dict:
    """The request body as a JSON object, or 400 ``PARAM_ERROR``."""
    try:
        data = json.loads(request.get_data() or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise param_error("请求体须为 JSON 对象 (body must be a JSON object)")
    return data


def need(data: dict, name: str, kind: type = str, pattern: re.Pattern | None = None, max_len: int = 0) -> Any:
    """``data[name]`` of ``kind`` (and ``pattern`` / length), or 400 ``PARAM_ERROR``."""
    value = data.get(name)
    if value is None or value == "" or not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise param_error(f"输入源“/body/{name}”映射到值字段“{name}”缺失或类型错误 ({name} is missing or not {kind.__name__})")
    if kind is int and value <= 0:
        raise param_error(f"{name} 须大于 0 ({name} must be > 0)")
    if pattern is not None and not pattern.match(value):
        raise param_error(f"{name} 格式错误 ({name} has a bad format)")
    if max_len and len(value) > max_len:
        raise param_error(f"{name} 超过 {max_len} 个字符 ({name} longer than {max_len})")
    return value


def now_rfc3339() -> str:
    """Now in China time, RFC 3339 to the second."""
    return datetime.now(CHINA).isoformat(timespec="seconds")


def install_checks(app: Flask, sandbox: "WechatPaySandbox") -> None:
    """Fault knobs and signature verification before, response signing after every ``/v3/`` request."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return json_reply({"code": exc.code, "message": exc.message}, exc.status)

    @app.before_request
    def _before():
        if not request.path.startswith("/v3/"):
            return None
        delay = float(sandbox.faults.get("delay_s") or 0)
        if delay > 0:
            time.sleep(delay)
        with sandbox.lock:
            if int(sandbox.faults.get("http_500") or 0) > 0:
                sandbox.faults["http_500"] = int(sandbox.faults["http_500"]) - 1
                return json_reply({"code": "SYSTEM_ERROR", "message": "系统繁忙，请稍后重试"}, 500)
        _verify_authorization(sandbox)
        return None

    @app.after_request
    def _sign(response: Response) -> Response:
        if request.path.startswith("/v3/"):
            response.headers.update(sandbox.sign_headers(response.get_data()))
            response.headers["Request-ID"] = secrets.token_hex(16)
        return response


def _verify_authorization(sandbox: "WechatPaySandbox") -> None:
    try:
        auth = signing.parse_authorization(request.headers.get("Authorization", ""))
    except ValueError as exc:
        raise ApiError(401, "SIGN_ERROR", f"Authorization 格式错误 ({exc})") from None
    if auth["mchid"] != sandbox.mchid or auth["serial_no"] != sandbox.merchant_serial_no:
        raise ApiError(401, "SIGN_ERROR", "商户号或证书序列号不匹配 (mchid or serial_no does not match)")
    if not auth["timestamp"].isdigit() or abs(time.time() - int(auth["timestamp"])) > signing.MAX_SKEW_S:
        raise ApiError(401, "SIGN_ERROR", "请求时间戳超出范围 (timestamp outside the window)")
    path = request.environ.get("RAW_URI") or request.full_path.rstrip("?")
    message = signing.request_message(request.method, path, auth["timestamp"], auth["nonce_str"], request.get_data())
    if not signing.rsa_verify(sandbox.merchant_key.public_key(), message, auth["signature"]):
        raise ApiError(401, "SIGN_ERROR", "签名错误 (signature does not verify)")
    if request.method == "POST" and not (request.content_type or "").startswith("application/json"):
        raise param_error("Content-Type 须为 application/json")


def install_payment_routes(app: Flask, sandbox: "WechatPaySandbox") -> None:
    """Orders (jsapi, query by number and by id, close) and refunds (create, query)."""

    @app.post("/v3/pay/transactions/jsapi")
    def jsapi():
        data = body_json()
        if need(data, "appid") != sandbox.appid or need(data, "mchid") != sandbox.mchid:
            raise ApiError(400, "APPID_MCHID_NOT_MATCH", "appid 和 mch_id 不匹配")
        description = need(data, "description", max_len=127)
        out_trade_no = need(data, "out_trade_no", pattern=OUT_TRADE_NO)
        notify_url = need(data, "notify_url", max_len=256)
        if not notify_url.startswith(("http://", "https://")) or "?" in notify_url:
            raise param_error("notify_url 须为不带参数的网址 (notify_url must be a URL without a query)")
        total = need(need(data, "amount", dict), "total", int)
        openid = need(need(data, "payer", dict), "openid", max_len=128)
        if data.get("currency", "CNY") != "CNY" or data["amount"].get("currency", "CNY") != "CNY":
            raise param_error("currency 须为 CNY")
        if "time_expire" in data:
            try:
                datetime.fromisoformat(need(data, "time_expire"))
            except ValueError:
                raise param_error("time_expire 须为 RFC 3339 时间 (time_expire must be RFC 3339)") from None
        if len(data.get("attach", "")) > 128:
            raise param_error("attach 超过 128 个字符")
        profit_sharing = bool((data.get("settle_info") or {}).get("profit_sharing", False))
        with sandbox.lock:
            order = sandbox.orders.get(out_trade_no)
            if order is not None:
                if order["trade_state"] in PAID_STATES:
                    raise ApiError(400, "ORDERPAID", "该订单已支付")
                if order["trade_state"] == "CLOSED":
                    raise ApiError(400, "ORDER_CLOSED", "当前订单已关闭，请重新下单")
                if (order["total"], order["openid"], order["description"]) != (total, openid, description):
                    raise ApiError(400, "INVALID_REQUEST", "201 商户订单号重复 (out_trade_no reused with other values)")
                return json_reply({"prepay_id": order["prepay_id"]})
            order = {"out_trade_no": out_trade_no, "appid": sandbox.appid, "mchid": sandbox.mchid, "total": total,
                     "openid": openid, "description": description, "notify_url": notify_url,
                     "attach": data.get("attach", ""), "profit_sharing": profit_sharing, "trade_state": "NOTPAY",
                     "trade_state_desc": "订单未支付", "prepay_id": f"wx{int(time.time())}{secrets.token_hex(8)}",
                     "transaction_id": "", "success_time": "", "unfrozen": False}
            sandbox.orders[out_trade_no] = order
            return json_reply({"prepay_id": order["prepay_id"]})

    @app.get("/v3/pay/transactions/out-trade-no/<out_trade_no>")
    def query_by_out_trade_no(out_trade_no: str):
        _need_query_mchid(sandbox)
        with sandbox.lock:
            return json_reply(sandbox.transaction_doc(_order(sandbox, out_trade_no)))

    @app.get("/v3/pay/transactions/id/<transaction_id>")
    def query_by_id(transaction_id: str):
        _need_query_mchid(sandbox)
        with sandbox.lock:
            order = next((o for o in sandbox.orders.values() if o["transaction_id"] == transaction_id), None)
            if order is None:
                raise ApiError(404, "ORDER_NOT_EXIST", "订单不存在")
            return json_reply(sandbox.transaction_doc(order))

    @app.post("/v3/pay/transactions/out-trade-no/<out_trade_no>/close")
    def close(out_trade_no: str):
        if need(body_json(), "mchid") != sandbox.mchid:
            raise param_error("mchid 不匹配")
        with sandbox.lock:
            order = _order(sandbox, out_trade_no)
            if order["trade_state"] in PAID_STATES:
                raise ApiError(400, "ORDERPAID", "订单已支付，不能关闭")
            order["trade_state"], order["trade_state_desc"] = "CLOSED", "订单已关闭"
        return json_reply(None, 204)

    @app.post("/v3/refund/domestic/refunds")
    def create_refund():
        data = body_json()
        out_refund_no = need(data, "out_refund_no", pattern=OUT_REFUND_NO)
        amount = need(data, "amount", dict)
        refund, total = need(amount, "refund", int), need(amount, "total", int)
        if amount.get("currency", "CNY") != "CNY":
            raise param_error("currency 须为 CNY")
        notify_url = data.get("notify_url", "")
        with sandbox.lock:
            if data.get("transaction_id"):
                order = next((o for o in sandbox.orders.values()
                              if o["transaction_id"] == data["transaction_id"]), None)
            elif data.get("out_trade_no"):
                order = sandbox.orders.get(data["out_trade_no"])
            else:
                raise param_error("transaction_id 与 out_trade_no 须二选一 (transaction_id or out_trade_no required)")
            if order is None:
                raise ApiError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
            if order["trade_state"] not in PAID_STATES:
                raise ApiError(400, "INVALID_REQUEST", "订单未支付，不能退款 (the order is not paid)")
            if total != order["total"]:
                raise ApiError(400, "INVALID_REQUEST", "订单金额与原订单不一致 (amount.total differs from the order)")
            existing = sandbox.refund_records.get(out_refund_no)
            if existing is not None:
                if (existing["out_trade_no"], existing["refund"]) != (order["out_trade_no"], refund):
                    raise ApiError(400, "INVALID_REQUEST", "退款单号重复 (out_refund_no reused with other values)")
                return json_reply(sandbox.refund_doc(existing))
            refunded = sum(r["refund"] for r in sandbox.refund_records.values()
                           if r["out_trade_no"] == order["out_trade_no"] and r["status"] != "CLOSED")
            if refunded + refund > order["total"]:
                raise ApiError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额 (refunds would exceed the total)")
            record = {"out_refund_no": out_refund_no, "out_trade_no": order["out_trade_no"],
                      "transaction_id": order["transaction_id"], "refund_id": f"50{secrets.randbelow(10**26):026d}",
                      "refund": refund, "total": order["total"], "status": "PROCESSING", "notify_url": notify_url,
                      "create_time": now_rfc3339(), "success_time": "", "reason": data.get("reason", "")}
            sandbox.refund_records[out_refund_no] = record
            auto = bool(sandbox.faults.get("auto_refund", True))
            if auto:
                sandbox.set_refund_status(record, "SUCCESS")
            reply = json_reply(sandbox.refund_doc(record))
        if auto and notify_url:
            sandbox.notify_later(notify_url, "REFUND.SUCCESS", sandbox.refund_resource(record))
        return reply

    @app.get("/v3/refund/domestic/refunds/<out_refund_no>")
    def query_refund(out_refund_no: str):
        with sandbox.lock:
            record = sandbox.refund_records.get(out_refund_no)
            if record is None:
                raise ApiError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
            return json_reply(sandbox.refund_doc(record))


def _need_query_mchid(sandbox: "WechatPaySandbox") -> None:
    if request.args.get("mchid") != sandbox.mchid:
        raise param_error("mchid 缺失或不匹配 (mchid query parameter missing or wrong)")


def _order(sandbox: "WechatPaySandbox", out_trade_no: str) -> dict:
    order = sandbox.orders.get(out_trade_no)
    if order is None:
        raise ApiError(404, "ORDER_NOT_EXIST", "订单不存在")
    return order
