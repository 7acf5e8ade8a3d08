"""Driver API: charging orders — start, live data, stop, list and detail (``/api/v1/app/orders``).

Start and stop take an ``Idempotency-Key`` header (:mod:`chargehub.app_api.idempotency`): a retried
request never creates a second order or stops twice. A start answers when the device has answered (or
``ORDER_COMMAND_WAIT`` passed): ``state`` is then ``charging``, ``failed`` with ``end_reason``, or still
``starting`` (the pile waits for the gun to be plugged in; poll the order or its live data).
"""
from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from chargehub.api.listing import PageArgs, page_schema
from chargehub.app_api.auth import APP_SECURITY as SECURITY, current_driver, driver_required
from chargehub.app_api.idempotency import HEADER, run_once
from chargehub.app_api.order_schemas import LiveSchema, OrderSchema, StartSchema, live_payload, order_payload
from chargehub.charging.control import order_by_trade_no, stop_order
from chargehub.charging.models import ORDER_MODELS, OrderState, PayMethod
from chargehub.charging.start import StartRequest, parse_prepaid, start_order
from chargehub.charging.states import Actor
from chargehub.extensions import db

blp = Blueprint("app-orders", __name__, url_prefix="/api/v1/app", description="车主端：充电订单 (driver: charging orders)")
IDEMPOTENCY = {"in": "header", "name": HEADER, "schema": {"type": "string", "minLength": 8, "maxLength": 64},
               "description": "幂等键：重试同一请求时使用相同的值 (the same value on every retry of one request)"}
NOT_FOUND = "订单不存在 (order not found)"


class OrderListArgs(PageArgs):
    kind = ma.fields.String(load_default=None, validate=ma.validate.OneOf(("car", "bike")),
                            metadata={"description": "car 新能源订单 / bike 电单车订单 (默认两者)"})
    state = ma.fields.Enum(OrderState, by_value=True, load_default=None)


OrderPage = page_schema(OrderSchema, "AppOrderPage")


def _own(trade_no: str):
    """The signed-in driver's order ``trade_no`` (404 for anyone else's)."""
    order = order_by_trade_no(trade_no)
    if order is None or order.driver_id != current_driver().id:
        abort(404, message=NOT_FOUND)
    return order


@blp.route("/orders")
class Orders(MethodView):
    @blp.doc(security=SECURITY, parameters=[{**IDEMPOTENCY, "required": True}])
    @blp.arguments(StartSchema)
    @blp.alt_response(201, schema=OrderSchema, description="订单（设备已应答或等待超时）")
    @driver_required
    def post(self, args):
        """开始充电: start on a gun (``gun_id``) with a prepaid amount, or on a socket (``socket_id``) with a
        prepaid amount and optionally a duration (``minutes``, an estimate option of the rule).

        ``pay_method=online`` (with ``payer_id``, the openid): the order is created 启动中 / 待支付 and
        ``payment.client_params`` go to ``wx.requestPayment``; the device is started once the payment is
        confirmed (poll the order). A station without payment configuration answers 409."""
        driver = current_driver()

        def produce():
            kind, connector_id = ("gun", args["gun_id"]) if args.get("gun_id") else ("socket", args["socket_id"])
            order = start_order(StartRequest(kind, connector_id, parse_prepaid(args["prepaid"]),
                                             PayMethod(args["pay_method"]), args.get("minutes"),
                                             args.get("plate") or "", payer_id=args.get("payer_id") or "",
                                             client_ip=request.remote_addr or ""),
                                driver=driver, actor=Actor("driver", driver.id))
            return order_payload(order), 201

        return run_once(driver.id, "start", args, produce)

    @blp.doc(security=SECURITY)
    @blp.arguments(OrderListArgs, location="query")
    @blp.response(200, OrderPage)
    @driver_required
    def get(self, args):
        """我的订单: the driver's orders, newest first (``kind`` car / bike, ``state``)."""
        driver = current_driver()
        kinds = [args["kind"]] if args.get("kind") else ["car", "bike"]
        items, total = [], 0
        limit = args["page"] * args["page_size"]
        for kind in kinds:
            model = ORDER_MODELS[kind]
            where = [model.driver_id == driver.id]
            if args.get("state"):
                where.append(model.state == args["state"])
            total += db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()
            items += db.session.execute(sa.select(model).where(*where).order_by(model.created_at.desc())
                                        .limit(limit)).scalars().all()
        items.sort(key=lambda order: order.created_at, reverse=True)
        start = (args["page"] - 1) * args["page_size"]
        return {"items": [order_payload(order) for order in items[start:start + args["page_size"]]],
                "total": total, "page": args["page"], "page_size": args["page_size"]}


@blp.route("/orders/<trade_no>")
class OrderItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, OrderSchema)
    @driver_required
    def get(self, trade_no):
        """订单详情: state, figures, the itemized bill and the payment of one of the driver's orders."""
        return order_payload(_own(trade_no))


@blp.route("/orders/<trade_no>/live")
class OrderLive(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, LiveSchema)
    @driver_required
    def get(self, trade_no):
        """充电中实时数据: energy, power, duration, SOC and the running cost (the one pricing function)."""
        return live_payload(_own(trade_no))


@blp.route("/orders/<trade_no>/stop")
class OrderStop(MethodView):
    @blp.doc(security=SECURITY, parameters=[IDEMPOTENCY])
    @blp.alt_response(200, schema=OrderSchema, description="订单（结束中，等待设备上传交易记录后结算）")
    @driver_required
    def post(self, trade_no):
        """结束充电: ask the device to stop; the order settles when its record arrives. Stopping an order that
        is already stopping or ended changes nothing."""
        driver = current_driver()
        order = _own(trade_no)

        def produce():
            return order_payload(stop_order(order, Actor("driver", driver.id))), 200

        return run_once(driver.id, f"stop:{trade_no}", {"trade_no": trade_no}, produce, required=False)
