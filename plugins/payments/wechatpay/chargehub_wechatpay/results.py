"""WeChat Pay documents (query replies, decrypted notifications) → the contract's result values. Pure."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from chargehub.contracts.payments import (
    PaymentResult,
    PaymentStatus,
    RefundResult,
    RefundStatus,
    SplitResult,
    SplitReturnResult,
    SplitStatus,
)
from chargehub_wechatpay.money import from_fen

TRADE_STATES = {
    "SUCCESS": PaymentStatus.PAID,
    "REFUND": PaymentStatus.PAID,  # paid, then (partly) refunded: the payment itself stands
    "NOTPAY": PaymentStatus.PENDING,
    "USERPAYING": PaymentStatus.PENDING,
    "PAYERROR": PaymentStatus.FAILED,
    "CLOSED": PaymentStatus.CLOSED,
    "REVOKED": PaymentStatus.CLOSED,
}

REFUND_STATES = {
    "SUCCESS": RefundStatus.SUCCESS,
    "PROCESSING": RefundStatus.PROCESSING,
    "CLOSED": RefundStatus.FAILED,
    "ABNORMAL": RefundStatus.ABNORMAL,
}

RETURN_STATES = {"PROCESSING": SplitStatus.PROCESSING, "SUCCESS": SplitStatus.SUCCESS, "FAILED": SplitStatus.FAILED}


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time from WeChat (``2024-05-01T10:00:00+08:00``) as an aware datetime, else ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def payment_result(data: Mapping[str, Any]) -> PaymentResult:
    """A transaction (query reply or decrypted ``TRANSACTION.*`` resource) as a :class:`PaymentResult`.

    :raises ValueError: for a ``trade_state`` we do not know.
    """
    state = data.get("trade_state", "")
    if state not in TRADE_STATES:
        raise ValueError(f"unknown trade_state {state!r}")
    amount = data.get("amount") or {}
    return PaymentResult(
        out_trade_no=str(data.get("out_trade_no", "")), status=TRADE_STATES[state],
        amount=from_fen(amount.get("total")), vendor_trade_no=str(data.get("transaction_id", "") or ""),
        paid_at=parse_time(data.get("success_time")) if TRADE_STATES[state] is PaymentStatus.PAID else None,
        payer_id=str((data.get("payer") or {}).get("openid", "") or ""),
        message=str(data.get("trade_state_desc", "") or ""), raw=dict(data))


def refund_result(data: Mapping[str, Any]) -> RefundResult:
    """A refund (reply, query or decrypted ``REFUND.*`` resource, whose state is ``refund_status``)."""
    state = data.get("status") or data.get("refund_status") or ""
    if state not in REFUND_STATES:
        raise ValueError(f"unknown refund status {state!r}")
    amount = data.get("amount") or {}
    status = REFUND_STATES[state]
    return RefundResult(
        out_refund_no=str(data.get("out_refund_no", "")), status=status, amount=from_fen(amount.get("refund")),
        vendor_refund_no=str(data.get("refund_id", "") or ""),
        refunded_at=parse_time(data.get("success_time")) if status is RefundStatus.SUCCESS else None,
        out_trade_no=str(data.get("out_trade_no", "") or ""),
        message=str(data.get("user_received_account", "") or "") if status is RefundStatus.SUCCESS else
        {RefundStatus.FAILED: "退款关闭 (refund closed)", RefundStatus.ABNORMAL: "退款异常：用户卡已冻结或注销 "
         "(abnormal: the payer's card is frozen or cancelled)"}.get(status, ""),
        raw=dict(data))


def split_result(data: Mapping[str, Any]) -> SplitResult:
    """A split order (``/v3/profitsharing/orders`` reply or query).

    ``PROCESSING`` or any receiver still ``PENDING``: processing; ``FINISHED`` with a receiver ``CLOSED``:
    failed (with the receivers' ``fail_reason``); otherwise success.
    """
    receivers = data.get("receivers") or []
    closed = [r for r in receivers if r.get("result") == "CLOSED"]
    if data.get("state") != "FINISHED" or any(r.get("result") == "PENDING" for r in receivers):
        status, message = SplitStatus.PROCESSING, ""
    elif closed:
        status = SplitStatus.FAILED
        message = "分账失败 (split failed): " + ", ".join(f"{r.get('account')}: {r.get('fail_reason', '')}"
                                                        for r in closed)
    else:
        status, message = SplitStatus.SUCCESS, ""
    return SplitResult(out_split_no=str(data.get("out_order_no", "")), status=status,
                       vendor_split_no=str(data.get("order_id", "") or ""), message=message, raw=dict(data))


def split_notification_result(event_type: str, data: Mapping[str, Any]) -> SplitResult:
    """A decrypted ``PROFITSHARING.*`` resource: one receiver's share settled (``SUCCESS``) or given back
    (``RETURN``). Either way the split order itself has succeeded; a return is named in the message."""
    receiver = data.get("receiver") or {}
    message = "" if event_type == "PROFITSHARING.SUCCESS" else (
        f"分账已回退 (share returned): {receiver.get('account', '')} {receiver.get('amount', '')}")
    return SplitResult(out_split_no=str(data.get("out_order_no", "")), status=SplitStatus.SUCCESS,
                       vendor_split_no=str(data.get("order_id", "") or ""), message=message, raw=dict(data))


def split_return_result(data: Mapping[str, Any]) -> SplitReturnResult:
    """A split return (``/v3/profitsharing/return-orders`` reply or query)."""
    state = data.get("result", "")
    if state not in RETURN_STATES:
        raise ValueError(f"unknown return result {state!r}")
    return SplitReturnResult(out_return_no=str(data.get("out_return_no", "")), status=RETURN_STATES[state],
                             vendor_return_no=str(data.get("return_id", "") or ""),
                             message=str(data.get("fail_reason", "") or ""), raw=dict(data))
