"""Pricing an order and settling it exactly once.

The bill is always the one pricing function's (``chargehub.billing.services.pricing.price``) over the
order's :class:`~chargehub.contracts.billing.Usage`: its meter samples (what the device reported while
charging) closed by the final figures (the device's transaction record, or the last report when an
operator ends the order). The running cost shown while charging is the same function over the samples so
far (:func:`running_bill`).

Money held for an order is ``prepaid − refunded``. Settling charges ``min(bill total, held)`` and returns
the rest to where it came from (the balance path: a ledger entry), so ``refunded`` ends as
``prepaid − amount``. Everything happens in the caller's transaction, on an order row the caller locked
(:func:`lock`), after checking ``settled_at`` under that lock: two copies of a record, or a record racing an
operator's 结束, settle once.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from chargehub.billing.services.pricing import price
from chargehub.billing.sides import SIDES
from chargehub.charging.models import OrderReview, OrderState, PayState, SettledBy
from chargehub.charging.states import Actor, transition
from chargehub.contracts.billing import Bill, Usage, energy_units, kwh, yuan
from chargehub.db import locking, utcnow
from chargehub.extensions import db

ZERO = Decimal("0.00")
#: One meter sample a minute is kept on the order (plus the latest), enough for 30-minute TOU slots.
SAMPLE_EVERY = 60


def lock(model, order_id: int):
    """The row ``order_id`` of ``model``, locked for this transaction and re-read (:func:`~chargehub.db.locking`)."""
    return db.session.execute(locking(db.session, sa.select(model).where(model.id == order_id))).scalar_one()


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def pricing_start(order) -> datetime:
    """When the order's usage starts: the device's confirmation, else the order's creation."""
    return order.started_at or order.created_at


def usage_of(order, ended_at: datetime, energy: int | None = None) -> Usage:
    """The order's usage from its start to ``ended_at`` with ``energy`` (0.0001 kWh, default: the last
    sample) as the final reading. Samples outside the interval are left out and values above the final
    energy clamped, so the meter never decreases and always ends at the final figure."""
    start = _epoch(pricing_start(order))
    samples = [s for s in order.samples or () if start < s[0] < _epoch(ended_at)]
    final = energy if energy is not None else (samples[-1][1] if samples else energy_units(order.energy_kwh))
    # energy was delivered, so time passed: at least a second (times are whole seconds)
    end = max(start + (1 if final > 0 else 0), _epoch(ended_at))
    meter, power, highest = [(start, 0)], [], 0
    for at, value, watts in samples:
        highest = min(max(highest, int(value)), final)
        meter.append((int(at), highest))
        power.append((int(at), int(watts)))
    meter.append((end, final))
    if not power and order.power_w:
        power.append((start, int(order.power_w)))
    return Usage(start, end, tuple(meter), tuple(power))


def rule_of(order):
    """The billing rule the order was started under (``None`` when it was deleted since)."""
    if order.rule_id is None:
        return None
    return db.session.get(SIDES[order.kind].rule, order.rule_id)


def bill_of(order, usage: Usage) -> Bill | None:
    """The bill of ``usage`` under the version in force when the order was created (``None``: no rule)."""
    rule = rule_of(order)
    if rule is None:
        return None
    return price(rule, order.created_at, usage)


def running_bill(order, now: datetime | None = None) -> Bill | None:
    """The running cost of an active order: its usage so far — up to its last report (or ``now``); an
    e-bike charger's own elapsed time is the duration (it is what its record will say)."""
    if order.kind == "bike" and order.duration_s:
        until = pricing_start(order) + timedelta(seconds=order.duration_s)
    else:
        until = order.last_report_at or now or utcnow()
    return bill_of(order, usage_of(order, until))


def held(order) -> Decimal:
    """What is still held for the order (``prepaid − refunded``)."""
    return (order.prepaid - order.refunded).quantize(ZERO)


def return_money(order, amount: Decimal, note: str, kind: str = "settlement") -> None:
    """Give ``amount`` of the held money back to where it came from (a refund record; see
    :func:`chargehub.payments.refunds.give_back`) and count it as refunded. Nothing for an order that was
    never paid. ``kind``: a :class:`~chargehub.payments.models.RefundKind` value."""
    if amount <= 0 or order.pay_state is PayState.UNPAID:
        return
    from chargehub.payments.models import RefundKind  # noqa: PLC0415 - payments sits above charging
    from chargehub.payments.refunds import give_back  # noqa: PLC0415

    give_back(order, amount, note, RefundKind(kind))


