"""Plugin administration API.

Platform operators (system users) list every plugin and switch PLATFORM-level plugins on or off;
service providers list the TENANT-level plugins and switch them on, off and configure them for
themselves. A provider id outside the caller's scope answers 404.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from chargehub.api.listing import created_between, equals, paginate
from chargehub.extensions import plugin_host
from chargehub.plugins.host import describe_meta
from chargehub.plugins.meta import PluginLevel
from chargehub.plugins.models import PluginListenerFailure
from chargehub.plugins.schemas import (
    FailureArgs,
    FailurePage,
    PluginConfigSchema,
    PluginMetaSchema,
    PluginStateSchema,
)
from chargehub.tenancy.auth import current_user, require, system_required
from chargehub.tenancy.models import ServiceProvider, UserType
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("plugins", __name__, url_prefix="/api/v1/admin", description="Plugins and their per-tenant settings")
SECURITY = [{"bearer": []}]


@blp.route("/plugins")
class Plugins(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PluginMetaSchema(many=True))
    @require("open.plugin:list")
    def get(self):
        """Installed plugins: all of them for platform operators, tenant-level ones for providers."""
        infos = plugin_host.plugins()
        if current_user().user_type is not UserType.SYSTEM:
            infos = [i for i in infos if i.meta.level is PluginLevel.TENANT]
        return [describe_meta(i) for i in infos]


@blp.route("/plugins/<string:name>")
class PlatformPlugin(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PluginStateSchema)
    @require("open.plugin:list")
    @system_required
    def get(self, name):
        """A plugin's platform-wide state and settings."""
        return plugin_host.describe(name, None)

    @blp.doc(security=SECURITY)
    @blp.arguments(PluginConfigSchema)
    @blp.response(200, PluginStateSchema)
    @require("open.plugin:configure")
    @system_required
    def put(self, data, name):
        """Switch a plugin on or off for the whole platform and/or store its platform settings."""
        return plugin_host.configure(name, None, enabled=data.get("enabled"), settings=data.get("settings"))


def _tenant_plugin_or_404(name: str):
    info = plugin_host.info(name)
    if info.meta.level is not PluginLevel.TENANT:
        abort(404, message=f"插件 {name} 不是服务商级插件 (not a tenant-level plugin)")
    return info


@blp.route("/providers/<int:provider_id>/plugins")
class ProviderPlugins(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PluginStateSchema(many=True))
    @require("open.plugin:list")
    def get(self, provider_id):
        """The tenant-level plugins with their state for this service provider."""
        provider = get_or_404(ServiceProvider, provider_id)
        return [plugin_host.describe(i.meta.name, provider.id) for i in plugin_host.tenant_visible(provider.id)]


@blp.route("/providers/<int:provider_id>/plugins/<string:name>")
class ProviderPlugin(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PluginStateSchema)
    @require("open.plugin:list")
    def get(self, provider_id, name):
        """One plugin's state and settings for this service provider (secrets as set/unset)."""
        provider = get_or_404(ServiceProvider, provider_id)
        _tenant_plugin_or_404(name)
        return plugin_host.describe(name, provider.id)

    @blp.doc(security=SECURITY)
    @blp.arguments(PluginConfigSchema)
    @blp.response(200, PluginStateSchema)
    @require("open.plugin:configure")
    def put(self, data, provider_id, name):
        """Switch a plugin on or off for this service provider and/or store its settings."""
        provider = get_or_404(ServiceProvider, provider_id)
        _tenant_plugin_or_404(name)
        return plugin_host.configure(name, provider.id, enabled=data.get("enabled"), settings=data.get("settings"))


@blp.route("/plugin-failures")
class PluginFailures(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(FailureArgs, location="query")
    @blp.response(200, FailurePage)
    @require("open.plugin_failure:list")
    def get(self, args):
        """Failed listener calls (each attempt, with its error and traceback), newest first, for review."""
        model = PluginListenerFailure
        return paginate(model, scoped(sa.select(model), model), args, {"created_at": model.created_at}, "-created_at", [
            equals(model.plugin, args["plugin"]), equals(model.hook, args["hook"]), equals(model.final, args["final"]),
            created_between(model.created_at, args)])
