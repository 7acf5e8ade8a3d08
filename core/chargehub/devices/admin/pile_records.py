"""桩交易记录: the search over the transaction records piles uploaded (before and apart from settlement).

Search: 电站 equal; 充电桩编号, 出厂标识 and 交易流水号 contain; 核对状态 and 停止原因代码 equal; 结束时间 a
range of local dates (inclusive). The conditions expect a select joined with :class:`Pile`; the list
endpoint and the export share them.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.api.audit_fields import annotate_names
from chargehub.api.listing import contains, equals
from chargehub.assets.car_models import CarStation, Gun, Pile
from chargehub.devices.admin.online_records import local_dates
from chargehub.devices.models import PileTransactionRecord
from chargehub.extensions import db


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
    pile_ids = {r.pile_id for r in records}
    piles = {row.id: row for row in db.session.execute(
        sa.select(Pile.id, Pile.code, Pile.name, Pile.factory_id).where(Pile.id.in_(pile_ids)))} if pile_ids else {}
    for record in records:
        pile = piles.get(record.pile_id)
        record.pile_code = pile.code if pile else None
        record.pile_name = pile.name if pile else None
        record.factory_id = pile.factory_id if pile else None
    return records
