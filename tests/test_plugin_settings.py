"""Per-tenant settings: schema validation on save and load, secrets encrypted and never returned."""
from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from chargehub.errors import SettingsValidationError
from chargehub.extensions import db, plugin_host
from chargehub.plugins.models import TenantPlugin

pytestmark = pytest.mark.smoke

SECRET = "super-secret-api-key-0123456789"


@pytest.fixture
def sample_app(make_app):
    import chargehub_sample.plugin as sample

    app = make_app(plugins=[sample])
    with app.app_context():
        yield app


def test_invalid_settings_refused_with_field_messages_and_nothing_stored(sample_app, make_provider):
    provider, _ = make_provider()
    with pytest.raises(SettingsValidationError) as err:
        plugin_host.configure("sample", provider.id, enabled=True,
                              settings={"merchant_no": "12", "fee_rate": "3", "mode": "x"})
    assert set(err.value.messages) == {"merchant_no", "api_key", "fee_rate", "mode"}
    assert db.session.execute(sa.select(sa.func.count()).select_from(TenantPlugin)).scalar() == 0


def test_switching_on_without_required_settings_is_refused(sample_app, make_provider):
    provider, _ = make_provider()
    with pytest.raises(SettingsValidationError) as err:
        plugin_host.configure("sample", provider.id, enabled=True)
    assert "merchant_no" in err.value.messages
    assert not plugin_host.is_enabled("sample", provider.id)


def test_secret_is_encrypted_at_rest_and_shown_only_as_set(sample_app, make_provider):
    provider, _ = make_provider()
    described = plugin_host.configure("sample", provider.id, enabled=True,
                                      settings={"merchant_no": "M-100001", "api_key": SECRET, "fee_rate": "0.006"})
    assert described["secrets"] == {"api_key": "set"}
    assert described["settings"] == {"merchant_no": "M-100001", "fee_rate": "0.0060", "mode": "live"}
    assert SECRET not in json.dumps(described)
    row = db.session.execute(sa.select(TenantPlugin)).scalar_one()
    assert SECRET not in json.dumps(row.settings) and SECRET not in (row.secrets or "")
    raw = db.session.execute(sa.text("select settings, secrets from tenant_plugin")).one()
    assert SECRET not in str(raw)


def test_omitted_secret_is_kept_and_null_clears_it(sample_app, make_provider):
    provider, _ = make_provider()
    plugin_host.configure("sample", provider.id, enabled=True, settings={"merchant_no": "M-100001", "api_key": SECRET})
    plugin_host.configure("sample", provider.id, settings={"merchant_no": "M-200002"})
    settings = plugin_host.providers("payment_providers", provider.id)["samplepay"].settings
    assert settings["merchant_no"] == "M-200002" and settings["api_key"] == SECRET
    with pytest.raises(SettingsValidationError, match="invalid"):
        plugin_host.configure("sample", provider.id, settings={"merchant_no": "M-200002", "api_key": None})
    assert plugin_host.describe("sample", provider.id)["secrets"] == {"api_key": "set"}


def test_settings_revalidated_on_load(sample_app, make_provider):
    provider, _ = make_provider()
    plugin_host.configure("sample", provider.id, enabled=True, settings={"merchant_no": "M-100001", "api_key": SECRET})
    row = db.session.execute(sa.select(TenantPlugin)).scalar_one()
    row.settings = {"merchant_no": "x", "mode": "live"}  # e.g. the plugin's schema got stricter
    db.session.commit()
    registry = plugin_host.providers("payment_providers", provider.id)
    assert "samplepay" not in registry
    assert "merchant_no" in registry.problems["sample"]
    assert plugin_host.describe("sample", provider.id)["configured"] is False


def test_secret_never_logged(sample_app, make_provider, caplog):
    provider, _ = make_provider()
    with caplog.at_level(logging.DEBUG):
        plugin_host.configure("sample", provider.id, enabled=True, settings={"merchant_no": "M-100001", "api_key": SECRET})
        plugin_host.providers("payment_providers", provider.id)
    assert SECRET not in caplog.text


def test_key_rotation_keeps_secrets_readable(make_app, make_provider):
    import chargehub_sample.plugin as sample
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app = make_app(plugins=[sample], SECRETS_KEYS=old)
    with app.app_context():
        provider, _ = make_provider()
        provider_id = provider.id
        plugin_host.configure("sample", provider_id, enabled=True, settings={"merchant_no": "M-100001", "api_key": SECRET})
    rotated = make_app(plugins=[sample], SECRETS_KEYS=f"{new},{old}")
    with rotated.app_context():
        assert plugin_host.providers("payment_providers", provider_id)["samplepay"].settings["api_key"] == SECRET


def test_describe_schema_lists_form_fields(sample_app):
    form = {f["name"]: f for f in plugin_host.describe("sample", None)["settings_form"]}
    assert form["api_key"]["secret"] is True and form["api_key"]["label"] == "API 密钥"
    assert form["mode"]["choices"] == ["live", "sandbox"] and form["mode"]["default"] == "live"
    assert form["merchant_no"]["required"] is True


def test_describe_schema_describes_lists_of_records_as_tables():
    import marshmallow

    from chargehub.plugins.meta import PluginMeta
    from chargehub.plugins.settings import describe_schema

    class Account(marshmallow.Schema):
        account = marshmallow.fields.String(required=True, metadata={"label": "分账账号"})
        ratio = marshmallow.fields.Decimal(required=True, metadata={"label": "分账比例"})

    class Settings(marshmallow.Schema):
        split_accounts = marshmallow.fields.List(marshmallow.fields.Nested(Account), metadata={"label": "分账账号和比例"})
        tags = marshmallow.fields.List(marshmallow.fields.String())

    form = {f["name"]: f for f in describe_schema(PluginMeta(name="lists", verbose_name="lists", version="1",
                                                             category="payment", settings_schema=Settings))}
    assert form["split_accounts"]["type"] == "List" and form["split_accounts"]["label"] == "分账账号和比例"
    assert [(i["name"], i["label"], i["type"], i["required"]) for i in form["split_accounts"]["items"]] == [
        ("account", "分账账号", "String", True), ("ratio", "分账比例", "Decimal", True)]
    assert "items" not in form["tags"]  # a list of plain values is not a table
