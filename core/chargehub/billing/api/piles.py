"""计费详情 of a car pile under the billing API: ``/api/v1/admin/car/piles/<pile_id>/billing``.

The same answer as the pile API's ``/api/v1/admin/piles/<pile_id>/billing`` (one service function).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.assets.car_models import Pile
from chargehub.billing.api.schemas import PileBillingSchema
from chargehub.billing.services.ykc import pile_billing
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404

blp = Blueprint("car_pile_billing", __name__, url_prefix="/api/v1/admin/car/piles", description="充电桩计费详情")
SECURITY = [{"bearer": []}]


@blp.route("/<int:pile_id>/billing")
class PileBilling(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PileBillingSchema)
    @require("car.pile:detail")
    def get(self, pile_id):
        """计费详情: the enabled rule of the pile's area, the version in force and its YKC model."""
        return pile_billing(get_or_404(Pile, pile_id))
