"""计费方式: the billing modes on the platform, with the JSON schema of their params, and testing unsaved params."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from chargehub.billing.api.mode_schema import json_schema
from chargehub.billing.api.schemas import ModeArgs, ModeSchema, ModeTrialSchema, TrialResultSchema
from chargehub.billing.modes import find_mode, modes_for
from chargehub.billing.services import trial
from chargehub.billing.sides import SIDES
from chargehub.tenancy.auth import has_permission, require

blp = Blueprint("billing_modes", __name__, url_prefix="/api/v1/admin/billing-modes", description="计费方式")
SECURITY = [{"bearer": []}]


@blp.route("")
class Modes(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(ModeArgs, location="query")
    @blp.response(200, ModeSchema(many=True))
    @require()
    def get(self, args):
        """The modes of one side (``vehicle``) or all, each with the JSON schema of its params.

        Needs ``car.rule:list`` or ``bike.rule:list``.
        """
        if not any(has_permission(f"{side.menu}:list") for side in SIDES.values()):
            abort(403, message="无权限执行此操作 (missing permission car.rule:list or bike.rule:list)")
        return [{"identifier": m.identifier, "verbose_name": m.verbose_name, "vehicle": m.vehicle,
                 "plugin": m.plugin_name, "schema": json_schema(m.rule_schema)} for m in modes_for(args["vehicle"])]


@blp.route("/<identifier>/test")
class ModeTest(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(ModeTrialSchema)
    @blp.response(200, TrialResultSchema)
    @require()
    def post(self, args, identifier):
        """计费测试 of unsaved params (the add form). Needs ``<car|bike>.rule:test`` for the mode's side."""
        mode = find_mode(identifier)
        if mode is None:
            abort(404, message=f"计费方式「{identifier}」不存在 (unknown billing mode)")
        permission = f"{SIDES[mode.vehicle].menu}:test"
        if not has_permission(permission):
            abort(403, message=f"无权限执行此操作 (missing permission {permission})")
        return trial.run_mode_test(mode, args["params"], args)
