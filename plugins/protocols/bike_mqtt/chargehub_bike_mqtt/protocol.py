"""The ``bike_mqtt`` device protocol: topics (``docs/protocols/bike-mqtt.md`` §2) and a session factory."""
from __future__ import annotations

from chargehub.contracts.devices import DeviceProtocol

from chargehub_bike_mqtt.codec import dev_problem
from chargehub_bike_mqtt.session import BikeSession

__all__ = ["BikeMqttProtocol", "TOPIC_ROOT", "UPLINK_CHANNELS", "topic"]

TOPIC_ROOT = "chargehub/bike"
#: What devices publish on: ``state`` (online/offline, retained), ``up`` (everything else), ``reply``.
UPLINK_CHANNELS = ("state", "up", "reply")
_CHANNELS = (*UPLINK_CHANNELS, "down")


def topic(sn: str, channel: str) -> str:
    """``chargehub/bike/<sn>/<channel>`` (``channel``: ``state``, ``up``, ``reply`` or ``down``).

    :raises ValueError: for an sn that cannot be a topic level, or an unknown channel.
    """
    problem = dev_problem(sn)
    if problem:
        raise ValueError(f"sn {sn!r} {problem}")
    if channel not in _CHANNELS:
        raise ValueError(f"unknown channel {channel!r} (one of {', '.join(_CHANNELS)})")
    return f"{TOPIC_ROOT}/{sn}/{channel}"


class BikeMqttProtocol(DeviceProtocol):
    """E-bike chargers (2–12 sockets) over MQTT: each device publishes under ``chargehub/bike/<sn>/`` and
    listens on ``chargehub/bike/<sn>/down``; a heartbeat every 60 s."""

    identifier = "bike_mqtt"
    verbose_name = "两轮车 MQTT 协议 (e-bike chargers over MQTT)"
    transport = "mqtt"
    device_kind = "bike_device"
    default_port = 0
    heartbeat_interval = 60.0

    def uplink_filters(self) -> list[str]:
        """``state`` and ``up`` of every device (read through a shared subscription)."""
        return [f"{TOPIC_ROOT}/+/state", f"{TOPIC_ROOT}/+/up"]

    def reply_filters(self) -> list[str]:
        """``reply`` of every device (every node reads them and keeps the answers to its own commands)."""
        return [f"{TOPIC_ROOT}/+/reply"]

    def device_of_topic(self, topic: str) -> str | None:
        """The sn of a topic a device publishes on (``state``, ``up``, ``reply``); ``None`` for any other
        topic, ``down`` included, and for an sn the codec would refuse."""
        if not isinstance(topic, str):
            return None
        parts = topic.split("/")
        if len(parts) != 4 or "/".join(parts[:2]) != TOPIC_ROOT or parts[3] not in UPLINK_CHANNELS:
            return None
        return None if dev_problem(parts[2]) else parts[2]

    def downlink_topic(self, device_id: str) -> str:
        """``chargehub/bike/<sn>/down``; raises ``ValueError`` for an sn that cannot be a topic level."""
        return topic(device_id, "down")

    def device_acl(self, device_id: str) -> list[tuple[str, str]]:
        """Publish on its own ``state``, ``up`` and ``reply``; subscribe to its own ``down``."""
        return [*((topic(device_id, channel), "publish") for channel in UPLINK_CHANNELS),
                (topic(device_id, "down"), "subscribe")]

    def create_session(self, peer: str) -> BikeSession:
        """A fresh :class:`BikeSession` (one per device heard from)."""
        return BikeSession(peer)
