"""Schemas of the 支付订单, 退费管理 and 分账记录 API: the searches, list items, details and the 退费 action.

The ``*Filters`` schemas are the searches on their own (the export kinds validate their ``filters`` with
them; the list endpoints' ``*Args`` add paging). 支付订单 and 退费管理 default like the order lists
(默认查询一周数据): when a search names none of its dates, ``created_from`` / ``created_to`` are filled in on
load with the last :data:`~chargehub.charging.admin.conditions.DEFAULT_DAYS` local dates.

A search by 电站 names the station's side: ``station_kind`` (``car`` / ``bike``), which defaults to the
search's ``order_kind`` (the side a record's order is on), else ``car`` like the station options.
"""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.listing import PageArgs, page_schema
from chargehub.charging.admin.conditions import DEFAULT_DAYS, default_window
from chargehub.charging.admin.schemas import _contains, _enum, _money
from chargehub.payments.admin.labels import (
    ORDER_KIND_LABELS,
    PAYMENT_STATE_LABELS,
    REFUND_KIND_LABELS,
    REFUND_STATE_LABELS,
    SPLIT_STATE_LABELS,
    plugin_label,
)
from chargehub.payments.admin.order_rows import OrderSplitRowSchema
from chargehub.payments.models import PaymentState, RefundKind, RefundState, SplitState

KINDS = ("car", "bike")


def _date(label: str) -> ma.fields.Date:
    return ma.fields.Date(load_default=None, metadata={"label": label, "description": "YYYY-MM-DD（本地日期，含当日）"})


def _kind(label: str) -> ma.fields.String:
    return ma.fields.String(load_default=None, validate=ma.validate.OneOf(KINDS), metadata={
        "label": label, "description": "car / bike"})


# -------------------------------------------------------------------------------------- searches


class StationSearch(ma.Schema):
    """电站 of a search: ``station_id`` on the side ``station_kind`` (default: ``order_kind``, else car)."""

    class Meta:
        unknown = ma.RAISE

    station_kind = _kind("电站类型")
    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站名称", "description": "电站 id"})
    order_kind = _kind("订单类型")

    @ma.post_load
    def _station_side(self, data, **kwargs):
        if data.get("station_id") is not None and not data.get("station_kind"):
            data["station_kind"] = data.get("order_kind") or "car"
        return data


class DatedSearch(StationSearch):
    """发起 / 申请时间 (``created_*``) and one more date range (:attr:`SECOND`), local dates, inclusive."""

    #: the names of the second range (``("paid_from", "paid_to")``)
    SECOND: tuple[str, str] = ("", "")

    created_from = ma.fields.Date(load_default=None, metadata={
        "label": "发起时间起", "description": f"YYYY-MM-DD（本地日期，含当日）。所有时间条件都不传时默认最近 {DEFAULT_DAYS} 天"})
    created_to = _date("发起时间止")

    @ma.validates_schema
    def _ranges(self, data, **kwargs):
        for start, end in (("created_from", "created_to"), self.SECOND):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                raise ma.ValidationError("开始日期不能晚于结束日期 (start after end)", end)

    @ma.post_load
    def _default_window(self, data, **kwargs):
        if not any(data.get(name) for name in ("created_from", "created_to", *self.SECOND)):
            data["created_from"], data["created_to"] = default_window()
        return data


class PaymentFilters(DatedSearch):
    """The 支付订单 search (manual 3.4.3 §1)."""

    SECOND = ("paid_from", "paid_to")

    plugin = ma.fields.String(load_default=None, metadata={
        "label": "支付类型", "description": "wechatpay / leshua / suixingfu / balance"})
    state = _enum(PaymentState, "支付状态")
    trade_no = _contains("订单编号（订单号或支付单号）")
    phone = _contains("手机号")
    paid_from = _date("支付时间起")
    paid_to = _date("支付时间止")


