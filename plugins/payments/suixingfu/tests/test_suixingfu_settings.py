"""Settings schemas, META, the hook and the entry point."""
from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import ValidationError

import chargehub_suixingfu.plugin as plugin
from chargehub import PluginLevel
from chargehub.contracts.payments import PaymentProvider, PaymentProviderError, SplitAccount
from chargehub_suixingfu.provider import SuixingfuProvider
from chargehub_suixingfu.schemas import SuixingfuSettings, SuixingfuStationSettings, merge_settings
from chargehub_suixingfu.signing import generate_key_pair

PRIVATE, PUBLIC = generate_key_pair()
TENANT = {"org_id": "07296653", "org_private_key": PRIVATE, "tianque_public_key": PUBLIC}
STATION = {"mno": "399190924473125", "sub_appid": "wx1234567890abcdef"}


def test_meta_hook_and_entry_point():
    plugin.META.validate()
    assert (plugin.META.name, plugin.META.verbose_name, plugin.META.category, plugin.META.level) == (
        "suixingfu", "随行付", "payment", PluginLevel.TENANT)
    assert plugin.META.station_settings_schema is SuixingfuStationSettings
    assert plugin.META.secret_fields() == ("org_private_key",)
    assert plugin.register_payment_providers() == [SuixingfuProvider]
    assert issubclass(SuixingfuProvider, PaymentProvider)
    assert (SuixingfuProvider.identifier, SuixingfuProvider.verbose_name) == ("suixingfu", "随行付")
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="chargehub.plugins") if e.name == "suixingfu"]
    assert entry.load() is plugin


def test_tenant_defaults_and_secret_not_dumped():
    loaded = SuixingfuSettings().load(TENANT)
    assert loaded["base_url"] == "https://openapi.tianquetech.com"
    assert (loaded["sign_algorithm"], loaded["timestamp_format"], loaded["req_data_as"],
            loaded["sub_appid_field"], loaded["timeout_s"]) == ("SHA1", "%Y%m%d%H%M%S", "string", "subAppid", 10.0)
    assert loaded["ledger_launch_path"] == "/query/ledger/launchLedger"
    assert "org_private_key" not in SuixingfuSettings().dump(loaded)


@pytest.mark.parametrize("change, field, fragment", [
    ({"org_private_key": "garbage"}, "org_private_key", "私钥格式不正确"),
    ({"tianque_public_key": "garbage"}, "tianque_public_key", "public key"),
    ({"sign_algorithm": "MD5"}, "sign_algorithm", "SHA1 / SHA256"),
    ({"timestamp_format": "%s"}, "timestamp_format", "must be one of"),
    ({"req_data_as": "xml"}, "req_data_as", "string / object"),
    ({"timeout_s": 0}, "timeout_s", "0.1-120"),
    ({"org_id": "x y"}, "org_id", "orgId"),
    ({"ledger_query_path": "query"}, "ledger_query_path", "must start with /"),
])
def test_tenant_validation_messages(change, field, fragment):
    with pytest.raises(ValidationError) as info:
        SuixingfuSettings().load({**TENANT, **change})
    assert fragment in str(info.value.messages[field])


def test_tenant_required_fields_in_chinese_and_english():
    with pytest.raises(ValidationError) as info:
        SuixingfuSettings().load({})
    assert info.value.messages["org_id"] == ["请填写机构编号 (orgId is required)"]
    assert set(info.value.messages) == {"org_id", "org_private_key", "tianque_public_key"}


def test_station_splits_validated():
    ok = SuixingfuStationSettings().load({**STATION, "split_enabled": True, "split_accounts": [
        {"account": "399111", "name": "场地方", "ratio": "0.3"}, {"account": "399222", "ratio": "0.7000"}]})
    assert [a["ratio"] for a in ok["split_accounts"]] == ["0.3", "0.7000"]
    assert ok["ledger_effect_days"] == 30 and "org_id" not in ok
    cases = [
        ({"split_enabled": True}, "split_accounts", "至少需要一个"),
        ({"split_accounts": [{"account": "1", "ratio": "0.6"}, {"account": "2", "ratio": "0.5"}]},
         "split_accounts", "超过 1"),
        ({"split_accounts": [{"account": "1", "ratio": "0"}]}, "split_accounts", "0 < ratio <= 1"),
        ({"split_accounts": [{"account": "1", "ratio": "0.12345"}]}, "split_accounts", "4 decimal"),
        ({"split_accounts": [{"account": "1", "ratio": "abc"}]}, "split_accounts", "ratio"),
        ({"split_accounts": [{"account": "1", "ratio": "0.1"}, {"account": "1", "ratio": "0.1"}]},
         "split_accounts", "listed twice"),
        ({"ledger_effect_days": 31}, "ledger_effect_days", "1-30"),
        ({"sub_appid": "abc"}, "sub_appid", "wx"),
    ]
    for change, field, fragment in cases:
        with pytest.raises(ValidationError) as info:
            SuixingfuStationSettings().load({**STATION, **change})
        assert fragment in str(info.value.messages[field]), (change, info.value.messages)


def test_station_overrides_tenant_keys_and_provider_reads_merged_settings():
    other_private, other_public = generate_key_pair()
    merged = merge_settings(TENANT, {**STATION, "org_id": "99999999", "org_private_key": other_private,
                                     "split_enabled": True, "split_accounts": [
                                         {"account": "399111", "name": "场地方", "ratio": "0.25"}]})
    assert (merged["org_id"], merged["org_private_key"], merged["tianque_public_key"]) == (
        "99999999", other_private, PUBLIC)
    provider = SuixingfuProvider(merged)
    assert provider.merchant_no() == "399190924473125"
    assert provider.split_supported()
    assert provider.split_accounts() == (SplitAccount("399111", "场地方", Decimal("0.25")),)
    assert not SuixingfuProvider(merge_settings(TENANT, STATION)).split_supported()


def test_missing_configuration_is_a_non_retryable_error():
    with pytest.raises(PaymentProviderError) as info:
        SuixingfuProvider({"mno": "1"}).execute_query_payment("X1")
    assert info.value.code == "CONFIG" and not info.value.retryable
