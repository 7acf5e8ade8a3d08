"""Rows of the 支付订单 and 退费管理 exports, as the export writer process calls them.

Imports nothing of the app (see :class:`chargehub.exports.ExportSource`): the statements of
:mod:`.exports` already put the enums in words, so the row functions only write money to the cent and
times as local text in the operators' zone (each statement's LAST column is the zone's name).
"""
from __future__ import annotations

from typing import Any

from chargehub.devices.admin.rows import decimal, local_time
from chargehub.exports.plan import SheetRow


def _callback(raw: Any) -> str:
    """第三方回调 (short): the vendor's last answer as text, '' when there is none."""
    text = "" if raw is None else str(raw)
    return "" if text in ("{}", "null") else text


def payment_row(record: Any, base: str) -> SheetRow:
    """订单号, 订单类型, 支付类型, 支付金额, 手机号, 电站, 支付状态, 第三方回调, 发起时间, 支付时间."""
    _id, trade_no, kind, plugin, amount, phone, station, state, raw, created, paid, zone = record
    return [trade_no, kind, plugin, decimal(amount, 2), phone, station, state, _callback(raw),
            local_time(created, zone), local_time(paid, zone)], None


def refund_row(record: Any, base: str) -> SheetRow:
    """订单编号, 收款人, 订单费用, 支付金额, 退费金额, 操作者, 申请时间, 退费状态, 退费时间, 第三方退款单号."""
    (_id, trade_no, phone, order_amount, paid_amount, amount, operator, created, state, refunded, vendor_no,
     zone) = record
    return [trade_no, phone, decimal(order_amount, 2), decimal(paid_amount, 2), decimal(amount, 2), operator,
            local_time(created, zone), state, local_time(refunded, zone), vendor_no], None
