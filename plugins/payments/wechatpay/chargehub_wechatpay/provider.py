"""The WeChat Pay API v3 payment provider (direct merchant, WeChat Pay public-key mode).

Builds request documents from the contract's frozen values, sends them through
:class:`~chargehub_wechatpay.client.WechatPayClient` and maps replies back with
:mod:`chargehub_wechatpay.results`. Money crosses as Decimal yuan and goes on the wire as integer fen.
"""
from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable, Mapping

from chargehub.contracts.payments import (
    CreatePayment,
    CreateRefund,
    CreateSplit,
    CreateSplitReturn,
    Notification,
    PaymentCreated,
    PaymentProvider,
    PaymentProviderError,
    PaymentResult,
    RefundResult,
    SplitAccount,
    SplitResult,
    SplitReturnResult,
)
from chargehub_wechatpay import notifications, results, signing
from chargehub_wechatpay.client import WechatPayClient, api_path
from chargehub_wechatpay.money import to_fen
from chargehub_wechatpay.schemas import DEFAULT_BASE_URL

CHINA = timezone(timedelta(hours=8))
RECEIVER_TYPES = {"merchant": "MERCHANT_ID", "personal": "PERSONAL_OPENID"}


def _mapped(mapper: Callable[[Mapping[str, Any]], Any], data: Mapping[str, Any]):
    try:
        return mapper(data)
    except ValueError as exc:
        raise PaymentProviderError(f"微信支付应答无法识别 (unrecognised reply: {exc})", code="UNKNOWN_STATE") from None


