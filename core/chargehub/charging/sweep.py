"""The order sweep: a periodic job (``ORDER_SWEEP_EVERY``, also the first tick after start-up) that

1. fails starts not confirmed within ``ORDER_START_TIMEOUT`` (订单异常; the money is returned);
2. suspends orders whose device has been offline longer than ``ORDER_SUSPEND_AFTER`` (订单挂起);
3. stops orders automatically: car orders with less than 1 yuan of the prepaid amount left, e-bike
   orders whose running bill reached the rule's auto-stop threshold or amount (``Bill.stop_reason``);
4. stops devices still charging for an order that is over (a start confirmed after its timeout, a device
   that kept charging after an operator's 结束): their record then arrives and is flagged 待核对;
5. keeps piles' balances right: a pile bills on its own copy of the billing model; when its running amount
   differs from the platform's running cost by :data:`BALANCE_DRIFT` or more (an old model on the pile, a
   pile clock off), the pile gets the balance that makes it stop where the platform's pricing would
   (YKC 0x42 远程账户余额更新; protocols without it answer ``rejected`` and are left alone).

Each order is handled in its own transaction, so one bad order never blocks the rest. Stops are sent
after the sweep's decisions are committed (a device answer may take a while).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice
from chargehub.assets.car_models import Pile
from chargehub.charging.control import send_stop, stop_order
from chargehub.charging.models import ORDER_MODELS, CarOrder, OrderState, PayState
from chargehub.charging.settlement import fail, held, lock, running_bill
from chargehub.charging.start import CAR_MIN_LEFT, start_deadline_passed
from chargehub.charging.states import SYSTEM, can_move, transition
from chargehub.config import settings
from chargehub.contracts.billing import yuan
from chargehub.db import utcnow
from chargehub.devices.commands import update_balance
from chargehub.devices.bike_models import SocketLive
from chargehub.devices.models import GunLive
from chargehub.extensions import db, jobs

log = logging.getLogger("chargehub.charging")

DEVICES = {"car": (Pile, "pile_id"), "bike": (BikeDevice, "device_id")}
#: The live row of each side's connectors and the column naming the connector.
LIVE = {"car": (GunLive, "gun_id"), "bike": (SocketLive, "socket_id")}
#: A pile's own running amount this far from the platform's running cost gets a balance update.
BALANCE_DRIFT = Decimal("0.50")
START_TIMEOUT = "启动超时：设备未在规定时间内确认启动 (no start confirmation in time)"
SUSPENDED = "设备离线超时，订单挂起 (device offline past the timeout)"


def register_periodic_jobs(app) -> None:
    """Register the sweep (see the module docstring) at ``app``'s ``ORDER_SWEEP_EVERY``."""
    jobs.register_periodic("orders.sweep", "chargehub.charging.sweep:sweep",
                           every=timedelta(seconds=int(settings(app)["ORDER_SWEEP_EVERY"])))


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Run the three passes once; returns how many orders each pass changed."""
    now = now or utcnow()
    counts = {"failed": 0, "suspended": 0, "auto_stopped": 0, "orphans_stopped": 0, "balances_pushed": 0}
    for kind, model in ORDER_MODELS.items():
        counts["failed"] += _fail_unconfirmed(model, now)
        counts["suspended"] += _suspend_silent(kind, model, now)
        counts["auto_stopped"] += _auto_stop(kind, model, now)
        counts["orphans_stopped"] += _stop_orphans(kind, model)
    counts["balances_pushed"] = _sync_pile_balances(now)
    if any(counts.values()):
        log.info("order sweep: %s", counts)
    return counts


def _fail_unconfirmed(model, now: datetime) -> int:
    deadline = now - timedelta(seconds=float(settings()["ORDER_START_TIMEOUT"]))
    ids = db.session.execute(sa.select(model.id).where(
        model.state.in_((OrderState.STARTING, OrderState.CHARGING)), model.started_at.is_(None),
        model.pay_state != PayState.UNPAID, model.created_at <= deadline)).scalars().all()
    changed = 0
    for order_id in ids:
        order = lock(model, order_id)
        if order.settled_at is None and start_deadline_passed(order, now) and can_move(order, OrderState.FAILED):
            fail(order, START_TIMEOUT, SYSTEM)
            changed += 1
        db.session.commit()
    return changed


def _suspend_silent(kind: str, model, now: datetime) -> int:
    device, column = DEVICES[kind]
    limit = now - timedelta(seconds=float(settings()["ORDER_SUSPEND_AFTER"]))
    ids = db.session.execute(
        sa.select(model.id).join(device, device.id == getattr(model, column)).where(
            model.state.in_((OrderState.CHARGING, OrderState.STOPPING)), model.started_at.is_not(None),
            device.online.is_(False), sa.or_(device.online_changed_at.is_(None), device.online_changed_at <= limit))
    ).scalars().all()
    changed = 0
    for order_id in ids:
        order = lock(model, order_id)
        if order.settled_at is None and can_move(order, OrderState.SUSPENDED):
            transition(order, OrderState.SUSPENDED, SUSPENDED, SYSTEM)
            changed += 1
        db.session.commit()
    return changed


def _auto_stop(kind: str, model, now: datetime) -> int:
    orders = db.session.execute(sa.select(model).where(
        model.state == OrderState.CHARGING, model.started_at.is_not(None), model.stop_requested_at.is_(None),
        model.settled_at.is_(None))).scalars().all()
    due = []
    for order in orders:
        bill = running_bill(order, now)
        if bill is None:
            continue
        if kind == "car" and order.prepaid > 0 and held(order) - yuan(bill.total) < CAR_MIN_LEFT:
            due.append((order, f"余额不足 {CAR_MIN_LEFT} 元，自动结束 (less than 1 yuan left: stopped)"))
        elif kind == "bike" and bill.stop_reason is not None:
            words = {"duration": "已达自停时长", "amount": "已达自停金额"}.get(bill.stop_reason, bill.stop_reason)
            due.append((order, f"{words}，自动结束 (auto-stop: {bill.stop_reason})"))
        elif kind == "bike" and order.prepaid > 0 and yuan(bill.total) > held(order):
            due.append((order, "预付金额已用完，自动结束 (prepaid amount used up: stopped)"))
    db.session.commit()
    for order, cause in due:
        try:
            stop_order(order, SYSTEM, cause)
        except Exception:  # noqa: BLE001 - one order's failure must not stop the sweep
            db.session.rollback()
            log.exception("automatic stop of order %s failed", order.trade_no)
    return len(due)


def _stop_orphans(kind: str, model) -> int:
    """Step 4 of the module docstring: the device reported the order's trade number after the order ended.
    One stop per order (``stop_requested_at`` remembers it)."""
    live, connector = LIVE[kind]
    orders = db.session.execute(sa.select(model).join(live, getattr(live, connector) == getattr(model, connector)).where(
        live.trade_no == model.trade_no, model.state.in_((OrderState.FAILED, OrderState.COMPLETED)),
        live.updated_at > model.settled_at, model.stop_requested_at.is_(None))).scalars().all()
    for order in orders:
        order.stop_requested_at = utcnow()
    db.session.commit()
    for order in orders:
        result = send_stop(order)
        log.warning("order %s is %s but its device was still charging it: stop %s", order.trade_no,
                    order.state.value, result.status.value)
    return len(orders)


def _sync_pile_balances(now: datetime) -> int:
    """Step 5 of the module docstring; returns how many piles accepted a new balance."""
    rows = db.session.execute(
        sa.select(CarOrder, GunLive.amount).join(GunLive, GunLive.gun_id == CarOrder.gun_id).where(
            CarOrder.state == OrderState.CHARGING, CarOrder.started_at.is_not(None),
            CarOrder.stop_requested_at.is_(None), CarOrder.settled_at.is_(None), CarOrder.prepaid > 0,
            GunLive.trade_no == CarOrder.trade_no)).all()
    due = []
    for order, pile_amount in rows:
        bill = running_bill(order, now)
        if bill is None or pile_amount is None:
            continue
        cost = yuan(bill.total)
        if abs(Decimal(pile_amount) - cost) >= BALANCE_DRIFT:
            balance = max(Decimal("0.00"), Decimal(pile_amount) + held(order) - cost).quantize(Decimal("0.01"))
            due.append((order.trade_no, order.factory_id, order.gun_number, balance))
    db.session.commit()
    pushed = 0
    for trade_no, pile, gun, balance in due:
        try:
            result = update_balance(pile, gun, balance, timeout=float(settings()["ORDER_COMMAND_WAIT"]))
        except Exception:  # noqa: BLE001 - the next sweep tries again
            log.exception("balance update of order %s failed", trade_no)
            continue
        if result.ok:
            pushed += 1
            log.info("order %s: pile %s gun %s balance set to %s", trade_no, pile, gun, balance)
    return pushed
