"""设备管理 (3.3.3): list, add (with sockets), edit, enable / disable, delete, device actions."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.assets.api.bike_schemas import DeviceArgs, DevicePage, DeviceSchema, DeviceUpdateSchema
from chargehub.devices.api import CommandResultSchema
from chargehub.assets.bike_models import BikeDevice
from chargehub.assets.services import devices
from chargehub.devices.admin.bike_status import annotate_device_faults
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("devices", __name__, url_prefix="/api/v1/admin/devices", description="设备管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": BikeDevice.created_at, "code": BikeDevice.code, "name": BikeDevice.name,
            "factory_id": BikeDevice.factory_id}


def _one(device_id: int) -> BikeDevice:
    device = get_or_404(BikeDevice, device_id)
    return annotate_device_faults(devices.annotate_devices(annotate_actor_names([device])))[0]


@blp.route("")
class Devices(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(DeviceArgs, location="query")
    @blp.response(200, DevicePage)
    @require("bike.device:list")
    def get(self, args):
        """Search devices (station, area, code, factory id, name, system state, online)."""
        page = paginate(BikeDevice, scoped(sa.select(BikeDevice), BikeDevice), args, SORTABLE, "-created_at", [
            equals(BikeDevice.station_id, args["station_id"]),
            equals(BikeDevice.area_id, args["area_id"]),
            contains(BikeDevice.code, args["code"]),
            contains(BikeDevice.factory_id, args["factory_id"]),
            contains(BikeDevice.name, args["name"]),
            equals(BikeDevice.enabled, args["enabled"]),
            equals(BikeDevice.online, args["online"]),
        ])
        annotate_device_faults(devices.annotate_devices(annotate_actor_names(page["items"])))
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(DeviceSchema)
    @blp.response(201, DeviceSchema)
    @require("bike.device:add")
    def post(self, data):
        """Add a device under an area; sockets 1..``socket_count`` are created with it."""
        return _one(devices.create_device(data).id)


@blp.route("/<int:device_id>")
class DeviceItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, DeviceSchema)
    @require("bike.device:detail")
    def get(self, device_id):
        """详细: every field, the socket count, 创建 / 修改 information."""
        return _one(device_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(DeviceUpdateSchema)
    @blp.response(200, DeviceSchema)
    @require("bike.device:edit")
    def put(self, data, device_id):
        """修改: name, type, position, ratings, current limits, dates."""
        devices.update_device(get_or_404(BikeDevice, device_id), data)
        return _one(device_id)

    @blp.doc(security=SECURITY)
    @blp.response(204)
    @require("bike.device:delete")
    def delete(self, device_id):
        """删除 the device and its sockets; refused (409) while a socket is charging."""
        devices.delete_device(get_or_404(BikeDevice, device_id))


@blp.route("/<int:device_id>/commands/<name>")
class DeviceCommand(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, CommandResultSchema)
    @require("bike.device:command")
    def post(self, device_id, name):
        """Device action: refresh_state (刷新电桩状态) or reboot."""
        return devices.device_action(get_or_404(BikeDevice, device_id), name)


add_state_routes(blp, "/<int:device_id>", model=BikeDevice, param="device_id", permission="bike.device:state",
                 apply=devices.set_device_enabled, load=_one, schema=DeviceSchema, label="设备")