class RefundFilters(DatedSearch):
    """The 退费管理 search (manual 3.4.6 §1); ``created_*`` is the 申请时间."""

    SECOND = ("refunded_from", "refunded_to")

    kind = _enum(RefundKind, "退费类型")
    state = _enum(RefundState, "退费状态")
    phone = _contains("收款人")
    trade_no = _contains("订单编号")
    refunded_from = _date("退款时间起")
    refunded_to = _date("退款时间止")


class SplitFilters(StationSearch):
    """The 分账记录 search (manual 3.6.1 §1)."""

    trade_no = _contains("订单编号")
    lead_merchant = _contains("主导商户")
    receiver_account = _contains("分账商户（商户号或名称）")
    out_split_no = _contains("分账单号")
    operator_name = _contains("操作人")
    state = _enum(SplitState, "分账状态")


class PaymentArgs(PageArgs, PaymentFilters):
    """The 支付订单 list: the search, paging and ``sort`` (default ``-created_at``)."""


class RefundArgs(PageArgs, RefundFilters):
    """The 退费管理 list: the search, paging and ``sort`` (default ``-created_at``)."""


class SplitArgs(PageArgs, SplitFilters):
    """The 分账记录 list: the search, paging and ``sort`` (default ``-created_at``)."""


# -------------------------------------------------------------------------------------- lists


def _words(labels: dict, attribute: str, label: str) -> ma.fields.Function:
    return ma.fields.Function(lambda row: labels.get(getattr(row, attribute), ""), metadata={"label": label})


class RecordItemSchema(ma.Schema):
    """What every list shows of a record's order and station."""

    id = ma.fields.Integer()
    order_kind = ma.fields.String(metadata={"label": "订单类型", "description": "car / bike"})
    order_kind_label = ma.fields.Function(lambda r: ORDER_KIND_LABELS.get(r.order_kind, ""),
                                          metadata={"label": "订单类型（文字）"})
    order_id = ma.fields.Integer()
    trade_no = ma.fields.String(metadata={"label": "订单编号"})
    car_station_id = ma.fields.Integer(allow_none=True)
    bike_station_id = ma.fields.Integer(allow_none=True)
    station_name = ma.fields.String(metadata={"label": "电站"})
    area_name = ma.fields.String(metadata={"label": "区域"})
    device_code = ma.fields.String(metadata={"label": "设备"})
    phone = ma.fields.String(metadata={"label": "手机号"})
    plugin = ma.fields.String(metadata={"label": "支付类型"})
    plugin_label = ma.fields.Function(lambda r: plugin_label(r.plugin), metadata={"label": "支付类型（文字）"})
    amount = _money("金额")
    message = ma.fields.String(metadata={"label": "结果说明"})
    created_at = ma.fields.DateTime(metadata={"label": "发起时间"})


class PaymentItemSchema(RecordItemSchema):
    """A row of 支付订单."""

    out_trade_no = ma.fields.String(metadata={"label": "支付单号"})
    amount = _money("支付金额")
    state = ma.fields.Enum(PaymentState, by_value=True, metadata={"label": "支付状态"})
    state_label = _words(PAYMENT_STATE_LABELS, "state", "支付状态（文字）")
    refunded = _money("已退金额")
    vendor_trade_no = ma.fields.String(metadata={"label": "第三方支付单号"})
    paid_at = ma.fields.DateTime(allow_none=True, metadata={"label": "支付时间"})


class RefundItemSchema(RecordItemSchema):
    """A row of 退费管理."""

    out_refund_no = ma.fields.String(metadata={"label": "退款单号"})
    vendor_refund_no = ma.fields.String(metadata={"label": "第三方退款单号"})
    kind = ma.fields.Enum(RefundKind, by_value=True, metadata={"label": "退费类型"})
    kind_label = _words(REFUND_KIND_LABELS, "kind", "退费类型（文字）")
    state = ma.fields.Enum(RefundState, by_value=True, metadata={"label": "退费状态"})
    state_label = _words(REFUND_STATE_LABELS, "state", "退费状态（文字）")
    amount = _money("退费金额")
    order_amount = _money("订单费用")
    paid_amount = _money("支付金额")
    operator_name = ma.fields.String(metadata={"label": "操作者"})
    reason = ma.fields.String(metadata={"label": "退款原因"})
    created_at = ma.fields.DateTime(metadata={"label": "申请时间"})
    refunded_at = ma.fields.DateTime(allow_none=True, metadata={"label": "退款时间"})


