"""Payment providers (支付方式): the contract between core and a payment plugin.

Registered by ``register_payment_providers``. Core owns every state (payments, refunds, splits): it
creates the attempt records, hands the provider frozen request values, and moves the records on the
results the provider returns. A provider never sets a status and never touches the database.

**Instances.** Core builds one provider per payment, refund or split, for the station that takes the
money, with the plugin's tenant settings overlaid by the station's 支付配置 (merchant numbers, keys,
split accounts and ratios): :attr:`Provider.settings` is that merged, validated mapping, secrets
decrypted. ``settings["base_url"]`` (when the plugin's schema has it) points the client at the vendor or
at its sandbox; the client code is the same.

**Money** crosses this boundary as :class:`~decimal.Decimal` yuan with two places; the provider converts
at its edge (fen for WeChat Pay and Leshua, a yuan string for Tianque).

**Errors.** ``execute_*`` members raise :class:`PaymentProviderError` for anything the vendor refused or
that could not be completed; ``retryable`` says whether the same request may be sent again unchanged
(timeouts, 5xx, connection errors: yes; a business refusal: no). :meth:`PaymentProvider.parse_notification`
raises :class:`NotificationRejected` for a notification that must change nothing (bad signature, stale
timestamp, unknown format), carrying the reply the vendor should get.

Member naming (DESIGN §3): ``execute_*`` talk to the vendor; ``parse_*`` are pure; ``*_supported`` are
predicates.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping

from chargehub.contracts.base import Provider


class PaymentStatus(str, enum.Enum):
    """A payment as the vendor sees it, normalized."""

    PENDING = "pending"  # created, not paid yet (WeChat NOTPAY / USERPAYING, Leshua 0, Tianque PAYING)
    PAID = "paid"  # the money was taken (WeChat SUCCESS / REFUND, Leshua 2 / 10 / 11 / 12, Tianque SUCCESS)
    FAILED = "failed"  # the payer's payment failed (PAYERROR, Leshua 8, Tianque FAIL)
    CLOSED = "closed"  # closed or cancelled before it was paid (CLOSED / REVOKED, Leshua 6, Tianque CLOSED)


class RefundStatus(str, enum.Enum):
    """A refund as the vendor sees it, normalized."""

    PROCESSING = "processing"  # accepted, not final (WeChat PROCESSING, Leshua 10, Tianque REFUNDING)
    SUCCESS = "success"  # the money is back with the payer
    FAILED = "failed"  # final failure (WeChat CLOSED, Leshua 12, Tianque REFUNDFAIL)
    ABNORMAL = "abnormal"  # WeChat ABNORMAL: the payer's card is frozen/cancelled; an operator must act


class SplitStatus(str, enum.Enum):
    """A split (分账) or a split return (分账回退), normalized."""

    PROCESSING = "processing"
    SUCCESS = "success"
    FAILED = "failed"


@dataclass(frozen=True)
class Ack:
    """The exact HTTP reply a vendor expects to a notification: status, body bytes, content type."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class CreatePayment:
    """Ask the vendor for a payment the driver then completes in the mini-program.

    :param out_trade_no: our payment number (unique, 6–32 letters and digits), the idempotency key.
    :param amount: yuan, two places, > 0.
    :param description: what the payer's bill shows (at most 127 characters).
    :param notify_url: where the vendor posts the result (core's callback route for this station).
    :param payer_id: the payer's openid (or Alipay user id) under ``appid``.
    :param expires_at: when the vendor should stop accepting the payment (aware datetime).
    :param split: the payment will be split later (WeChat ``settle_info.profit_sharing``, Leshua
        ``royalty=1``, Tianque ``ledgerAccountFlag=00``).
    :param client_ip: the driver's IP address as core saw it.
    :param attach: echoed back by the vendor (letters and digits only).
    """

    out_trade_no: str
    amount: Decimal
    description: str
    notify_url: str
    payer_id: str
    expires_at: datetime
    split: bool = False
    client_ip: str = "127.0.0.1"
    attach: str = ""