def settle(order, *, ended_at: datetime, energy: int | None, by: SettledBy, actor: Actor, cause: str,
           stop_reason_code: str = "", end_reason: str | None = None, figures: dict[str, Any] | None = None) -> Bill | None:
    """Price and settle ``order`` (locked by the caller, not yet settled) and move it to COMPLETED — the
    transition first: it is the claim that fails (:class:`~chargehub.charging.states.StaleOrder`) when
    another transaction moved the order meanwhile, before any money moves.

    :param energy: final energy in 0.0001 kWh (``None``: the last sample / reported energy).
    :returns: the bill (``None`` when the rule is gone: the order is settled at zero and says so).
    """
    usage = usage_of(order, ended_at, energy)
    bill = bill_of(order, usage)
    total = yuan(bill.total) if bill is not None else ZERO
    keep = held(order)
    charged = min(total, keep) if order.prepaid > 0 else total
    reason = end_reason or cause
    if charged < total:
        reason = f"{reason}；超出预付的 {total - charged} 元未收取 (amount above the prepaid sum not collected)"
    if bill is None:
        reason = f"{reason}；计费规则已删除，按 0 元结算 (rule deleted: settled at zero)"
    transition(order, OrderState.COMPLETED, cause, actor, data={"amount": str(charged), "settled_by": by.value,
                                                                "energy_kwh": str(kwh(usage.energy))})
    order.bill = bill.to_dict() if bill is not None else {}
    order.electricity_fee = yuan(bill.electricity) if bill is not None else ZERO
    order.service_fee = (charged - order.electricity_fee) if bill is not None else ZERO
    if order.service_fee < 0:  # capped below the electricity fee: the cap comes off electricity
        order.electricity_fee, order.service_fee = charged, ZERO
    order.amount = charged
    order.energy_kwh = kwh(usage.energy)
    order.duration_s = usage.seconds
    order.ended_at = ended_at
    order.settled_at = utcnow()
    order.settled_by = by
    order.end_reason = reason[:200]
    order.stop_reason_code = stop_reason_code[:20]
    if figures:
        order.device_figures = figures
    return_money(order, keep - charged, f"订单 {order.trade_no} 结算退回 (unused prepaid returned)")
    if charged > 0:
        from chargehub.payments.splits import split_after_settlement  # noqa: PLC0415 - payments sits above

        split_after_settlement(order)
    return bill


def fail(order, cause: str, actor: Actor, data: dict[str, Any] | None = None) -> None:
    """A start that did not happen: 订单异常, nothing charged, the held money returned."""
    transition(order, OrderState.FAILED, cause, actor, data=data)
    order.end_reason = cause[:200]
    order.ended_at = utcnow()
    order.settled_at = order.ended_at
    order.settled_by = SettledBy.SYSTEM
    return_money(order, held(order), f"订单 {order.trade_no} 启动失败退回 (start failed: returned)", "start_failed")


def flag_late_record(order, figures: dict[str, Any]) -> bool:
    """A device record for an order already settled by an operator (or failed): keep the device's figures
    beside the settlement and flag it 待核对. Returns ``False`` when it was already flagged (a duplicate)."""
    if order.review is OrderReview.PENDING or order.settled_by is SettledBy.DEVICE:
        return False
    order.review = OrderReview.PENDING
    order.device_figures = figures
    return True


def record_figures(data: dict[str, Any], received_at: datetime) -> dict[str, Any]:
    """What a transaction record says, as kept on the order (decimal strings, ISO times)."""
    keys = ("trade_no", "started_at", "ended_at", "energy_kwh", "amount", "elapsed_s", "stop_reason_code",
            "stop_reason", "meter_start_kwh", "meter_end_kwh", "max_power_w")
    figures = {key: data[key] for key in keys if data.get(key) is not None}
    figures["received_at"] = received_at.astimezone(timezone.utc).isoformat()
    return figures
