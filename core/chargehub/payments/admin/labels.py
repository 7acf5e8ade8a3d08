"""The words operators read for the payment, refund and split enums (zh-CN; the UI translates its own copy)."""
from __future__ import annotations

from chargehub.payments.models import BALANCE, PaymentState, RefundKind, RefundState, SplitState

ORDER_KIND_LABELS = {"car": "汽车订单", "bike": "单车订单"}
PAYMENT_STATE_LABELS = {PaymentState.PENDING: "待支付", PaymentState.PAID: "已支付", PaymentState.FAILED: "支付失败",
                        PaymentState.CLOSED: "已关闭"}
REFUND_KIND_LABELS = {RefundKind.SETTLEMENT: "结算退回", RefundKind.START_FAILED: "启动失败退回",
                      RefundKind.LATE_PAYMENT: "支付晚到退回", RefundKind.MANUAL: "人工退费"}
REFUND_STATE_LABELS = {RefundState.PROCESSING: "退款中", RefundState.SUCCESS: "退款成功", RefundState.FAILED: "退款失败",
                       RefundState.ABNORMAL: "退款异常"}
SPLIT_STATE_LABELS = {SplitState.PROCESSING: "分账中", SplitState.SUCCESS: "分账成功", SplitState.FAILED: "分账失败",
                      SplitState.REVOKING: "撤销中", SplitState.REVOKED: "已撤销"}
NOTIFICATION_STATE_LABELS = {"received": "已接收", "applied": "已处理", "rejected": "已拒绝", "failed": "处理失败"}


def plugin_labels() -> dict[str, str]:
    """支付类型 / 支付渠道 by payment plugin name: each installed payment plugin's own ``verbose_name``, and
    余额 for the driver's balance."""
    from chargehub.assets.services.stations_config import PAYMENT_CATEGORY  # noqa: PLC0415
    from chargehub.extensions import plugin_host  # noqa: PLC0415

    return {BALANCE: "余额", **{info.meta.name: info.meta.verbose_name for info in plugin_host.plugins()
                               if info.meta.category == PAYMENT_CATEGORY}}


def plugin_label(plugin: str | None) -> str:
    """支付渠道 of a payment plugin name (the name itself for a plugin no longer installed)."""
    return plugin_labels().get(plugin or "", plugin or "")