class WechatPayProvider(PaymentProvider):
    """微信支付: JSAPI / mini-program payments, refunds and profit sharing (分账) over API v3.

    ``settings`` (tenant overlaid by station): ``base_url``, ``timeout_s``, ``appid``, ``mchid``,
    ``merchant_serial_no``, ``merchant_private_key``, ``apiv3_key``, ``platform_public_key``,
    ``platform_public_key_id``, ``split_enabled``, ``split_accounts``. Refunds never claw back shares at
    WeChat, hence :attr:`split_return_before_refund`.
    """

    identifier = "wechatpay"
    verbose_name = "微信支付"
    split_return_before_refund = True
    split_finish_required = True  # the unsplit rest stays frozen until orders/unfreeze

    #: Seconds since the epoch for ``timeStamp``/request signatures (tests may replace it).
    clock: Callable[[], float] = staticmethod(lambda: datetime.now(timezone.utc).timestamp())

    # ------------------------------------------------------------------ plumbing

    def _setting(self, name: str) -> Any:
        value = self.settings.get(name)
        if value in (None, ""):
            raise PaymentProviderError(f"微信支付配置缺少 {name} (WeChat Pay setting {name} is missing)",
                                       code="CONFIG_MISSING")
        return value

    @functools.cached_property
    def client(self) -> WechatPayClient:
        """The HTTP client for this merchant (built once per provider instance)."""
        try:
            return WechatPayClient(
                base_url=self.settings.get("base_url") or DEFAULT_BASE_URL, mchid=self._setting("mchid"),
                serial_no=self._setting("merchant_serial_no"),
                private_key_pem=self._setting("merchant_private_key"),
                platform_public_key_pem=self._setting("platform_public_key"),
                platform_key_id=self._setting("platform_public_key_id"),
                timeout=float(self.settings.get("timeout_s") or 10.0), clock=self.clock)
        except ValueError as exc:
            raise PaymentProviderError(f"微信支付密钥无效 (invalid WeChat Pay key: {exc})", code="CONFIG_INVALID") from None

    def _encrypt_name(self, name: str) -> str:
        return signing.oaep_encrypt(self.client.platform_key, name)

    # ------------------------------------------------------------------ payments

    def execute_create_payment(self, request: CreatePayment) -> PaymentCreated:
        """``POST /v3/pay/transactions/jsapi``; returns the signed ``wx.requestPayment`` parameters."""
        appid = self._setting("appid")
        payload: dict[str, Any] = {
            "appid": appid, "mchid": self._setting("mchid"), "description": request.description,
            "out_trade_no": request.out_trade_no,
            "time_expire": request.expires_at.astimezone(CHINA).isoformat(timespec="seconds"),
            "notify_url": request.notify_url, "amount": {"total": to_fen(request.amount), "currency": "CNY"},
            "payer": {"openid": request.payer_id}, "scene_info": {"payer_client_ip": request.client_ip},
        }
        if request.attach:
            payload["attach"] = request.attach
        if request.split:
            payload["settle_info"] = {"profit_sharing": True}
        reply = self.client.post("/v3/pay/transactions/jsapi", payload)
        prepay_id = str(reply.data.get("prepay_id", ""))
        if not prepay_id:
            raise PaymentProviderError("微信支付未返回 prepay_id (no prepay_id in the reply)", code="NO_PREPAY_ID")
        timestamp, nonce, package = str(int(self.clock())), signing.new_nonce(), f"prepay_id={prepay_id}"
        params = {"appId": appid, "timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA",
                  "paySign": signing.pay_sign(self.client.private_key, appid, timestamp, nonce, package)}
        return PaymentCreated(client_params=params, vendor_trade_no="", raw=dict(reply.data))

    def parse_notification(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> Notification:
        """Verify and decode a notification (see :mod:`chargehub_wechatpay.notifications`)."""
        try:
            key = signing.load_public_key(self._setting("platform_public_key"))
            key_id, apiv3_key = self._setting("platform_public_key_id"), self._setting("apiv3_key")
            mchid = self._setting("mchid")
        except (ValueError, PaymentProviderError) as exc:
            raise notifications.rejection(500, f"商户配置无效 (settings unusable: {exc})") from None
        return notifications.parse(headers, body, now=now, platform_key=key, platform_key_id=key_id,
                                   apiv3_key=apiv3_key, mchid=mchid, appid=str(self.settings.get("appid") or ""))

    def execute_query_payment(self, out_trade_no: str) -> PaymentResult:
        """``GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…``."""
        reply = self.client.get(api_path("/v3/pay/transactions/out-trade-no/{}", out_trade_no,
                                         query={"mchid": self._setting("mchid")}))
        return _mapped(results.payment_result, reply.data)

    def execute_close_payment(self, out_trade_no: str) -> None:
        """``POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`` (204 when closed)."""
        self.client.post(api_path("/v3/pay/transactions/out-trade-no/{}/close", out_trade_no),
                         {"mchid": self._setting("mchid")})

    # ------------------------------------------------------------------ refunds

    def execute_refund(self, request: CreateRefund) -> RefundResult:
        """``POST /v3/refund/domestic/refunds`` (by transaction id when known, else by our number)."""
        payload: dict[str, Any] = {"out_refund_no": request.out_refund_no, "reason": request.reason[:80],
                                   "notify_url": request.notify_url,
                                   "amount": {"refund": to_fen(request.amount), "total": to_fen(request.total),
                                              "currency": "CNY"}}
        if request.vendor_trade_no:
            payload["transaction_id"] = request.vendor_trade_no
        else:
            payload["out_trade_no"] = request.out_trade_no
        reply = self.client.post("/v3/refund/domestic/refunds", payload)
        return _mapped(results.refund_result, reply.data)

    def execute_query_refund(self, out_refund_no: str, out_trade_no: str) -> RefundResult:
        """``GET /v3/refund/domestic/refunds/{out_refund_no}``."""
        reply = self.client.get(api_path("/v3/refund/domestic/refunds/{}", out_refund_no))
        return _mapped(results.refund_result, reply.data)

    # ------------------------------------------------------------------ splits (分账)

    def split_supported(self) -> bool:
        """Splitting is on for the station and it has receivers."""
        return bool(self.settings.get("split_enabled")) and bool(self.settings.get("split_accounts"))

    def merchant_no(self) -> str:
        """The station's mchid (the lead merchant of its splits)."""
        return str(self.settings.get("mchid") or "")

    def split_accounts(self) -> tuple[SplitAccount, ...]:
        """The station's split receivers and ratios (empty when splitting is off)."""
        if not self.settings.get("split_enabled"):
            return ()
        return tuple(SplitAccount(account=str(a["account"]), name=str(a.get("name") or ""),
                                  ratio=Decimal(str(a["ratio"])), kind=str(a.get("kind") or "merchant"))
                     for a in self.settings.get("split_accounts") or ())

    def _receiver_type(self, kind: str) -> str:
        if kind not in RECEIVER_TYPES:
            raise PaymentProviderError(f"未知分账方类型 (unknown receiver kind {kind!r})", code="PARAM_ERROR")
        return RECEIVER_TYPES[kind]

    def execute_add_split_receiver(self, account: SplitAccount) -> None:
        """``POST /v3/profitsharing/receivers/add``; the name travels RSA-OAEP encrypted."""
        payload: dict[str, Any] = {"appid": self._setting("appid"), "type": self._receiver_type(account.kind),
                                   "account": account.account,
                                   "relation_type": str(self.settings.get("split_relation_type") or "PARTNER")}
        if account.name:
            payload["name"] = self._encrypt_name(account.name)
        self.client.post("/v3/profitsharing/receivers/add", payload)

    def execute_split(self, request: CreateSplit) -> SplitResult:
        """``POST /v3/profitsharing/orders`` (or ``…/orders/unfreeze`` for no receivers and ``finish``).

        WeChat has no per-request notify URL for splits: ``PROFITSHARING.*`` notifications go to the URL
        configured in the merchant console (point it at ``request.notify_url``).
        """
        if not request.receivers:
            if not request.finish:
                raise PaymentProviderError("分账接收方为空 (a split needs receivers)", code="PARAM_ERROR")
            reply = self.client.post("/v3/profitsharing/orders/unfreeze", {
                "transaction_id": request.vendor_trade_no, "out_order_no": request.out_split_no,
                "description": "解冻全部剩余资金"})
            return _mapped(results.split_result, reply.data)
        receivers = []
        for receiver in request.receivers:
            item: dict[str, Any] = {"type": self._receiver_type(receiver.kind), "account": receiver.account,
                                    "amount": to_fen(receiver.amount), "description": receiver.description[:80]}
            if receiver.name and receiver.kind == "merchant":
                item["name"] = self._encrypt_name(receiver.name)
            receivers.append(item)
        reply = self.client.post("/v3/profitsharing/orders", {
            "appid": self._setting("appid"), "transaction_id": request.vendor_trade_no,
            "out_order_no": request.out_split_no, "receivers": receivers, "unfreeze_unsplit": request.finish})
        return _mapped(results.split_result, reply.data)

    def execute_query_split(self, out_split_no: str, vendor_trade_no: str) -> SplitResult:
        """``GET /v3/profitsharing/orders/{out_order_no}?transaction_id=…``."""
        reply = self.client.get(api_path("/v3/profitsharing/orders/{}", out_split_no,
                                         query={"transaction_id": vendor_trade_no}))
        return _mapped(results.split_result, reply.data)

    def execute_split_return(self, request: CreateSplitReturn) -> SplitReturnResult:
        """``POST /v3/profitsharing/return-orders``: take ``amount`` back from merchant ``account``."""
        reply = self.client.post("/v3/profitsharing/return-orders", {
            "out_order_no": request.out_split_no, "out_return_no": request.out_return_no,
            "return_mchid": request.account, "amount": to_fen(request.amount),
            "description": request.description[:80]})
        return _mapped(results.split_return_result, reply.data)

    def execute_query_split_return(self, out_return_no: str, out_split_no: str) -> SplitReturnResult:
        """``GET /v3/profitsharing/return-orders/{out_return_no}?out_order_no=…``."""
        reply = self.client.get(api_path("/v3/profitsharing/return-orders/{}", out_return_no,
                                         query={"out_order_no": out_split_no}))
        return _mapped(results.split_return_result, reply.data)