@dataclass(frozen=True)
class PaymentCreated:
    """The vendor's answer to :class:`CreatePayment`.

    :param client_params: what the mini-program passes to ``wx.requestPayment`` (``appId``,
        ``timeStamp``, ``nonceStr``, ``package``, ``signType``, ``paySign``) or the vendor's equivalent;
        all values strings.
    :param vendor_trade_no: the vendor's own number when it gives one at creation (else ``""``).
    :param raw: the vendor's reply as received (kept on the payment record for 第三方回调 / review).
    """

    client_params: Mapping[str, str]
    vendor_trade_no: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentResult:
    """What the vendor says about a payment (from a query or a notification).

    ``amount`` is what the vendor says was paid (core compares it with its own record and refuses a
    mismatch); ``None`` when the vendor did not say.
    """

    out_trade_no: str
    status: PaymentStatus
    amount: Decimal | None = None
    vendor_trade_no: str = ""
    paid_at: datetime | None = None
    payer_id: str = ""
    message: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CreateRefund:
    """Return ``amount`` of a paid payment to the payer.

    :param out_refund_no: our refund number (unique, letters and digits), the idempotency key.
    :param total: the payment's full amount (WeChat wants it beside the refund amount).
    """

    out_refund_no: str
    out_trade_no: str
    vendor_trade_no: str
    amount: Decimal
    total: Decimal
    reason: str
    notify_url: str


@dataclass(frozen=True)
class RefundResult:
    """What the vendor says about a refund (from the refund call, a query or a notification)."""

    out_refund_no: str
    status: RefundStatus
    amount: Decimal | None = None
    vendor_refund_no: str = ""
    refunded_at: datetime | None = None
    out_trade_no: str = ""
    message: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SplitAccount:
    """A split receiver configured on the station (分账账号 and 分账比例).

    :param account: the receiver's merchant number (or openid for a personal receiver).
    :param name: the receiver's legal name (WeChat requires it for merchants; sent encrypted).
    :param ratio: the share of each settled amount, ``0 < ratio <= 1`` (four places at most).
    :param kind: ``"merchant"`` or ``"personal"``.
    """

    account: str
    name: str
    ratio: Decimal
    kind: str = "merchant"


@dataclass(frozen=True)
class SplitReceiver:
    """One share of a split: who gets how much."""

    account: str
    name: str
    amount: Decimal
    kind: str = "merchant"
    description: str = "充电分账"


@dataclass(frozen=True)
class CreateSplit:
    """Split a paid payment (分账) among ``receivers``.

    :param out_split_no: our split number (unique), the idempotency key.
    :param finish: release what is not split to the lead merchant (WeChat ``unfreeze_unsplit``). With no
        ``receivers`` the request only releases what is left (WeChat ``orders/unfreeze``); core sends that
        once every share of the payment succeeded, to providers whose ``split_finish_required`` is true.
    """

    out_split_no: str
    out_trade_no: str
    vendor_trade_no: str
    receivers: tuple[SplitReceiver, ...]
    notify_url: str
    finish: bool = True


@dataclass(frozen=True)
class SplitResult:
    """What the vendor says about a split."""

    out_split_no: str
    status: SplitStatus
    vendor_split_no: str = ""
    message: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CreateSplitReturn:
    """Take a receiver's share back (分账回退 / 分账撤销) to the lead merchant."""

    out_return_no: str
    out_split_no: str
    vendor_split_no: str
    account: str
    amount: Decimal
    description: str = "分账撤销"


@dataclass(frozen=True)
class SplitReturnResult:
    """What the vendor says about a split return."""

    out_return_no: str
    status: SplitStatus
    vendor_return_no: str = ""
    message: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """A verified notification, normalized: exactly one of ``payment``, ``refund``, ``split`` is set.

    :param ack: the reply that tells the vendor the notification was received (WeChat: 200 / 204 with no
        body; Leshua: ``000000``; Tianque: ``{"code":"success","msg":"成功"}``). Core sends it only once the
        result is stored.
    :param raw: the decrypted / parsed content (kept as the 第三方回调 of the record).
    """

    ack: Ack
    payment: PaymentResult | None = None
    refund: RefundResult | None = None
    split: SplitResult | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


