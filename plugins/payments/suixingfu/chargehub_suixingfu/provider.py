"""``SuixingfuProvider``: WeChat mini-program payments through Tianque (随行付 天阙), refunds, notifications.

Money crosses the contract as ``Decimal`` yuan and is sent as a two-decimal yuan string (``amt``).
Splits (分账 / ledger) live in :mod:`chargehub_suixingfu.split`.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

import requests

from chargehub.contracts.payments import (
    Ack,
    CreatePayment,
    CreateRefund,
    Notification,
    NotificationRejected,
    PaymentCreated,
    PaymentProvider,
    PaymentProviderError,
    PaymentResult,
    PaymentStatus,
    RefundResult,
    RefundStatus,
    SplitResult,
)

from chargehub_suixingfu import signing
from chargehub_suixingfu.amounts import parse_time, parse_yuan, to_yuan
from chargehub_suixingfu.client import TianqueClient, TianqueReply
from chargehub_suixingfu.split import LedgerMixin, ledger_status

#: The reply Tianque expects once a notification is stored.
ACK_SUCCESS = Ack(200, '{"code":"success","msg":"成功"}'.encode("utf-8"), "application/json")

PAYMENT_STATUS = {
    "SUCCESS": PaymentStatus.PAID,
    "FAIL": PaymentStatus.FAILED,
    "PAYING": PaymentStatus.PENDING,
    "CLOSED": PaymentStatus.CLOSED,
    "CANCELED": PaymentStatus.CLOSED,
}
REFUND_STATUS = {
    "REFUNDSUC": RefundStatus.SUCCESS,
    "REFUNDING": RefundStatus.PROCESSING,
    "REFUNDFAIL": RefundStatus.FAILED,
}
#: ``bizCode`` meaning "still in progress" (reverse scan, refund query).
BIZ_IN_PROGRESS = "2002"
#: Our assumption: no close API is documented; the sandbox models this path (see README).
CLOSE_PATH = "/order/close"

#: ``respData`` field -> ``wx.requestPayment`` parameter.
CLIENT_PARAMS = {
    "payAppId": "appId",
    "payTimeStamp": "timeStamp",
    "paynonceStr": "nonceStr",
    "payPackage": "package",
    "paySignType": "signType",
    "paySign": "paySign",
}


def reject(reason: str) -> NotificationRejected:
    """A :class:`NotificationRejected` with Tianque's failure reply (HTTP 400, ``{"code":"fail"}``)."""
    body = json.dumps({"code": "fail", "msg": reason}, ensure_ascii=False).encode("utf-8")
    return NotificationRejected(reason, Ack(400, body, "application/json"))


