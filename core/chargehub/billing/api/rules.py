"""计费规则 endpoints, built once per side: ``/api/v1/admin/<car|bike>/billing-rules``.

Both sides share every rule; what differs (tables, menu, option and test schemas) comes from
:data:`chargehub.billing.sides.SIDES`. The item parameter is ``<car|bike>_billing_rule_id``.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.billing.api.schemas import (
    BikeOptionsSchema,
    BikeTrialSchema,
    CarOptionsSchema,
    CarTrialSchema,
    RuleArgs,
    RuleCreateSchema,
    RuleDetailSchema,
    RulePage,
    RuleUpdateSchema,
    TrialResultSchema,
)
from chargehub.billing.services import options, rules, trial
from chargehub.billing.sides import SIDES
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, register_path_param, scoped

SECURITY = [{"bearer": []}]
_OPTIONS = {"car": CarOptionsSchema, "bike": BikeOptionsSchema}
_TRIALS = {"car": CarTrialSchema, "bike": BikeTrialSchema}
_TITLES = {"car": "计费规则（汽车）", "bike": "计费规则（单车）"}


def rule_blueprint(vehicle: str) -> Blueprint:
    """The blueprint of one side's billing-rule endpoints."""
    side = SIDES[vehicle]
    model, menu, param = side.rule, side.menu, f"{vehicle}_billing_rule_id"
    item = f"/<int:{param}>"
    register_path_param(param, model)
    blp = Blueprint(f"{vehicle}_billing_rules", __name__, url_prefix=f"/api/v1/admin/{vehicle}/billing-rules",
                    description=_TITLES[vehicle])
    sortable = {"created_at": model.created_at, "updated_at": model.updated_at, "name": model.name,
                "mode": model.mode}

    def one(rule_id: int):
        return rules.annotate_rules(annotate_actor_names([get_or_404(model, rule_id)]), detail=True)[0]

    @blp.route("")
    class Rules(MethodView):
        @blp.doc(security=SECURITY)
        @blp.arguments(RuleArgs, location="query")
        @blp.response(200, RulePage)
        @require(f"{menu}:list")
        def get(self, args):
            """Search rules (电站名称, 区域, 计费名称, 计费类型, 状态) alone or combined."""
            statement = (scoped(sa.select(model), model)
                         .join(side.station, side.station.id == model.station_id)
                         .join(side.area, side.area.id == model.area_id))
            page = paginate(model, statement, args, sortable, "-created_at", [
                contains(side.station.name, args["station_name"]),
                equals(model.station_id, args["station_id"]),
                equals(model.area_id, args["area_id"]),
                contains(side.area.name, args["area_name"]),
                contains(model.name, args["name"]),
                equals(model.mode, args["mode"]),
                equals(model.enabled, args["enabled"]),
            ])
            rules.annotate_rules(annotate_actor_names(page["items"]))
            return page

        @blp.doc(security=SECURITY)
        @blp.arguments(RuleCreateSchema)
        @blp.response(201, RuleDetailSchema)
        @require(f"{menu}:add")
        def post(self, data):
            """添加: station, area, name, mode and its params; in force at once."""
            return one(rules.create_rule(vehicle, data).id)

    @blp.route(item)
    class RuleItem(MethodView):
        @blp.doc(security=SECURITY)
        @blp.response(200, RuleDetailSchema)
        @require(f"{menu}:detail")
        def get(self, **ids):
            """详细: the rule, the params in force, a pending change, options and every version."""
            return one(ids[param])

        @blp.doc(security=SECURITY)
        @blp.arguments(RuleUpdateSchema)
        @blp.response(200, RuleDetailSchema)
        @require(f"{menu}:edit")
        def put(self, data, **ids):
            """修改: the name at once; mode / params from the next local midnight (当日24:00生效)."""
            rules.update_rule(get_or_404(model, ids[param]), data)
            return one(ids[param])

        @blp.doc(security=SECURITY)
        @blp.response(204)
        @require(f"{menu}:delete")
        def delete(self, **ids):
            """删除 the rule and its versions."""
            rules.delete_rule(get_or_404(model, ids[param]))

    @blp.route(f"{item}/options")
    class RuleOptions(MethodView):
        @blp.doc(security=SECURITY)
        @blp.arguments(_OPTIONS[vehicle])
        @blp.response(200, RuleDetailSchema)
        @require(f"{menu}:options")
        def put(self, data, **ids):
            """预充值 (car) / 预估值 (e-bike): replace the options, at most 12."""
            options.set_options(get_or_404(model, ids[param]), data["options"])
            return one(ids[param])

    @blp.route(f"{item}/test")
    class RuleTest(MethodView):
        @blp.doc(security=SECURITY)
        @blp.arguments(_TRIALS[vehicle])
        @blp.response(200, TrialResultSchema)
        @require(f"{menu}:test")
        def post(self, args, **ids):
            """计费测试: price a hypothetical session with the version in force at ``started_at``."""
            return trial.run_rule_test(get_or_404(model, ids[param]), args)

    add_state_routes(blp, item, model=model, param=param, permission=f"{menu}:state",
                     apply=rules.set_rule_enabled, load=one, schema=RuleDetailSchema, label="计费规则")
    return blp
