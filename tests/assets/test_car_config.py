"""汽车电站 发票配置 and 支付配置: validation, Decimal rates, encrypted station secrets, list flags."""
from __future__ import annotations

import json

import marshmallow as ma
import pytest
import sqlalchemy as sa

from chargehub import PluginLevel, PluginMeta

pytestmark = pytest.mark.smoke

SECRET = "station-secret-key-0123456789"


class StationPaySettings(ma.Schema):
    sub_merchant_no = ma.fields.String(required=True, validate=ma.validate.Length(min=6), metadata={"label": "子商户号"})
    split_ratio = ma.fields.Decimal(as_string=True, places=2, load_default=None, allow_none=True,
                                    validate=ma.validate.Range(min=0, max=1), metadata={"label": "分账比例"})
    api_key = ma.fields.String(load_only=True, metadata={"label": "密钥"})


class StationPayPlugin:
    """A TENANT payment plugin with station-level settings."""

    META = PluginMeta(name="stationpay_test", verbose_name="测试聚合支付", version="1.0", category="payment",
                      station_settings_schema=StationPaySettings)


class PlainPayPlugin:
    """A payment plugin without station settings: never offered in 支付配置."""

    META = PluginMeta(name="plainpay_test", verbose_name="无电站设置", version="1.0", category="payment")


@pytest.fixture
def app(make_app):
    application = make_app(plugins=[StationPayPlugin, PlainPayPlugin])
    with application.app_context():
        yield application


INVOICE = {"merchant_no": "M10001", "seller_address": "武汉市洪山区", "bank_account": "6222000011112222",
           "bank_name": "工商银行", "drawer": "张三", "company_name": "绿能科技", "payee": "李四", "reviewer": "王五",
           "taxpayer_id": "91420100MA4K123456", "electricity_rate": "0.13", "electricity_rate_code": "1100101020200000000",
           "service_rate": "0.0600", "service_rate_code": "3040502020200000000", "phone": "027-88886666"}


def test_invoice_config_saved_with_decimal_rates_and_flag(car_world):
    from decimal import Decimal

    from chargehub.assets.models import StationInvoiceConfig
    from chargehub.extensions import db

    a = car_world["A"]
    url = f"/car-stations/{a['station']['id']}/invoice-config"
    assert car_world.call("GET", url, a["headers"]) == {"configured": False, "config": None}
    assert a["station"]["has_invoice_config"] is False
    saved = car_world.call("PUT", url, a["headers"], json=INVOICE)
    assert saved["configured"] is True and saved["config"]["service_rate"] == "0.0600"
    assert saved["config"]["electricity_rate"] == "0.1300"
    row = db.session.execute(sa.select(StationInvoiceConfig)).scalar_one()
    assert row.electricity_rate == Decimal("0.13") and isinstance(row.service_rate, Decimal)
    assert row.provider_id == a["provider_id"]
    car_world.call("PUT", url, a["headers"], json={**INVOICE, "drawer": "赵六"})
    assert car_world.call("GET", url, a["headers"])["config"]["drawer"] == "赵六"
    assert db.session.execute(sa.select(sa.func.count()).select_from(StationInvoiceConfig)).scalar() == 1
    items = car_world.call("GET", "/car-stations", a["headers"])["items"]
    assert items[0]["has_invoice_config"] is True


@pytest.mark.parametrize("field,value,message", [
    ("merchant_no", "", "请填写商户号"),
    ("payee", "  ", "请填写收款人"),
    ("taxpayer_id", "1234", "15–20"),
    ("taxpayer_id", "91420100MA4K1234-6", "15–20"),
    ("electricity_rate", "1.5", "0–1"),
    ("electricity_rate", "0.1", "2–4 位小数"),
    ("service_rate", "0.12345", "2–4 位小数"),
    ("service_rate", "-0.10", "0–1"),
    ("service_rate", "abc", "0–1"),
    ("service_rate", None, "请填写服务费率"),
])
def test_invoice_config_validation(car_world, field, value, message):
    a = car_world["A"]
    url = f"/car-stations/{a['station']['id']}/invoice-config"
    body = {**INVOICE, field: value}
    answer = car_world.call("PUT", url, a["headers"], 422, json=body)
    assert message in answer["errors"]["json"][field][0]
    assert car_world.call("GET", url, a["headers"])["configured"] is False


