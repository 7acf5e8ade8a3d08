"""The plugin through the real plugin host, its META, the fast line builders and the e-bike YKC refusal."""
from __future__ import annotations

import pytest
from billing_standard_helpers import MODE

import chargehub_billing_standard.plugin
from chargehub import PluginLevel
from chargehub.contracts.billing import BillingMode, YkcTariff
from chargehub.plugins.meta import CATEGORIES

IDENTIFIERS = {"car_flat", "car_tou", "bike_duration", "bike_power", "bike_energy", "bike_energy_hourly",
               "bike_energy_power"}


@pytest.mark.smoke
def test_plugin_host_registers_the_seven_modes(make_app):
    from chargehub.extensions import plugin_host

    app = make_app(plugins=[chargehub_billing_standard.plugin])
    with app.app_context():
        registry = plugin_host.platform_providers("billing_modes")
        assert set(registry) == IDENTIFIERS
        assert all(isinstance(mode, BillingMode) for mode in registry.values())
        assert {registry[i].vehicle for i in IDENTIFIERS} == {"car", "bike"}


def test_meta():
    meta = chargehub_billing_standard.plugin.META
    meta.validate()
    assert (meta.name, meta.verbose_name, meta.category, meta.level) == (
        "billing_standard", "标准计费模式", "billing", PluginLevel.PLATFORM)
    assert meta.category in CATEGORIES


def test_modes_declare_themselves():
    assert set(MODE) == IDENTIFIERS
    for mode in MODE.values():
        assert mode.verbose_name and mode.vehicle in ("car", "bike") and mode.rule_schema is not None


def test_bike_modes_have_no_ykc_model():
    tariff = YkcTariff(((0, 0),) * 4, (0,) * 48)
    for identifier in IDENTIFIERS - {"car_flat", "car_tou"}:
        with pytest.raises(NotImplementedError):
            MODE[identifier].to_ykc({})
        assert MODE[identifier].from_ykc(tariff) is None


