"""电枪管理 (3.2.6): list, edit the name, enable / disable; every item carries its ``charge_url``."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names
from chargehub.api.listing import paginate
from chargehub.assets.api.pile_schemas import GunArgs, GunPage, GunSchema, GunUpdateSchema
from chargehub.assets.car_models import Gun, Pile
from chargehub.assets.services import guns
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("guns", __name__, url_prefix="/api/v1/admin/guns", description="电枪管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": Gun.created_at, "number": Gun.number, "pile_code": Pile.code, "state": Gun.state}


def _one(gun_id: int) -> Gun:
    return guns.annotate_guns(annotate_actor_names([get_or_404(Gun, gun_id)]))[0]


@blp.route("")
class Guns(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(GunArgs, location="query")
    @blp.response(200, GunPage)
    @require("car.gun:list")
    def get(self, args):
        """Search guns (station, area, pile code, the pile's factory id, state)."""
        statement = scoped(sa.select(Gun).join(Pile, Pile.id == Gun.pile_id), Gun)
        page = paginate(Gun, statement, args, SORTABLE, "-created_at", guns.gun_conditions(args))
        guns.annotate_guns(annotate_actor_names(page["items"]))
        return page


@blp.route("/<int:gun_id>")
class GunItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, GunSchema)
    @require("car.gun:detail")
    def get(self, gun_id):
        """One gun with its pile, state and charging URL."""
        return _one(gun_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(GunUpdateSchema)
    @blp.response(200, GunSchema)
    @require("car.gun:edit")
    def put(self, data, gun_id):
        """编辑: the gun's name."""
        guns.update_gun(get_or_404(Gun, gun_id), data)
        return _one(gun_id)


add_state_routes(blp, "/<int:gun_id>", model=Gun, param="gun_id", permission="car.gun:state",
                 apply=guns.set_gun_enabled, load=_one, schema=GunSchema, label="电枪")
