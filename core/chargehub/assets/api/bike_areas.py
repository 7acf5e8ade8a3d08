"""区域管理（单车）(3.3.2): list, add, edit, enable / disable, delete, details with counts."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.assets.api.bike_schemas import BikeAreaArgs, BikeAreaPage, BikeAreaSchema, BikeAreaUpdateSchema
from chargehub.assets.bike_models import BikeArea
from chargehub.assets.services import bike_areas
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("bike_areas", __name__, url_prefix="/api/v1/admin/bike-areas", description="区域管理（单车）")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": BikeArea.created_at, "code": BikeArea.code, "name": BikeArea.name}


def _one(area_id: int) -> BikeArea:
    return bike_areas.annotate_bike_areas(annotate_actor_names([get_or_404(BikeArea, area_id)]))[0]


@blp.route("")
class BikeAreas(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(BikeAreaArgs, location="query")
    @blp.response(200, BikeAreaPage)
    @require("bike.area:list")
    def get(self, args):
        """Search areas (station, code, name, state); items carry device and socket counts."""
        page = paginate(BikeArea, scoped(sa.select(BikeArea), BikeArea), args, SORTABLE, "-created_at", [
            equals(BikeArea.station_id, args["station_id"]),
            contains(BikeArea.code, args["code"]),
            contains(BikeArea.name, args["name"]),
            equals(BikeArea.enabled, args["enabled"]),
        ])
        bike_areas.annotate_bike_areas(annotate_actor_names(page["items"]))
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(BikeAreaSchema)
    @blp.response(201, BikeAreaSchema)
    @require("bike.area:add")
    def post(self, data):
        """Add an area (station, name, phone) to an enabled station."""
        return _one(bike_areas.create_bike_area(data).id)


@blp.route("/<int:bike_area_id>")
class BikeAreaItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, BikeAreaSchema)
    @require("bike.area:detail")
    def get(self, bike_area_id):
        """详细: the area with its code, device and socket counts, 创建 / 修改 information."""
        return _one(bike_area_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(BikeAreaUpdateSchema)
    @blp.response(200, BikeAreaSchema)
    @require("bike.area:edit")
    def put(self, data, bike_area_id):
        """修改: name and phone."""
        bike_areas.update_bike_area(get_or_404(BikeArea, bike_area_id), data)
        return _one(bike_area_id)

    @blp.doc(security=SECURITY)
    @blp.response(204)
    @require("bike.area:delete")
    def delete(self, bike_area_id):
        """删除: refused (409) while the area has devices."""
        bike_areas.delete_bike_area(get_or_404(BikeArea, bike_area_id))


add_state_routes(blp, "/<int:bike_area_id>", model=BikeArea, param="bike_area_id", permission="bike.area:state",
                 apply=bike_areas.set_bike_area_enabled, load=_one, schema=BikeAreaSchema, label="区域")
