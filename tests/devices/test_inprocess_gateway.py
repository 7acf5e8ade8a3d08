"""The gateway over real sockets with the in-process bus (the embedded default)."""
from __future__ import annotations

import logging
import threading
import time

import pytest
from flask import Flask

from chargehub.config import read_environment
from chargehub.contracts.devices import CommandStatus, DeviceCommand
from chargehub.devices.bus import CommandBusExtension, InProcessCommandBus, RedisCommandBus

from chargehub.testing.helpers import wait_until
from .simulator import DeviceSimulator

pytestmark = pytest.mark.timeout(60)


def address(gateway):
    return gateway.addresses["lineproto"]


def test_round_trip_accepted_rejected_unsupported(inprocess_gateway):
    bus, gateway, _ = inprocess_gateway
    device = DeviceSimulator(address(gateway), "dev-1").connect()
    result = bus.send(DeviceCommand("dev-1", "start", {"gun": 1}))
    assert result.status is CommandStatus.ACCEPTED
    assert [(name, params) for _, name, params in device.commands] == [("start", {"gun": 1})]

    device.mode = "nak"
    result = bus.send(DeviceCommand("dev-1", "stop"))
    assert (result.status, result.reason) == (CommandStatus.REJECTED, "busy")

    result = bus.send(DeviceCommand("dev-1", "format_disk"))
    assert result.status is CommandStatus.REJECTED and "format_disk" in result.reason
    assert len(device.commands) == 2  # the unsupported command never reached the device
    device.close()


def test_silent_device_times_out(inprocess_gateway):
    bus, gateway, _ = inprocess_gateway
    device = DeviceSimulator(address(gateway), "dev-silent", mode="silent").connect()
    started = time.monotonic()
    result = bus.send(DeviceCommand("dev-silent", "stop"), timeout=0.5)
    elapsed = time.monotonic() - started
    assert result.status is CommandStatus.TIMEOUT
    assert 0.4 <= elapsed < 2.0
    assert len(device.commands) == 1
    # a late reply for the timed-out command is ignored, and the next command still works
    device.send_raw(f"ACK {device.commands[0][0]}\n".encode())
    device.mode = "ack"
    assert bus.send(DeviceCommand("dev-silent", "stop"), timeout=2).status is CommandStatus.ACCEPTED
    device.close()


def test_unknown_and_disconnected_devices_are_offline_at_once(inprocess_gateway):
    bus, gateway, listener = inprocess_gateway
    started = time.monotonic()
    result = bus.send(DeviceCommand("nobody", "stop"), timeout=5)
    assert result.status is CommandStatus.OFFLINE
    assert time.monotonic() - started < 1.0

    device = DeviceSimulator(address(gateway), "dev-gone").connect()
    assert gateway.node.device_ids() == ["dev-gone"]
    device.close()
    wait_until(lambda: gateway.node.device_ids() == [])
    started = time.monotonic()
    assert bus.send(DeviceCommand("dev-gone", "stop"), timeout=5).status is CommandStatus.OFFLINE
    assert time.monotonic() - started < 1.0
    wait_until(lambda: listener.disconnects)
    assert listener.disconnects == [{"device_id": "dev-gone", "reason": "closed by device", "replaced": False}]


def test_partial_and_concatenated_reads(inprocess_gateway):
    bus, gateway, listener = inprocess_gateway
    device = DeviceSimulator(address(gateway), "dev-frag").connect(hello=False)
    device.send_fragmented(b"HELLO dev-frag\nPING\nEVT meter {\"kwh\": \"1.2500\"}\n", chunk=3)
    assert device.welcomed.wait(5)
    device.send_raw(b"PING\nEVT status {\"gun\":1}\nPING\n")
    wait_until(lambda: len(listener.event_types("dev-frag")) == 6)
    assert listener.event_types("dev-frag") == ["login", "heartbeat", "meter", "heartbeat", "status", "heartbeat"]
    wait_until(lambda: device.lines.count("PONG") == 3)
    # a command reply split across two reads
    device.mode = "silent"
    results = []
    sender = threading.Thread(target=lambda: results.append(bus.send(DeviceCommand("dev-frag", "reboot"))))
    sender.start()
    wait_until(lambda: device.commands)
    device.send_fragmented(f"ACK {device.commands[0][0]}\n".encode(), chunk=5)
    sender.join(10)
    assert results[0].status is CommandStatus.ACCEPTED
    device.close()


