"""Stopping and ending orders: the driver's 结束充电, automatic stops, and the operators' 结束.

A stop asks the device to stop; the order is settled when the device's transaction record arrives
(:mod:`chargehub.charging.ingest`). An operator's 结束 settles at once on what was last reported (car:
the last reported energy; e-bike: the last reported duration, or the minutes the operator enters), and
asks the device to stop if it may still be charging; a record arriving afterwards is kept for review.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from chargehub.charging.models import ORDER_MODELS, OrderState, PayState, SettledBy
from chargehub.charging.settlement import lock, settle
from chargehub.charging.states import OPERATOR_END_STATES, STATE_LABELS, Actor, IllegalTransition, transition
from chargehub.config import settings
from chargehub.contracts.billing import energy_units
from chargehub.contracts.devices import CommandResult, CommandStatus
from chargehub.db import utcnow
from chargehub.devices import commands
from chargehub.errors import ValidationFailed
from chargehub.extensions import db

log = logging.getLogger("chargehub.charging")

#: The longest duration an operator may enter for an e-bike order (48 h).
MAX_END_MINUTES = 48 * 60


def send_stop(order) -> CommandResult:
    """Ask the device to stop ``order``; a failure to send is an offline answer, never an exception."""
    wait = float(settings()["ORDER_COMMAND_WAIT"])
    try:
        if order.kind == "car":
            return commands.stop_charging(order.factory_id, order.gun_number, timeout=wait)
        return commands.stop_socket(order.factory_id, order.socket_number, order.trade_no, protocol=order.protocol,
                                    timeout=wait)
    except Exception as exc:  # noqa: BLE001 - the order's state must not depend on the bus being up
        log.exception("stop of order %s could not be sent", order.trade_no)
        return CommandResult(CommandStatus.OFFLINE, f"指令发送失败 (could not send: {exc})")


def stop_order(order, actor: Actor, cause: str = "用户结束充电 (stopped by the driver)"):
    """结束充电: mark the stop asked (car 充电中 / 启动中 → 结束中), commit, command the device. A second stop
    of an order already stopping or ended sends nothing and changes nothing. An order still waiting for its
    online payment is cancelled instead (payment closed, 订单异常, nothing taken). Returns the order."""
    model = type(order)
    order = lock(model, order.id)
    if order.pay_state is PayState.UNPAID and order.state is OrderState.STARTING:  # not paid: nothing to stop
        db.session.commit()
        from chargehub.payments.service import cancel_unpaid  # noqa: PLC0415 - payments sits above charging

        cancel_unpaid(order)
        return db.session.get(model, order.id)
    first = order.stop_requested_at is None and order.settled_at is None
    if not first or order.state not in (OrderState.STARTING, OrderState.CHARGING, OrderState.SUSPENDED):
        db.session.commit()
        return order
    order.stop_requested_at = utcnow()
    if order.kind == "car":
        transition(order, OrderState.STOPPING, cause, actor)
    else:
        order.end_reason = cause[:200]
    db.session.commit()
    result = send_stop(order)
    order = lock(model, order.id)
    if not result.ok:
        log.info("stop of %s answered %s: %s", order.trade_no, result.status.value, result.reason)
        order.end_reason = f"停止指令：{result.reason or result.status.value}"[:200] if order.settled_at is None \
            else order.end_reason
    db.session.commit()
    return order


def end_by_operator(order, user_id: int, minutes: int | None = None):
    """结束 (manual 3.4.1 §5, 3.4.2 §6): settle now on the last reported figures and commit.

    Car: the last reported energy. E-bike: the last reported duration, or ``minutes`` entered by the
    operator. The device is asked to stop afterwards when it may still be charging.

    :raises IllegalTransition: the order's state does not allow 结束 (409).
    :raises ValidationFailed: ``minutes`` on a car order or out of 1..2880.
    """
    model = type(order)
    order = lock(model, order.id)
    if order.state not in OPERATOR_END_STATES[order.kind]:
        db.session.rollback()
        labels = STATE_LABELS[order.kind]
        allowed = "、".join(labels[state] for state in labels if state in OPERATOR_END_STATES[order.kind])
        raise IllegalTransition(f"订单状态为「{labels.get(order.state, order.state.value)}」，只能结束{allowed}的订单 "
                                f"(an order in state {order.state.value} cannot be ended)")
    if minutes is not None and (order.kind == "car" or not 1 <= minutes <= MAX_END_MINUTES):
        db.session.rollback()
        raise ValidationFailed(f"自定义时长须为 1–{MAX_END_MINUTES} 分钟，仅用于单车订单 (minutes: e-bike only, 1..2880)",
                               "minutes")
    was_running = order.state in (OrderState.STARTING, OrderState.CHARGING, OrderState.STOPPING)
    start = order.started_at or order.created_at
    if minutes is not None:
        ended_at = start + timedelta(minutes=minutes)
        how = f"按自定义时长 {minutes} 分钟结算 (settled on {minutes} minutes entered)"
    elif order.kind == "bike":
        ended_at = start + timedelta(seconds=order.duration_s) if order.duration_s else (order.last_report_at or start)
        how = "按设备最后上报的充电时长结算 (settled on the last reported duration)"
    else:
        ended_at = order.last_report_at or start
        how = "按设备最后上报的电量结算 (settled on the last reported energy)"
    settle(order, ended_at=max(ended_at, start), energy=energy_units(order.energy_kwh), by=SettledBy.OPERATOR,
           actor=Actor("user", user_id), cause=f"后台结束订单：{how}", end_reason=f"后台结束：{how}")
    order.ended_by = user_id
    db.session.commit()
    if was_running:
        send_stop(order)
    return order


def order_by_trade_no(trade_no: str):
    """The car or e-bike order ``trade_no`` (unscoped: callers check who may see it), or ``None``."""
    import sqlalchemy as sa  # noqa: PLC0415

    for model in ORDER_MODELS.values():
        order = db.session.execute(sa.select(model).where(model.trade_no == trade_no)).scalar_one_or_none()
        if order is not None:
            return order
    return None
