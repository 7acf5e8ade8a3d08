"""The gateway's broker side against the real Mosquitto: links, resumed logins, commands, shared subscriptions.

Uses the tiny word protocol (``mqttproto``), so these tests are about the gateway, not the e-bike plugin.
"""
from __future__ import annotations

import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest

from chargehub.contracts.devices import CommandStatus, DeviceCommand, LoginDecision
from chargehub.devices.bus.inprocess import InProcessCommandBus
from chargehub.devices.bus.redis import RedisCommandBus
from chargehub.devices.gateway import Gateway, GatewayThread
from chargehub.mqtt.broker import BrokerAddress
from chargehub.testing.helpers import wait_until

from .conftest import RecordingListener
from .mqttproto import WordProtocol


class Listener(RecordingListener):
    """Records logins (with ``resumed``) and connection changes; refuses ids starting with ``bad``."""

    def __init__(self) -> None:
        super().__init__()
        self.logins: list[tuple[str, bool]] = []
        self.connected: list[tuple[str, bool]] = []

    async def authorize(self, protocol, request, peer):
        with self.lock:
            self.logins.append((request.device_id, request.resumed))
        if request.device_id.startswith("bad"):
            return LoginDecision.refuse(request.device_id, "unknown")
        return LoginDecision.accept(request.device_id)

    async def on_connected(self, device_id, protocol, peer, *, resumed=False):
        with self.lock:
            self.connected.append((device_id, resumed))


