"""The 支付订单, 退费管理 and 分账记录 searches as SQL, shared by the lists and the exports.

支付订单 (3.4.3): 电站, 订单类型, 支付类型, 支付状态 equal; 订单编号 (the order's number or the payment's
own) and 手机号 contain; 发起时间 and 支付时间 are ranges of local dates.
退费管理 (3.4.6): 电站, 退费类型, 退费状态 equal; 收款人 (phone) and 订单编号 contain; 申请时间 and 退款时间
likewise. 分账记录 (3.6.1): 电站, 订单类型, 分账状态 equal; 订单编号, 主导商户, 分账商户 (account or name),
分账单号 and 操作人 contain.

Every search is scoped through the one scoping helper (records carry their provider, property and
station) and pages with the one list pattern (:func:`chargehub.api.listing.paginate`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import sqlalchemy as sa

from chargehub.api.listing import contains, created_between, equals, paginate
from chargehub.payments.models import Payment, Refund, Split
from chargehub.tenancy.scope import Scope, condition

DEFAULT_SORT = "-created_at"


def _between(column, start, end):
    """A range of local dates (inclusive) on ``column``, the way 创建时间 searches are matched."""
    return created_between(column, {"created_from": start, "created_to": end})


def _station(model, f: Mapping[str, Any]):
    """电站: the record's station on the searched side."""
    if f.get("station_id") is None:
        return None
    column = model.bike_station_id if f.get("station_kind") == "bike" else model.car_station_id
    return column == f["station_id"]


def payment_conditions(f: Mapping[str, Any]) -> list:
    """The 支付订单 search as conditions on :class:`Payment` (``None`` entries: empty fields)."""
    p = Payment
    number = f.get("trade_no")
    return [_station(p, f), equals(p.order_kind, f.get("order_kind")), equals(p.plugin, f.get("plugin")),
            equals(p.state, f.get("state")),
            sa.or_(contains(p.trade_no, number), contains(p.out_trade_no, number)) if number else None,
            contains(p.phone, f.get("phone")), _between(p.created_at, f.get("created_from"), f.get("created_to")),
            _between(p.paid_at, f.get("paid_from"), f.get("paid_to"))]


def refund_conditions(f: Mapping[str, Any]) -> list:
    """The 退费管理 search as conditions on :class:`Refund`."""
    r = Refund
    return [_station(r, f), equals(r.order_kind, f.get("order_kind")), equals(r.kind, f.get("kind")),
            equals(r.state, f.get("state")), contains(r.phone, f.get("phone")), contains(r.trade_no, f.get("trade_no")),
            _between(r.created_at, f.get("created_from"), f.get("created_to")),
            _between(r.refunded_at, f.get("refunded_from"), f.get("refunded_to"))]


def split_conditions(f: Mapping[str, Any]) -> list:
    """The 分账记录 search as conditions on :class:`Split`."""
    s = Split
    account = f.get("receiver_account")
    return [_station(s, f), equals(s.order_kind, f.get("order_kind")), equals(s.state, f.get("state")),
            contains(s.trade_no, f.get("trade_no")), contains(s.lead_merchant, f.get("lead_merchant")),
            sa.or_(contains(s.receiver_account, account), contains(s.receiver_name, account)) if account else None,
            contains(s.out_split_no, f.get("out_split_no")), contains(s.operator_name, f.get("operator_name"))]


@dataclass(frozen=True)
class Search:
    """One record list: its model, its search's conditions and its sortable columns."""

    model: Any
    conditions: Callable[[Mapping[str, Any]], list]
    sortable: tuple[str, ...]

    def where(self, filters: Mapping[str, Any], scope: Scope | None = None) -> list:
        """The search's conditions and the scope's (default: the current user's)."""
        return [condition(self.model, scope), *(c for c in self.conditions(filters) if c is not None)]

    def page(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """One page of the search: ``{items, total, page, page_size}`` (items: the records)."""
        sortable = {name: getattr(self.model, name) for name in self.sortable}
        return paginate(self.model, sa.select(self.model), args, sortable, DEFAULT_SORT, self.where(args))


PAYMENTS = Search(Payment, payment_conditions, ("created_at", "paid_at", "amount", "trade_no"))
REFUNDS = Search(Refund, refund_conditions, ("created_at", "refunded_at", "amount", "trade_no"))
SPLITS = Search(Split, split_conditions, ("created_at", "finished_at", "amount", "trade_no"))
