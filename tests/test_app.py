"""App factory, settings, health, request ids, audit columns and the schema check."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from chargehub.config import ConfigError, finalize, read_environment
from chargehub.extensions import db

pytestmark = pytest.mark.smoke


def test_environment_settings_are_parsed_with_defaults():
    values = read_environment({"CHARGEHUB_REDIS_URL": "redis://h:1/2", "CHARGEHUB_PLUGIN_AUTOLOAD": "0",
                               "CHARGEHUB_COMMAND_TIMEOUT": "7.5"})
    assert values["REDIS_URL"] == "redis://h:1/2"
    assert values["PLUGIN_AUTOLOAD"] is False and values["COMMAND_TIMEOUT"] == 7.5
    assert values["TIMEZONE"] == "Asia/Shanghai" and values["LANGUAGE"] == "zh-CN"
    assert values["MQTT_URL"] is None
    with pytest.raises(ConfigError, match="CHARGEHUB_COMMAND_TIMEOUT"):
        read_environment({"CHARGEHUB_COMMAND_TIMEOUT": "soon"})


def test_instance_folder_defaults_and_generated_keys_are_kept(tmp_path):
    first = finalize(read_environment({}), str(tmp_path))
    again = finalize(read_environment({}), str(tmp_path))
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'chargehub.sqlite3'}"
    assert first["SECRET_KEY"] == again["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first["CHARGEHUB"]["SECRETS_KEYS"] == again["CHARGEHUB"]["SECRETS_KEYS"]


def test_bad_settings_are_refused_with_the_variable_named(tmp_path):
    with pytest.raises(ConfigError, match="CHARGEHUB_TIMEZONE"):
        finalize({**read_environment({}), "TIMEZONE": "Mars/Olympus"}, str(tmp_path))
    with pytest.raises(ConfigError, match="CHARGEHUB_LANGUAGE"):
        finalize({**read_environment({}), "LANGUAGE": "fr"}, str(tmp_path))


def test_postgres_urls_use_psycopg3(tmp_path):
    conf = finalize({**read_environment({}), "DATABASE_URL": "postgres://u:p@h/db"}, str(tmp_path))
    assert conf["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h/db"


def test_healthz_embedded(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {"ok": True, "configured": False}
    assert body["checks"]["jobs"]["backend"] == "inprocess"


def test_healthz_reports_real_redis_and_mqtt(make_app, mqtt_url):
    app = make_app(redis=True, MQTT_URL=mqtt_url)
    body = app.test_client().get("/healthz").json
    assert body["ok"] is True, body
    assert body["checks"]["redis"]["version"].count(".") == 2
    assert body["checks"]["mqtt"]["ok"] is True
    assert body["checks"]["database"]["backend"] in ("postgresql", "sqlite")
    assert body["checks"]["jobs"]["backend"] == "rq"


def test_healthz_fails_with_503_when_a_dependency_is_down(make_app):
    app = make_app(MQTT_URL="mqtt://127.0.0.1:1")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["mqtt"]["ok"] is False
    assert "error" in response.json["checks"]["mqtt"]


def test_request_id_is_echoed_and_on_log_records(client, caplog):
    with caplog.at_level(logging.INFO, logger="chargehub.auth"):
        response = client.post("/api/v1/auth/tokens", json={"phone": "13800000009", "password": "nope"},
                               headers={"X-Request-ID": "req-12345678"})
    assert response.headers["X-Request-ID"] == "req-12345678"
    refused = [r for r in caplog.records if r.getMessage() == "sign-in refused"]
    assert refused and refused[0].request_id == "req-12345678"
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32 and generated != "req-12345678"
    assert client.get("/healthz", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"] != "bad id!"


def test_audit_columns_filled_from_the_acting_user(app, make_provider):
    from chargehub.db import reset_actor, set_actor
    from chargehub.tenancy.models import ServiceProvider

    provider, user = make_provider()
    assert provider.created_by is None and provider.created_at.tzinfo is not None
    token = set_actor(user.id)
    try:
        provider.name = "改名"
        db.session.commit()
        other = ServiceProvider(name="新", phone="13700000001")
        db.session.add(other)
        db.session.commit()
    finally:
        reset_actor(token)
    assert provider.updated_by == user.id and provider.created_by is None
    assert other.created_by == other.updated_by == user.id
    assert provider.updated_at >= provider.created_at


def test_outdated_schema_is_refused_with_the_command_to_run(tmp_path):
    from chargehub.app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "INSTANCE_PATH": str(tmp_path),
                      "PLUGIN_AUTOLOAD": False, "LOG_FORMAT": "text"})
    from chargehub.cli import cli

    runner = app.test_cli_runner()
    for command in (["web", "--port", "5999"], ["run", "--port", "5999"], ["gateway"], ["worker", "--burst"]):
        result = runner.invoke(cli, command)
        assert result.exit_code != 0, command
        assert "chargehub db upgrade" in result.output and "empty" in result.output, command
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    from chargehub.schema_check import ensure_schema_current

    ensure_schema_current(app)  # no error once upgraded
    with app.app_context():
        assert "service_provider" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_schema_migrations_match_the_models(chargehub_database_url, tmp_path):
    """Autogenerate finds nothing to do: every model change comes with its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from chargehub.app import create_app

    app = create_app({"DATABASE_URL": chargehub_database_url, "INSTANCE_PATH": str(tmp_path), "PLUGIN_AUTOLOAD": False})
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_webui_is_a_plugin_serving_local_assets(make_app):
    import chargehub_webui.plugin as webui

    app = make_app(plugins=[webui])
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 200 and "智慧充电平台" in page.get_data(as_text=True)
    assert client.get("/static/webui-assets/webui/base.css").status_code == 200
    assert "http" not in Path(webui.__file__).with_name("templates").joinpath("webui", "index.html").read_text().split("<body>")[0]
