"""桩交易记录: the search over the transaction records piles uploaded (before and apart from settlement).

Search: 电站 equal; 充电桩编号, 出厂标识 and 交易流水号 contain; 核对状态 and 停止原因代码 equal; 结束时间 a
range of local dates (inclusive). The conditions expect a select joined with :class:`Pile`; the list
endpoint and the export share them.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from chargehub.api.audit_fields import annotate_columns, annotate_names
from chargehub.api.listing import contains, equals
from chargehub.assets.car_models import CarStation, Gun, Pile
from chargehub.devices.admin.online_records import local_dates
from chargehub.devices.models import PileTransactionRecord


def pile_record_conditions(filters: Mapping[str, Any]) -> list:
    """The 桩交易记录 search as conditions on a select of :class:`PileTransactionRecord` joined with :class:`Pile`."""
    record = PileTransactionRecord
    return [equals(record.station_id, filters.get("station_id")),
            contains(Pile.code, filters.get("pile_code")),
            contains(Pile.factory_id, filters.get("factory_id")),
            contains(record.trade_no, filters.get("trade_no")),
            equals(record.review_state, filters.get("review_state")),
            equals(record.stop_reason_code, filters.get("stop_reason_code")),
            local_dates(record.ended_at, filters.get("ended_from"), filters.get("ended_to"))]


def annotate_pile_records(records: Iterable[PileTransactionRecord]) -> list[PileTransactionRecord]:
    """Set ``station_name``, ``pile_code``, ``pile_name``, ``factory_id`` and ``gun_name`` on each record."""
    records = annotate_names(records, station_name=("station_id", CarStation), gun_name=("gun_id", Gun))
    return annotate_columns(records, "pile_id", Pile, pile_code="code", pile_name="name", factory_id="factory_id")
