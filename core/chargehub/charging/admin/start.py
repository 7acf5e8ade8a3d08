"""后台启动: an operator starts a charge on a gun or a socket to test it (``/api/v1/admin/guns/<id>/start``,
``/api/v1/admin/bike-sockets/<id>/start``).

The order is an ordinary order (same checks, same device commands, same settlement) with start method
``admin`` and pay method ``free``: nothing is collected, whatever the platform's free test mode says.
Operators stop it with 结束 on the order pages. Permission ``car.gun:command`` / ``bike.socket:command``
(设备操作 of 电枪管理 / 插座管理); the connector must be in the user's scope.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.app_api.order_schemas import OrderSchema, order_payload
from chargehub.assets.bike_models import Socket
from chargehub.assets.car_models import Gun
from chargehub.charging.models import PayMethod, StartMethod
from chargehub.charging.start import StartRequest, parse_prepaid, start_order
from chargehub.charging.states import Actor
from chargehub.tenancy.auth import current_user, require
from chargehub.tenancy.scope import get_or_404

blp = Blueprint("admin-charging-start", __name__, url_prefix="/api/v1/admin",
                description="后台启动充电 (operators' test starts)")
SECURITY = [{"bearer": []}]


class GunStartSchema(ma.Schema):
    prepaid = ma.fields.String(load_default="10.00", metadata={"description": "预付金额（元）：到达后自动结束"})


class SocketStartSchema(GunStartSchema):
    minutes = ma.fields.Integer(load_default=None, strict=True, metadata={"description": "充电时长（分钟），不填为充满自停"})


def _start(kind: str, connector_id: int, args) -> dict:
    user = current_user()
    order = start_order(StartRequest(kind, connector_id, parse_prepaid(args["prepaid"]), PayMethod.FREE,
                                     args.get("minutes"), start_method=StartMethod.ADMIN),
                        actor=Actor("user", user.id))
    return order_payload(order)


@blp.route("/guns/<int:gun_id>/start")
class GunStart(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(GunStartSchema)
    @blp.response(201, OrderSchema)
    @require("car.gun:command")
    def post(self, args, gun_id):
        """启动充电 on a gun (free test order); answers when the pile has answered."""
        get_or_404(Gun, gun_id)
        return _start("gun", gun_id, args)


@blp.route("/bike-sockets/<int:socket_id>/start")
class SocketStart(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(SocketStartSchema)
    @blp.response(201, OrderSchema)
    @require("bike.socket:command")
    def post(self, args, socket_id):
        """启动充电 on an e-bike socket (free test order), for ``minutes`` or until full."""
        get_or_404(Socket, socket_id)
        return _start("socket", socket_id, args)
