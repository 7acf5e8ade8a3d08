"""Sign-in for programmatic access: exchange phone + password for an API token."""
from __future__ import annotations

import logging

from flask import g
from flask_smorest import abort
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.db import utcnow
from chargehub.extensions import db
from chargehub.tenancy.auth import authenticate, issue_token, login_required
from chargehub.tenancy.schemas import TokenRequestSchema, TokenResponseSchema, UserSchema

log = logging.getLogger("chargehub.auth")

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in and API tokens")


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenResponseSchema)
    def post(self, data):
        """Create an API token with phone + password."""
        user = authenticate(data["phone"], data["password"])
        if user is None:
            log.info("sign-in refused", extra={"phone_tail": data["phone"][-4:]})
            abort(401, message="手机号或密码错误 (wrong phone or password)")
        user.last_login_at = utcnow()
        token = issue_token(user, data["name"])
        log.info("token issued", extra={"user_id": user.id})
        return {"token": token, "user": user}


@blp.route("/me")
class Me(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, UserSchema)
    @login_required
    def get(self):
        """The signed-in user."""
        return g.current_user


@blp.route("/tokens/current")
class CurrentToken(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(204)
    @login_required
    def delete(self):
        """Revoke the token this request was made with (sign out)."""
        from chargehub.tenancy.models import ApiToken  # noqa: PLC0415

        row = db.session.get(ApiToken, g.api_token_id)
        row.revoked = True
        db.session.commit()
