"""Plugin loading, META checks, per-tenant hook filtering and provider registries."""
from __future__ import annotations

import pytest

from chargehub import PluginLevel, PluginMeta, hookimpl
from chargehub.contracts.cameras import CameraDriver
from chargehub.contracts.invoicing import InvoicingBackend
from chargehub.errors import DuplicateIdentifierError, PluginLoadError
from chargehub.extensions import plugin_host
from tests import plugins_support as ps

pytestmark = pytest.mark.smoke


def test_plugin_without_meta_fails_startup(make_app):
    with pytest.raises(PluginLoadError, match="has no META"):
        make_app(plugins=[ps.NoMetaPlugin()])


def test_hookimpl_matching_no_hookspec_fails_startup(make_app):
    from pluggy import PluginValidationError

    with pytest.raises(PluginValidationError, match="order_startd"):
        make_app(plugins=[ps.TypoHookPlugin()])


def test_duplicate_identifiers_are_refused_at_startup(make_app):
    with pytest.raises(DuplicateIdentifierError, match="test_flat"):
        make_app(plugins=[ps.BillingPlugin(), ps.DuplicateBillingPlugin()])


def test_two_plugins_with_one_name_are_refused(make_app):
    with pytest.raises(PluginLoadError, match="two plugins are named"):
        make_app(plugins=[ps.BillingPlugin(), ps.BillingPlugin()])


def test_hook_register_billing_modes_sorted_by_identifier_not_call_order(make_app):
    app = make_app(plugins=[ps.BillingPlugin()])
    with app.app_context():
        registry = plugin_host.platform_providers("billing_modes")
        assert list(registry) == ["alpha", "test_flat", "zeta"]
        assert registry["test_flat"].plugin_name == "billing_test"
        assert registry["test_flat"].tenant_id is None


def test_hook_register_device_protocols_platform_plugin_on_until_switched_off(make_app):
    app = make_app(plugins=[ps.ProtocolPlugin()])
    with app.app_context():
        assert list(plugin_host.platform_providers("device_protocols")) == ["proto_a"]
        plugin_host.configure("proto_test", None, enabled=False)
        assert list(plugin_host.platform_providers("device_protocols")) == []
        plugin_host.configure("proto_test", None, enabled=True)
        assert list(plugin_host.platform_providers("device_protocols")) == ["proto_a"]


def test_unavailable_plugin_loads_but_is_never_called(make_app, make_provider):
    app = make_app(plugins=[ps.BrokenPlugin()])
    with app.app_context():
        info = plugin_host.info("broken_test")
        assert not info.available
        assert "libfoo" in info.compatibility_errors[0]
        provider, _ = make_provider()
        from chargehub.errors import PluginUnavailable

        with pytest.raises(PluginUnavailable, match="libfoo"):
            plugin_host.configure("broken_test", provider.id, enabled=True)
        assert plugin_host.enabled_plugins(provider.id) == set()


def test_hook_register_payment_providers_only_for_tenant_that_enabled_it(make_app, make_provider):
    import chargehub_sample.plugin as sample

    app = make_app(plugins=[sample])
    with app.app_context():
        (a, _), (b, _) = make_provider("A"), make_provider("B")
        plugin_host.configure("sample", a.id, enabled=True,
                              settings={"merchant_no": "M-A-0001", "api_key": "k" * 20})
        reg_a = plugin_host.providers("payment_providers", a.id)
        reg_b = plugin_host.providers("payment_providers", b.id)
        assert list(reg_a) == ["samplepay"]
        assert reg_a["samplepay"].merchant() == "M-A-0001"
        assert reg_a["samplepay"].settings["api_key"] == "k" * 20  # providers get decrypted secrets
        assert reg_a["samplepay"].tenant_id == a.id
        assert len(reg_b) == 0
        # decision hooks through hooks_for: tenant B's caller does not reach the sample plugin
        assert plugin_host.hooks_for(a.id).register_payment_providers() == [[sample.SamplePay]]
        assert plugin_host.hooks_for(b.id).register_payment_providers() == []


def test_platform_switch_off_beats_tenant_switch_on(make_app, make_provider):
    import chargehub_sample.plugin as sample

    app = make_app(plugins=[sample])
    with app.app_context():
        provider, _ = make_provider()
        plugin_host.configure("sample", provider.id, enabled=True,
                              settings={"merchant_no": "M-0001xx", "api_key": "k" * 20})
        assert plugin_host.is_enabled("sample", provider.id)
        plugin_host.configure("sample", None, enabled=False)
        assert not plugin_host.is_enabled("sample", provider.id)


def test_hook_register_blueprints_and_register_commands(make_app):
    app = make_app(plugins=[ps.BlueprintPlugin()])
    assert app.test_client().get("/pages-test").data == b"pages test ok"
    result = app.test_cli_runner().invoke(args=["hello-test"])
    assert result.output.strip() == "hello from a plugin command"


def test_plugin_command_may_not_take_a_core_name(make_app):
    with pytest.raises(PluginLoadError, match="'run'"):
        make_app(plugins=[ps.BadCommandPlugin()])


class _MiscPlugin:
    """Registers one invoicing backend and one camera driver."""

    class Nuonuo(InvoicingBackend):
        identifier = "nuonuo_test"
        verbose_name = "诺诺"

    class Cam(CameraDriver):
        identifier = "cam_test"
        verbose_name = "相机"

    META = PluginMeta(name="misc_test", verbose_name="杂项", version="1", category="other", level=PluginLevel.PLATFORM)

    @hookimpl
    def register_invoicing_backends(self):
        return [self.Nuonuo]

    @hookimpl
    def register_camera_drivers(self):
        return [self.Cam]


def test_hook_register_invoicing_backends_registry(make_app):
    app = make_app(plugins=[_MiscPlugin()])
    with app.app_context():
        registry = plugin_host.platform_providers("invoicing_backends")
        assert list(registry) == ["nuonuo_test"]
        assert registry["nuonuo_test"].kind == "invoicing_backends"


def test_hook_register_camera_drivers_registry(make_app):
    app = make_app(plugins=[_MiscPlugin()])
    with app.app_context():
        registry = plugin_host.platform_providers("camera_drivers")
        assert list(registry) == ["cam_test"]
        assert registry["cam_test"].verbose_name == "相机"


def test_wrong_base_class_is_refused(make_app):
    class Plugin:
        META = PluginMeta(name="wrong_test", verbose_name="错", version="1", category="other", level=PluginLevel.PLATFORM)

        @hookimpl
        def register_payment_providers(self):
            return [ps.FlatMode]

    with pytest.raises(PluginLoadError, match="expected a PaymentProvider"):
        make_app(plugins=[Plugin()])


def test_invalid_meta_is_refused(make_app):
    class Plugin:
        META = PluginMeta(name="Bad Name", verbose_name="", version="1", category="nope")

    with pytest.raises(PluginLoadError, match="invalid META"):
        make_app(plugins=[Plugin()])
