"""区域管理 (3.2.2): areas of car stations."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names, annotate_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.assets.api.car_schemas import CarAreaArgs, CarAreaCreateSchema, CarAreaPage, CarAreaSchema, CarAreaUpdateSchema
from chargehub.assets.car_models import CarArea, CarStation
from chargehub.assets.services import car_areas
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("car_areas", __name__, url_prefix="/api/v1/admin/car-areas", description="区域管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": CarArea.created_at, "code": CarArea.code, "name": CarArea.name}


def _decorate(areas: list) -> list:
    annotate_names(areas, station_name=("station_id", CarStation))
    car_areas.annotate_counts(areas)
    return annotate_actor_names(areas)


def _one(car_area_id: int) -> CarArea:
    return _decorate([get_or_404(CarArea, car_area_id)])[0]


@blp.route("")
class CarAreas(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(CarAreaArgs, location="query")
    @blp.response(200, CarAreaPage)
    @require("car.area:list")
    def get(self, args):
        """Search areas (电站, 区域编号, 区域名称, 区域状态) alone or combined."""
        page = paginate(CarArea, scoped(sa.select(CarArea), CarArea), args, SORTABLE, "-created_at", [
            equals(CarArea.station_id, args["station_id"]),
            contains(CarArea.code, args["code"]),
            contains(CarArea.name, args["name"]),
            equals(CarArea.enabled, args["enabled"]),
        ])
        _decorate(page["items"])
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(CarAreaCreateSchema)
    @blp.response(201, CarAreaSchema)
    @require("car.area:add")
    def post(self, data):
        """添加 an area (station, name, phone, power) under an enabled station."""
        return _one(car_areas.create_area(data).id)


@blp.route("/<int:car_area_id>")
class CarAreaItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, CarAreaSchema)
    @require("car.area:detail")
    def get(self, car_area_id):
        """详细: the area with its space / pile / gun counts and 创建 / 修改 information."""
        return _one(car_area_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(CarAreaUpdateSchema)
    @blp.response(200, CarAreaSchema)
    @require("car.area:edit")
    def put(self, data, car_area_id):
        """修改 name, phone and power."""
        car_areas.update_area(get_or_404(CarArea, car_area_id), data)
        return _one(car_area_id)


add_state_routes(blp, "/<int:car_area_id>", model=CarArea, param="car_area_id", permission="car.area:state",
                 apply=car_areas.set_area_enabled, load=_one, schema=CarAreaSchema, label="区域")
