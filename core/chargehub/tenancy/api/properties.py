"""集团物业管理 (3.7.2): properties of a service provider."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names, annotate_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.tenancy.api.tenant_schemas import (
    PropertyArgs,
    PropertyCreatedSchema,
    PropertyPage,
    PropertySchema,
    PropertyUpdateSchema,
)
from chargehub.tenancy.auth import current_user, require
from chargehub.tenancy.models import Property, ServiceProvider
from chargehub.tenancy.scope import get_or_404, scoped
from chargehub.tenancy.services import tenants

blp = Blueprint("properties", __name__, url_prefix="/api/v1/admin/properties", description="集团物业管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": Property.created_at, "name": Property.name, "phone": Property.phone}


def annotate(rows):
    """Add provider names and 创建 / 修改 names to property rows."""
    return annotate_names(annotate_actor_names(rows), provider_name=("provider_id", ServiceProvider))


def _one(property_id: int) -> Property:
    return annotate([get_or_404(Property, property_id)])[0]


@blp.route("")
class Properties(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(PropertyArgs, location="query")
    @blp.response(200, PropertyPage)
    @require("system.property:list")
    def get(self, args):
        """Search properties (provider, name, phone, state)."""
        page = paginate(Property, scoped(sa.select(Property), Property), args, SORTABLE, "-created_at", [
            equals(Property.provider_id, args["provider_id"]),
            contains(Property.name, args["name"]),
            contains(Property.phone, args["phone"]),
            equals(Property.enabled, args["enabled"]),
        ])
        annotate(page["items"])
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(PropertySchema)
    @blp.response(201, PropertyCreatedSchema)
    @require("system.property:add")
    def post(self, data):
        """Add a property; creates its login account (initial password in the answer, once) and top department."""
        prop, password = tenants.create_property(data, current_user())
        return {"property": _one(prop.id), "initial_password": password}


@blp.route("/<int:property_id>")
class PropertyItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PropertySchema)
    @require("system.property:detail")
    def get(self, property_id):
        """One property with 创建 / 修改 information."""
        return _one(property_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(PropertyUpdateSchema)
    @blp.response(200, PropertySchema)
    @require("system.property:edit")
    def put(self, data, property_id):
        """Change name, contact, email and address (the phone is the login and never changes)."""
        tenants.update_property(get_or_404(Property, property_id), data)
        return _one(property_id)


add_state_routes(blp, "/<int:property_id>", model=Property, param="property_id", permission="system.property:state",
                 apply=tenants.set_property_enabled, load=_one, schema=PropertySchema, label="物业")
