"""The web admin plugin: a PLATFORM-level plugin that mounts the admin's blueprint."""
from __future__ import annotations

from chargehub import PluginLevel, PluginMeta, hookimpl

META = PluginMeta(
    name="webui",
    verbose_name="运营管理后台",
    version="0.1.0",
    category="ui",
    level=PluginLevel.PLATFORM,
    description="The operators' web admin (Chinese by default).",
)


@hookimpl
def register_blueprints():
    from chargehub_webui.views import bp  # noqa: PLC0415 - Flask imports only when the app is built

    return [bp]
