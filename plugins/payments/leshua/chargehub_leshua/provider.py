"""``LeshuaProvider``: mini-program payments, queries, closing and refunds through Leshua's gateway.

Money leaves as fen and comes back as ``Decimal`` yuan. Notifications are XML ``<leshua>`` documents
signed with the *notify* key and acknowledged with the plain text ``000000``. Splits (分账) live in
:mod:`chargehub_leshua.split` because their API is not public.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Mapping

from chargehub.contracts.payments import (
    Ack,
    CreatePayment,
    CreateRefund,
    CreateSplit,
    CreateSplitReturn,
    Notification,
    NotificationRejected,
    PaymentCreated,
    PaymentProvider,
    PaymentProviderError,
    PaymentResult,
    PaymentStatus,
    RefundResult,
    RefundStatus,
    SplitAccount,
    SplitResult,
    SplitReturnResult,
)

from chargehub_leshua import signing
from chargehub_leshua.client import LeshuaClient, parse_xml
from chargehub_leshua.schemas import DEFAULT_BASE_URL, DEFAULT_GATEWAY_PATH, DEFAULT_SPLIT_BASE_URL
from chargehub_leshua.split import LeshuaSplits, split_result_from
from chargehub_leshua.values import parse_time, to_decimal, to_fen, to_yuan

#: Leshua's order ``status`` codes (specs §2.2) as payment states; 10/11/12 concern refunds of a paid order.
PAYMENT_STATUS = {"0": PaymentStatus.PENDING, "2": PaymentStatus.PAID, "6": PaymentStatus.CLOSED,
                  "8": PaymentStatus.FAILED, "10": PaymentStatus.PAID, "11": PaymentStatus.PAID,
                  "12": PaymentStatus.PAID}
#: Refund ``status`` codes.
REFUND_STATUS = {"10": RefundStatus.PROCESSING, "11": RefundStatus.SUCCESS, "12": RefundStatus.FAILED}
ACK = Ack(200, b"000000")
REJECT = Ack(400, b"FAIL")
#: WeChat through Leshua, mini-program mode.
PAY_WAY, JSPAY_FLAG_MINI_PROGRAM = "WXZF", "3"


class LeshuaProvider(PaymentProvider):
    """Leshua (乐刷) aggregated payment for one merchant (settings: tenant overlaid by station)."""

    identifier = "leshua"
    verbose_name = "乐刷"
    split_return_before_refund = False

    # ------------------------------------------------------------------ settings and client

    def _setting(self, name: str, default: Any = None) -> Any:
        value = self.settings.get(name)
        return default if value is None else value

    def _include_empty(self) -> bool:
        return bool(self._setting("sign_empty_values", False))

    @property
    def client(self) -> LeshuaClient:
        """The HTTP client for this merchant (built once per provider)."""
        if getattr(self, "_client", None) is None:
            self._client = LeshuaClient(
                base_url=self._setting("base_url", DEFAULT_BASE_URL),
                gateway_path=self._setting("gateway_path", DEFAULT_GATEWAY_PATH),
                split_base_url=self._setting("split_base_url", DEFAULT_SPLIT_BASE_URL),
                trade_key=self._setting("trade_key", ""), timeout_s=float(self._setting("timeout_s", 10.0)),
                sign_empty_values=self._include_empty())
        return self._client

    def merchant_no(self) -> str:
        """The Leshua merchant number (10 digits) of the station."""
        return str(self._setting("merchant_id", ""))

    # ------------------------------------------------------------------ payments

    def execute_create_payment(self, request: CreatePayment) -> PaymentCreated:
        """``get_tdcode`` with ``jspay_flag=3`` (mini-program); ``client_params`` is the parsed ``jspay_info``."""
        seconds = int((request.expires_at - datetime.now(timezone.utc)).total_seconds())
        fields = {
            "merchant_id": self.merchant_no(), "third_order_id": request.out_trade_no,
            "amount": to_fen(request.amount), "pay_way": PAY_WAY, "jspay_flag": JSPAY_FLAG_MINI_PROGRAM,
            "sub_openid": request.payer_id, "body": request.description[:127], "notify_url": request.notify_url,
            "client_ip": request.client_ip, "order_expiration": max(seconds, 60),
            "royalty": "1" if request.split else "0",
        }
        if self._setting("appid"):
            fields["appid"] = self._setting("appid")
        if request.attach:
            fields["attach"] = request.attach
        reply = self.client.call("get_tdcode", fields)
        try:
            info = json.loads(reply.get("jspay_info") or "")
            if not isinstance(info, dict):
                raise ValueError("not an object")
        except ValueError:
            raise PaymentProviderError("乐刷未返回有效的jspay_info (jspay_info is not a JSON object)",
                                       code="BAD_JSPAY_INFO") from None
        params = {name: "" if value is None else str(value) for name, value in info.items()}
        return PaymentCreated(client_params=params, vendor_trade_no=reply.get("leshua_order_id", ""), raw=reply)

    def execute_query_payment(self, out_trade_no: str) -> PaymentResult:
        """``query_status`` by our number."""
        reply = self.client.call("query_status", {"merchant_id": self.merchant_no(), "third_order_id": out_trade_no})
        status = PAYMENT_STATUS.get(reply.get("status", ""))
        if status is None:
            raise PaymentProviderError(f"乐刷订单状态未知 (unknown order status {reply.get('status')!r})",
                                       code="UNKNOWN_STATUS")
        return self._payment_result(reply, status)

    def execute_close_payment(self, out_trade_no: str) -> None:
        """``close_order`` by our number."""
        self.client.call("close_order", {"merchant_id": self.merchant_no(), "third_order_id": out_trade_no})

    # ------------------------------------------------------------------ refunds

    def execute_refund(self, request: CreateRefund) -> RefundResult:
        """``unified_refund``; usually PROCESSING (status 10) at first."""
        if "_" in request.out_refund_no:
            raise PaymentProviderError("乐刷退款单号不能包含下划线 (merchant_refund_id must not contain '_')",
                                       code="INVALID_REFUND_ID")
        fields = {"merchant_id": self.merchant_no(), "third_order_id": request.out_trade_no,
                  "merchant_refund_id": request.out_refund_no, "refund_amount": to_fen(request.amount),
                  "notify_url": request.notify_url}
        if request.vendor_trade_no:
            fields["leshua_order_id"] = request.vendor_trade_no
        reply = self.client.call("unified_refund", fields)
        return self._refund_result(reply, request.out_refund_no, default_amount=request.amount)

    def execute_query_refund(self, out_refund_no: str, out_trade_no: str) -> RefundResult:
        """``unified_query_refund`` by our payment and refund numbers."""
        reply = self.client.call("unified_query_refund", {
            "merchant_id": self.merchant_no(), "third_order_id": out_trade_no, "merchant_refund_id": out_refund_no})
        return self._refund_result(reply, out_refund_no)

    # ------------------------------------------------------------------ notifications

    def parse_notification(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> Notification:
        """Verify (notify key) and decode a payment, refund or split notification; ack ``000000``."""
        try:
            fields = parse_xml(body)
        except ValueError as exc:
            raise NotificationRejected(f"乐刷通知格式无效 (not a <leshua> XML document: {exc})", REJECT) from None
        if not signing.verify(fields, self._setting("notify_key", ""), include_empty=self._include_empty()):
            raise NotificationRejected("乐刷通知签名无效 (notification signature does not verify with the notify key)",
                                       REJECT)
        merchant = fields.get("merchant_id", "")
        if merchant and merchant != self.merchant_no():
            raise NotificationRejected(f"乐刷通知商户号不符 (notification for merchant {merchant})", REJECT)
        if fields.get("merchant_refund_id"):
            if fields.get("status") not in REFUND_STATUS:
                raise NotificationRejected(f"未知退款状态 (unknown refund status {fields.get('status')!r})", REJECT)
            return Notification(ack=ACK, refund=self._refund_result(fields, fields["merchant_refund_id"]), raw=fields)
        if fields.get("share_order_id"):
            return Notification(ack=ACK, split=split_result_from(fields), raw=fields)
        status = PAYMENT_STATUS.get(fields.get("status", ""))
        if status is None or not fields.get("third_order_id"):
            raise NotificationRejected(f"未知通知 (unknown notification, status {fields.get('status')!r})", REJECT)
        return Notification(ack=ACK, payment=self._payment_result(fields, status), raw=fields)

    # ------------------------------------------------------------------ splits (see split.py)

    def split_supported(self) -> bool:
        """Splitting is on for the station and it has at least one split account."""
        return bool(self._setting("split_enabled", False)) and bool(self.split_accounts())

    def split_accounts(self) -> tuple[SplitAccount, ...]:
        """The station's split accounts and ratios (empty when splitting is off)."""
        if not self._setting("split_enabled", False):
            return ()
        return tuple(SplitAccount(str(a["account"]), str(a["name"]), to_decimal(a["ratio"]))
                     for a in self._setting("split_accounts", []) or [])

    @property
    def splits(self) -> LeshuaSplits:
        """The share-merchant calls for this merchant."""
        return LeshuaSplits(self.client, self.merchant_no(), self.settings)

    def execute_add_split_receiver(self, account: SplitAccount) -> None:
        """Bind ``account`` to the merchant (share-merchant ``bind``)."""
        self.splits.bind(account)

    def execute_split(self, request: CreateSplit) -> SplitResult:
        """Split a paid payment (share-merchant ``multi-apply``)."""
        return self.splits.apply(request)

    def execute_query_split(self, out_split_no: str, vendor_trade_no: str) -> SplitResult:
        """Where a split stands (share-merchant ``multi-query``)."""
        return self.splits.query(out_split_no, vendor_trade_no)

    def execute_split_return(self, request: CreateSplitReturn) -> SplitReturnResult:
        """Take a share back (share-merchant ``cancel``)."""
        return self.splits.cancel(request)

    def execute_query_split_return(self, out_return_no: str, out_split_no: str) -> SplitReturnResult:
        """Where a split return stands."""
        return self.splits.query_cancel(out_return_no, out_split_no)

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _amount(fields: Mapping[str, str]) -> Decimal | None:
        """The paid amount: ``amount`` (documented) or ``amt`` (what AgPay reads): specs §2.3."""
        for name in ("amount", "amt"):
            if fields.get(name):
                return to_yuan(fields[name])
        return None

    def _payment_result(self, fields: Mapping[str, str], status: PaymentStatus) -> PaymentResult:
        return PaymentResult(
            out_trade_no=fields.get("third_order_id", ""), status=status, amount=self._amount(fields),
            vendor_trade_no=fields.get("leshua_order_id", ""),
            paid_at=parse_time(fields.get("pay_time")) if status is PaymentStatus.PAID else None,
            payer_id=fields.get("sub_openid") or fields.get("openid", ""),
            message=fields.get("error_msg") or fields.get("resp_msg", ""), raw=dict(fields))

    @staticmethod
    def _refund_result(fields: Mapping[str, str], out_refund_no: str,
                       default_amount: Decimal | None = None) -> RefundResult:
        status = REFUND_STATUS.get(fields.get("status", ""), RefundStatus.PROCESSING)
        amount = to_yuan(fields.get("refund_amount"))
        return RefundResult(
            out_refund_no=fields.get("merchant_refund_id") or out_refund_no, status=status,
            amount=amount if amount is not None else default_amount, vendor_refund_no=fields.get("leshua_refund_id", ""),
            refunded_at=parse_time(fields.get("refund_time")) if status is RefundStatus.SUCCESS else None,
            out_trade_no=fields.get("third_order_id", ""),
            message=fields.get("failure_reason") or fields.get("error_msg", ""), raw=dict(fields))