class PaymentProviderError(Exception):
    """The vendor refused a request or it could not be completed.

    :param message: what went wrong, in the operators' language where the vendor gave one.
    :param code: the vendor's error code (``""`` when there is none, e.g. a timeout).
    :param retryable: the same request may be sent again unchanged (timeout, 5xx, connection error).
    """

    def __init__(self, message: str, *, code: str = "", retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable


class NotificationRejected(Exception):
    """A notification that must change nothing (bad signature, stale timestamp, unknown format).

    :param reason: why, for the log and the stored notification.
    :param ack: the reply the vendor gets (a failure reply: the vendor retries on its schedule).
    """

    def __init__(self, reason: str, ack: Ack) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ack = ack


class PaymentProvider(Provider):
    """Base of every payment provider (WeChat Pay, Leshua, Suixingfu...).

    Class attributes a subclass sets besides ``identifier`` and ``verbose_name``:

    ``split_return_before_refund``  a refund of a split payment must first take the shares back
                                    (WeChat: refunds never claw back shares)
    ``split_finish_required``       the unsplit rest stays frozen until a finishing request releases it
                                    (WeChat); core sends it when all shares succeeded

    Every ``execute_*`` member may raise :class:`PaymentProviderError`. Runs in: request (create, refund
    on an operator's 退费) and worker (queries, automatic refunds, splits).
    """

    kind = "payment_providers"
    split_return_before_refund: bool = False
    split_finish_required: bool = False

    # ------------------------------------------------------------------ payments

    def execute_create_payment(self, request: CreatePayment) -> PaymentCreated:
        """Create the payment at the vendor; return what the mini-program needs to pay it."""
        raise NotImplementedError

    def parse_notification(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> Notification:
        """Verify and decode one notification the vendor posted (pure: no network, no database).

        :param headers: the request's headers (case-insensitive mapping).
        :param body: the raw request body, exactly as received.
        :param now: the current time, for timestamp checks.
        :raises NotificationRejected: signature, timestamp or format not acceptable.
        """
        raise NotImplementedError

    def execute_query_payment(self, out_trade_no: str) -> PaymentResult:
        """Ask the vendor where the payment ``out_trade_no`` stands (the fallback when no notification came)."""
        raise NotImplementedError

    def execute_close_payment(self, out_trade_no: str) -> None:
        """Close an unpaid payment so that it can no longer be paid."""
        raise NotImplementedError

    # ------------------------------------------------------------------ refunds

    def execute_refund(self, request: CreateRefund) -> RefundResult:
        """Ask the vendor to refund; the answer is usually PROCESSING (a notification or query follows)."""
        raise NotImplementedError

    def execute_query_refund(self, out_refund_no: str, out_trade_no: str) -> RefundResult:
        """Ask the vendor where the refund ``out_refund_no`` stands."""
        raise NotImplementedError

    # ------------------------------------------------------------------ splits (分账)

    def split_supported(self) -> bool:
        """Whether this provider, as configured, can split payments. Default: no."""
        return False

    def merchant_no(self) -> str:
        """The lead merchant (主导商户) whose payments this provider takes: shown on split records."""
        raise NotImplementedError

    def split_accounts(self) -> tuple[SplitAccount, ...]:
        """The configured split receivers and ratios (empty when splitting is off for the station)."""
        return ()

    def execute_add_split_receiver(self, account: SplitAccount) -> None:
        """Register ``account`` as a receiver with the vendor (idempotent at the vendor)."""
        raise NotImplementedError

    def execute_split(self, request: CreateSplit) -> SplitResult:
        """Split a paid payment among the receivers."""
        raise NotImplementedError

    def execute_query_split(self, out_split_no: str, vendor_trade_no: str) -> SplitResult:
        """Ask the vendor where a split stands."""
        raise NotImplementedError

    def execute_split_return(self, request: CreateSplitReturn) -> SplitReturnResult:
        """Take a receiver's share back to the lead merchant (分账回退)."""
        raise NotImplementedError

    def execute_query_split_return(self, out_return_no: str, out_split_no: str) -> SplitReturnResult:
        """Ask the vendor where a split return stands."""
        raise NotImplementedError