class SuixingfuProvider(LedgerMixin, PaymentProvider):
    """随行付 (Tianque) mini-program payments: ``jsapiScan`` with ``payWay`` 03, queries, refunds, ledger.

    ``settings`` are the tenant settings overlaid by the station's (see :mod:`chargehub_suixingfu.schemas`).
    ``clock`` and ``session`` may be replaced (tests); the client is made on first use.
    """

    identifier = "suixingfu"
    verbose_name = "随行付"
    #: Unconfirmed: we assume Tianque does not claw shares back on a refund (like WeChat), see README.
    split_return_before_refund = True

    def __init__(self, settings: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self.clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self.session: requests.Session | None = None
        self._client: TianqueClient | None = None

    # ------------------------------------------------------------------ plumbing

    @property
    def client(self) -> TianqueClient:
        """The Tianque client for these settings (made once)."""
        if self._client is None:
            self._client = TianqueClient(self.settings, session=self.session, clock=self.clock)
        return self._client

    def _call(self, path: str, req_data: Mapping[str, Any]) -> TianqueReply:
        return self.client.call(path, req_data)

    def _mno(self) -> str:
        mno = str(self.settings.get("mno") or "")
        if not mno:
            raise PaymentProviderError("未配置随行付商户编号 (station mno not configured)", code="CONFIG")
        return mno

    @staticmethod
    def _refused(reply: TianqueReply, what: str) -> PaymentProviderError:
        return PaymentProviderError(reply.biz_msg or f"随行付{what}失败 (Tianque refused) {reply.biz_code}",
                                    code=reply.biz_code)

    def merchant_no(self) -> str:
        """The station's Tianque sub-merchant number (``mno``)."""
        return str(self.settings.get("mno") or "")

    # ------------------------------------------------------------------ payments

    def execute_create_payment(self, request: CreatePayment) -> PaymentCreated:
        """``/order/jsapiScan`` (WECHAT, payWay 03); the ``pay*`` fields become ``wx.requestPayment``'s."""
        minutes = max(1, math.ceil((request.expires_at - self.clock()).total_seconds() / 60))
        req: dict[str, Any] = {
            "mno": self._mno(),
            "ordNo": request.out_trade_no,
            "amt": to_yuan(request.amount),
            "payType": "WECHAT",
            "payWay": "03",
            "subject": request.description[:127],
            "tradeSource": "01",
            "trmIp": request.client_ip,
            "userId": request.payer_id,
            str(self.settings.get("sub_appid_field") or "subAppid"): str(self.settings.get("sub_appid") or ""),
            "notifyUrl": request.notify_url,
            "timeExpire": str(minutes),
        }
        if request.split:
            req["ledgerAccountFlag"] = "00"
            req["ledgerAccountEffectTime"] = str(int(self.settings.get("ledger_effect_days") or 30))
        else:
            req["ledgerAccountFlag"] = "01"
        if request.attach:
            req["extend"] = request.attach
        reply = self._call("/order/jsapiScan", req)
        if reply.biz_code != "0000":
            raise self._refused(reply, "下单")
        data = reply.resp_data
        missing = [name for name in CLIENT_PARAMS if not data.get(name)]
        if missing:
            raise PaymentProviderError(f"随行付下单应答缺少 {', '.join(missing)} (reply lacks the pay parameters)",
                                       code="PAYPARAMS")
        params = {ours: str(data[theirs]) for theirs, ours in CLIENT_PARAMS.items()}
        return PaymentCreated(client_params=params, vendor_trade_no=str(data.get("uuid", "")), raw=dict(data))

    def execute_query_payment(self, out_trade_no: str) -> PaymentResult:
        """``/query/tradeQuery`` by ``ordNo``; ``tranSts`` normalized (unknown states read as PENDING)."""
        reply = self._call("/query/tradeQuery", {"mno": self._mno(), "ordNo": out_trade_no})
        if reply.biz_code == BIZ_IN_PROGRESS:
            return PaymentResult(out_trade_no, PaymentStatus.PENDING, message=reply.biz_msg, raw=reply.resp_data)
        if reply.biz_code != "0000":
            raise self._refused(reply, "查询")
        return self._payment_result(reply.resp_data, out_trade_no)

    def _payment_result(self, data: Mapping[str, Any], out_trade_no: str = "") -> PaymentResult:
        tran_sts = str(data.get("tranSts", ""))
        if tran_sts:
            status = PAYMENT_STATUS.get(tran_sts, PaymentStatus.PENDING)
        else:
            status = PaymentStatus.PAID if str(data.get("bizCode")) == "0000" else PaymentStatus.FAILED
        return PaymentResult(
            out_trade_no=str(data.get("ordNo") or out_trade_no),
            status=status,
            amount=parse_yuan(data.get("amt")),
            vendor_trade_no=str(data.get("uuid", "")),
            paid_at=parse_time(data.get("payTime")) if status is PaymentStatus.PAID else None,
            payer_id=str(data.get("buyerId", "")),
            message=str(data.get("bizMsg", "")),
            raw=dict(data),
        )

    def execute_close_payment(self, out_trade_no: str) -> None:
        """``/order/close`` (our assumption: no close API is documented; README). A refusal is final."""
        reply = self._call(CLOSE_PATH, {"mno": self._mno(), "origOrderNo": out_trade_no})
        if reply.biz_code != "0000":
            raise self._refused(reply, "关单")

    # ------------------------------------------------------------------ refunds

    def execute_refund(self, request: CreateRefund) -> RefundResult:
        """``/order/refund`` with a new ``ordNo`` and ``origOrderNo``; bizCode 0000/0002 accepted."""
        req = {
            "mno": self._mno(),
            "ordNo": request.out_refund_no,
            "origOrderNo": request.out_trade_no,
            "amt": to_yuan(request.amount),
            "notifyUrl": request.notify_url,
            "refundReason": request.reason[:64],
        }
        if request.vendor_trade_no:
            req["origUuid"] = request.vendor_trade_no
        reply = self._call("/order/refund", req)
        if reply.biz_code not in ("0000", "0002"):
            raise self._refused(reply, "退款")
        return self._refund_result(reply.resp_data, request.out_refund_no, request.out_trade_no,
                                   default=RefundStatus.PROCESSING)

    def execute_query_refund(self, out_refund_no: str, out_trade_no: str) -> RefundResult:
        """``/query/refundQuery`` by the refund's ``ordNo``; bizCode 2002 = still processing."""
        reply = self._call("/query/refundQuery", {"mno": self._mno(), "ordNo": out_refund_no})
        if reply.biz_code == BIZ_IN_PROGRESS:
            return RefundResult(out_refund_no, RefundStatus.PROCESSING, out_trade_no=out_trade_no,
                                message=reply.biz_msg, raw=reply.resp_data)
        if reply.biz_code != "0000":
            raise self._refused(reply, "退款查询")
        return self._refund_result(reply.resp_data, out_refund_no, out_trade_no, default=RefundStatus.PROCESSING)

    @staticmethod
    def _refund_result(data: Mapping[str, Any], out_refund_no: str, out_trade_no: str, *,
                       default: RefundStatus) -> RefundResult:
        tran_sts = str(data.get("tranSts", ""))
        status = REFUND_STATUS.get(tran_sts, default)
        return RefundResult(
            out_refund_no=str(data.get("ordNo") or out_refund_no),
            status=status,
            amount=parse_yuan(data.get("amt") or data.get("refundAmount")),
            vendor_refund_no=str(data.get("uuid") or data.get("sxfUuid") or ""),
            refunded_at=parse_time(data.get("payTime") or data.get("refundTime"))
            if status is RefundStatus.SUCCESS else None,
            out_trade_no=str(data.get("origOrderNo") or out_trade_no),
            message=str(data.get("bizMsg", "")),
            raw=dict(data),
        )

    # ------------------------------------------------------------------ notifications

    def parse_notification(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> Notification:
        """Verify a Tianque JSON notify (sign over the sorted fields) and normalize it.

        Payment notify → :class:`PaymentResult`; refund notify (has ``origOrderNo`` or a ``REFUND*``
        ``tranSts``) → :class:`RefundResult`; ledger notify (has ``ledgerSts``, our assumption) →
        :class:`SplitResult`. Tianque's notify carries no timestamp, so ``now`` is not used.
        """
        try:
            obj = signing.parse_raw_object(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise reject(f"通知格式错误 (not a JSON object): {exc}") from exc
        values = obj.values
        if not values.get("sign"):
            raise reject("通知缺少签名 (notification is not signed)")
        if not signing.verify_object(obj, str(self.settings.get("tianque_public_key") or ""),
                                     str(self.settings.get("sign_algorithm") or "SHA1")):
            raise reject("通知验签失败 (bad signature)")
        for key, setting in (("orgId", "org_id"), ("mno", "mno")):
            if values.get(key) and self.settings.get(setting) and values[key] != self.settings[setting]:
                raise reject(f"通知的 {key} 不是本商户 (notification for another {key})")
        if not values.get("ordNo"):
            raise reject("通知缺少 ordNo (unknown notification format)")
        if "ledgerSts" in values:
            split = SplitResult(out_split_no=str(values["ordNo"]), status=ledger_status(values["ledgerSts"]),
                                vendor_split_no=str(values.get("uuid", "")),
                                message=str(values.get("bizMsg", "")), raw=dict(values))
            return Notification(ack=ACK_SUCCESS, split=split, raw=dict(values))
        if values.get("origOrderNo") or str(values.get("tranSts", "")).startswith("REFUND"):
            default = RefundStatus.SUCCESS if str(values.get("bizCode")) == "0000" else RefundStatus.FAILED
            refund = self._refund_result(values, str(values["ordNo"]), "", default=default)
            return Notification(ack=ACK_SUCCESS, refund=refund, raw=dict(values))
        return Notification(ack=ACK_SUCCESS, payment=self._payment_result(values), raw=dict(values))
