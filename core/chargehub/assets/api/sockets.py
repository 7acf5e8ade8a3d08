"""插座管理 (3.3.4): list, details, enable / disable; every item carries its ``charge_url`` and live figures."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names
from chargehub.api.listing import paginate
from chargehub.assets.api.bike_schemas import SocketArgs, SocketPage, SocketSchema
from chargehub.assets.bike_models import BikeDevice, Socket
from chargehub.assets.services import sockets
from chargehub.devices.admin.bike_status import annotate_socket_live
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("sockets", __name__, url_prefix="/api/v1/admin/sockets", description="插座管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": Socket.created_at, "number": Socket.number, "device_code": BikeDevice.code,
            "state": Socket.state}


def _one(socket_id: int) -> Socket:
    return annotate_socket_live(sockets.annotate_sockets(annotate_actor_names([get_or_404(Socket, socket_id)])))[0]


@blp.route("")
class Sockets(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(SocketArgs, location="query")
    @blp.response(200, SocketPage)
    @require("bike.socket:list")
    def get(self, args):
        """Search sockets (station, area, device code, factory id, device name, state, system state)."""
        statement = scoped(sa.select(Socket).join(BikeDevice, BikeDevice.id == Socket.device_id), Socket)
        page = paginate(Socket, statement, args, SORTABLE, "-created_at", sockets.socket_conditions(args))
        annotate_socket_live(sockets.annotate_sockets(annotate_actor_names(page["items"])))
        return page


@blp.route("/<int:socket_id>")
class SocketItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, SocketSchema)
    @require("bike.socket:detail")
    def get(self, socket_id):
        """One socket with its device, state and charging URL."""
        return _one(socket_id)


add_state_routes(blp, "/<int:socket_id>", model=Socket, param="socket_id", permission="bike.socket:state",
                 apply=sockets.set_socket_enabled, load=_one, schema=SocketSchema, label="插座")
