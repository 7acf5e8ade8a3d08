"""车位管理 (3.2.3): parking spaces and their ground locks."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names, annotate_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.assets.api.car_schemas import (
    SpaceArgs,
    SpaceBatchSchema,
    SpacePage,
    SpaceSchema,
    SpaceUpdateSchema,
)
from chargehub.assets.car_models import CarArea, CarStation, ParkingSpace
from chargehub.assets.services import spaces
from chargehub.devices.api import CommandResultSchema
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("spaces", __name__, url_prefix="/api/v1/admin/spaces", description="车位管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": ParkingSpace.created_at, "code": ParkingSpace.code, "name": ParkingSpace.name}


def _decorate(rows: list) -> list:
    annotate_names(rows, station_name=("station_id", CarStation), area_name=("area_id", CarArea))
    return annotate_actor_names(rows)


def _one(space_id: int) -> ParkingSpace:
    return _decorate([get_or_404(ParkingSpace, space_id)])[0]


@blp.route("")
class Spaces(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(SpaceArgs, location="query")
    @blp.response(200, SpacePage)
    @require("car.space:list")
    def get(self, args):
        """Search spaces (电站, 区域, 车位编号, 车位名称, 车位状态, 车位锁类型) alone or combined."""
        page = paginate(ParkingSpace, scoped(sa.select(ParkingSpace), ParkingSpace), args, SORTABLE, "-created_at", [
            equals(ParkingSpace.station_id, args["station_id"]),
            equals(ParkingSpace.area_id, args["area_id"]),
            contains(ParkingSpace.code, args["code"]),
            contains(ParkingSpace.name, args["name"]),
            equals(ParkingSpace.enabled, args["enabled"]),
            equals(ParkingSpace.lock_type, args["lock_type"]),
        ])
        _decorate(page["items"])
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(SpaceBatchSchema)
    @blp.response(201, SpaceSchema(many=True))
    @require("car.space:add")
    def post(self, data):
        """批量添加: ``count`` (1–200) spaces with one lock type, named ``<name_prefix>001``…"""
        return _decorate(spaces.create_spaces(data))


@blp.route("/<int:space_id>")
class SpaceItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, SpaceSchema)
    @require("car.space:detail")
    def get(self, space_id):
        """One space with 创建 / 修改 information."""
        return _one(space_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(SpaceUpdateSchema)
    @blp.response(200, SpaceSchema)
    @require("car.space:edit")
    def put(self, data, space_id):
        """修改 name and lock type."""
        spaces.update_space(get_or_404(ParkingSpace, space_id), data)
        return _one(space_id)


for _action, _label in (("lock", "关锁"), ("unlock", "开锁")):

    def _lock_view(space_id, _name=_action):
        return spaces.lock_command(get_or_404(ParkingSpace, space_id), _name)

    _lock_view.__name__ = f"space_{_action}"
    _lock_view.__doc__ = f"{_label} ({_action}) the space's ground lock through the camera watching it."
    blp.route(f"/<int:space_id>/{_action}", methods=["POST"], endpoint=_action)(
        blp.doc(security=SECURITY)(blp.response(200, CommandResultSchema)(require("car.space:command")(_lock_view))))


add_state_routes(blp, "/<int:space_id>", model=ParkingSpace, param="space_id", permission="car.space:state",
                 apply=spaces.set_space_enabled, load=_one, schema=SpaceSchema, label="车位")
