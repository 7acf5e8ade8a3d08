"""META, the hook, the entry point and the settings schemas."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import marshmallow
import pytest

import chargehub_wechatpay.plugin
from chargehub import PluginLevel
from chargehub.contracts.payments import PaymentProvider
from chargehub.plugins import settings as plugin_settings
from chargehub_wechatpay.provider import WechatPayProvider
from chargehub_wechatpay.schemas import WechatPayStationSettings, WechatPayTenantSettings

META = chargehub_wechatpay.plugin.META


def station_meta():
    return dataclasses.replace(META, settings_schema=META.station_settings_schema)


def test_meta_and_hook():
    META.validate()
    assert (META.name, META.verbose_name, META.category, META.level) == ("wechatpay", "微信支付", "payment",
                                                                         PluginLevel.TENANT)
    assert META.settings_schema is WechatPayTenantSettings
    assert META.station_settings_schema is WechatPayStationSettings
    assert chargehub_wechatpay.plugin.register_payment_providers() == [WechatPayProvider]
    assert issubclass(WechatPayProvider, PaymentProvider)
    assert (WechatPayProvider.identifier, WechatPayProvider.verbose_name,
            WechatPayProvider.split_return_before_refund) == ("wechatpay", "微信支付", True)


def test_entry_point_is_declared():
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="chargehub.plugins") if e.name == "wechatpay"]
    assert entry.value == "chargehub_wechatpay.plugin" and entry.load() is chargehub_wechatpay.plugin


def test_tenant_defaults_and_bad_url():
    assert WechatPayTenantSettings().load({}) == {"base_url": "https://api.mch.weixin.qq.com", "timeout_s": 10.0}
    with pytest.raises(marshmallow.ValidationError) as exc:
        WechatPayTenantSettings().load({"base_url": "ftp://x", "timeout_s": 0})
    assert "(base_url must be an http(s) URL)" in exc.value.messages["base_url"][0]
    assert "timeout_s" in exc.value.messages


def test_secrets_are_load_only_and_never_dumped(sandbox):
    assert set(station_meta().secret_fields()) == {"merchant_private_key", "apiv3_key"}
    public, secrets = plugin_settings.validate(station_meta(), sandbox.station_settings(), {})
    assert "merchant_private_key" not in public and "apiv3_key" not in public
    assert secrets["apiv3_key"] == sandbox.apiv3_key and secrets["merchant_private_key"].startswith("-----BEGIN")
    assert public["platform_public_key_id"] == sandbox.platform_key_id
    # what core stores loads again (as the provider receives it)
    loaded = plugin_settings.load(station_meta(), public, secrets)
    assert loaded["split_max_ratio"] == Decimal("0.30") and loaded["split_enabled"] is False


def test_split_settings_round_trip(sandbox):
    payload = sandbox.split_station_settings([("1900000111", "甲公司", "0.2"), ("oOpenId", "", "0.1")])
    public, secrets = plugin_settings.validate(station_meta(), payload, {})
    assert public["split_accounts"][0] == {"account": "1900000111", "name": "甲公司", "ratio": "0.2",
                                           "kind": "merchant"}
    loaded = plugin_settings.load(station_meta(), public, secrets)
    assert [a["ratio"] for a in loaded["split_accounts"]] == [Decimal("0.2"), Decimal("0.1")]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"mchid": "19000A"}, "mchid", "商户号须为数字 (mchid must be digits)"),
    ({"appid": "wxshort"}, "appid", "(appid must be wx + 16 letters/digits)"),
    ({"apiv3_key": "short"}, "apiv3_key", "(apiv3_key must be 32 ASCII characters)"),
    ({"merchant_private_key": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"},
     "merchant_private_key", "(merchant_private_key must be an RSA PEM key)"),
    ({"platform_public_key": "garbage"}, "platform_public_key", "(platform_public_key must be an RSA PEM public key)"),
    ({"platform_public_key_id": "KEY_1"}, "platform_public_key_id", "(key id must start with PUB_KEY_ID_)"),
    ({"merchant_serial_no": "xyz"}, "merchant_serial_no", "(merchant_serial_no must be hexadecimal)"),
])
def test_station_field_errors(sandbox, change, field, message):
    with pytest.raises(marshmallow.ValidationError) as exc:
        WechatPayStationSettings().load({**sandbox.station_settings(), **change})
    assert message in exc.value.messages[field][0]


def test_short_rsa_key_is_refused(sandbox):
    from cryptography.hazmat.primitives.asymmetric import rsa

    from chargehub_wechatpay import signing

    weak = signing.private_key_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    with pytest.raises(marshmallow.ValidationError) as exc:
        WechatPayStationSettings().load({**sandbox.station_settings(), "merchant_private_key": weak})
    assert "2048" in exc.value.messages["merchant_private_key"][0]


@pytest.mark.parametrize(("accounts", "extra", "message"), [
    ([("1900000111", "甲", "0.2"), ("1900000112", "乙", "0.11")], {}, "above the maximum 0.30"),
    ([("1900000111", "甲", "1.5")], {"split_max_ratio": "1"}, "(分账比例 must be > 0 and <= 1)"),
    ([("1900000111", "甲", "0")], {}, "must be > 0"),
    ([("1900000111", "甲", "0.12345")], {}, "at most 4 decimal places"),
    ([("1900000111", "甲", "abc")], {}, "(ratio must be a decimal such as 0.1)"),
    ([("1900000111", "", "0.1")], {}, "needs its legal name"),
    ([("1900000111", "甲", "0.1"), ("1900000111", "甲", "0.1")], {}, "appears twice"),
    ([], {}, "at least one receiver"),
])
def test_split_account_rules(sandbox, accounts, extra, message):
    payload = {**sandbox.split_station_settings(accounts), **extra}
    with pytest.raises(marshmallow.ValidationError) as exc:
        WechatPayStationSettings().load(payload)
    assert message in str(exc.value.messages["split_accounts"])


def test_max_ratio_is_configurable(sandbox):
    payload = {**sandbox.split_station_settings([("1900000111", "甲", "0.5")]), "split_max_ratio": "0.6"}
    loaded = WechatPayStationSettings().load(payload)
    assert loaded["split_accounts"][0]["ratio"] == Decimal("0.5") and loaded["split_max_ratio"] == Decimal("0.6")
    provider = WechatPayProvider({**loaded})
    assert provider.split_supported() and provider.split_accounts()[0].ratio == Decimal("0.5")
