"""服务商管理 (3.7.1): platform operators manage service providers and sub-merchants."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.tenancy.api.tenant_schemas import (
    AuditResultSchema,
    AuditSchema,
    ProviderArgs,
    ProviderPage,
    ProviderSchema,
    ProviderUpdateSchema,
)
from chargehub.tenancy.auth import require
from chargehub.tenancy.models import ServiceProvider
from chargehub.tenancy.scope import get_or_404, scoped
from chargehub.tenancy.services import tenants

blp = Blueprint("providers", __name__, url_prefix="/api/v1/admin/providers", description="服务商管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": ServiceProvider.created_at, "name": ServiceProvider.name, "phone": ServiceProvider.phone}


def _one(provider_id: int) -> ServiceProvider:
    return annotate_actor_names([get_or_404(ServiceProvider, provider_id)])[0]


@blp.route("")
class Providers(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(ProviderArgs, location="query")
    @blp.response(200, ProviderPage)
    @require("system.provider:list")
    def get(self, args):
        """Search service providers (name, phone, merchant type, state, audit state)."""
        page = paginate(ServiceProvider, scoped(sa.select(ServiceProvider), ServiceProvider), args, SORTABLE,
                        "-created_at", [
                            contains(ServiceProvider.name, args["name"]),
                            contains(ServiceProvider.phone, args["phone"]),
                            equals(ServiceProvider.merchant_type, args["merchant_type"]),
                            equals(ServiceProvider.enabled, args["enabled"]),
                            equals(ServiceProvider.audit_state, args["audit_state"]),
                        ])
        annotate_actor_names(page["items"])
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(ProviderSchema)
    @blp.response(201, ProviderSchema)
    @require("system.provider:add")
    def post(self, data):
        """Add a service provider or sub-merchant; it waits for audit."""
        return annotate_actor_names([tenants.create_provider(data)])[0]


@blp.route("/<int:provider_id>")
class Provider(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, ProviderSchema)
    @require("system.provider:detail")
    def get(self, provider_id):
        """One service provider with 创建 / 修改 information."""
        return _one(provider_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(ProviderUpdateSchema)
    @blp.response(200, ProviderSchema)
    @require("system.provider:edit")
    def put(self, data, provider_id):
        """Change name, contact and email (the phone is the login and never changes)."""
        tenants.update_provider(get_or_404(ServiceProvider, provider_id), data)
        return _one(provider_id)


@blp.route("/<int:provider_id>/audit")
class ProviderAudit(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(AuditSchema)
    @blp.response(200, AuditResultSchema)
    @require("system.provider:audit")
    def post(self, data, provider_id):
        """审核: approve (creates the login account; its initial password is in the answer, once) or reject."""
        password = tenants.audit_provider(get_or_404(ServiceProvider, provider_id), data["approved"], data["remark"])
        return {"provider": _one(provider_id), "initial_password": password}


add_state_routes(blp, "/<int:provider_id>", model=ServiceProvider, param="provider_id", permission="system.provider:state",
                 apply=tenants.set_provider_enabled, load=_one, schema=ProviderSchema, label="服务商")
