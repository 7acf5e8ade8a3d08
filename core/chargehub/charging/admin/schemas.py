"""Schemas of the order admin API: the 汽车订单 and 单车订单 searches, list items, 合计 / 总计, 详细, 结束,
and the words operators read for the order enums.

The ``*Filters`` schemas are the searches on their own: the export kinds validate their ``filters`` with
them and the list endpoints' ``*Args`` add paging. When a search names neither ``created_from`` nor
``created_to`` they are filled in on load with the last :data:`~.conditions.DEFAULT_DAYS` local dates
(默认查询一周数据), so the list, its totals and an export of it all see the same window.
"""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.listing import PageArgs, page_schema
from chargehub.billing.api.bill_schemas import BillLineSchema
from chargehub.charging.admin.conditions import DEFAULT_DAYS, default_window
from chargehub.charging.models import (
    InvoiceState,
    OrderReview,
    OrderState,
    OrderType,
    PayMethod,
    PayState,
    SettledBy,
    StartMethod,
)
from chargehub.charging.states import STATE_LABELS
from chargehub.payments.admin.order_rows import OrderRefundRowSchema, OrderSplitRowSchema, PaymentRecordRowSchema

# -------------------------------------------------------------------------------------- words

START_METHOD_LABELS = {StartMethod.APP: "小程序", StartMethod.CARD: "刷卡", StartMethod.VIN: "即插即充",
                       StartMethod.ADMIN: "后台启动"}
ORDER_TYPE_LABELS = {OrderType.NORMAL: "普通订单", OrderType.RESERVATION: "预约订单",
                     OrderType.COLLECTIVE: "集体户订单"}
PAY_METHOD_LABELS = {PayMethod.FREE: "免费测试", PayMethod.BALANCE: "余额", PayMethod.WECHAT: "微信支付",
                     PayMethod.LESHUA: "乐刷", PayMethod.SUIXINGFU: "随行付", PayMethod.ONLINE: "在线支付",
                     PayMethod.CARD: "电卡"}
PAY_STATE_LABELS = {PayState.UNPAID: "待支付", PayState.PAID: "已支付", PayState.PARTIALLY_REFUNDED: "部分退款",
                    PayState.REFUNDED: "已退款"}
INVOICE_STATE_LABELS = {InvoiceState.NONE: "未开票", InvoiceState.INVOICING: "开票中",
                        InvoiceState.INVOICED: "已开票"}
SETTLED_BY_LABELS = {SettledBy.DEVICE: "设备上报", SettledBy.OPERATOR: "后台结束", SettledBy.SYSTEM: "系统"}
REVIEW_LABELS = {OrderReview.NONE: "", OrderReview.PENDING: "待核对"}
ACTOR_LABELS = {"driver": "用户", "user": "操作员", "device": "设备", "system": "系统"}


def _money(label: str, **kwargs) -> ma.fields.Decimal:
    return ma.fields.Decimal(places=2, as_string=True, metadata={"label": label, "description": "元"}, **kwargs)


def _energy(label: str) -> ma.fields.Decimal:
    return ma.fields.Decimal(places=4, as_string=True, metadata={"label": label, "description": "kWh"})


def _contains(label: str) -> ma.fields.String:
    return ma.fields.String(load_default=None, metadata={"label": label, "description": "包含"})


def _enum(enum, label: str, **kwargs) -> ma.fields.Enum:
    return ma.fields.Enum(enum, by_value=True, load_default=None, metadata={"label": label}, **kwargs)


# -------------------------------------------------------------------------------------- searches


class CreatedWindow(ma.Schema):
    """订单创建时间: local dates, inclusive; the last 7 days when neither is given."""

    class Meta:
        unknown = ma.RAISE

    created_from = ma.fields.Date(load_default=None, metadata={
        "label": "订单创建时间起", "description": f"YYYY-MM-DD（本地日期，含当日）。与 created_to 都不传时默认最近 "
                                           f"{DEFAULT_DAYS} 天（今天及之前 {DEFAULT_DAYS - 1} 天）"})
    created_to = ma.fields.Date(load_default=None, metadata={
        "label": "订单创建时间止", "description": "YYYY-MM-DD（本地日期，含当日）"})

    @ma.validates_schema
    def _range(self, data, **kwargs):
        if data.get("created_from") and data.get("created_to") and data["created_from"] > data["created_to"]:
            raise ma.ValidationError("开始日期不能晚于结束日期 (start after end)", "created_to")

    @ma.post_load
    def _default_window(self, data, **kwargs):
        if data.get("created_from") is None and data.get("created_to") is None:
            data["created_from"], data["created_to"] = default_window()
        return data


