"""Which broker ChargeHub talks to, and paho-mqtt clients set up for it."""
from __future__ import annotations

import itertools
import os
import socket
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt

#: Port of the embedded broker (``chargehub run`` without ``CHARGEHUB_MQTT_URL``); not 1883, so that
#: it never collides with a broker already installed on the machine.
EMBEDDED_PORT = 1884
_SCHEMES = {"mqtt": False, "tcp": False, "mqtts": True, "ssl": True}
_counter = itertools.count(1)


@dataclass(frozen=True)
class BrokerAddress:
    """A broker URL taken apart: ``mqtt://user:pass@host:1883`` or ``mqtts://…:8883`` (TLS)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> "BrokerAddress":
        """Parse ``url``; raises ``ValueError`` naming what is wrong."""
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            raise ValueError(f"MQTT URL {url!r}: scheme must be mqtt:// or mqtts://")
        if not parts.hostname:
            raise ValueError(f"MQTT URL {url!r} names no host")
        tls = _SCHEMES[parts.scheme]
        return cls(parts.hostname, parts.port or (8883 if tls else 1883),
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None, tls)

    @property
    def endpoint(self) -> str:
        """``mqtt://host:port`` without any account: what a device is told to connect to."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"

    def url(self) -> str:
        """Back to a URL for logs and the node's state, the password shown as ``***``."""
        user = f"{self.username}{':***' if self.password else ''}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"


def client_id(role: str) -> str:
    """A client id unique to this process: ``chargehub-<role>-<host>-<pid>-<n>``."""
    return f"chargehub-{role}-{socket.gethostname()}-{os.getpid()}-{next(_counter)}"


def new_client(address: BrokerAddress, client_id: str, *, clean_session: bool = True,
               protocol: int = mqtt.MQTTv311) -> mqtt.Client:
    """A paho client (callback API 2) with ``address``'s credentials and TLS set; not connected yet."""
    kwargs = {"protocol": protocol}
    if protocol != mqtt.MQTTv5:
        kwargs["clean_session"] = clean_session
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, **kwargs)
    if address.username:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        client.tls_set()
    return client
