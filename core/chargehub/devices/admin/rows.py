"""Rows of the 上下线记录, 桩交易记录 and 单车充电记录 exports, as the export writer process calls them.

Imports nothing of the app (see :class:`chargehub.exports.ExportSource`): the writer hands over the
values as the database driver returns them — times as aware datetimes (PostgreSQL) or ``"YYYY-MM-DD
HH:MM:SS[.ffffff]"`` UTC text (SQLite), numerics as ``Decimal`` or ``float``, enums as their stored values,
JSON as lists (PostgreSQL) or text (SQLite).
Each statement's LAST column is the operators' time zone name, so times are written in local time.
"""
from __future__ import annotations

import json
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


def stop_text(code: Any, reason: str | None) -> str:
    """停止原因 as one cell: the words with the code after them (``充满停止 (full)（64）``), or whichever is set."""
    if code not in (None, "") and reason:
        return f"{reason}（{code}）"
    return reason or ("" if code is None else str(code))


def duration(seconds: Any) -> str:
    """Seconds as ``H:MM:SS`` ('' when empty)."""
    if seconds in (None, ""):
        return ""
    minutes, second = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{second:02d}"


def fault_words(faults: Any) -> str:
    """The texts of a stored ``faults`` list (``[{"bit", "code", "text"}]``), joined with 、."""
    if isinstance(faults, str):
        faults = json.loads(faults or "[]")
    return "、".join(str(f.get("text") or f.get("code") or "") if isinstance(f, dict) else str(f)
                    for f in faults or ())


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
    return [trade_no, station, pile_code, factory_id, gun, local_time(started, zone), local_time(ended, zone),
            decimal(energy, 4), decimal(amount, 4), TRADE_FLAGS.get(flag, flag), stop_text(reason_code, reason), vin,
            REVIEW_STATES.get(review, review), duplicates, local_time(received, zone)], None


def bike_record_row(record: Any, base: str) -> SheetRow:
    """订单号, 电站, 设备编号, 出厂标识, 插座号, 开始时间, 结束时间, 电量, 充电时长, 最大功率, 停止原因, 故障,
    核对状态, 重复上传次数, 接收时间."""
    (_id, trade_no, station, device_code, factory_id, socket, started, ended, energy, elapsed, max_power, reason_code,
     reason, faults, review, duplicates, received, zone) = record
    return [trade_no, station, device_code, factory_id, socket, local_time(started, zone), local_time(ended, zone),
            decimal(energy, 4), duration(elapsed), max_power, stop_text(reason_code, reason), fault_words(faults),
            REVIEW_STATES.get(review, review), duplicates, local_time(received, zone)], None
