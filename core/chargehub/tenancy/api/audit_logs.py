"""操作日志: sign-ins and sensitive changes, newest first."""
from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.listing import CreatedRangeArgs, contains, created_between, equals, page_schema, paginate
from chargehub.tenancy.audit_log import AuditLog
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import scoped

blp = Blueprint("audit_logs", __name__, url_prefix="/api/v1/admin/audit-logs", description="操作日志")


class AuditLogArgs(CreatedRangeArgs):
    action = ma.fields.String(load_default=None, metadata={"label": "操作"})
    actor_phone = ma.fields.String(load_default=None, metadata={"label": "操作人账号"})
    success = ma.fields.Boolean(load_default=None, metadata={"label": "结果"})


class AuditLogSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.DateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    actor_phone = ma.fields.String()
    provider_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    target_type = ma.fields.String()
    target_id = ma.fields.Integer(allow_none=True)
    success = ma.fields.Boolean()
    ip = ma.fields.String()
    detail = ma.fields.Dict()


@blp.route("")
class AuditLogs(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(AuditLogArgs, location="query")
    @blp.response(200, page_schema(AuditLogSchema, "AuditLogPage"))
    @require("system.audit_log:list")
    def get(self, args):
        """Search the audit log (action, actor, result, time)."""
        return paginate(AuditLog, scoped(sa.select(AuditLog), AuditLog), args, {"at": AuditLog.at}, "-at", [
            equals(AuditLog.action, args["action"]),
            contains(AuditLog.actor_phone, args["actor_phone"]),
            equals(AuditLog.success, args["success"]),
            created_between(AuditLog.at, args),
        ])
