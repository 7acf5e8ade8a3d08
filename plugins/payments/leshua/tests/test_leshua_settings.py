"""Settings validation, META, the hook and the entry point."""
from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import ValidationError

import chargehub_leshua.plugin
from chargehub import PluginLevel
from chargehub.contracts.payments import PaymentProvider

from chargehub_leshua.provider import LeshuaProvider
from chargehub_leshua.schemas import LeshuaSettings, LeshuaStationSettings
from chargehub_leshua.testing import LeshuaSandbox

STATION = {"merchant_id": "1234567890", "trade_key": "t" * 32, "notify_key": "n" * 32}


def errors(schema, data) -> dict:
    with pytest.raises(ValidationError) as err:
        schema().load(data)
    return err.value.messages


def test_tenant_defaults():
    loaded = LeshuaSettings().load({})
    assert loaded == {"base_url": "https://paygate.leshuazf.com", "gateway_path": "/cgi-bin/lepos_pay_gateway.cgi",
                      "split_base_url": "https://saas-mch.leshuazf.com",
                      "split_apply_path": "/api/share-merchant/multi-apply",
                      "split_query_path": "/api/share-merchant/multi-query",
                      "split_cancel_path": "/api/share-merchant/cancel",
                      "split_cancel_query_path": "/api/share-merchant/multi-query",
                      "split_bind_path": "/api/share-merchant/bind", "timeout_s": 10.0, "sign_empty_values": False}


def test_tenant_rejections():
    messages = errors(LeshuaSettings, {"base_url": "ftp://x", "gateway_path": "cgi", "timeout_s": 0})
    assert set(messages) == {"base_url", "gateway_path", "timeout_s"}
    assert "base_url must be an http(s) URL" in messages["base_url"][0]
    assert LeshuaSettings().load({"base_url": "http://127.0.0.1:5000"})["base_url"] == "http://127.0.0.1:5000"


def test_station_minimal_and_secrets():
    loaded = LeshuaStationSettings().load(STATION)
    assert (loaded["appid"], loaded["split_enabled"], loaded["split_accounts"]) == ("", False, [])
    dumped = LeshuaStationSettings().dump(loaded)
    assert "trade_key" not in dumped and "notify_key" not in dumped and dumped["merchant_id"] == "1234567890"
    meta = chargehub_leshua.plugin.META
    assert {n for n, f in meta.station_settings_schema().fields.items() if f.load_only} == {"trade_key", "notify_key"}


@pytest.mark.parametrize("merchant_id", ["123456789", "12345678901", "12345abcde", ""])
def test_merchant_id_must_be_ten_digits(merchant_id):
    messages = errors(LeshuaStationSettings, {**STATION, "merchant_id": merchant_id})
    assert messages["merchant_id"] == ["乐刷商户号须为10位数字 (merchant_id must be 10 digits)"]


def test_required_keys():
    messages = errors(LeshuaStationSettings, {"merchant_id": "1234567890"})
    assert messages == {"trade_key": ["请填写交易密钥 (trade_key is required)"],
                        "notify_key": ["请填写异步通知密钥 (notify_key is required)"]}


def test_split_accounts_validation():
    ok = LeshuaStationSettings().load({**STATION, "split_enabled": True, "split_accounts": [
        {"account": "A1", "name": "甲", "ratio": "0.6"}, {"account": "A2", "name": "乙", "ratio": "0.4"}]})
    assert [a["ratio"] for a in ok["split_accounts"]] == [Decimal("0.6"), Decimal("0.4")]
    assert LeshuaStationSettings().dump(ok)["split_accounts"][0]["ratio"] == "0.6"

    assert errors(LeshuaStationSettings, {**STATION, "split_enabled": True})["split_accounts"] == [
        "开启分账须配置分账账号 (split_accounts are required when split_enabled)"]
    over = errors(LeshuaStationSettings, {**STATION, "split_accounts": [
        {"account": "A1", "name": "甲", "ratio": "0.7"}, {"account": "A2", "name": "乙", "ratio": "0.4"}]})
    assert over["split_accounts"] == ["分账比例之和不能大于1 (the ratios must sum to at most 1)"]
    for bad, message in (("0", "ratio must be > 0 and <= 1"), ("1.01", "ratio must be > 0 and <= 1"),
                         ("0.12345", "at most 4 decimal places"), ("abc", "ratio must be a decimal")):
        got = errors(LeshuaStationSettings, {**STATION, "split_accounts": [{"account": "A", "name": "n", "ratio": bad}]})
        assert message in str(got["split_accounts"]), bad
    dup = errors(LeshuaStationSettings, {**STATION, "split_accounts": [
        {"account": "A", "name": "甲", "ratio": "0.1"}, {"account": "A", "name": "甲", "ratio": "0.1"}]})
    assert "distinct" in dup["split_accounts"][0]


def test_sandbox_settings_validate():
    box = LeshuaSandbox()
    try:
        assert LeshuaSettings().load(box.tenant_settings())["base_url"] == box.url
        station = LeshuaStationSettings().load(box.split_station_settings([("A1", "甲", "0.25")]))
        assert station["merchant_id"] == box.merchant_id and station["split_accounts"][0]["ratio"] == Decimal("0.25")
        assert len(box.trade_key) == len(box.notify_key) == 32 and box.trade_key != box.notify_key
        assert box.merchant_id.isdigit() and len(box.merchant_id) == 10
    finally:
        box.close()


def test_meta_hook_and_entry_point():
    meta = chargehub_leshua.plugin.META
    meta.validate()
    assert (meta.name, meta.verbose_name, meta.category, meta.level) == ("leshua", "乐刷", "payment", PluginLevel.TENANT)
    assert meta.settings_schema is LeshuaSettings and meta.station_settings_schema is LeshuaStationSettings
    assert chargehub_leshua.plugin.register_payment_providers() == [LeshuaProvider]
    assert issubclass(LeshuaProvider, PaymentProvider)
    assert (LeshuaProvider.identifier, LeshuaProvider.verbose_name) == ("leshua", "乐刷")

    from importlib.metadata import entry_points  # noqa: PLC0415

    (entry,) = [e for e in entry_points(group="chargehub.plugins") if e.name == "leshua"]
    assert entry.value == "chargehub_leshua.plugin" and entry.load() is chargehub_leshua.plugin
