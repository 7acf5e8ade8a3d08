"""详细 of an order (manual 3.4.1 §7, 3.4.2 §8): the order's own columns with the words for its enums,
支付明细, 计费规则 and 计费明细, 退费明细, 开票明细, its state transitions and the 待核对 figures.

支付明细, 退费明细 and 分账 are the order's payment, refund and split records
(:mod:`chargehub.payments.admin.order_rows`); an order without payment records (made before they existed)
shows one 支付明细 row built from its own columns. Invoices get records of their own in a later issue; until
then the invoice list is empty (with the invoice state the order carries).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chargehub.charging.admin.schemas import (
    ACTOR_LABELS,
    INVOICE_STATE_LABELS,
    ORDER_TYPE_LABELS,
    PAY_METHOD_LABELS,
    PAY_STATE_LABELS,
    REVIEW_LABELS,
    SETTLED_BY_LABELS,
    START_METHOD_LABELS,
)
from chargehub.charging.models import OrderState, OrderTransition
from chargehub.charging.states import OPERATOR_END_STATES, STATE_LABELS
from chargehub.extensions import db
from chargehub.payments.admin.order_rows import payment_rows, refund_rows, split_rows
from chargehub.tenancy.models import User

#: Columns every detail copies from the order as they are.
_COLUMNS = ("id", "trade_no", "station_id", "station_name", "area_id", "area_name", "phone", "card_no",
            "device_code", "factory_id", "order_type", "start_method", "prepaid", "duration_s", "energy_kwh",
            "power_w", "max_power_w", "electricity_fee", "service_fee", "amount", "refunded", "state", "pay_state",
            "invoice_state", "end_reason", "stop_reason_code", "created_at", "started_at", "ended_at", "settled_at",
            "settled_by", "ended_by", "rule_name", "rule_text", "review", "device_figures")
_SIDE_COLUMNS = {"car": ("pile_id", "gun_id", "gun_number", "reservation_id", "plate", "vin", "soc"),
                 "bike": ("device_id", "socket_id", "socket_number", "preset_minutes", "charge_mode", "protocol")}
_BILL_TOTALS = ("mode", "free", "energy_kwh", "electricity_fee", "service_fee", "total")


def _state_label(kind: str, value: str | None) -> str:
    if value is None:
        return ""
    try:
        return STATE_LABELS[kind].get(OrderState(value), value)
    except ValueError:
        return value


def _user_name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.name if user is not None else None


def transitions(order) -> list[dict[str, Any]]:
    """The order's transitions, oldest first, with the states and the actor in words (and the operator's
    name for ``user`` actors)."""
    rows = db.session.execute(sa.select(OrderTransition).where(OrderTransition.order_kind == order.kind,
                                                               OrderTransition.order_id == order.id)
                              .order_by(OrderTransition.at, OrderTransition.id)).scalars().all()
    user_ids = {row.actor_id for row in rows if row.actor == "user" and row.actor_id}
    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    return [{"at": row.at, "from_state": row.from_state, "from_label": _state_label(order.kind, row.from_state),
             "to_state": row.to_state, "to_label": _state_label(order.kind, row.to_state), "cause": row.cause,
             "actor": row.actor, "actor_label": ACTOR_LABELS.get(row.actor, row.actor), "actor_id": row.actor_id,
             "actor_name": names.get(row.actor_id) if row.actor == "user" else None}
            for row in rows]


def _payments(order) -> list[dict[str, Any]]:
    """支付明细: the order's payment records with its 支付方式, or one row of its own columns when it has none."""
    method = {"pay_method": order.pay_method, "pay_method_label": PAY_METHOD_LABELS.get(order.pay_method, "")}
    rows = payment_rows(order)
    if rows:
        return [method | row for row in rows]
    return [method | {"pay_state": order.pay_state, "pay_state_label": PAY_STATE_LABELS.get(order.pay_state, ""),
                      "prepaid": order.prepaid, "amount": order.amount, "refunded": order.refunded,
                      "at": order.created_at}]


def order_detail(order) -> dict[str, Any]:
    """Everything 详细 shows of ``order`` (a :class:`~chargehub.charging.models.CarOrder` or ``BikeOrder``)."""
    kind = order.kind
    out = {name: getattr(order, name) for name in _COLUMNS + _SIDE_COLUMNS[kind]}
    bill = order.bill or {}
    out.update(
        kind=kind,
        state_label=STATE_LABELS[kind].get(order.state, order.state.value),
        can_end=order.state in OPERATOR_END_STATES[kind],
        order_type_label=ORDER_TYPE_LABELS.get(order.order_type, ""),
        start_method_label=START_METHOD_LABELS.get(order.start_method, ""),
        pay_state_label=PAY_STATE_LABELS.get(order.pay_state, ""),
        invoice_state_label=INVOICE_STATE_LABELS.get(order.invoice_state, ""),
        settled_by_label=SETTLED_BY_LABELS.get(order.settled_by, "") if order.settled_by else "",
        review_label=REVIEW_LABELS.get(order.review, ""),
        ended_by_name=_user_name(order.ended_by),
        payments=_payments(order),
        bill={name: bill.get(name) for name in _BILL_TOTALS} | {"free": bool(bill.get("free"))},
        bill_lines=list(bill.get("lines") or ()),
        refunds=refund_rows(order),
        splits=split_rows(order),
        invoices=[],
        transitions=transitions(order),
    )
    if kind == "car":
        out["phone_or_card"] = order.phone or order.card_no
    return out
