"""相机管理 (3.2.4): parking cameras and their device actions."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names, annotate_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.assets.api.car_schemas import (
    CameraArgs,
    CameraCreateSchema,
    CameraPage,
    CameraSchema,
    CameraUpdateSchema,
)
from chargehub.assets.car_models import Camera, CarArea, CarStation, ParkingSpace
from chargehub.assets.services import cameras
from chargehub.devices.api import CommandResultSchema
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("cameras", __name__, url_prefix="/api/v1/admin/cameras", description="相机管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": Camera.created_at, "code": Camera.code, "name": Camera.name, "factory_id": Camera.factory_id}


def _decorate(rows: list) -> list:
    annotate_names(rows, station_name=("station_id", CarStation), area_name=("area_id", CarArea),
                   left_space_name=("left_space_id", ParkingSpace), right_space_name=("right_space_id", ParkingSpace))
    return annotate_actor_names(rows)


def _one(camera_id: int) -> Camera:
    return _decorate([get_or_404(Camera, camera_id)])[0]


@blp.route("")
class Cameras(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(CameraArgs, location="query")
    @blp.response(200, CameraPage)
    @require("car.camera:list")
    def get(self, args):
        """Search cameras (电站, 区域, 相机编号, 出厂编号, 相机IP, 车位: left or right)."""
        space_id = args["space_id"]
        page = paginate(Camera, scoped(sa.select(Camera), Camera), args, SORTABLE, "-created_at", [
            equals(Camera.station_id, args["station_id"]),
            equals(Camera.area_id, args["area_id"]),
            contains(Camera.code, args["code"]),
            contains(Camera.factory_id, args["factory_id"]),
            contains(Camera.ip, args["ip"]),
            None if space_id is None else sa.or_(Camera.left_space_id == space_id, Camera.right_space_id == space_id),
        ])
        _decorate(page["items"])
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(CameraCreateSchema)
    @blp.response(201, CameraSchema)
    @require("car.camera:add")
    def post(self, data):
        """添加 a camera (area, factory id, IP, name, SIM, left / right spaces of that area)."""
        return _one(cameras.create_camera(data).id)


@blp.route("/<int:camera_id>")
class CameraItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, CameraSchema)
    @require("car.camera:detail")
    def get(self, camera_id):
        """One camera with 创建 / 修改 information."""
        return _one(camera_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(CameraUpdateSchema)
    @blp.response(200, CameraSchema)
    @require("car.camera:edit")
    def put(self, data, camera_id):
        """修改 factory id, IP, name, SIM and left / right spaces."""
        cameras.update_camera(get_or_404(Camera, camera_id), data)
        return _one(camera_id)


@blp.route("/<int:camera_id>/commands/<name>", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.response(200, CommandResultSchema)
@require("car.camera:command")
def camera_command(camera_id, name):
    """Device action: reboot, sync_clock, capture, sync_lock_state, refresh_state, lock or unlock."""
    return cameras.camera_command(get_or_404(Camera, camera_id), name)


add_state_routes(blp, "/<int:camera_id>", model=Camera, param="camera_id", permission="car.camera:state",
                 apply=cameras.set_camera_enabled, load=_one, schema=CameraSchema, label="相机")
