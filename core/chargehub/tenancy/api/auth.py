"""Sign-in and sign-out (cookie sessions for the admin, API tokens for programs), the current user,
and password changes. Every attempt and change is written to the audit log."""
from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_wtf.csrf import generate_csrf
from flask.views import MethodView
from flask_login import login_user, logout_user
from flask_smorest import Blueprint, abort

from chargehub.extensions import db
from chargehub.tenancy.api.auth_schemas import (
    MeSchema,
    PasswordChangeSchema,
    SignInSchema,
    TokenRequestSchema,
    TokenResponseSchema,
)
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.auth import authenticate_request, current_permissions, issue_token, login_required, sign_in
from chargehub.tenancy.models import ApiToken
from chargehub.tenancy.passwords import verify_password
from chargehub.tenancy.permissions import sidebar

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in, sessions, API tokens")


def me_payload(user) -> dict:
    """The signed-in user with permissions and the menus it may see."""
    granted = current_permissions()

    def menu(entry):
        return {"code": entry.menu.code, "label": entry.menu.label, "label_en": entry.menu.label_en,
                "children": [menu(c) for c in entry.children]}

    fields = ("id", "phone", "name", "user_type", "provider_id", "property_id", "collective_id")
    return {**{f: getattr(user, f) for f in fields}, "permissions": sorted(granted),
            "menus": [menu(e) for e in sidebar(granted)]}


class CsrfSchema(ma.Schema):
    csrf_token = ma.fields.String(metadata={"description": "send it as the X-CSRFToken header"})


@blp.route("/csrf")
class Csrf(MethodView):
    @blp.response(200, CsrfSchema)
    def get(self):
        """A CSRF token bound to the caller's session, for cookie-session clients (the admin pages)."""
        return {"csrf_token": generate_csrf()}


@blp.route("/session")
class Session(MethodView):
    @blp.arguments(SignInSchema)
    @blp.response(200, MeSchema)
    def post(self, data):
        """Sign in to a cookie session (the admin). Needs the CSRF token like every cookie request."""
        user = sign_in(data["phone"], data["password"], session=True, remember=data["remember"])
        g.current_user = user
        return me_payload(user)

    @blp.response(204)
    @login_required
    def delete(self):
        """Sign out of the cookie session."""
        record("sign_out")
        db.session.commit()
        logout_user()


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenResponseSchema)
    def post(self, data):
        """Create an API token with phone + password (programmatic access; throttled like sign-in)."""
        user = sign_in(data["phone"], data["password"], session=False)
        return {"token": issue_token(user, data["name"]), "user": user}


@blp.route("/tokens/current")
class CurrentToken(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(204)
    @login_required
    def delete(self):
        """Revoke the token this request was made with."""
        token_id = g.get("api_token_id")
        if token_id is None:
            abort(400, message="此请求未使用 API 令牌 (this request was not made with an API token)")
        db.session.get(ApiToken, token_id).revoked = True
        db.session.commit()


@blp.route("/me")
class Me(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, MeSchema)
    @login_required
    def get(self):
        """The signed-in user, the permissions it holds and the menus it may see."""
        return me_payload(authenticate_request())


@blp.route("/password")
class Password(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    @login_required
    def post(self, data):
        """Change one's own password. Ends every other session of the user."""
        user = authenticate_request()
        if not verify_password(user.password_hash, data["old_password"]):
            record("password.change", target=user, success=False, reason="wrong old password")
            db.session.commit()
            abort(422, message="原密码错误 (the current password is wrong)",
                  errors={"json": {"old_password": ["原密码错误 (wrong password)"]}})
        from chargehub.tenancy.services.users import set_password  # noqa: PLC0415

        set_password(user, data["new_password"])
        record("password.change", target=user)
        db.session.commit()
        login_user(user)  # keep this session, with the new session version