class Device:
    """A device as a plain paho client: publishes words, records what it receives on its downlink."""

    def __init__(self, url: str, root: str, sn: str) -> None:
        self.root, self.sn = root, sn
        self.received: list[str] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{root}-{sn}".replace("/", "-"))
        self.client.on_message = lambda c, u, m: self.received.append(m.payload.decode())
        address = BrokerAddress.parse(url)
        self.client.connect(address.host, address.port)
        self.client.loop_start()
        self.client.subscribe(f"{root}/{sn}/down", 1)[1]
        time.sleep(0.1)

    def say(self, *words: str, channel: str = "up") -> None:
        self.client.publish(f"{self.root}/{self.sn}/{channel}", " ".join((self.sn, *words)), qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def command_acknowledged(bus, device: Device, name: str):
    """Send ``name`` to ``device`` over ``bus``; the device acknowledges it on its reply topic.

    :return: ``(result, the command as the device received it)``.
    """
    results = []
    sender = threading.Thread(target=lambda: results.append(
        bus.send(DeviceCommand(device.sn, name, protocol="wordmqtt"), timeout=5)))
    sender.start()
    command = wait_until(lambda: next((m for m in device.received if m.startswith("CMD")), None))
    device.say("ACK", command.split()[1], channel="reply")
    sender.join(6)
    return results[0], command


@pytest.fixture()
def root():
    return f"chtest/{uuid.uuid4().hex[:10]}"


def start_gateway(bus, node_id, root, url, listener, *, shared=None) -> GatewayThread:
    gateway = Gateway([WordProtocol(root)], bus.gateway_node(node_id), listener=listener,
                      mqtt_address=BrokerAddress.parse(url), mqtt_shared_group=shared)
    thread = GatewayThread(gateway).start()
    wait_until(lambda: gateway.mqtt is not None and gateway.mqtt.connected.is_set())
    return thread


def test_announce_events_commands_and_goodbye(mqtt_url, root):
    bus, listener = InProcessCommandBus(default_timeout=5.0), Listener()
    thread = start_gateway(bus, "node-a", root, mqtt_url, listener)
    device = Device(mqtt_url, root, "dev1")
    try:
        device.say("HELLO")
        wait_until(lambda: "WELCOME" in device.received)
        assert listener.connected == [("dev1", False)]
        device.say("PING")
        wait_until(lambda: listener.event_types("dev1") == ["login", "heartbeat"])
        # a command goes to the device through the protocol's registration, the answer comes back on reply
        result, _ = command_acknowledged(bus, device, "reboot")
        assert result.status is CommandStatus.ACCEPTED
        # without the protocol no node holds the device
        assert bus.send(DeviceCommand("dev1", "reboot"), timeout=1).status is CommandStatus.OFFLINE
        # a durable record is acknowledged after the listener stored it
        device.say("REC", "r-1")
        wait_until(lambda: "ACK r-1" in device.received)
        device.say("BYE")
        wait_until(lambda: listener.disconnects)
        assert listener.disconnects == [{"device_id": "dev1", "reason": "device said bye", "replaced": False}]
    finally:
        device.close()
        thread.stop()


def test_a_restarted_gateway_resumes_devices_without_new_online_records(mqtt_url, root):
    bus, listener = InProcessCommandBus(default_timeout=5.0), Listener()
    thread = start_gateway(bus, "node-a", root, mqtt_url, listener)
    device = Device(mqtt_url, root, "dev2")
    try:
        device.say("HELLO")
        wait_until(lambda: listener.connected)
        thread.stop()
        assert listener.disconnects == []  # stopping the gateway does not take MQTT devices offline
        listener = Listener()
        thread = start_gateway(bus, "node-a", root, mqtt_url, listener)
        device.say("PING")
        wait_until(lambda: listener.event_types("dev2") == ["heartbeat"])
        assert listener.logins == [("dev2", True)]
        assert listener.connected == [("dev2", True)]
        assert device.received.count("WELCOME") == 1  # a resumed login is not answered
    finally:
        device.close()
        thread.stop()


def test_commands_reach_devices_this_node_never_heard_and_refusals(mqtt_url, root):
    bus, listener = InProcessCommandBus(default_timeout=3.0), Listener()
    thread = start_gateway(bus, "node-a", root, mqtt_url, listener)
    device = Device(mqtt_url, root, "dev3")
    try:
        result, command = command_acknowledged(bus, device, "start")
        assert command.endswith(" start")
        assert result.ok and listener.logins == [("dev3", True)]
        refused = bus.send(DeviceCommand("bad-1", "start", protocol="wordmqtt"), timeout=3)
        assert refused.status is CommandStatus.REJECTED
        # a reply nobody waits for and a topic naming no device are dropped; the gateway keeps working
        device.say("ACK", "nobody-waits", channel="reply")
        device.client.publish(f"{root}//up", b"x PING", qos=1).wait_for_publish(5)
        device.say("PING")
        wait_until(lambda: "heartbeat" in listener.event_types("dev3"))
    finally:
        device.close()
        thread.stop()


def test_two_nodes_split_a_shared_subscription_and_both_command_every_device(mqtt_url, root, redis_url, namespace):
    bus = RedisCommandBus(redis_url, namespace, default_timeout=5.0)
    group = f"g-{uuid.uuid4().hex[:8]}"
    listeners = [Listener(), Listener()]
    threads = [start_gateway(bus, f"node-{i}", root, mqtt_url, listeners[i], shared=group) for i in range(2)]
    devices = [Device(mqtt_url, root, f"d{i:02d}") for i in range(10)]
    try:
        for _ in range(10):
            for device in devices:
                device.say("PING")
        total = lambda: sum(len(lst.events) for lst in listeners)  # noqa: E731
        wait_until(lambda: total() == 100, timeout=20)
        time.sleep(0.3)
        assert total() == 100  # every message handled exactly once across the nodes
        assert all(len(lst.events) > 10 for lst in listeners), [len(lst.events) for lst in listeners]
        assert not any(lst.connected and not all(resumed for _, resumed in lst.connected) for lst in listeners)
        # every device can be commanded whichever node the bus picks
        for device in devices[:4]:
            result, _ = command_acknowledged(bus, device, "reboot")
            assert result.ok
            device.received.clear()
    finally:
        for device in devices:
            device.close()
        for thread in threads:
            thread.stop()
        bus.close()
