"""What the driver API says of an order: the start request, the order, its live data.

Payloads are built as JSON-ready dicts (:func:`order_payload`, :func:`live_payload`: money as 2-decimal
yuan strings, energy as 4-decimal kWh strings, times ISO 8601 UTC) so that an idempotent replay answers
byte for byte what the first answer said; the schemas document them and validate requests.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma

from chargehub.billing.api.bill_schemas import BillSchema
from chargehub.charging.models import OrderState, PayMethod
from chargehub.charging.settlement import held, running_bill
from chargehub.charging.states import STATE_LABELS
from chargehub.contracts.billing import yuan
from chargehub.db import utcnow
from chargehub.payments.service import payment_of_order, payment_payload

PLATE = r"^$|^[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}$"


class StartSchema(ma.Schema):
    """开始充电: exactly one of ``gun_id`` and ``socket_id``."""

    class Meta:
        unknown = ma.RAISE

    gun_id = ma.fields.Integer(load_default=None, strict=True, metadata={"description": "电枪 id（汽车）"})
    socket_id = ma.fields.Integer(load_default=None, strict=True, metadata={"description": "插座 id（单车）"})
    prepaid = ma.fields.String(required=True, metadata={"description": "预付金额（元，最多两位小数），如 \"50.00\""})
    pay_method = ma.fields.String(load_default=PayMethod.BALANCE.value, validate=ma.validate.OneOf(
        [PayMethod.ONLINE.value, PayMethod.BALANCE.value, PayMethod.FREE.value], error="不支持的支付方式 (unknown pay method)"),
        metadata={"description": "online 在线支付（电站配置的支付方式：微信支付/乐刷/随行付）/ balance 余额 / "
                                 "free 免费测试（平台开启时）"})
    payer_id = ma.fields.String(load_default="", validate=ma.validate.Length(max=128),
                                metadata={"description": "在线支付：小程序用户的 openid"})
    minutes = ma.fields.Integer(load_default=None, strict=True, metadata={"description": "单车：预充时长（分钟）；不填为充满自停"})
    plate = ma.fields.String(load_default="", validate=ma.validate.Regexp(
        PLATE, error="车牌号格式不正确 (invalid plate)"), metadata={"description": "车牌号（汽车，可选）"})

    @ma.validates_schema
    def _one_connector(self, data, **kwargs):
        if (data.get("gun_id") is None) == (data.get("socket_id") is None):
            raise ma.ValidationError("请选择一个电枪或插座 (give gun_id or socket_id)", "gun_id")
        if data.get("gun_id") is not None and data.get("minutes") is not None:
            raise ma.ValidationError("预充时长仅用于单车充电 (minutes: e-bike only)", "minutes")


class PaymentSchema(ma.Schema):
    """The order's payment; ``client_params`` are what ``wx.requestPayment`` takes, while it can be paid."""

    out_trade_no = ma.fields.String()
    plugin = ma.fields.String(metadata={"description": "wechatpay / leshua / suixingfu / balance"})
    state = ma.fields.String(metadata={"description": "pending 待支付 / paid 已支付 / failed / closed"})
    amount = ma.fields.String()
    paid_at = ma.fields.String(allow_none=True)
    client_params = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


class OrderSchema(ma.Schema):
    """An order as the driver sees it (times ISO 8601 UTC; money yuan strings)."""

    trade_no = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "car / bike"})
    state = ma.fields.String()
    state_label = ma.fields.String()
    station_name = ma.fields.String()
    device_code = ma.fields.String()
    connector = ma.fields.Integer(metadata={"description": "枪号 / 插座号"})
    prepaid = ma.fields.String()
    pay_method = ma.fields.String()
    pay_state = ma.fields.String()
    refunded = ma.fields.String()
    energy_kwh = ma.fields.String()
    power_w = ma.fields.Integer()
    duration_s = ma.fields.Integer()
    soc = ma.fields.Integer(allow_none=True)
    electricity_fee = ma.fields.String()
    service_fee = ma.fields.String()
    amount = ma.fields.String(metadata={"description": "订单总费用（结算后）"})
    preset_minutes = ma.fields.Integer(allow_none=True)
    rule_name = ma.fields.String()
    rule_text = ma.fields.String()
    bill = ma.fields.Nested(BillSchema, allow_none=True)
    end_reason = ma.fields.String()
    created_at = ma.fields.String()
    started_at = ma.fields.String(allow_none=True)
    ended_at = ma.fields.String(allow_none=True)
    payment = ma.fields.Nested(PaymentSchema, allow_none=True)


class LiveSchema(ma.Schema):
    """充电中实时数据."""

    trade_no = ma.fields.String()
    state = ma.fields.String()
    state_label = ma.fields.String()
    energy_kwh = ma.fields.String()
    power_w = ma.fields.Integer()
    duration_s = ma.fields.Integer()
    soc = ma.fields.Integer(allow_none=True)
    cost = ma.fields.String(metadata={"description": "当前费用（运行中计费）"})
    left = ma.fields.String(metadata={"description": "预付剩余"})
    bill = ma.fields.Nested(BillSchema, allow_none=True)
    reported_at = ma.fields.String(allow_none=True)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def order_payload(order) -> dict[str, Any]:
    """The :class:`OrderSchema` dict of ``order``."""
    return {
        "trade_no": order.trade_no, "kind": order.kind, "state": order.state.value,
        "state_label": STATE_LABELS[order.kind].get(order.state, order.state.value),
        "station_name": order.station_name, "device_code": order.device_code,
        "connector": order.gun_number if order.kind == "car" else order.socket_number,
        "prepaid": _money(order.prepaid), "pay_method": order.pay_method.value, "pay_state": order.pay_state.value,
        "refunded": _money(order.refunded), "energy_kwh": str(order.energy_kwh), "power_w": order.power_w,
        "duration_s": order.duration_s, "soc": getattr(order, "soc", None),
        "electricity_fee": _money(order.electricity_fee), "service_fee": _money(order.service_fee),
        "amount": _money(order.amount), "preset_minutes": getattr(order, "preset_minutes", None),
        "rule_name": order.rule_name, "rule_text": order.rule_text, "bill": order.bill or None,
        "end_reason": order.end_reason, "created_at": _iso(order.created_at), "started_at": _iso(order.started_at),
        "ended_at": _iso(order.ended_at), "payment": payment_payload(payment_of_order(order)),
    }


def live_payload(order) -> dict[str, Any]:
    """The :class:`LiveSchema` dict of ``order``: the running bill while active, the final one after."""
    if order.settled_at is None and order.state in (OrderState.CHARGING, OrderState.STOPPING, OrderState.SUSPENDED):
        bill = running_bill(order, utcnow())
        cost = yuan(bill.total) if bill is not None else Decimal("0.00")
        bill_dict = bill.to_dict() if bill is not None else None
    else:
        cost, bill_dict = order.amount, order.bill or None
    return {"trade_no": order.trade_no, "state": order.state.value,
            "state_label": STATE_LABELS[order.kind].get(order.state, order.state.value),
            "energy_kwh": str(order.energy_kwh), "power_w": order.power_w, "duration_s": order.duration_s,
            "soc": getattr(order, "soc", None), "cost": _money(cost),
            "left": _money(max(held(order) - cost, Decimal("0.00"))) if order.settled_at is None else "0.00",
            "bill": bill_dict, "reported_at": _iso(order.last_report_at)}