class SplitItemSchema(RecordItemSchema, OrderSplitRowSchema):
    """A row of 分账记录."""

    state = ma.fields.Enum(SplitState, by_value=True, metadata={"label": "分账状态"})
    state_label = _words(SPLIT_STATE_LABELS, "state", "分账状态（文字）")
    base_amount = _money("分账基数（订单金额）")


PaymentPage = page_schema(PaymentItemSchema, "PaymentPage")
RefundPage = page_schema(RefundItemSchema, "RefundPage")
SplitPage = page_schema(SplitItemSchema, "SplitPage")


# -------------------------------------------------------------------------------------- 详细


class NotificationSchema(ma.Schema):
    """A stored vendor callback (第三方回调) of a payment."""

    id = ma.fields.Integer()
    plugin = ma.fields.String(metadata={"label": "渠道"})
    kind = ma.fields.String(metadata={"label": "类型", "description": "payment / refund / split"})
    state = ma.fields.String(metadata={"label": "处理状态", "description": "received / applied / rejected / failed"})
    state_label = ma.fields.String(metadata={"label": "处理状态（文字）"})
    reason = ma.fields.String(metadata={"label": "原因"})
    body = ma.fields.String(metadata={"label": "回调内容", "description": "最多 2000 字符"})
    received_at = ma.fields.DateTime(metadata={"label": "接收时间"})
    processed_at = ma.fields.DateTime(allow_none=True, metadata={"label": "处理时间"})


class PaymentDetailSchema(PaymentItemSchema):
    """详细 of a payment (manual 3.4.3 §4) with 第三方回调: ``raw`` (the vendor's last answer) and ``notifications``."""

    duration_s = ma.fields.Integer(allow_none=True, metadata={"label": "消费时长", "description": "秒（订单的充电时长）"})
    order_amount = _money("订单费用")
    raw = ma.fields.Dict(metadata={"label": "第三方回调"})
    notifications = ma.fields.List(ma.fields.Nested(NotificationSchema), metadata={"label": "回调记录"})


class RefundDetailSchema(RefundItemSchema):
    """详细 of a refund (manual 3.4.6 §4)."""

    out_trade_no = ma.fields.String(allow_none=True, metadata={"label": "支付编号"})
    raw = ma.fields.Dict(metadata={"label": "第三方返回"})


# -------------------------------------------------------------------------------------- 退费 / 分账 of an order


class RefundPayload(ma.Schema):
    """退费 of an order: an amount (yuan, a string with at most 2 decimals) and the reason."""

    class Meta:
        unknown = ma.RAISE

    amount = ma.fields.String(required=True, metadata={"label": "退费金额", "description": "元，最多两位小数，如 \"12.30\""})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(max=200), metadata={"label": "退费原因"})


class RefundQuoteSchema(ma.Schema):
    """What 退费 may return of an order now (最大退费金额 = 预付金额 − 已退费金额)."""

    maximum = _money("最大退费金额")
    prepaid = _money("预付金额")
    refunded = _money("已退费金额")
    amount = _money("订单总费用")
    allowed = ma.fields.Boolean(metadata={"label": "可退费"})
    reason_if_not = ma.fields.String(metadata={"label": "不可退费原因"})


class OrderSplitsSchema(ma.Schema):
    """分账 of an order: its shares (a failed one may be sent again)."""

    trade_no = ma.fields.String(metadata={"label": "订单编号"})
    splits = ma.fields.List(ma.fields.Nested(OrderSplitRowSchema), metadata={"label": "分账"})

