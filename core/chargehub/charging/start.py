"""Starting an order: check, take the money, create the order, command the device, apply its answer.

:func:`start_order` commits the new order (启动中 for cars, 充电中 for e-bikes) *before* it sends the start,
so that a device answer that arrives through the gateway first (the ``start_result`` event) finds it; the
answer of the command is then applied by :func:`apply_start_answer`, which is idempotent with the event
handler (:mod:`chargehub.charging.ingest`): whichever comes second changes nothing.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from chargehub.billing.services.pricing import compiled, mode_of, rule_for_area, version_in_force
from chargehub.charging.connectors import Connector, load_connector, problem
from chargehub.charging.models import ORDER_MODELS, PLUGIN_PAY_METHODS, OrderState, PayMethod, PayState, StartMethod
from chargehub.charging.settlement import fail, lock
from chargehub.charging.states import DEVICE, Actor, can_move, record_creation, transition
from chargehub.config import settings
from chargehub.contracts.devices import CommandResult, CommandStatus
from chargehub.db import utcnow
from chargehub.devices import commands
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db

log = logging.getLogger("chargehub.charging")

#: Car orders stop when less than this is left of the prepaid amount (manual FAQ: 低于1元自动结束).
CAR_MIN_LEFT = Decimal("1.00")
MAX_PREPAID = Decimal("10000.00")
#: Pay methods a start may ask for: the driver's balance, the station's payment provider, free test mode.
REQUESTABLE_METHODS = (PayMethod.BALANCE, PayMethod.ONLINE, PayMethod.FREE)


@dataclass(frozen=True)
class StartRequest:
    """What a driver (or an operator testing a device) asks to start.

    :param kind: ``gun`` or ``socket``; :param connector_id: its id.
    :param prepaid: the prepaid amount (yuan); :param minutes: e-bike: the chosen duration (预充时长),
        ``None`` to charge until full or until the rule's auto-stop threshold.
    """

    kind: str
    connector_id: int
    prepaid: Decimal
    pay_method: PayMethod
    minutes: int | None = None
    plate: str = ""
    start_method: StartMethod = StartMethod.APP
    #: ``online``: the payer's openid under the mini-program's appid, and the driver's IP address
    payer_id: str = ""
    client_ip: str = ""


def new_trade_no(connector: Connector) -> str:
    """A 32-digit order number. Piles: YKC's rule (pile code, gun, ``yyMMddHHmmss``, 4-digit counter);
    e-bike chargers: ``12`` + ``yyyyMMddHHmmss`` + 16 random digits (the device id is not digits)."""
    from chargehub.billing.services.versions import operator_zone  # noqa: PLC0415

    local = utcnow().astimezone(operator_zone())
    if connector.kind == "gun" and connector.device.factory_id.isdigit() and len(connector.device.factory_id) == 14:
        return f"{connector.device.factory_id}{connector.part.number:02d}{local:%y%m%d%H%M%S}{secrets.randbelow(10**4):04d}"
    return f"12{local:%Y%m%d%H%M%S}{secrets.randbelow(10**16):016d}"


def _validate(request: StartRequest, connector: Connector, rule):
    """Check the request; return the payment provider that takes an ``online`` prepaid amount (else None)."""
    minimum = CAR_MIN_LEFT + Decimal("0.01") if connector.side == "car" else Decimal("0.01")
    if not minimum <= request.prepaid <= MAX_PREPAID:
        raise ValidationFailed(f"预付金额须在 {minimum}–{MAX_PREPAID} 元之间 (prepaid out of range)", "prepaid")
    if request.pay_method not in REQUESTABLE_METHODS:
        raise Conflict("不支持的支付方式，请使用在线支付或余额 (pay method not available)")
    if request.pay_method is PayMethod.FREE and request.start_method is not StartMethod.ADMIN \
            and not settings()["APP_FREE_CHARGING"]:
        raise Conflict("平台未开启免费测试模式 (free test mode is off)")
    if connector.side == "bike" and request.minutes is not None:
        limit = _auto_stop_minutes(rule)
        if not 1 <= request.minutes <= limit:
            raise ValidationFailed(f"充电时长须在 1–{limit} 分钟之间 (minutes out of range)", "minutes")
    if request.pay_method is not PayMethod.ONLINE:
        return None
    from chargehub.payments.providers import provider_for  # noqa: PLC0415 - payments sits above charging

    provider = provider_for(connector.side, connector.station)
    if provider is None:
        raise Conflict("该电站未配置支付方式，不能支付启动充电；已发放电卡的用户可使用电卡余额启动 "
                       "(the station has no payment configuration)")
    if not request.payer_id.strip():
        raise ValidationFailed("缺少支付用户标识 openid (payer_id is required for online payment)", "payer_id")
    return provider


def _auto_stop_minutes(rule) -> int:
    version = version_in_force(rule, utcnow())
    return int(version.params.get("auto_stop_minutes") or 48 * 60)


def _new_order(request: StartRequest, connector: Connector, rule, driver, actor: Actor, provider=None):
    version = version_in_force(rule, utcnow())
    mode = mode_of(version)
    params = compiled(mode, version.params, version.id)[0]
    part, device = connector.part, connector.device
    common = dict(
        provider_id=part.provider_id, property_id=part.property_id, station_id=part.station_id, area_id=part.area_id,
        driver_id=getattr(driver, "id", None), phone=getattr(driver, "phone", ""),
        station_name=connector.station.name[:100], area_name=connector.area.name[:100],
        device_code=device.code[:32], factory_id=device.factory_id[:64], start_method=request.start_method,
        state=OrderState.STARTING if connector.side == "car" or provider is not None else OrderState.CHARGING,
        active_key=connector.active_key,
        pay_method=PLUGIN_PAY_METHODS.get(provider.plugin_name, PayMethod.ONLINE) if provider else request.pay_method,
        pay_state=PayState.UNPAID if provider is not None else PayState.PAID,
        paid_at=None if provider is not None else utcnow(),
        prepaid=request.prepaid, rule_id=rule.id, rule_version_id=version.id, rule_name=rule.name[:100],
        rule_text=mode.describe(params)[:500], bill={}, samples=[], device_figures={},
        created_by=actor.id if actor.kind == "user" else None)
    if connector.side == "car":
        return ORDER_MODELS["car"](pile_id=device.id, gun_id=part.id, gun_number=part.number,
                                   plate=(request.plate or getattr(driver, "plate", ""))[:16], **common)
    return ORDER_MODELS["bike"](device_id=device.id, socket_id=part.id, socket_number=part.number,
                                protocol=device.protocol, charge_mode="duration" if request.minutes else "full",
                                preset_minutes=request.minutes or 0, **common)


def _create(request: StartRequest, connector: Connector, rule, driver, actor: Actor, provider=None):
    """Insert the order (a fresh trade number on the rare collision), take the money (balance) or open its
    payment (online), commit."""
    for _attempt in range(5):
        order = _new_order(request, connector, rule, driver, actor, provider)
        order.trade_no = new_trade_no(connector)
        db.session.add(order)
        try:
            db.session.flush()
        except IntegrityError as exc:
            db.session.rollback()
            if "active_key" in str(exc.orig):
                raise Conflict(connector_busy(connector)) from None
            continue
        break
    else:
        raise Conflict("订单号生成失败，请重试 (could not allocate an order number)")
    from chargehub.payments.service import balance_payment, open_payment  # noqa: PLC0415 - payments sits above

    if request.pay_method is PayMethod.BALANCE:
        from chargehub.members.balance import hold  # noqa: PLC0415 - members sits above charging

        try:
            hold(order.driver_id, order.provider_id, request.prepaid, order.trade_no)
        except Exception:
            db.session.rollback()
            raise
        balance_payment(order)
    elif provider is not None:
        open_payment(order, provider, request.payer_id.strip())
    record_creation(order, "用户发起充电 (start requested)" if actor.kind == "driver" else "后台启动 (started by operator)",
                    actor)
    db.session.commit()
    return order


def connector_busy(connector: Connector) -> str:
    """The message for a connector that already has a running order."""
    return f"{'该枪' if connector.kind == 'gun' else '该插座'}已有进行中的订单 (connector in use)"


def start_order(request: StartRequest, *, driver=None, actor: Actor):
    """Start charging: validate, hold the prepaid amount, create and commit the order, command the device
    and apply its answer (waiting ``ORDER_COMMAND_WAIT`` seconds at most). Returns the order as it then is.

    ``online``: the order is created 启动中 / 待支付 with a payment at the station's provider and returned at
    once; the start goes to the device when the payment is confirmed (:mod:`chargehub.payments.service`).

    :raises ValidationFailed: bad amounts or minutes. :raises Conflict: the connector cannot be used now
        (offline, busy, fault, disabled, no rule), the pay method is not available, not enough balance.
    """
    connector = load_connector(request.kind, request.connector_id)
    if connector is None or not connector.visible:
        from flask_smorest import abort  # noqa: PLC0415

        abort(404, message="充电接口不存在或已停用 (connector not found)")
    rule = rule_for_area(connector.side, connector.area.id)
    reason = problem(connector, rule=rule)
    if reason is not None:
        raise Conflict(reason)
    provider = _validate(request, connector, rule)
    order = _create(request, connector, rule, driver, actor, provider)
    if provider is not None:  # 启动中, 待支付: the start is sent once the payment is confirmed
        from chargehub.payments.service import payment_of_order, request_vendor_payment  # noqa: PLC0415

        request_vendor_payment(payment_of_order(order).id, provider, request.client_ip)
        return db.session.get(type(order), order.id)
    result = send_start(order, connector, rule)
    return apply_start_answer(type(order), order.id, result)


def send_start(order, connector: Connector, rule) -> CommandResult:
    """Command the device to start ``order``; a failure to send is an offline answer, never an exception."""
    wait = float(settings()["ORDER_COMMAND_WAIT"])
    try:
        if order.kind == "car":
            return commands.start_charging(order.factory_id, order.gun_number, order.trade_no, order.prepaid,
                                           timeout=wait)
        limit = order.preset_minutes or _auto_stop_minutes(rule)
        return commands.start_socket(order.factory_id, order.socket_number, order.trade_no,
                                     mode="duration" if order.preset_minutes else "full", protocol=order.protocol,
                                     duration_s=limit * 60, stop_when_full=not order.preset_minutes, timeout=wait)
    except Exception as exc:  # noqa: BLE001 - a broken bus must not leave the driver without an answer
        log.exception("start of order %s could not be sent", order.trade_no)
        return CommandResult(CommandStatus.OFFLINE, f"指令发送失败 (could not send: {exc})")


def apply_start_answer(model, order_id: int, result: CommandResult, *, commit: bool = True):
    """Apply the device's answer to a start (from the command or the ``start_result`` event); commit unless
    ``commit`` is false (the gateway's batch commits its own transaction).

    accepted → 充电中 (confirmed); refused (unless the device may still start, ``awaiting_plug``) or
    offline → 订单异常 with the money returned; no answer yet → unchanged (the sweep fails it after the
    start timeout unless a ``start_result`` arrives).
    """
    order = lock(model, order_id)
    data = dict(result.data or {})
    if result.ok:
        confirm_start(order, "设备确认启动 (start confirmed)", DEVICE)
    elif result.status in (CommandStatus.REJECTED, CommandStatus.OFFLINE) and not data.get("awaiting_plug"):
        if order.settled_at is None and can_move(order, OrderState.FAILED):
            cause = f"启动失败：{result.reason or '设备拒绝'} (start refused)"
            fail(order, cause, DEVICE, {"status": result.status.value, **_jsonable(data)})
    elif data.get("awaiting_plug") and order.state is OrderState.STARTING:
        order.end_reason = f"等待插枪：{result.reason or ''}"[:200]
    if commit:
        db.session.commit()
    return order


def confirm_start(order, cause: str, actor: Actor) -> None:
    """Mark the start confirmed (car 启动中 → 充电中; e-bike: ``started_at`` set); repeated calls do nothing."""
    if order.started_at is None and order.settled_at is None:
        order.started_at = utcnow()
        order.end_reason = ""
    if order.state is OrderState.STARTING:
        transition(order, OrderState.CHARGING, cause, actor)


def start_deadline_passed(order, now) -> bool:
    """Whether a start sent to the device (the order is paid) is unconfirmed after ``ORDER_START_TIMEOUT``."""
    if order.started_at is not None or order.pay_state is PayState.UNPAID:
        return False
    sent = order.paid_at or order.created_at
    return sent <= now - timedelta(seconds=float(settings()["ORDER_START_TIMEOUT"]))


def _jsonable(data: dict) -> dict:
    return {key: value if isinstance(value, (str, int, bool, type(None))) else str(value) for key, value in data.items()}


def parse_prepaid(value) -> Decimal:
    """The prepaid amount of a request as Decimal yuan (422 on ``prepaid`` for floats, more than 2 decimals,
    or not above zero)."""
    from chargehub.members.balance import money  # noqa: PLC0415 - members sits above charging

    return money(value, field="prepaid")
