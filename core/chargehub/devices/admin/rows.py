"""Rows of the 上下线记录 and 桩交易记录 exports, as the export writer process calls them.

Imports nothing of the app (see :class:`chargehub.exports.ExportSource`): the writer hands over the
values as the database driver returns them — times as aware datetimes (PostgreSQL) or ``"YYYY-MM-DD
HH:MM:SS[.ffffff]"`` UTC text (SQLite), numerics as ``Decimal`` or ``float``, enums as their stored values.
Each statement's LAST column is the operators' time zone name, so times are written in local time.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chargehub.exports.plan import SheetRow

DEVICE_KINDS = {"pile": "充电桩", "bike_device": "单车设备", "camera": "相机"}
CONNECTION_STATES = {"online": "上线", "offline": "下线", "refused": "拒绝登录"}
REVIEW_STATES = {"pending": "待核对", "matched": "已匹配"}
TRADE_FLAGS = {"app": "APP启动", "card": "卡启动", "offline_card": "离线卡启动", "vin": "VIN码启动",
               "unknown": "未知"}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def local_time(value: Any, zone: str) -> str:
    """``value`` (a UTC time as the driver returns it) as local text in ``zone``; '' when empty."""
    if value in (None, ""):
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(zone)).strftime(TIME_FORMAT)


def decimal(value: Any, places: int) -> Decimal | None:
    """``value`` as a ``Decimal`` with ``places`` decimals (SQLite gives floats: go through their text)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def online_record_row(record: Any, base: str) -> SheetRow:
    """设备名称, 设备编号, 设备sn号, 设备类型, 连接状态, 原因, 协议, 地址, 记录时间."""
    _id, name, code, factory_id, kind, state, reason, protocol, peer, occurred_at, zone = record
    return [name, code, factory_id, DEVICE_KINDS.get(kind, kind), CONNECTION_STATES.get(state, state), reason,
            protocol, peer, local_time(occurred_at, zone)], None


def pile_record_row(record: Any, base: str) -> SheetRow:
    """交易流水号, 电站, 充电桩编号, 出厂标识, 枪号, 开始时间, 结束时间, 电量, 金额, 交易标识, 停止原因, VIN,
    核对状态, 重复上传次数, 接收时间."""
    (_id, trade_no, station, pile_code, factory_id, gun, started, ended, energy, amount, flag, reason_code,
     reason, vin, review, duplicates, received, zone) = record
    stop = f"{reason}（{reason_code}）" if reason_code is not None and reason else reason or (
        "" if reason_code is None else str(reason_code))
    return [trade_no, station, pile_code, factory_id, gun, local_time(started, zone), local_time(ended, zone),
            decimal(energy, 4), decimal(amount, 4), TRADE_FLAGS.get(flag, flag), stop, vin,
            REVIEW_STATES.get(review, review), duplicates, local_time(received, zone)], None
