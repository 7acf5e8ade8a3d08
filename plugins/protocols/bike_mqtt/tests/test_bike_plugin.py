"""The plugin module: META, the hooks, the protocol class and its MQTT topics."""
from __future__ import annotations

import importlib.util

import pytest

import chargehub_bike_mqtt.plugin
from chargehub import PluginLevel
from chargehub.contracts.devices import DeviceProtocol

from chargehub_bike_mqtt.protocol import BikeMqttProtocol, topic
from chargehub_bike_mqtt.session import BikeSession


def test_meta():
    meta = chargehub_bike_mqtt.plugin.META
    meta.validate()
    assert (meta.name, meta.verbose_name, meta.category, meta.level) == (
        "bike_mqtt", "两轮车 MQTT 协议 (e-bike chargers over MQTT)", "protocol", PluginLevel.PLATFORM)


def test_hook_registers_the_protocol_class():
    assert chargehub_bike_mqtt.plugin.register_device_protocols() == [BikeMqttProtocol]
    assert issubclass(BikeMqttProtocol, DeviceProtocol)
    assert (BikeMqttProtocol.identifier, BikeMqttProtocol.verbose_name, BikeMqttProtocol.transport,
            BikeMqttProtocol.device_kind, BikeMqttProtocol.heartbeat_interval, BikeMqttProtocol.default_port) == (
        "bike_mqtt", "两轮车 MQTT 协议 (e-bike chargers over MQTT)", "mqtt", "bike_device", 60.0, 0)


def test_register_commands_is_a_hook_returning_the_simulate_group():
    assert hasattr(chargehub_bike_mqtt.plugin.register_commands, "chargehub_impl")
    if importlib.util.find_spec("chargehub_bike_mqtt.simulator") is not None:
        (group,) = chargehub_bike_mqtt.plugin.register_commands()
        assert group.name == "simulate"


def test_entry_point_is_declared():
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="chargehub.plugins") if e.name == "bike_mqtt"]
    assert entry.value == "chargehub_bike_mqtt.plugin" and entry.load() is chargehub_bike_mqtt.plugin


def test_protocol_creates_independent_sessions():
    protocol = BikeMqttProtocol({})
    first, second = protocol.create_session("mqtt:BK1"), protocol.create_session("mqtt:BK2")
    assert isinstance(first, BikeSession) and first is not second
    assert (first.peer, first.device_id, first.logged_in) == ("mqtt:BK1", None, False)


def test_topic_filters():
    protocol = BikeMqttProtocol({})
    assert protocol.uplink_filters() == ["chargehub/bike/+/state", "chargehub/bike/+/up"]
    assert protocol.reply_filters() == ["chargehub/bike/+/reply"]


@pytest.mark.parametrize("name, device", [
    ("chargehub/bike/BK0001/state", "BK0001"), ("chargehub/bike/BK0001/up", "BK0001"),
    ("chargehub/bike/BK0001/reply", "BK0001"), ("chargehub/bike/BK0001/down", None),
    ("chargehub/bike/BK0001/other", None), ("chargehub/bike//up", None), ("chargehub/bike/up", None),
    ("chargehub/bike/BK0001/up/more", None), ("chargehub/car/BK0001/up", None), ("other/bike/BK0001/up", None),
    ("chargehub/bike/" + "B" * 33 + "/up", None), ("chargehub/bike/BK+1/up", None), ("", None),
])
def test_device_of_topic(name, device):
    assert BikeMqttProtocol({}).device_of_topic(name) == device


def test_downlink_and_acl_are_the_devices_own_topics():
    protocol = BikeMqttProtocol({})
    assert protocol.downlink_topic("BK0001") == "chargehub/bike/BK0001/down"
    assert protocol.device_acl("BK0001") == [
        ("chargehub/bike/BK0001/state", "publish"), ("chargehub/bike/BK0001/up", "publish"),
        ("chargehub/bike/BK0001/reply", "publish"), ("chargehub/bike/BK0001/down", "subscribe")]
    for bad in ("BK/1", "BK#", "+", ""):
        with pytest.raises(ValueError):
            protocol.downlink_topic(bad)
        with pytest.raises(ValueError):
            protocol.device_acl(bad)
    with pytest.raises(ValueError, match="unknown channel"):
        topic("BK0001", "sideways")
