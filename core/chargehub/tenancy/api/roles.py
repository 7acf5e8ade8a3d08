"""角色管理 (3.7.4): roles with menu and button permissions, and their users."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names, annotate_names
from chargehub.api.listing import contains, created_between, equals, paginate
from chargehub.tenancy.api.user_schemas import (
    RoleArgs,
    RolePage,
    RoleSchema,
    RoleUpdateSchema,
    UserIdsSchema,
    UserSchema,
)
from chargehub.tenancy.auth import current_user, require
from chargehub.extensions import db
from chargehub.tenancy.models import CollectiveAccount, Property, ServiceProvider, User, user_role
from chargehub.tenancy.org_models import Role
from chargehub.tenancy.scope import get_or_404, scoped
from chargehub.tenancy.services import roles

blp = Blueprint("roles", __name__, url_prefix="/api/v1/admin/roles", description="角色管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": Role.created_at, "name": Role.name}


def annotate(rows):
    """Add the owner's names and 创建 / 修改 names to role rows."""
    return annotate_names(annotate_actor_names(rows), provider_name=("provider_id", ServiceProvider),
                          property_name=("property_id", Property), collective_name=("collective_id", CollectiveAccount))


def _one(role_id: int) -> Role:
    return annotate([get_or_404(Role, role_id)])[0]


@blp.route("")
class Roles(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(RoleArgs, location="query")
    @blp.response(200, RolePage)
    @require("system.role:list")
    def get(self, args):
        """Search roles (provider, property, collective, name, state, authorization type, created)."""
        page = paginate(Role, scoped(sa.select(Role), Role), args, SORTABLE, "-created_at", [
            equals(Role.provider_id, args["provider_id"]),
            equals(Role.property_id, args["property_id"]),
            equals(Role.collective_id, args["collective_id"]),
            contains(Role.name, args["name"]),
            equals(Role.enabled, args["enabled"]),
            equals(Role.user_type, args["user_type"]),
            created_between(Role.created_at, args),
        ])
        annotate(page["items"])
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(RoleSchema)
    @blp.response(201, RoleSchema)
    @require("system.role:add")
    def post(self, data):
        """Add a role for users of one type with menu and button permissions."""
        return _one(roles.create_role(data, current_user()).id)


@blp.route("/<int:role_id>")
class RoleItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, RoleSchema)
    @require("system.role:detail")
    def get(self, role_id):
        """One role with its permissions and 创建 / 修改 information."""
        return _one(role_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(RoleUpdateSchema)
    @blp.response(200, RoleSchema)
    @require("system.role:edit")
    def put(self, data, role_id):
        """Change the name, permissions and remark."""
        roles.update_role(get_or_404(Role, role_id), data, current_user())
        return _one(role_id)

    @blp.doc(security=SECURITY)
    @blp.response(204)
    @require("system.role:delete")
    def delete(self, role_id):
        """删除; refused with a message while users hold the role."""
        roles.delete_role(get_or_404(Role, role_id))


@blp.route("/<int:role_id>/users")
class RoleUsers(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, UserSchema(many=True))
    @require("system.role:assign")
    def get(self, role_id):
        """The users holding the role (visible to the caller)."""
        role = get_or_404(Role, role_id)
        stmt = sa.select(User).join(user_role, user_role.c.user_id == User.id).where(user_role.c.role_id == role.id)
        return annotate_actor_names(db.session.execute(scoped(stmt, User).order_by(User.id)).scalars().all())

    @blp.doc(security=SECURITY)
    @blp.arguments(UserIdsSchema)
    @blp.response(200, RoleSchema)
    @require("system.role:assign")
    def post(self, data, role_id):
        """分配用户: grant the role to users."""
        roles.assign_users(get_or_404(Role, role_id), data["user_ids"])
        return _one(role_id)


@blp.route("/<int:role_id>/users/<int:user_id>")
class RoleUser(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(204)
    @require("system.role:assign")
    def delete(self, role_id, user_id):
        """取消授权: take the role away from the user."""
        roles.unassign_user(get_or_404(Role, role_id), get_or_404(User, user_id))


add_state_routes(blp, "/<int:role_id>", model=Role, param="role_id", permission="system.role:state",
                 apply=roles.set_role_enabled, load=_one, schema=RoleSchema, label="角色")