def test_malformed_input_is_logged_and_the_gateway_keeps_working(inprocess_gateway, caplog):
    caplog.set_level(logging.WARNING, logger="chargehub.devices.gateway")
    bus, gateway, _ = inprocess_gateway
    junk = DeviceSimulator(address(gateway), "dev-junk").connect(hello=False)
    junk.send_raw(b"\x00\xff\xfe\x68\x22\nACK nothing\nHELLO\n" + b"y" * 5000)
    junk.send_raw(b"\nHELLO dev-junk\nEVT x notjson\nACK unknown-corr\n")
    assert junk.welcomed.wait(5)
    result = bus.send(DeviceCommand("dev-junk", "start"), timeout=5)
    assert result.status is CommandStatus.ACCEPTED
    wait_until(lambda: sum("bad frame" in r.getMessage() for r in caplog.records) >= 5)
    messages = [r.getMessage() for r in caplog.records if "bad frame" in r.getMessage()]
    assert any("frame=00fffe6822" in m for m in messages)
    assert any("dev-junk" in m and "EVT data is not a JSON object" in m for m in messages)
    assert any("line too long" in m and "...(+" in m for m in messages)
    # another device on the same listener is unaffected
    other = DeviceSimulator(address(gateway), "dev-other").connect()
    assert bus.send(DeviceCommand("dev-other", "stop")).status is CommandStatus.ACCEPTED
    junk.close()
    other.close()


def test_reconnect_replaces_the_old_connection(inprocess_gateway):
    bus, gateway, listener = inprocess_gateway
    first = DeviceSimulator(address(gateway), "dev-re").connect()
    second = DeviceSimulator(address(gateway), "dev-re").connect()
    assert first.closed.wait(5), "the old connection was not closed"
    assert bus.send(DeviceCommand("dev-re", "stop")).status is CommandStatus.ACCEPTED
    assert (len(first.commands), len(second.commands)) == (0, 1)
    assert gateway.node.device_ids() == ["dev-re"] and len(gateway.registry) == 1
    wait_until(lambda: listener.disconnects)
    assert listener.disconnects[0]["replaced"] is True
    second.close()


def test_bye_closes_and_gateway_states(inprocess_gateway):
    bus, gateway, _ = inprocess_gateway
    device = DeviceSimulator(address(gateway), "dev-bye").connect()
    [state] = bus.gateway_states()
    host, port = address(gateway)
    assert state["node_id"] == "node-a" and state["alive"] is True
    assert state["listeners"] == {"lineproto": f"{host}:{port}"}
    assert state["device_count"] == 1
    device.send_raw(b"BYE\n")
    assert device.closed.wait(5)
    wait_until(lambda: bus.gateway_states()[0]["device_count"] == 0)


def _app(**overrides) -> Flask:
    app = Flask(__name__)
    values = read_environment({})
    values.update(overrides)
    app.config["CHARGEHUB"] = values
    return app


def test_extension_keeps_one_backend_per_app(redis_url, namespace):
    extension = CommandBusExtension()
    embedded, production = _app(COMMAND_TIMEOUT=3.0), _app(REDIS_URL=redis_url, REDIS_NAMESPACE=namespace,
                                                            GATEWAY_NODE="gw-7")
    extension.init_app(embedded)
    extension.init_app(production)
    assert isinstance(extension.backend(embedded), InProcessCommandBus)
    assert extension.backend(embedded).default_timeout == 3.0
    assert isinstance(extension.backend(production), RedisCommandBus)
    assert extension.backend(production).keys.devices == f"{namespace}:bus:devices"
    with production.app_context():
        assert extension.gateway_node().node_id == "gw-7"
        assert extension.send(DeviceCommand("nobody", "stop"), timeout=1).status is CommandStatus.OFFLINE
        assert extension.gateway_states() == []
    with embedded.app_context():
        assert extension.send(DeviceCommand("nobody", "stop")).status is CommandStatus.OFFLINE
    with pytest.raises(RuntimeError, match="init_app"):
        extension.backend(_app())