class CarOrderFilters(CreatedWindow):
    """The 汽车订单 search (manual 3.4.1 §1) plus 支付状态 and 开票状态."""

    station_id = ma.fields.Integer(load_default=None, metadata={"label": "站点名称", "description": "电站 id"})
    trade_no = _contains("订单编号")
    reservation = ma.fields.Boolean(load_default=None, metadata={
        "label": "预约订单", "description": "true: 预约订单（订单类型为预约或关联了预约）; false: 非预约订单"})
    device_code = _contains("电桩编号")
    factory_id = _contains("电桩SN")
    gun_number = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1),
                                   metadata={"label": "电枪编号", "description": "等于"})
    phone = _contains("手机号")
    card_no = _contains("充电卡号")
    state = _enum(OrderState, "订单状态")
    start_method = _enum(StartMethod, "启动方式")
    pay_state = _enum(PayState, "支付状态")
    invoice_state = _enum(InvoiceState, "开票状态")


BIKE_STATES = tuple(STATE_LABELS["bike"])


class BikeOrderFilters(CreatedWindow):
    """The 单车订单 search (manual 3.4.2 §1) plus 支付状态 and 开票状态."""

    station_id = ma.fields.Integer(load_default=None, metadata={"label": "电站名称", "description": "电站 id"})
    state = _enum(OrderState, "订单状态", validate=ma.validate.OneOf(
        BIKE_STATES, error="单车订单状态可选: " + ", ".join(s.value for s in BIKE_STATES)))
    order_type = _enum(OrderType, "订单类型")
    start_method = _enum(StartMethod, "启动方式")
    phone = _contains("手机号")
    trade_no = _contains("订单编号")
    device_code = _contains("设备编号")
    factory_id = _contains("出厂标识")
    socket_number = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1),
                                      metadata={"label": "插座编号", "description": "等于"})
    pay_state = _enum(PayState, "支付状态")
    invoice_state = _enum(InvoiceState, "开票状态")


class CarOrderArgs(PageArgs, CarOrderFilters):
    """The 汽车订单 list: the search, paging and ``sort`` (default ``-created_at``)."""


class BikeOrderArgs(PageArgs, BikeOrderFilters):
    """The 单车订单 list: the search, paging and ``sort`` (default ``-created_at``)."""


# -------------------------------------------------------------------------------------- lists


class AdminOrderItemSchema(ma.Schema):
    """What both lists show of an order."""

    id = ma.fields.Integer()
    trade_no = ma.fields.String(metadata={"label": "订单编号"})
    station_id = ma.fields.Integer()
    station_name = ma.fields.String(metadata={"label": "电站名称"})
    area_name = ma.fields.String(metadata={"label": "区域"})
    phone = ma.fields.String(metadata={"label": "手机号"})
    card_no = ma.fields.String(metadata={"label": "充电卡号"})
    device_code = ma.fields.String(metadata={"label": "电桩编号 / 设备编号"})
    factory_id = ma.fields.String(metadata={"label": "出厂标识"})
    order_type = ma.fields.Enum(OrderType, by_value=True, metadata={"label": "订单类型"})
    start_method = ma.fields.Enum(StartMethod, by_value=True, metadata={"label": "启动方式"})
    prepaid = _money("预付金额")
    duration_s = ma.fields.Integer(metadata={"label": "充电时长", "description": "秒"})
    energy_kwh = _energy("充电电量")
    amount = _money("订单总费用")
    state = ma.fields.Enum(OrderState, by_value=True, metadata={"label": "订单状态"})
    state_label = ma.fields.String(metadata={"label": "订单状态（文字）"})
    pay_state = ma.fields.Enum(PayState, by_value=True, metadata={"label": "支付状态"})
    invoice_state = ma.fields.Enum(InvoiceState, by_value=True, metadata={"label": "开票状态"})
    created_at = ma.fields.DateTime(metadata={"label": "订单创建时间"})
    ended_at = ma.fields.DateTime(allow_none=True, metadata={"label": "结束时间"})


class CarOrderItemSchema(AdminOrderItemSchema):
    """A row of 汽车订单."""

    phone_or_card = ma.fields.String(metadata={"label": "手机号/卡号", "description": "手机号，刷卡订单为卡号"})
    gun_number = ma.fields.Integer(metadata={"label": "枪编号"})
    reservation_id = ma.fields.Integer(allow_none=True, metadata={"label": "预约"})
    electricity_fee = _money("电费")
    service_fee = _money("服务费")


