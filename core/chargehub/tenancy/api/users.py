"""用户管理 (3.7.3): accounts of every type, station bindings, password resets."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names, annotate_names
from chargehub.api.listing import contains, created_between, equals, paginate
from chargehub.tenancy.api.user_schemas import (
    PasswordResultSchema,
    ResetPasswordSchema,
    StationsSchema,
    UserArgs,
    UserPage,
    UserSchema,
    UserUpdateSchema,
)
from chargehub.tenancy.auth import current_user, require
from chargehub.tenancy.models import CollectiveAccount, Property, ServiceProvider, User
from chargehub.tenancy.org_models import Department, Post
from chargehub.tenancy.scope import get_or_404, scoped
from chargehub.tenancy.services import users

blp = Blueprint("users", __name__, url_prefix="/api/v1/admin/users", description="用户管理")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": User.created_at, "name": User.name, "phone": User.phone, "last_login_at": User.last_login_at}


def annotate(rows):
    """Add the names of owner, department and post, and 创建 / 修改 names."""
    return annotate_names(annotate_actor_names(rows), provider_name=("provider_id", ServiceProvider),
                          property_name=("property_id", Property), collective_name=("collective_id", CollectiveAccount),
                          department_name=("department_id", Department), post_name=("post_id", Post))


def _one(user_id: int) -> User:
    return annotate([get_or_404(User, user_id)])[0]


@blp.route("")
class Users(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(UserArgs, location="query")
    @blp.response(200, UserPage)
    @require("system.user:list")
    def get(self, args):
        """Search users (provider, property, collective, login, name, authorization type, user type, state, created)."""
        page = paginate(User, scoped(sa.select(User), User), args, SORTABLE, "-created_at", [
            equals(User.provider_id, args["provider_id"]),
            equals(User.property_id, args["property_id"]),
            equals(User.collective_id, args["collective_id"]),
            contains(User.phone, args["phone"]),
            contains(User.name, args["name"]),
            equals(User.auth_scope, args["auth_scope"]),
            equals(User.user_type, args["user_type"]),
            equals(User.enabled, args["enabled"]),
            created_between(User.created_at, args),
        ])
        annotate(page["items"])
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    @require("system.user:add")
    def post(self, data):
        """Add a user (system, provider, property or collective) with department, post and roles."""
        return _one(users.create_user(data, current_user()).id)


@blp.route("/<int:user_id>")
class UserItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, UserSchema)
    @require("system.user:detail")
    def get(self, user_id):
        """One user with 创建 / 修改 information."""
        return _one(user_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @require("system.user:edit")
    def put(self, data, user_id):
        """Change name, email, department, post, roles, authorization type, password (optional)."""
        users.update_user(get_or_404(User, user_id), data, current_user())
        return _one(user_id)

    @blp.doc(security=SECURITY)
    @blp.response(204)
    @require("system.user:delete")
    def delete(self, user_id):
        """删除 a user account (not the signed-in one, not a provider's or property's login account)."""
        users.delete_user(get_or_404(User, user_id), current_user())


@blp.route("/<int:user_id>/stations")
class UserStations(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, StationsSchema)
    @require("system.user:bind")
    def get(self, user_id):
        """The car and e-bike stations bound to the user."""
        return users.bound_stations(get_or_404(User, user_id))

    @blp.doc(security=SECURITY)
    @blp.arguments(StationsSchema)
    @blp.response(200, StationsSchema)
    @require("system.user:bind")
    def put(self, data, user_id):
        """绑定电站: replace the bound stations (an empty list unbinds all)."""
        return users.bind_stations(get_or_404(User, user_id), data["car_station_ids"], data["bike_station_ids"])


@blp.route("/<int:user_id>/reset-password")
class UserResetPassword(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(ResetPasswordSchema)
    @blp.response(200, PasswordResultSchema)
    @require("system.user:reset_password")
    def post(self, data, user_id):
        """重置密码: set the given password or a generated one (answered once); ends the user's sessions."""
        return {"password": users.reset_password(get_or_404(User, user_id), data["password"])}


add_state_routes(blp, "/<int:user_id>", model=User, param="user_id", permission="system.user:state",
                 apply=lambda user, enabled: users.set_user_enabled(user, enabled, current_user()),
                 load=_one, schema=UserSchema, label="用户")
