"""The order state machines and the one function that moves an order: :func:`transition`.

Car::

    STARTING ──start confirmed──▶ CHARGING ──stop sent──▶ STOPPING ──record──▶ COMPLETED
    STARTING ──refused / no confirmation in time──▶ FAILED
    CHARGING / STOPPING ──device silent past the timeout──▶ SUSPENDED ──record / 结束──▶ COMPLETED
    SUSPENDED ──the device reports the order charging again──▶ CHARGING

Orders paid online are STARTING (启动中, 待支付) until the payment is confirmed, then the start is sent;
an unpaid order fails when its payment fails or is not made in time (nothing was taken).

E-bike: an order is CHARGING from its creation, or from its payment (``started_at`` stays empty until
the charger confirms);
CHARGING → COMPLETED (订单结束) on the charger's record, → FAILED when the start is refused or not
confirmed in time, → SUSPENDED when the charger goes silent.

Operators' 结束 settles from any state the manual lists (car: 启动中 充电中 结束中 挂起 异常; e-bike:
充电中 挂起 异常), so FAILED → COMPLETED is allowed for an operator's settlement only.

Every transition is stored as an :class:`~chargehub.charging.models.OrderTransition` with its time,
cause and actor. A transition that is not allowed raises :class:`IllegalTransition` (callers that
handle device events check :func:`can_move` first: devices repeat themselves).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from chargehub.charging.models import ACTIVE_STATES, OrderState as S, OrderTransition
from chargehub.db import utcnow
from chargehub.errors import Conflict
from chargehub.extensions import db

CAR_MOVES: dict[S, frozenset[S]] = {
    S.STARTING: frozenset({S.CHARGING, S.FAILED, S.STOPPING, S.COMPLETED, S.SUSPENDED}),
    S.CHARGING: frozenset({S.STOPPING, S.SUSPENDED, S.COMPLETED}),
    S.STOPPING: frozenset({S.SUSPENDED, S.COMPLETED}),
    S.SUSPENDED: frozenset({S.CHARGING, S.STOPPING, S.COMPLETED}),
    S.FAILED: frozenset({S.COMPLETED, S.CHARGING}),
    S.COMPLETED: frozenset(),
}
BIKE_MOVES: dict[S, frozenset[S]] = {
    S.STARTING: frozenset({S.CHARGING, S.FAILED}),  # waiting for an online payment
    S.CHARGING: frozenset({S.FAILED, S.SUSPENDED, S.COMPLETED}),
    S.SUSPENDED: frozenset({S.CHARGING, S.COMPLETED}),
    S.FAILED: frozenset({S.COMPLETED, S.CHARGING}),
    S.COMPLETED: frozenset(),
}
MOVES = {"car": CAR_MOVES, "bike": BIKE_MOVES}

#: What operators read, per side (the e-bike page says 订单结束 where the car page says 订单完成).
STATE_LABELS = {
    "car": {S.STARTING: "启动中", S.CHARGING: "充电中", S.STOPPING: "结束中", S.COMPLETED: "订单完成",
            S.FAILED: "订单异常", S.SUSPENDED: "订单挂起"},
    "bike": {S.STARTING: "启动中", S.CHARGING: "充电中", S.COMPLETED: "订单结束", S.FAILED: "订单异常", S.SUSPENDED: "订单挂起"},
}

#: States from which an operator's 结束 settles the order (manual 3.4.1 §5, 3.4.2 §6).
OPERATOR_END_STATES = {
    "car": frozenset({S.STARTING, S.CHARGING, S.STOPPING, S.SUSPENDED, S.FAILED}),
    "bike": frozenset({S.CHARGING, S.SUSPENDED, S.FAILED}),
}


class IllegalTransition(Conflict):
    """The order cannot move from its state to the one asked (409 with the states in words)."""


class StaleOrder(Conflict):
    """Another transaction moved the order since this one read it (409; the caller's work is rolled back)."""


@dataclass(frozen=True)
class Actor:
    """Who caused a transition: ``kind`` is ``driver`` / ``user`` / ``device`` / ``system``."""

    kind: str = "system"
    id: int | None = None


SYSTEM = Actor()
DEVICE = Actor("device")


def can_move(order, to: S) -> bool:
    """Whether ``order`` may move to ``to`` now."""
    return to in MOVES[order.kind].get(order.state, frozenset())


def transition(order, to: S, cause: str, actor: Actor = SYSTEM, *, at: datetime | None = None,
               data: dict[str, Any] | None = None) -> OrderTransition:
    """Move ``order`` to ``to`` and record why (in the caller's transaction; the caller commits).

    Leaving the active states frees the connector (``active_key``). :raises IllegalTransition: a move the
    order's state machine does not allow (the order is left unchanged).
    """
    if not can_move(order, to):
        labels = STATE_LABELS[order.kind]
        raise IllegalTransition(f"订单状态为「{labels.get(order.state, order.state.value)}」，不能变为"
                                f"「{labels.get(to, to.value)}」 (cannot move from {order.state.value} to {to.value})")
    at = at or utcnow()
    model = type(order)
    # The claim: the row moves only from the state this transaction saw. A concurrent move (a record
    # racing an operator's 结束, two copies of one record) leaves the loser with no row to update.
    values = {"state": to, "state_changed_at": at, **({} if to in ACTIVE_STATES else {"active_key": None})}
    claimed = db.session.execute(sa.update(model).where(model.id == order.id, model.state == order.state)
                                 .values(**values).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise StaleOrder(f"订单状态已被其他操作改变，请刷新后重试 (order {order.trade_no} changed meanwhile)")
    record = OrderTransition(order_kind=order.kind, order_id=order.id, from_state=order.state.value,
                             to_state=to.value, cause=cause[:300], actor=actor.kind, actor_id=actor.id, at=at,
                             data=data or {})
    order.state = to
    order.state_changed_at = at
    if to not in ACTIVE_STATES:
        order.active_key = None
    db.session.add(record)
    return record


def record_creation(order, cause: str, actor: Actor, at: datetime | None = None) -> OrderTransition:
    """The first transition of a new order (from nothing to its initial state); ``order`` must be flushed."""
    record = OrderTransition(order_kind=order.kind, order_id=order.id, from_state=None, to_state=order.state.value,
                             cause=cause[:300], actor=actor.kind, actor_id=actor.id, at=at or utcnow(), data={})
    db.session.add(record)
    return record
