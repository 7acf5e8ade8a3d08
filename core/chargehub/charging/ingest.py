"""What devices report about orders, applied inside the gateway's ingest batch (same transaction).

- ``start_result``: the start confirmed (→ 充电中) or refused (→ 订单异常, money returned), unless the
  device may still start (``awaiting_plug``);
- ``transaction_record``: settle the order on the device's figures, once; a record for an order an
  operator already ended (or that failed) is kept beside it and flagged 待核对; the stored record
  (桩交易记录 / 单车充电记录) is marked 已匹配 when an order claims it;
- status samples (:func:`on_telemetry`): the running order's energy, power, duration and meter samples;
  a 挂起 order whose device reports it charging again is 充电中 again; a 启动中 order reported charging
  is confirmed even when the start answer was lost.

Every handler looks orders up by trade number and ignores what no longer applies: devices resend.
"""
from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from chargehub.charging.models import ACTIVE_STATES, ORDER_MODELS, OrderState, SettledBy
from chargehub.charging.settlement import SAMPLE_EVERY, flag_late_record, lock, record_figures, settle
from chargehub.charging.start import apply_start_answer, confirm_start
from chargehub.charging.states import DEVICE, can_move, transition
from chargehub.contracts.billing import energy_units, kwh
from chargehub.contracts.devices import CommandResult, CommandStatus, DeviceEvent
from chargehub.db import locking
from chargehub.devices.bike_models import BikeChargeRecord
from chargehub.devices.ingest.apply import register_handler, register_telemetry_handler
from chargehub.devices.ingest.states import as_time
from chargehub.devices.models import PileTransactionRecord, ReviewState
from chargehub.extensions import db

log = logging.getLogger("chargehub.charging")

_registered = False


def register() -> None:
    """Install the handlers (once per process)."""
    global _registered
    if _registered:
        return
    _registered = True
    register_handler("start_result", on_start_result)
    register_handler("transaction_record", on_transaction_record)
    register_telemetry_handler(on_telemetry)


def _model(ref):
    return ORDER_MODELS["bike" if ref.kind.value == "bike_device" else "car"]


def _order_id(model, trade_no: str) -> int | None:
    if not trade_no:
        return None
    return db.session.execute(sa.select(model.id).where(model.trade_no == trade_no)).scalar_one_or_none()


def on_start_result(event: DeviceEvent, ref) -> None:
    """Apply a device's start answer that came as an event (the command may have timed out meanwhile)."""
    data = event.data
    model = _model(ref)
    order_id = _order_id(model, str(data.get("trade_no") or ""))
    if order_id is None:
        return
    if data.get("accepted"):
        result = CommandResult.accepted(data)
    else:
        result = CommandResult(CommandStatus.REJECTED, data.get("reason"), data)
    apply_start_answer(model, order_id, result, commit=False)  # the batch's writer commits


def _figures(data: dict[str, Any]) -> tuple[datetime | None, int | None]:
    """The record's end time and final energy (0.0001 kWh) as pricing takes them."""
    ended = as_time(data.get("ended_at"))
    try:
        energy = energy_units(Decimal(str(data.get("energy_kwh")))) if data.get("energy_kwh") is not None else None
    except (InvalidOperation, ValueError):
        energy = None
    return ended, energy


def on_transaction_record(event: DeviceEvent, ref) -> None:
    """Settle the order of a transaction record exactly once (see the module docstring)."""
    data = event.data
    model = _model(ref)
    trade_no = str(data.get("trade_no") or "")
    order_id = _order_id(model, trade_no)
    if order_id is None:
        return  # kept as 待核对 by core's own record handling
    order = lock(model, order_id)
    figures = record_figures(data, event.occurred_at)
    if order.settled_at is not None and order.state is not OrderState.STARTING:
        if order.settled_by is not SettledBy.DEVICE and flag_late_record(order, figures):
            log.info("late record for order %s (settled by %s): flagged for review", trade_no, order.settled_by)
        _mark_record(ref, trade_no)
        return
    if not can_move(order, OrderState.COMPLETED):
        return
    ended, energy = _figures(data)
    # the record's own times (one clock: the device's, synchronised at login) are the session's
    order.started_at = as_time(data.get("started_at")) or order.started_at or order.created_at
    if model.kind == "bike" and data.get("elapsed_s") is not None:
        from datetime import timedelta  # noqa: PLC0415

        ended = order.started_at + timedelta(seconds=int(data["elapsed_s"]))
    ended = ended or event.occurred_at
    reason = str(data.get("stop_reason") or "设备上传交易记录 (device record)")
    settle(order, ended_at=ended, energy=energy, by=SettledBy.DEVICE, actor=DEVICE,
           cause=f"设备上传交易记录结算：{reason}", stop_reason_code=str(data.get("stop_reason_code") or ""),
           end_reason=reason, figures=figures)
    _mark_record(ref, trade_no)


