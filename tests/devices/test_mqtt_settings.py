"""Broker addresses and the MQTT settings: parsing, what is shown, what is refused."""
from __future__ import annotations

import pytest

from chargehub.config import ConfigError, finalize, read_environment
from chargehub.devices.gateway.listen import parse_listen
from chargehub.mqtt.broker import BrokerAddress

from .lineproto import LineProtocol
from .mqttproto import WordProtocol


def test_broker_urls_are_parsed_and_never_show_the_password():
    address = BrokerAddress.parse("mqtt://gate%40way:s3cret@broker.example.com:1999")
    assert (address.host, address.port, address.username, address.password, address.tls) == (
        "broker.example.com", 1999, "gate@way", "s3cret", False)
    assert address.url() == "mqtt://gate@way:***@broker.example.com:1999"
    assert address.endpoint == "mqtt://broker.example.com:1999"
    tls = BrokerAddress.parse("mqtts://broker.example.com")
    assert (tls.port, tls.tls, tls.endpoint) == (8883, True, "mqtts://broker.example.com:8883")
    assert BrokerAddress.parse("tcp://10.0.0.5").port == 1883
    with pytest.raises(ValueError, match="scheme"):
        BrokerAddress.parse("http://broker:1883")
    with pytest.raises(ValueError, match="no host"):
        BrokerAddress.parse("mqtt://:1883")


@pytest.mark.parametrize("variable, value, message", [
    ("MQTT_URL", "amqp://broker", "CHARGEHUB_MQTT_URL"),
    ("MQTT_ACCOUNTS", "passwd-file", "CHARGEHUB_MQTT_ACCOUNTS"),
])
def test_bad_mqtt_settings_are_refused_by_name(tmp_path, variable, value, message):
    values = read_environment({f"CHARGEHUB_{variable}": value})
    with pytest.raises(ConfigError, match=message):
        finalize(values, str(tmp_path))


def test_an_mqtt_protocol_has_no_listen_address():
    protocols = [LineProtocol(), WordProtocol("t")]
    assert parse_listen("lineproto=127.0.0.1:0", protocols) == {"lineproto": ("127.0.0.1", 0)}
    with pytest.raises(ValueError, match="MQTT protocol"):
        parse_listen("wordmqtt=0.0.0.0:1884", protocols)
