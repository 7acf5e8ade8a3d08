"""充电桩管理 (3.2.5): list, add, edit, enable / disable, device actions, billing details."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.devices.api import CommandResultSchema

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.assets.api.pile_schemas import (
    PileArgs,
    PilePage,
    PileSchema,
    PileUpdateSchema,
)
from chargehub.assets.car_models import Pile
from chargehub.billing.api.schemas import PileBillingSchema
from chargehub.billing.services.ykc import pile_billing
from chargehub.assets.services import piles
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("piles", __name__, url_prefix="/api/v1/admin/piles", description="充电桩管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": Pile.created_at, "code": Pile.code, "name": Pile.name, "factory_id": Pile.factory_id}


def _one(pile_id: int) -> Pile:
    return piles.annotate_piles(annotate_actor_names([get_or_404(Pile, pile_id)]))[0]


@blp.route("")
class Piles(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(PileArgs, location="query")
    @blp.response(200, PilePage)
    @require("car.pile:list")
    def get(self, args):
        """Search piles (station, area, code, factory id, name, speed, state)."""
        page = paginate(Pile, scoped(sa.select(Pile), Pile), args, SORTABLE, "-created_at", [
            equals(Pile.station_id, args["station_id"]),
            equals(Pile.area_id, args["area_id"]),
            contains(Pile.code, args["code"]),
            contains(Pile.factory_id, args["factory_id"]),
            contains(Pile.name, args["name"]),
            equals(Pile.speed, args["speed"]),
            equals(Pile.enabled, args["enabled"]),
        ])
        piles.annotate_piles(annotate_actor_names(page["items"]))
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(PileSchema)
    @blp.response(201, PileSchema)
    @require("car.pile:add")
    def post(self, data):
        """Add a pile under an area; its guns are created from ``gun_count``."""
        return _one(piles.create_pile(data).id)


@blp.route("/<int:pile_id>")
class PileItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PileSchema)
    @require("car.pile:detail")
    def get(self, pile_id):
        """充电桩详情: every field, its guns, 创建 / 修改 information."""
        return _one(pile_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(PileUpdateSchema)
    @blp.response(200, PileSchema)
    @require("car.pile:edit")
    def put(self, data, pile_id):
        """修改; changing ``gun_count`` adds or removes guns (not one that is charging)."""
        piles.update_pile(get_or_404(Pile, pile_id), data)
        return _one(pile_id)


@blp.route("/<int:pile_id>/commands/<name>")
class PileCommand(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, CommandResultSchema)
    @require("car.pile:command")
    def post(self, pile_id, name):
        """Device action: reboot, sync_clock, sync_qrcode, sync_billing, sync_hotline, refresh_state."""
        return piles.pile_command(get_or_404(Pile, pile_id), name)


@blp.route("/<int:pile_id>/billing")
class PileBilling(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PileBillingSchema)
    @require("car.pile:detail")
    def get(self, pile_id):
        """计费详情: the billing rule in effect for the pile's area (``docs/api/billing.md``)."""
        return pile_billing(get_or_404(Pile, pile_id))


add_state_routes(blp, "/<int:pile_id>", model=Pile, param="pile_id", permission="car.pile:state",
                 apply=piles.set_pile_enabled, load=_one, schema=PileSchema, label="充电桩")