def test_payment_config_lists_only_enabled_payment_plugins_with_station_schema(car_world):
    from chargehub.extensions import plugin_host

    a = car_world["A"]
    url = f"/car-stations/{a['station']['id']}/payment-config"
    assert car_world.call("GET", url, a["headers"]) == []
    plugin_host.configure("plainpay_test", a["provider_id"], enabled=True)
    plugin_host.configure("stationpay_test", a["provider_id"], enabled=True)
    entries = car_world.call("GET", url, a["headers"])
    assert [e["plugin"] for e in entries] == ["stationpay_test"]
    assert entries[0]["enabled"] is False and entries[0]["secrets"] == {"api_key": "unset"}
    assert {f["name"] for f in entries[0]["settings_form"]} == {"sub_merchant_no", "split_ratio", "api_key"}
    # tenant B did not switch the plugin on
    b = car_world["B"]
    assert car_world.call("GET", f"/car-stations/{b['station']['id']}/payment-config", b["headers"]) == []
    refused = car_world.call("PUT", f"/car-stations/{b['station']['id']}/payment-config/stationpay_test", b["headers"],
                             409, json={"enabled": True, "settings": {"sub_merchant_no": "SM123456"}})
    assert "未对本服务商启用" in refused["message"]
    car_world.call("PUT", f"{url}/plainpay_test", a["headers"], 404, json={"enabled": True})


def test_payment_settings_validated_secret_encrypted_and_never_returned(car_world):
    from chargehub.assets.models import StationPlugin
    from chargehub.extensions import db, plugin_host

    a = car_world["A"]
    plugin_host.configure("stationpay_test", a["provider_id"], enabled=True)
    url = f"/car-stations/{a['station']['id']}/payment-config/stationpay_test"
    bad = car_world.call("PUT", url, a["headers"], 422, json={"enabled": True, "settings": {"sub_merchant_no": "1",
                                                                                         "split_ratio": "2"}})
    assert set(bad["errors"]["json"]["settings"]) == {"sub_merchant_no", "split_ratio"}
    assert db.session.execute(sa.select(sa.func.count()).select_from(StationPlugin)).scalar() == 0
    car_world.call("PUT", url, a["headers"], 422, json={"enabled": True})  # switching on without settings
    saved = car_world.call("PUT", url, a["headers"], json={
        "enabled": True, "settings": {"sub_merchant_no": "SM123456", "split_ratio": "0.3", "api_key": SECRET}})
    assert saved["enabled"] is True and saved["secrets"] == {"api_key": "set"}
    assert saved["settings"] == {"sub_merchant_no": "SM123456", "split_ratio": "0.30"}
    assert SECRET not in json.dumps(saved)
    raw = db.session.execute(sa.text("select settings, secrets from station_plugin")).one()
    assert SECRET not in str(raw)
    kept = car_world.call("PUT", url, a["headers"], json={"settings": {"sub_merchant_no": "SM654321"}})
    assert kept["secrets"] == {"api_key": "set"} and kept["enabled"] is True
    listed = car_world.call("GET", "/car-stations", a["headers"])["items"]
    assert listed[0]["has_payment_config"] is True
    off = car_world.call("PUT", url, a["headers"], json={"enabled": False})
    assert off["enabled"] is False and off["settings"]["sub_merchant_no"] == "SM654321"
    assert car_world.call("GET", "/car-stations", a["headers"])["items"][0]["has_payment_config"] is False


def test_service_functions_work_for_any_station_kind(car_world):
    from chargehub.assets.car_models import CarStation
    from chargehub.assets.services import stations_config
    from chargehub.extensions import db
    from chargehub.tenancy.models import StationKind

    station = db.session.get(CarStation, car_world["A"]["station"]["id"])
    stations_config.save_invoice_config("car", station, INVOICE)
    assert stations_config.get_invoice_config(StationKind.CAR, station).taxpayer_id == INVOICE["taxpayer_id"]
    assert stations_config.get_invoice_config(StationKind.BIKE, station) is None
    assert stations_config.payment_config("bike", station) == []
