"""Options for the admin's select boxes: the rows the caller may see or link, as ``{value, label}``."""
from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.assets.bike_models import BikeStation
from chargehub.assets.car_models import CarStation
from chargehub.extensions import db
from chargehub.tenancy.auth import current_permissions, login_required
from chargehub.tenancy.models import CollectiveAccount, Property, ServiceProvider, User, UserType
from chargehub.tenancy.org_models import Department, Post, Role
from chargehub.tenancy.permissions import MENUS, BUTTONS, Menu, allowed_for
from chargehub.tenancy.scope import scoped
from chargehub.tenancy.services.owners import CREATABLE

blp = Blueprint("options", __name__, url_prefix="/api/v1/admin", description="Select-box options and the permission tree")
SECURITY = [{"bearer": []}]
LIMIT = 500


class OptionSchema(ma.Schema):
    value = ma.fields.Integer()
    label = ma.fields.String()


class OptionArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    provider_id = ma.fields.Integer(load_default=None)
    property_id = ma.fields.Integer(load_default=None)
    collective_id = ma.fields.Integer(load_default=None)
    department_id = ma.fields.Integer(load_default=None)
    user_type = ma.fields.String(load_default=None, validate=ma.validate.OneOf([t.value for t in UserType]))
    kind = ma.fields.String(load_default="car", validate=ma.validate.OneOf(["car", "bike"]))
    q = ma.fields.String(load_default=None, metadata={"description": "名称包含"})


def _options(model, args, *conditions, label=None):
    stmt = scoped(sa.select(model), model).where(*conditions)
    for key in ("provider_id", "property_id", "collective_id", "department_id"):
        if args.get(key) and hasattr(model, key):
            stmt = stmt.where(getattr(model, key) == args[key])
    if args.get("q"):
        stmt = stmt.where(model.name.ilike(f"%{args['q']}%"))
    rows = db.session.execute(stmt.order_by(model.name, model.id).limit(LIMIT)).scalars()
    return [{"value": r.id, "label": label(r) if label else r.name} for r in rows]


def _route(path: str, doc: str, build):
    def get(self, args):
        return build(args)

    get.__doc__ = doc
    view = type(f"Options{path.title().replace('/', '').replace('-', '')}", (MethodView,), {
        "get": blp.doc(security=SECURITY)(blp.arguments(OptionArgs, location="query")(
            blp.response(200, OptionSchema(many=True))(login_required(get))))})
    blp.route(f"/options/{path}")(view)


_route("providers", "Service providers the caller may see.",
       lambda a: _options(ServiceProvider, a))
_route("properties", "Properties the caller may see (optionally of one provider).",
       lambda a: _options(Property, a))
_route("collectives", "Collective accounts the caller may see.",
       lambda a: _options(CollectiveAccount, a))
_route("departments", "Departments users and posts may be linked to (enabled, not deleted).",
       lambda a: _options(Department, a, Department.enabled.is_(True), Department.deleted_at.is_(None)))
_route("posts", "Posts users may be linked to (enabled, not deleted), optionally of one department.",
       lambda a: _options(Post, a, Post.enabled.is_(True), Post.deleted_at.is_(None)))
_route("roles", "Roles that may be assigned (enabled), optionally for one user type.",
       lambda a: _options(Role, a, Role.enabled.is_(True),
                          *([Role.user_type == UserType(a["user_type"])] if a.get("user_type") else [])))
_route("stations", "Car (kind=car) or e-bike (kind=bike) stations the caller may see.",
       lambda a: _options(CarStation if a["kind"] == "car" else BikeStation, a))
_route("users", "Users the caller may see (label: name and phone).",
       lambda a: _options(User, a, *([User.user_type == UserType(a["user_type"])] if a.get("user_type") else []),
                          label=lambda u: f"{u.name} ({u.phone})"))


class ButtonSchema(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    label_en = ma.fields.String()


class PermissionMenuSchema(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    label_en = ma.fields.String()
    buttons = ma.fields.List(ma.fields.Nested(ButtonSchema))
    children = ma.fields.List(ma.fields.Nested(lambda: PermissionMenuSchema()))


def _tree(menus: tuple[Menu, ...], grantable: frozenset[str]) -> list[dict]:
    out = []
    for menu in menus:
        buttons = [{"code": f"{menu.code}:{b}", "label": BUTTONS[b][0], "label_en": BUTTONS[b][1]}
                   for b in menu.buttons if f"{menu.code}:{b}" in grantable]
        children = _tree(menu.children, grantable)
        if buttons or children:
            out.append({"code": menu.code, "label": menu.label, "label_en": menu.label_en,
                        "buttons": buttons, "children": children})
    return out


class PermissionArgs(ma.Schema):
    user_type = ma.fields.String(load_default=None, validate=ma.validate.OneOf([t.value for t in UserType]))


@blp.route("/permissions")
class Permissions(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(PermissionArgs, location="query")
    @blp.response(200, PermissionMenuSchema(many=True))
    @login_required
    def get(self, args):
        """The menu and button tree the caller may put into a role (optionally for one role type)."""
        grantable = current_permissions()
        if args["user_type"]:
            grantable = grantable & allowed_for(UserType(args["user_type"]))
        return _tree(MENUS, grantable)


class UserTypeOptionSchema(ma.Schema):
    value = ma.fields.String()
    label = ma.fields.String()


USER_TYPE_LABELS = {UserType.SYSTEM: "系统", UserType.PROVIDER: "服务商", UserType.PROPERTY: "物业",
                    UserType.COLLECTIVE: "集体户"}


@blp.route("/options/user-types")
class UserTypes(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, UserTypeOptionSchema(many=True))
    @login_required
    def get(self):
        """The user types the caller may create users and roles of."""
        from chargehub.tenancy.auth import current_user  # noqa: PLC0415

        return [{"value": t.value, "label": USER_TYPE_LABELS[t]} for t in CREATABLE[current_user().user_type]]