def _mark_record(ref, trade_no: str) -> None:
    """桩交易记录 / 单车充电记录 of ``trade_no``: 已匹配 (an order claimed it)."""
    record = BikeChargeRecord if ref.kind.value == "bike_device" else PileTransactionRecord
    condition = record.trade_no == trade_no
    if record is BikeChargeRecord:
        condition = condition & (record.device_id == ref.device_id)
    db.session.flush()
    db.session.execute(sa.update(record).where(condition).values(review_state=ReviewState.MATCHED))


def _sample(event: DeviceEvent) -> tuple[int | None, int | None]:
    """``(energy count, watts)`` of a status sample (``None`` where it carries none)."""
    data = event.data
    energy = watts = None
    try:
        if data.get("energy_kwh") is not None:
            energy = energy_units(Decimal(str(data["energy_kwh"])).quantize(Decimal("0.0001")))
        if data.get("power_w") is not None:
            watts = int(data["power_w"])
        elif data.get("power_kw") is not None:
            watts = int(Decimal(str(data["power_kw"])) * 1000)
    except (InvalidOperation, ValueError, TypeError):
        return None, None
    return energy, watts


def on_telemetry(samples: list) -> None:
    """Keep the running orders' figures (one UPDATE per order per batch; see the module docstring)."""
    latest: dict[tuple[str, str], tuple[Any, DeviceEvent]] = {}
    for ref, event in samples:
        trade_no = event.data.get("trade_no")
        if trade_no:
            latest_key = (_model(ref).kind, str(trade_no))
            previous = latest.get(latest_key)
            merged = event if previous is None else _merge(previous[1], event)
            latest[latest_key] = (ref, merged)
    if not latest:
        return
    for kind in ("car", "bike"):
        trades = [trade for (side, trade) in latest if side == kind]
        if not trades:
            continue
        model = ORDER_MODELS[kind]
        # locked: an operator's 结束 committing meanwhile is seen (PostgreSQL re-checks the WHERE)
        orders = db.session.execute(locking(db.session, sa.select(model).where(
            model.trade_no.in_(trades), model.state.in_(ACTIVE_STATES)).order_by(model.id))).scalars().all()
        for order in orders:
            _update(order, *latest[(kind, order.trade_no)])


def _merge(older: DeviceEvent, newer: DeviceEvent) -> DeviceEvent:
    """E-bike state and meter messages come apart: keep the newest value of each field."""
    return DeviceEvent(newer.device_id, newer.type, {**older.data, **newer.data}, newer.occurred_at, newer.durable)


def _update(order, ref, event: DeviceEvent) -> None:
    data = event.data
    charging = str(data.get("state") or "") == "charging" or bool(data.get("meter"))
    if charging and order.state is OrderState.STARTING:
        confirm_start(order, "设备上报充电中 (device reports charging)", DEVICE)
    elif charging and order.state is OrderState.SUSPENDED and order.stop_requested_at is None:
        transition(order, OrderState.CHARGING, "设备恢复连接，继续充电 (device back, still charging)", DEVICE)
    energy, watts = _sample(event)
    at = int(event.occurred_at.timestamp())
    if energy is not None:
        samples = list(order.samples or [])
        if samples and at - samples[-1][0] < SAMPLE_EVERY and len(samples) > 1 and at - samples[-2][0] < SAMPLE_EVERY:
            samples[-1] = [at, energy, watts or 0]  # keep one sample a minute, the latest last
        else:
            samples.append([at, energy, watts or 0])
        order.samples = samples
        order.energy_kwh = kwh(energy)
    if watts is not None:
        order.power_w = watts
        order.max_power_w = max(order.max_power_w or 0, watts)
    if data.get("elapsed_s") is not None:
        order.duration_s = int(data["elapsed_s"])
    elif order.started_at is not None:
        order.duration_s = max(0, int((event.occurred_at - order.started_at).total_seconds()))
    if data.get("soc") is not None and order.kind == "car":
        order.soc = int(data["soc"])
    order.last_report_at = event.occurred_at
