"""Per-device broker accounts on a Mosquitto with dynamic security: issued, enforced, reset, disabled, deleted."""
from __future__ import annotations

import time
import uuid
from contextlib import contextmanager

import paho.mqtt.client as mqtt
import pytest

from chargehub.assets.bike_models import AccountState, BikeDevice
from chargehub.assets.services import devices as device_services
from chargehub.devices import accounts
from chargehub.extensions import db
from chargehub.mqtt.accounts import BrokerAccountError, DynsecAccounts
from chargehub.mqtt.broker import BrokerAddress
from chargehub.testing.helpers import wait_until
from chargehub.testing.mosquitto import PrivateMosquitto
from chargehub.tenancy.auth import acting_as
from chargehub.tenancy.models import User
from chargehub.testing.network import seed_bike_network
from chargehub_bike_mqtt.protocol import BikeMqttProtocol


class Client:
    """An MQTT 5 client that records the broker's answers (CONNACK, PUBACK and SUBACK reason codes)."""

    def __init__(self, port: int, username: str, password: str) -> None:
        self.answers: dict[str, object] = {}
        self.messages: list[tuple[str, bytes]] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{username}-{uuid.uuid4().hex[:6]}",
                                  protocol=mqtt.MQTTv5)
        self.client.username_pw_set(username, password)
        self.client.on_connect = lambda c, u, f, rc, p: self.answers.setdefault("connect", rc)
        self.client.on_publish = lambda c, u, mid, rc, p: self.answers.__setitem__(f"pub{mid}", rc)
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self.answers.__setitem__(f"sub{mid}", rcs[0])
        self.client.on_message = lambda c, u, m: self.messages.append((m.topic, m.payload))
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        wait_until(lambda: "connect" in self.answers)

    @property
    def accepted(self) -> bool:
        return not self.answers["connect"].is_failure

    def publish(self, topic: str, payload: bytes = b"{}"):
        mid = self.client.publish(topic, payload, qos=1).mid
        return wait_until(lambda: self.answers.get(f"pub{mid}"))

    def subscribe(self, topic: str):
        mid = self.client.subscribe(topic, qos=1)[1]
        return wait_until(lambda: self.answers.get(f"sub{mid}"))

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture(scope="module")
def broker():
    with PrivateMosquitto(dynsec=True) as private:
        yield private


def test_each_device_may_use_only_its_own_topics(broker):
    protocol, manager = BikeMqttProtocol(), DynsecAccounts(BrokerAddress.parse(broker.url))
    manager.upsert("ACL-A", "pw-a", protocol.device_acl("ACL-A"))
    manager.upsert("ACL-B", "pw-b", protocol.device_acl("ACL-B"))
    # a platform reader with access to every device's uplink, to see what actually gets through
    manager.upsert("reader", "pw-r", [("chargehub/bike/#", "subscribe")])
    reader = Client(broker.port, "reader", "pw-r")
    device = Client(broker.port, "ACL-A", "pw-a")
    try:
        assert device.accepted and reader.accepted
        assert not reader.subscribe("chargehub/bike/#").is_failure
        assert not device.publish("chargehub/bike/ACL-A/up").is_failure
        assert str(device.publish("chargehub/bike/ACL-B/up")) == "Not authorized"
        assert str(device.publish("chargehub/bike/ACL-B/state")) == "Not authorized"
        assert str(device.publish("chargehub/bike/ACL-A/down")) == "Not authorized"  # only the platform writes it
        assert not device.subscribe("chargehub/bike/ACL-A/down").is_failure
        assert str(device.subscribe("chargehub/bike/ACL-B/down")) == "Not authorized"
        assert str(device.subscribe("chargehub/bike/#")) == "Not authorized"
        time.sleep(0.3)
        assert [topic for topic, _ in reader.messages] == ["chargehub/bike/ACL-A/up"]
    finally:
        device.close()
        reader.close()
    assert not Client(broker.port, "ACL-A", "wrong").accepted
    assert not Client(broker.port, "ACL-B", "pw-a").accepted  # a password is never shared
    manager.upsert("ACL-A", "pw-a2", protocol.device_acl("ACL-A"))
    assert not Client(broker.port, "ACL-A", "pw-a").accepted and Client(broker.port, "ACL-A", "pw-a2").accepted
    manager.set_enabled("ACL-A", False)
    assert not Client(broker.port, "ACL-A", "pw-a2").accepted
    manager.delete("ACL-A")
    manager.delete("ACL-A")  # deleting twice is fine
    assert not Client(broker.port, "ACL-A", "pw-a2").accepted


