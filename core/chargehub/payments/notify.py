"""The vendors' notifications: ``POST /api/v1/payments/notify/<plugin>/<kind>/<station_id>``.

Every notification is stored as received (:class:`~chargehub.payments.models.PaymentNotification`) before
anything else, then verified by the station's provider (pure: signature, timestamp, decryption) and
applied to the payment, refund or split it names under that record's lock. The vendor gets the
acknowledgement it expects only once the result is committed; a rejected notification (bad signature,
stale, unknown number, another amount) changes nothing, gets the vendor's failure reply and stays stored
for review; one that could not be applied now (database trouble) gets a 500, so the vendor sends it
again on its schedule.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, Response, request

from chargehub.contracts.payments import Ack, Notification, NotificationRejected
from chargehub.db import utcnow
from chargehub.errors import Conflict
from chargehub.extensions import db
from chargehub.payments.models import NotificationState, Payment, PaymentNotification, Refund, Split
from chargehub.payments.providers import provider_for, station_model
from chargehub.payments.refunds import apply_refund_result
from chargehub.payments.service import apply_payment_result
from chargehub.payments.splits import apply_split_result

log = logging.getLogger("chargehub.payments")
bp = Blueprint("payment-notify", __name__, url_prefix="/api/v1/payments")
#: Header names kept with a stored notification (signatures and ids; never cookies or auth).
KEPT_HEADERS = ("Content-Type", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial",
                "Wechatpay-Signature-Type", "Request-Id", "User-Agent")
FAILURE = Ack(400, b'{"code":"FAIL","message":"rejected"}', "application/json")


def _reply(ack: Ack) -> Response:
    return Response(ack.body, status=ack.status, content_type=ack.content_type)


@bp.post("/notify/<plugin>/<kind>/<int:station_id>")
def notify(plugin: str, kind: str, station_id: int) -> Response:
    """Receive one notification (see the module docstring); answers what the vendor expects."""
    body = request.get_data(cache=False)
    stored = PaymentNotification(plugin=plugin[:50], body=body.decode("utf-8", "replace"),
                                 headers={k: v for k, v in request.headers.items() if k in KEPT_HEADERS},
                                 car_station_id=station_id if kind == "car" else None,
                                 bike_station_id=station_id if kind == "bike" else None)
    db.session.add(stored)
    db.session.commit()
    stored_id = stored.id
    station = db.session.get(station_model(kind), station_id) if kind in ("car", "bike") else None
    provider = provider_for(kind, station, plugin) if station is not None else None
    if provider is None:
        return _finish(stored_id, NotificationState.REJECTED, "电站未配置该支付方式 (no such payment configuration)",
                       FAILURE, provider_id=getattr(station, "provider_id", None))
    try:
        notification = provider.parse_notification(request.headers, body, now=utcnow())
    except NotificationRejected as exc:
        log.warning("notification %s rejected: %s", stored_id, exc.reason)
        return _finish(stored_id, NotificationState.REJECTED, exc.reason, exc.ack, provider_id=station.provider_id)
    try:
        kind_name, number, outcome = _apply(notification, plugin, kind, station_id)
    except Conflict as exc:  # unknown number, another amount: refused
        db.session.rollback()
        return _finish(stored_id, NotificationState.REJECTED, exc.args[0] if exc.args else str(exc), FAILURE,
                       provider_id=station.provider_id)
    except Exception as exc:  # noqa: BLE001 - kept for review; the vendor retries on a 500
        db.session.rollback()
        log.exception("notification %s could not be applied", stored_id)
        return _finish(stored_id, NotificationState.FAILED, f"处理失败：{exc}",
                       Ack(500, b'{"code":"FAIL","message":"retry later"}', "application/json"),
                       provider_id=station.provider_id)
    return _finish(stored_id, NotificationState.APPLIED, outcome, notification.ack, provider_id=station.provider_id,
                   kind=kind_name, out_no=number)


def _station_filter(model, kind: str, station_id: int):
    return (model.car_station_id if kind == "car" else model.bike_station_id) == station_id


def _apply(notification: Notification, plugin: str, kind: str, station_id: int) -> tuple[str, str, str]:
    """Apply the notification to the record it names (of this station and plugin)."""
    if notification.payment is not None:
        number = notification.payment.out_trade_no
        row = _find(Payment, Payment.out_trade_no == number, plugin, kind, station_id)
        return "payment", number, apply_payment_result(row, notification.payment, source="notification")
    if notification.refund is not None:
        number = notification.refund.out_refund_no
        row = _find(Refund, Refund.out_refund_no == number, plugin, kind, station_id)
        return "refund", number, apply_refund_result(row, notification.refund)
    if notification.split is not None:
        number = notification.split.out_split_no
        row = _find(Split, Split.out_split_no == number, plugin, kind, station_id)
        return "split", number, apply_split_result(row, notification.split)
    return "other", "", "ignored"


def _find(model, condition, plugin: str, kind: str, station_id: int) -> int:
    row_id = db.session.execute(sa.select(model.id).where(condition, model.plugin == plugin,
                                                          _station_filter(model, kind, station_id))).scalar()
    if row_id is None:
        raise Conflict("通知所指的记录不存在 (unknown number)")
    return row_id


def _finish(stored_id: int, state: NotificationState, reason: str, ack: Ack, *, provider_id=None, kind: str = "",
            out_no: str = "") -> Response:
    db.session.execute(sa.update(PaymentNotification).where(PaymentNotification.id == stored_id).values(
        state=state, reason=str(reason)[:300], provider_id=provider_id, kind=kind, out_no=out_no[:64],
        processed_at=utcnow()))
    db.session.commit()
    return _reply(ack)