class BikeOrderItemSchema(AdminOrderItemSchema):
    """A row of 单车订单."""

    socket_number = ma.fields.Integer(metadata={"label": "插座编号"})
    preset_minutes = ma.fields.Integer(metadata={"label": "预充时长", "description": "分钟"})
    charge_mode = ma.fields.String(metadata={"label": "充电方式"})


class CarTotalsSchema(ma.Schema):
    """Sums of the 汽车订单 money, energy and duration columns."""

    prepaid = _money("预付金额")
    energy_kwh = _energy("充电电量")
    duration_s = ma.fields.Integer(metadata={"label": "充电时长", "description": "秒"})
    electricity_fee = _money("电费")
    service_fee = _money("服务费")
    amount = _money("订单总费用")


class BikeTotalsSchema(CarTotalsSchema):
    """Sums of the 单车订单 columns (the car sums plus 预充时长)."""

    preset_minutes = ma.fields.Integer(metadata={"label": "预充时长", "description": "分钟"})


class CarSearchTotalsSchema(CarTotalsSchema):
    """总计 搜索条件下总和: the sums over every order the search finds, and how many."""

    count = ma.fields.Integer(metadata={"label": "订单数"})


class BikeSearchTotalsSchema(BikeTotalsSchema):
    """总计 搜索条件下总和 of 单车订单."""

    count = ma.fields.Integer(metadata={"label": "订单数"})


class CarOrderPage(page_schema(CarOrderItemSchema, "CarOrderPageBase")):
    """A page of 汽车订单 with ``page_totals`` (合计 本页总和: the sums over this page's items)."""

    page_totals = ma.fields.Nested(CarTotalsSchema)


class BikeOrderPage(page_schema(BikeOrderItemSchema, "BikeOrderPageBase")):
    """A page of 单车订单 with ``page_totals`` (合计 本页总和)."""

    page_totals = ma.fields.Nested(BikeTotalsSchema)


# -------------------------------------------------------------------------------------- 详细


class OrderPaymentRowSchema(PaymentRecordRowSchema):
    """支付明细: a payment record of the order (``prepaid``: its amount) with the order's 支付方式, or — for an
    order without records — one row built from the order (``pay_state`` instead of the record's columns)."""

    pay_method = ma.fields.Enum(PayMethod, by_value=True, metadata={"label": "支付方式"})
    pay_method_label = ma.fields.String(metadata={"label": "支付方式（文字）"})
    pay_state = ma.fields.Enum(PayState, by_value=True,
                               metadata={"label": "支付状态", "description": "无支付记录时：订单的支付状态"})
    pay_state_label = ma.fields.String(metadata={"label": "支付状态（文字）"})
    prepaid = _money("预付金额")
    amount = _money("消费金额")
    refunded = _money("已退金额")
    at = ma.fields.DateTime(metadata={"label": "时间"})


class OrderBillSummarySchema(ma.Schema):
    """The bill's totals (before the order's cap at the prepaid amount)."""

    mode = ma.fields.String(allow_none=True, metadata={"label": "计费模式"})
    free = ma.fields.Boolean(metadata={"label": "免费时长内"})
    energy_kwh = ma.fields.String(allow_none=True, metadata={"label": "电量（kWh）"})
    electricity_fee = ma.fields.String(allow_none=True, metadata={"label": "电费（元）"})
    service_fee = ma.fields.String(allow_none=True, metadata={"label": "服务费（元）"})
    total = ma.fields.String(allow_none=True, metadata={"label": "合计（元）"})


class OrderTransitionSchema(ma.Schema):
    """One state change of the order."""

    at = ma.fields.DateTime(metadata={"label": "时间"})
    from_state = ma.fields.String(allow_none=True)
    from_label = ma.fields.String(metadata={"label": "原状态"})
    to_state = ma.fields.String()
    to_label = ma.fields.String(metadata={"label": "新状态"})
    cause = ma.fields.String(metadata={"label": "原因"})
    actor = ma.fields.String(metadata={"description": "driver / user / device / system"})
    actor_label = ma.fields.String(metadata={"label": "操作方"})
    actor_id = ma.fields.Integer(allow_none=True)
    actor_name = ma.fields.String(allow_none=True, metadata={"label": "操作人"})


