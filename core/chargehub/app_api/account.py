"""手机号登录 and 我的: a driver signs in with an SMS code, edits the profile and reads the balances.

``POST /auth/code`` sends a code (default sender: the ``chargehub.sms`` log), ``POST /auth/login`` trades
it for a Bearer token (the driver is created on first sign-in), ``POST /auth/logout`` revokes the token.
"""
from __future__ import annotations

from datetime import timedelta

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.app_api.auth import APP_SECURITY, bearer_token, current_driver, driver_required
from chargehub.app_api.schemas import (
    BalanceEntryListSchema,
    BalanceListSchema,
    CodeRequestSchema,
    CodeSentSchema,
    DriverSchema,
    DriverUpdateSchema,
    LoginResultSchema,
    LoginSchema,
)
from chargehub.config import settings
from chargehub.db import utcnow
from chargehub.extensions import db
from chargehub.members import balance
from chargehub.members.auth import issue_driver_token, request_code, revoke, verify_code

blp = Blueprint("app-account", __name__, url_prefix="/api/v1/app",
                description="车主端：手机号验证码登录、个人信息、余额 (driver sign-in and account)")


@blp.route("/auth/code")
class Code(MethodView):
    @blp.doc(summary="获取登录验证码")
    @blp.arguments(CodeRequestSchema)
    @blp.response(200, CodeSentSchema)
    @blp.alt_response(429, description="发送过于频繁 (one code a minute, 10 a day per phone, 30 an hour per address)")
    def post(self, data):
        """Send a 6-digit sign-in code to a mainland mobile number (valid 5 minutes; one a minute per phone)."""
        sent = request_code(data["phone"], request.remote_addr or "")
        return {"phone": sent.phone, "expires_in": sent.expires_in, "retry_after": sent.retry_after}


@blp.route("/auth/login")
class Login(MethodView):
    @blp.doc(summary="手机号 + 验证码登录")
    @blp.arguments(LoginSchema)
    @blp.response(200, LoginResultSchema)
    def post(self, data):
        """Sign in with the code (the driver is created on first sign-in) and get a Bearer token for the app API."""
        driver = verify_code(data["phone"], data["code"])
        token = issue_driver_token(driver, request.headers.get("User-Agent", ""))
        days = int(settings()["APP_TOKEN_DAYS"])
        return {"token": token, "expires_at": utcnow() + timedelta(days=days), "driver": driver}


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.doc(security=APP_SECURITY, summary="退出登录")
    @blp.response(204)
    @driver_required
    def post(self):
        """Sign out: the token of this request stops working."""
        revoke(bearer_token())


@blp.route("/me")
class Me(MethodView):
    @blp.doc(security=APP_SECURITY, summary="我的信息")
    @blp.response(200, DriverSchema)
    @driver_required
    def get(self):
        """The signed-in driver."""
        return current_driver()

    @blp.doc(security=APP_SECURITY, summary="修改我的信息")
    @blp.arguments(DriverUpdateSchema)
    @blp.response(200, DriverSchema)
    @driver_required
    def patch(self, data):
        """Change nickname, name, gender or plate (京A12345; new-energy 京AD12345; empty clears it)."""
        driver = current_driver()
        for key, value in data.items():
            setattr(driver, key, value)
        db.session.commit()
        return driver


@blp.route("/me/balances")
class Balances(MethodView):
    @blp.doc(security=APP_SECURITY, summary="我的余额 (按服务商)")
    @blp.response(200, BalanceListSchema)
    @driver_required
    def get(self):
        """The driver's balance at each service provider where it has an account."""
        return {"items": balance.balances_of(current_driver().id)}


@blp.route("/me/balances/<int:provider_id>/entries")
class BalanceEntries(MethodView):
    @blp.doc(security=APP_SECURITY, summary="余额明细")
    @blp.response(200, BalanceEntryListSchema)
    @driver_required
    def get(self, provider_id: int):
        """The newest 50 movements of the driver's balance at one service provider (empty without an account)."""
        return {"items": balance.entries_of(current_driver().id, provider_id)}