def test_the_broker_refusing_the_admin_is_a_clear_error(broker):
    wrong = BrokerAddress("127.0.0.1", broker.port, "chargehub-admin", "wrong")
    with pytest.raises(BrokerAccountError, match="refused the connection"):
        DynsecAccounts(wrong, timeout=3).run([{"command": "listClients"}])


@contextmanager
def bike_platform(make_app, prefix: str, **settings):
    """An app with the e-bike plugin and one seeded device, acting as the provider's administrator."""
    import chargehub_bike_mqtt.plugin as bike_mqtt

    app = make_app(plugins=[bike_mqtt], **settings)
    with app.app_context():
        network = seed_bike_network(1, sockets=2, prefix=prefix)
        with acting_as(db.session.get(User, network.admin_id)):
            yield network


def _device(device_id: int) -> BikeDevice:
    db.session.expire_all()
    return db.session.get(BikeDevice, device_id)


def _add_device(network, factory_id: str) -> BikeDevice:
    device = device_services.create_device({"area_id": network.area_id, "factory_id": factory_id, "name": "新设备",
                                            "socket_count": 4})
    return _device(device.id)


def test_device_lifecycle_reaches_the_broker(make_app, broker):
    with bike_platform(make_app, "ACC", MQTT_URL=broker.url, MQTT_ACCOUNTS="dynsec") as network:
        device = _add_device(network, "ACC-NEW-1")
        assert device.account_state is AccountState.ACTIVE and device.account_synced_at is not None
        issued = accounts.credentials(device)
        assert issued["username"] == "ACC-NEW-1" and len(issued["password"]) >= 20
        assert issued["broker"] == f"mqtt://127.0.0.1:{broker.port}"  # never the platform's own account
        assert Client(broker.port, "ACC-NEW-1", issued["password"]).accepted

        reset = accounts.reset_password(device)
        assert reset["password"] != issued["password"]
        assert not Client(broker.port, "ACC-NEW-1", issued["password"]).accepted
        assert Client(broker.port, "ACC-NEW-1", reset["password"]).accepted

        device_services.set_device_enabled(_device(device.id), False)
        assert _device(device.id).account_state is AccountState.DISABLED
        assert not Client(broker.port, "ACC-NEW-1", reset["password"]).accepted
        device_services.set_device_enabled(_device(device.id), True)
        assert Client(broker.port, "ACC-NEW-1", reset["password"]).accepted

        device_services.delete_device(_device(device.id))
        assert not Client(broker.port, "ACC-NEW-1", reset["password"]).accepted


def test_an_unreachable_broker_is_recorded_and_retried(make_app):
    with bike_platform(make_app, "ACF", MQTT_URL="mqtt://admin:x@127.0.0.1:1", MQTT_ACCOUNTS="dynsec",
                       MQTT_DEVICE_URL="mqtts://mqtt.example.com:8883") as network:
        device = _add_device(network, "ACF-NEW")
        assert accounts.credentials(device)["broker"] == "mqtts://mqtt.example.com:8883"
        assert device.account_state is AccountState.FAILED
        assert "cannot reach the broker" in device.account_error
        assert accounts.credentials(device)["password"]  # issued all the same; the job retries


def test_without_account_management_credentials_are_issued_unmanaged(make_app):
    with bike_platform(make_app, "ACU", PUBLIC_URL="https://charge.example.com") as network:
        device = _add_device(network, "ACU-NEW")
        assert device.account_state is AccountState.UNMANAGED
        assert accounts.credentials(device)["broker"] == "mqtt://charge.example.com:1884"  # the embedded broker
        assert device.mqtt_password.startswith("gAAAA")  # Fernet, never plain
