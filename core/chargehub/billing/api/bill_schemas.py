"""The itemized bill as the APIs show it: :meth:`chargehub.contracts.billing.Bill.to_dict`, documented.

One pair of schemas for every answer that carries a bill (计费测试, the driver's orders, the operators'
order details), so the OpenAPI document names it once.
"""
from __future__ import annotations

import marshmallow as ma


class BillLineSchema(ma.Schema):
    """One line (:meth:`~chargehub.contracts.billing.BillLine.to_dict`): money and unit prices as yuan strings."""

    key = ma.fields.String(metadata={"description": "sharp/peak/flat/valley, energy, duration, tier_<n>, service_hours, cap"})
    label = ma.fields.String(metadata={"label": "计费项"})
    seconds = ma.fields.Integer(metadata={"label": "时长（秒）"})
    units = ma.fields.Integer(metadata={"label": "计费单位数"})
    energy_kwh = ma.fields.String(metadata={"label": "电量（kWh）"})
    electricity_price = ma.fields.String(metadata={"label": "电费单价（元）"})
    service_price = ma.fields.String(metadata={"label": "服务费单价（元）"})
    electricity_fee = ma.fields.String(metadata={"label": "电费（元）"})
    service_fee = ma.fields.String(metadata={"label": "服务费（元）"})
    amount = ma.fields.String(metadata={"label": "金额（元）"})


class BillSchema(ma.Schema):
    """A bill (:meth:`~chargehub.contracts.billing.Bill.to_dict`): totals are the sums of the lines."""

    mode = ma.fields.String()
    free = ma.fields.Boolean()
    stop_reason = ma.fields.String(allow_none=True)
    energy_kwh = ma.fields.String()
    electricity_fee = ma.fields.String()
    service_fee = ma.fields.String()
    total = ma.fields.String()
    lines = ma.fields.List(ma.fields.Nested(BillLineSchema))
