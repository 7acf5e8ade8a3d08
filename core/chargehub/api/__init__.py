"""REST API wiring: registers every core API blueprint on the flask-smorest ``Api`` and maps typed errors.

Errors share flask-smorest's JSON shape (its handler answers every HTTP error of the app):
``{"code", "status", "message", "errors"?}``; field messages are under ``errors.json.<field>``.
"""
from __future__ import annotations

import importlib

from flask import Flask, jsonify

from chargehub.errors import (
    Conflict,
    DuplicateIdentifierError,
    PluginNotFound,
    PluginUnavailable,
    SettingsValidationError,
    ValidationFailed,
)
from chargehub.extensions import api


def _error(code: int, status: str, message: str, errors: dict | None = None):
    body = {"code": code, "status": status, "message": message}
    if errors is not None:
        body["errors"] = errors
    return jsonify(body), code


def init_app(app: Flask) -> None:
    """Register core's API blueprints and error handlers on ``app``."""
    from chargehub.app_api import BLUEPRINT_MODULES as APP_MODULES  # noqa: PLC0415
    from chargehub.assets.api import BLUEPRINT_MODULES as ASSET_MODULES  # noqa: PLC0415
    from chargehub.billing.api import BLUEPRINT_MODULES as BILLING_MODULES  # noqa: PLC0415
    from chargehub.tenancy.api import BLUEPRINT_MODULES  # noqa: PLC0415

    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("app", {
        "type": "http", "scheme": "bearer",
        "description": "车主令牌 (driver token from POST /api/v1/app/auth/login); operators' tokens are not accepted"})
    for module in (*BLUEPRINT_MODULES, *ASSET_MODULES, *BILLING_MODULES, "chargehub.plugins.api",
                   "chargehub.devices.api", "chargehub.devices.admin.api", "chargehub.charging.admin.api",
                   "chargehub.charging.admin.start", "chargehub.payments.admin.api", "chargehub.payments.admin.actions",
                   *APP_MODULES):
        api.register_blueprint(importlib.import_module(module).blp)

    @app.errorhandler(SettingsValidationError)
    def _settings_invalid(exc: SettingsValidationError):
        return _error(422, "Unprocessable Entity", "插件配置校验失败 (plugin settings are invalid)",
                      {"json": {"settings": exc.messages}})

    @app.errorhandler(ValidationFailed)
    def _invalid(exc: ValidationFailed):
        return _error(422, "Unprocessable Entity", "输入有误 (invalid input)", {"json": exc.messages})

    @app.errorhandler(Conflict)
    def _conflict(exc: Conflict):
        return _error(409, "Conflict", str(exc))

    @app.errorhandler(PluginNotFound)
    def _plugin_not_found(exc: PluginNotFound):
        return _error(404, "Not Found", str(exc))

    @app.errorhandler(PluginUnavailable)
    def _plugin_unavailable(exc: PluginUnavailable):
        return _error(409, "Conflict", str(exc))

    @app.errorhandler(DuplicateIdentifierError)
    def _duplicate(exc: DuplicateIdentifierError):
        return _error(500, "Internal Server Error", str(exc))
