"""Rows of the 汽车订单 and 单车订单 exports, as the export writer process calls them.

Imports nothing of the app (see :class:`chargehub.exports.ExportSource`): the statements of
:mod:`.exports` already turn the enums into words (SQL ``CASE`` over the one set of labels), so the row
functions only write money to the cent, energy to 0.0001 kWh, durations as ``H:MM:SS`` and times as local
text in the operators' zone, like the other exports (each statement's LAST column is the zone's name).
"""
from __future__ import annotations

from typing import Any

from chargehub.devices.admin.rows import decimal, duration, local_time
from chargehub.exports.plan import SheetRow


def car_order_row(record: Any, base: str) -> SheetRow:
    """订单编号, 用户手机号/卡号, 电站, 区域, 电桩编号, 枪号, 启动方式, 预付金额, 电费, 服务费, 订单总费用, 充电电量,
    充电时长, 订单状态, 支付状态, 开票状态, 创建时间, 结束时间."""
    (_id, trade_no, phone, station, area, pile_code, gun, start_method, prepaid, electricity_fee, service_fee, amount,
     energy, seconds, state, pay_state, invoice_state, created, ended, zone) = record
    return [trade_no, phone, station, area, pile_code, gun, start_method, decimal(prepaid, 2),
            decimal(electricity_fee, 2), decimal(service_fee, 2), decimal(amount, 2), decimal(energy, 4),
            duration(seconds), state, pay_state, invoice_state, local_time(created, zone), local_time(ended, zone)], None


def bike_order_row(record: Any, base: str) -> SheetRow:
    """订单编号, 用户手机号, 服务商, 物业, 电站, 区域, 设备编号, 插座号, 启动方式, 预付金额, 预充时长, 充电费用,
    充电时长, 订单状态, 支付状态, 开票状态, 创建时间, 结束时间."""
    (_id, trade_no, phone, provider, owner, station, area, device_code, socket, start_method, prepaid, preset_minutes,
     amount, seconds, state, pay_state, invoice_state, created, ended, zone) = record
    return [trade_no, phone, provider, owner, station, area, device_code, socket, start_method, decimal(prepaid, 2),
            preset_minutes, decimal(amount, 2), duration(seconds), state, pay_state, invoice_state,
            local_time(created, zone), local_time(ended, zone)], None
