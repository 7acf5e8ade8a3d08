"""``start_in_thread(app)``: the gateway inside a real app (plugin host, settings, command bus extension)."""
from __future__ import annotations

import pytest

from chargehub.contracts.devices import CommandStatus, DeviceCommand
from chargehub.devices.gateway import GatewayListener, start_in_thread

from . import lineproto
from .simulator import DeviceSimulator

pytestmark = pytest.mark.timeout(60)


@pytest.fixture()
def make_embedded_app(tmp_path, redis_url, namespace):
    """``factory(redis: bool)``: a migrated app on a fresh SQLite file with the line-protocol plugin."""
    from flask_migrate import upgrade

    from chargehub.app import create_app
    from chargehub.extensions import MIGRATIONS_DIR, db

    apps = []

    def factory(redis: bool):
        app = create_app({
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / f'db{len(apps)}.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PLUGIN_AUTOLOAD": False,
            "PLUGINS": "",
            "PLUGINS_EXTRA": [lineproto],
            "REDIS_URL": redis_url if redis else None,
            "REDIS_NAMESPACE": namespace,
            "GATEWAY_NODE": "embedded",
            "COMMAND_TIMEOUT": 3.0,
            "LOG_FORMAT": "text",
        })
        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("redis", [False, True], ids=["in-process", "redis"])
def test_start_in_thread_serves_the_apps_bus(make_embedded_app, redis):
    from chargehub.extensions import command_bus

    app = make_embedded_app(redis)
    # the accept-all listener: this test is about the bus, not about which devices are registered
    handle = start_in_thread(app, listen="lineproto=127.0.0.1:0", listener=GatewayListener())
    try:
        device = DeviceSimulator(handle.addresses["lineproto"], "emb-1").connect()
        with app.app_context():
            result = command_bus.send(DeviceCommand("emb-1", "start", {"gun": 1}))
            assert result.status is CommandStatus.ACCEPTED
            [state] = command_bus.gateway_states()
        host, port = handle.addresses["lineproto"]
        assert state["node_id"] == "embedded" and state["alive"] is True
        assert state["listeners"] == {"lineproto": f"{host}:{port}"} and state["device_count"] == 1
        device.close()
    finally:
        handle.stop()
    assert command_bus.gateway_states(app=app) == []
    assert command_bus.send(DeviceCommand("emb-1", "stop"), app=app).status is CommandStatus.OFFLINE


def test_listen_spec_naming_an_unknown_protocol_is_refused(make_embedded_app):
    app = make_embedded_app(False)
    with pytest.raises(ValueError, match="no enabled protocol 'ykc'"):
        start_in_thread(app, listen="ykc=127.0.0.1:0")
