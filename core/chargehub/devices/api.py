"""Gateway operations API for platform operators: gateway nodes and raw device commands.

The asset pages of later issues send their commands (reboot, sync clock, lock...) through the same
command bus with tenant checks on the device; this endpoint is the platform operator's diagnostic
path and is limited to system users.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.contracts.devices import DeviceCommand
from chargehub.extensions import command_bus
from chargehub.tenancy.auth import system_required

blp = Blueprint("gateway", __name__, url_prefix="/api/v1/admin/gateway", description="Gateway nodes and device commands")
SECURITY = [{"bearer": []}]


class CommandRequestSchema(ma.Schema):
    device_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64),
                                 metadata={"description": "设备编号 (factory id as the protocol names it)"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64),
                            metadata={"description": "命令名 (reboot, sync_clock, ...)"})
    params = ma.fields.Dict(keys=ma.fields.String(), load_default=dict)
    timeout = ma.fields.Float(load_default=None, allow_none=True, validate=ma.validate.Range(min=0.1, max=120))


class CommandResultSchema(ma.Schema):
    status = ma.fields.Function(lambda r: r.status.value)
    reason = ma.fields.String(allow_none=True)
    data = ma.fields.Dict()


class GatewayNodeSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    node_id = ma.fields.String()
    alive = ma.fields.Boolean()
    last_seen = ma.fields.String(allow_none=True)
    devices = ma.fields.Integer()
    listeners = ma.fields.Dict()


@blp.route("/nodes")
class Nodes(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, GatewayNodeSchema(many=True))
    @system_required
    def get(self):
        """Gateway nodes with their liveness, listeners and device counts."""
        return command_bus.gateway_states()


@blp.route("/commands")
class Commands(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(CommandRequestSchema)
    @blp.response(200, CommandResultSchema)
    @system_required
    def post(self, data):
        """Send a command to a connected device and wait for its answer.

        ``status`` is ``accepted``, ``rejected`` (with ``reason``), ``timeout`` or ``offline`` (the
        device is connected to no gateway; answered at once).
        """
        command = DeviceCommand(device_id=data["device_id"], name=data["name"], params=data["params"])
        return command_bus.send(command, timeout=data["timeout"])
