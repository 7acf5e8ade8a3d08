"""Plugin objects the core tests register explicitly (autoload is off in tests)."""
from __future__ import annotations

import marshmallow as ma

from chargehub import PluginLevel, PluginMeta, hookimpl
from chargehub.contracts.billing import BillingMode
from chargehub.contracts.devices import DeviceProtocol

CALLS: list[tuple[str, str, int | None]] = []


class FlatMode(BillingMode):
    identifier = "test_flat"
    verbose_name = "测试统一计价"
    vehicle = "car"


class OtherFlatMode(BillingMode):
    identifier = "test_flat"
    verbose_name = "重复标识"
    vehicle = "car"


class ZetaMode(BillingMode):
    identifier = "zeta"
    verbose_name = "Z"
    vehicle = "bike"


class AlphaMode(BillingMode):
    identifier = "alpha"
    verbose_name = "A"
    vehicle = "bike"


class ProtoA(DeviceProtocol):
    identifier = "proto_a"
    verbose_name = "协议A"
    default_port = 0


class BillingPlugin:
    """A PLATFORM plugin registering billing modes (on for everyone unless switched off)."""

    META = PluginMeta(name="billing_test", verbose_name="测试计费", version="1.0", category="billing",
                      level=PluginLevel.PLATFORM)

    @hookimpl
    def register_billing_modes(self):
        return [ZetaMode, FlatMode, AlphaMode]


class DuplicateBillingPlugin:
    META = PluginMeta(name="billing_dup", verbose_name="重复计费", version="1.0", category="billing",
                      level=PluginLevel.PLATFORM)

    @hookimpl
    def register_billing_modes(self):
        return [OtherFlatMode]


class ProtocolPlugin:
    META = PluginMeta(name="proto_test", verbose_name="测试协议", version="1.0", category="protocol",
                      level=PluginLevel.PLATFORM)

    @hookimpl
    def register_device_protocols(self):
        return [ProtoA]


class RelaySettings(ma.Schema):
    endpoint = ma.fields.Url(required=True, metadata={"label": "推送地址"})
    token = ma.fields.String(load_only=True, required=True, metadata={"label": "令牌"})


class RelayPlugin:
    """A TENANT plugin with a listener that records calls."""

    META = PluginMeta(name="relay_test", verbose_name="测试推送", version="1.0", category="integration",
                      level=PluginLevel.TENANT, settings_schema=RelaySettings)

    @hookimpl
    def order_started(self, tenant_id, order):
        CALLS.append(("relay_test.order_started", order.order_no, tenant_id))

    @hookimpl
    def device_status_changed(self, tenant_id, event):
        CALLS.append(("relay_test.device_status_changed", event.device_id, tenant_id))


class PlatformListenerPlugin:
    """A PLATFORM plugin listening to everything it can."""

    META = PluginMeta(name="platform_listener", verbose_name="平台监听", version="1.0", category="integration",
                      level=PluginLevel.PLATFORM)

    @hookimpl
    def order_refunded(self, tenant_id, order, refund):
        CALLS.append(("platform_listener.order_refunded", refund.refund_no, tenant_id))

    @hookimpl
    def plate_recognized(self, tenant_id, event):
        CALLS.append(("platform_listener.plate_recognized", event.plate, tenant_id))

    @hookimpl
    def order_started(self, tenant_id, order):
        CALLS.append(("platform_listener.order_started", order.order_no, tenant_id))


class BrokenPlugin:
    """Installed but unavailable: its compatibility check fails."""

    META = PluginMeta(name="broken_test", verbose_name="不可用", version="1.0", category="other",
                      level=PluginLevel.TENANT, compatibility_errors=lambda: ["需要 libfoo 2.0 (libfoo 2.0 missing)"])

    @hookimpl
    def order_started(self, tenant_id, order):
        CALLS.append(("broken_test.order_started", order.order_no, tenant_id))


class NoMetaPlugin:
    @hookimpl
    def order_started(self, tenant_id, order):
        pass


class TypoHookPlugin:
    META = PluginMeta(name="typo_test", verbose_name="拼错", version="1.0", category="other")

    @hookimpl
    def order_startd(self, tenant_id, order):
        pass


class BlueprintPlugin:
    META = PluginMeta(name="pages_test", verbose_name="页面", version="1.0", category="ui", level=PluginLevel.PLATFORM)

    @hookimpl
    def register_blueprints(self):
        from flask import Blueprint

        bp = Blueprint("pages_test", __name__)
        bp.add_url_rule("/pages-test", "index", lambda: "pages test ok")
        return [bp]

    @hookimpl
    def register_commands(self):
        import click

        @click.command("hello-test")
        def hello():
            click.echo("hello from a plugin command")

        return [hello]


class BadCommandPlugin:
    META = PluginMeta(name="badcmd_test", verbose_name="命令冲突", version="1.0", category="other", level=PluginLevel.PLATFORM)

    @hookimpl
    def register_commands(self):
        import click

        return [click.Command("run", callback=lambda: None)]