class AdminOrderDetailSchema(AdminOrderItemSchema):
    """详细 of an order: manual 3.4.1 §7 / 3.4.2 §8."""

    kind = ma.fields.String(metadata={"description": "car / bike"})
    area_id = ma.fields.Integer()
    order_type_label = ma.fields.String(metadata={"label": "订单类型（文字）"})
    start_method_label = ma.fields.String(metadata={"label": "启动方式（文字）"})
    power_w = ma.fields.Integer(metadata={"label": "充电功率（W）", "description": "最后上报的功率"})
    max_power_w = ma.fields.Integer(metadata={"label": "最大功率（W）"})
    electricity_fee = _money("电费")
    service_fee = _money("服务费")
    refunded = _money("已退金额")
    can_end = ma.fields.Boolean(metadata={"label": "可结束", "description": "订单状态允许后台结束"})
    end_reason = ma.fields.String(metadata={"label": "结束描述"})
    stop_reason_code = ma.fields.String(metadata={"label": "停止原因代码"})
    started_at = ma.fields.DateTime(allow_none=True, metadata={"label": "开始时间"})
    settled_at = ma.fields.DateTime(allow_none=True, metadata={"label": "结算时间"})
    settled_by = ma.fields.Enum(SettledBy, by_value=True, allow_none=True, metadata={"label": "结算依据"})
    settled_by_label = ma.fields.String(metadata={"label": "结算依据（文字）"})
    ended_by = ma.fields.Integer(allow_none=True)
    ended_by_name = ma.fields.String(allow_none=True, metadata={"label": "结束操作人"})
    payments = ma.fields.List(ma.fields.Nested(OrderPaymentRowSchema), metadata={"label": "支付明细"})
    rule_name = ma.fields.String(metadata={"label": "计费规则"})
    rule_text = ma.fields.String(metadata={"label": "计费规则说明"})
    bill = ma.fields.Nested(OrderBillSummarySchema, metadata={"label": "计费合计"})
    bill_lines = ma.fields.List(ma.fields.Nested(BillLineSchema), metadata={"label": "计费明细"})
    refunds = ma.fields.List(ma.fields.Nested(OrderRefundRowSchema), metadata={"label": "退费明细"})
    splits = ma.fields.List(ma.fields.Nested(OrderSplitRowSchema), metadata={"label": "分账"})
    invoice_state_label = ma.fields.String(metadata={"label": "开票状态（文字）"})
    invoices = ma.fields.List(ma.fields.Dict(), metadata={"label": "开票明细", "description": "发票记录（开票功能上线前为空）"})
    pay_state_label = ma.fields.String(metadata={"label": "支付状态（文字）"})
    transitions = ma.fields.List(ma.fields.Nested(OrderTransitionSchema), metadata={"label": "状态记录"})
    review = ma.fields.Enum(OrderReview, by_value=True, metadata={"label": "核对状态"})
    review_label = ma.fields.String(metadata={"label": "核对状态（文字）"})
    device_figures = ma.fields.Dict(metadata={"label": "设备上报数据",
                                              "description": "后台结束后设备才上报的交易数据（待核对）"})


class CarOrderDetailSchema(AdminOrderDetailSchema, CarOrderItemSchema):
    """详细 of a car order: adds 枪编号, 车牌号码, VIN, SOC."""

    pile_id = ma.fields.Integer()
    gun_id = ma.fields.Integer()
    plate = ma.fields.String(metadata={"label": "车牌号码"})
    vin = ma.fields.String(metadata={"label": "VIN"})
    soc = ma.fields.Integer(allow_none=True, metadata={"label": "SOC（%）"})


class BikeOrderDetailSchema(AdminOrderDetailSchema, BikeOrderItemSchema):
    """详细 of an e-bike order: adds 插座编号, 预充时长, 充电方式."""

    device_id = ma.fields.Integer()
    socket_id = ma.fields.Integer()
    protocol = ma.fields.String(metadata={"label": "通讯协议"})


# -------------------------------------------------------------------------------------- 结束


class CarEndPayload(ma.Schema):
    """结束 of a car order: no fields (settled on the last reported energy)."""

    class Meta:
        unknown = ma.RAISE


class BikeEndPayload(ma.Schema):
    """结束 of an e-bike order: settled on the last reported duration, or on ``minutes`` when given."""

    class Meta:
        unknown = ma.RAISE

    minutes = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=2880),
                                metadata={"label": "自定义时长（分钟）",
                                          "description": "1–2880；不填则按设备最后一次上报的充电时长结算"})
