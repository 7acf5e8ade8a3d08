"""The gateway's MQTT side: one broker client for every MQTT protocol, one session per device heard from.

Devices of an MQTT protocol do not connect to the gateway; they publish to a broker. The gateway
holds one paho-mqtt client (its network loop in a thread of its own) that reads the protocols'
uplink topics through a shared subscription (``$share/<group>/…``, so several gateway nodes split the
traffic) and their reply topics on every node. Each message is handed to the device's
:class:`MqttDeviceLink`: a :class:`~chargehub.devices.gateway.connection.DeviceConnection` whose
"socket" is the device's downlink topic, so sessions, logins, durable acknowledgements and commands
work exactly as for TCP devices.

What differs from a TCP connection, and why:

* **No node owns a device.** The broker may hand any message to any node, and every node can
  publish to every device, so links are node-local caches: a node that hears from a device it does
  not know yet lets the session log it in again (``LoginRequest.resumed``), which records no new
  上线 unless core had marked the device offline. Commands reach the devices through
  :meth:`GatewayNode.register_protocol` instead of per-device registrations.
* **Online/offline come from the device.** An ``online`` announcement is a login (recorded); the
  broker's last will (``offline``) closes the link with the session's ``close_reason`` (recorded).
  A link that stays silent is only forgotten (``"idle timeout"``): with several nodes a quiet link
  here says nothing about the device; core's stale sweep catches devices whose will was lost.
* **Answers go to the sender.** Replies are read on every node but only a link that exists here
  (it sent the command) gets them; the others drop them.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING, Iterable

import paho.mqtt.client as mqtt

from chargehub.contracts.devices import CommandResult, DeviceCommand, DeviceProtocol, LoginRequest, SessionOutput
from chargehub.devices.gateway.connection import DeviceConnection
from chargehub.mqtt.broker import BrokerAddress, new_client

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chargehub.devices.gateway.server import Gateway

log = logging.getLogger("chargehub.devices.gateway")

#: Close reasons that end a link without telling core the device went offline.
SILENT_REASONS = frozenset({"idle timeout", "gateway stopping", "replaced"})
#: Seconds between the gateway client's pings to the broker.
KEEPALIVE = 30


class _LinkTransport(asyncio.Transport):
    """The "socket" of a link: writing publishes to the device's downlink topic."""

    def __init__(self, link: "MqttDeviceLink") -> None:
        super().__init__()
        self._link = link
        self._closing = False

    def get_extra_info(self, name, default=None):
        return ("mqtt", self._link.topic_device) if name == "peername" else default

    def write(self, data: bytes) -> None:
        self._link.mqtt.publish(self._link.downlink, data)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            asyncio.get_running_loop().call_soon(self._link.connection_lost, None)

    def pause_reading(self) -> None:
        """Input of a busy link waits in its backlog; nothing to pause on a shared client."""

    def resume_reading(self) -> None:
        """See :meth:`pause_reading`."""


class MqttDeviceLink(DeviceConnection):
    """The gateway's side of one MQTT device on this node (see the module docstring)."""

    def __init__(self, gateway: "Gateway", protocol: DeviceProtocol, mqtt_side: "MqttTransport",
                 device_id: str) -> None:
        super().__init__(gateway, protocol)
        self.mqtt = mqtt_side
        self.topic_device = device_id
        self.downlink = protocol.downlink_topic(device_id)
        self._resumed = False

    def _write(self, frames: list[bytes]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            for frame in frames:  # one message per frame, never joined
                self.mqtt.publish(self.downlink, frame)

    async def _login(self, out: SessionOutput) -> SessionOutput:
        request = out.login
        if request.device_id != self.topic_device:
            log.warning("protocol %s: message on the topics of %s claims to be %s; ignored",
                        self.protocol.identifier, self.topic_device, request.device_id)
            return SessionOutput(close=True, close_reason="身份与主题不符 (identity does not match the topic)")
        self._resumed = request.resumed
        return await super()._login(out)

    async def _identify(self, device_id: str) -> None:
        if self.device_id is not None and self.device_id != device_id:
            log.warning("link of %s claimed to be %s; ignored", self.device_id, device_id)
            return
        self.device_id = device_id
        # A second announcement on a known link is a reconnect to the broker: a new 上线.
        await self.gateway.notify("on_connected", device_id, self.protocol.identifier, self.peer,
                                  resumed=self._resumed)

    async def resume(self) -> bool:
        """Log the device in without a message from it (a command for a device this node never heard)."""
        out = await self._login(SessionOutput(login=LoginRequest(self.topic_device, resumed=True)))
        if out.device_id:
            await self._identify(out.device_id)
        self._apply(out)
        return self.device_id is not None

    async def _release(self) -> None:
        """Forget the link; tell the listener only when the device said it went away (see the module)."""
        self.mqtt.forget(self)
        if self.device_id is not None and self.close_reason not in SILENT_REASONS:
            await self.gateway.notify("on_disconnected", self.device_id, self.protocol.identifier, self.peer,
                                      reason=self.close_reason, replaced=False)


class MqttTransport:
    """The broker client of one gateway node, serving every MQTT protocol.

    :param gateway: the owning gateway.
    :param protocols: the enabled protocols whose ``transport`` is ``"mqtt"``.
    :param address: the broker.
    :param client_id: this node's client id (stable across restarts, so the broker keeps its session).
    :param shared_group: shared-subscription group, ``None`` for plain subscriptions.
    """

    def __init__(self, gateway: "Gateway", protocols: Iterable[DeviceProtocol], address: BrokerAddress, *,
                 client_id: str, shared_group: str | None) -> None:
        self.gateway = gateway
        self.protocols = {p.identifier: p for p in protocols}
        self.address = address
        self.shared_group = shared_group
        self.links: dict[tuple[str, str], MqttDeviceLink] = {}
        self.connected = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._routes: list[tuple[str, DeviceProtocol, bool]] = []
        for protocol in self.protocols.values():
            self._routes += [(f, protocol, False) for f in protocol.uplink_filters()]
            self._routes += [(f, protocol, True) for f in protocol.reply_filters()]
        # A clean session: a gateway that is away must not keep a share of the devices' messages queued
        # for itself; devices resend what matters (records) until it is acknowledged.
        self.client = new_client(address, client_id, clean_session=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(1000)
        self.client.reconnect_delay_set(1, 30)

    # -- lifecycle (on the gateway's loop) ---------------------------------------------------------

    async def start(self, timeout: float = 10.0) -> None:
        """Connect (retrying in the background if the broker is down) and serve commands for the protocols."""
        self._loop = asyncio.get_running_loop()
        self.client.connect_async(self.address.host, self.address.port, keepalive=KEEPALIVE)
        self.client.loop_start()
        for identifier in self.protocols:
            await asyncio.to_thread(self.gateway.node.register_protocol, identifier, self._executor(identifier))
        if not await asyncio.to_thread(self.connected.wait, timeout):
            log.error("MQTT broker %s not reachable yet; retrying in the background", self.address.url())

    async def stop(self) -> None:
        """Close every link (without offline records: the devices stay connected to the broker)."""
        links = list(self.links.values())
        for link in links:
            link.close("gateway stopping")
        if links:
            await asyncio.wait([link.closed for link in links], timeout=5)
        await asyncio.to_thread(self._disconnect)

    def _disconnect(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    # -- paho callbacks (paho's thread) ------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # noqa: ARG002
        if reason_code.is_failure:
            log.error("MQTT broker %s refused the gateway: %s", self.address.url(), reason_code)
            return
        subscriptions = [(self._subscription(topic, reply), 1) for topic, _, reply in self._routes]
        if subscriptions:
            client.subscribe(subscriptions)
        self.connected.set()
        log.info("gateway connected to MQTT broker %s (%d subscriptions)", self.address.url(), len(subscriptions))

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # noqa: ARG002
        self.connected.clear()
        log.warning("gateway lost the MQTT broker %s (%s); reconnecting", self.address.url(), reason_code)

    def _on_message(self, client, userdata, message) -> None:  # noqa: ARG002
        if message.retain or not message.payload:
            return  # a stored state replayed on subscribing, or an empty one clearing it: nothing said now
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._dispatch, message.topic, message.payload)
        else:
            log.warning("MQTT message on %s before the gateway started; dropped", message.topic)

    def _subscription(self, topic: str, reply: bool) -> str:
        return topic if reply or not self.shared_group else f"$share/{self.shared_group}/{topic}"

    # -- on the gateway's loop ---------------------------------------------------------------------

    def _dispatch(self, topic: str, payload: bytes) -> None:
        for topic_filter, protocol, reply in self._routes:
            if not mqtt.topic_matches_sub(topic_filter, topic):
                continue
            device_id = protocol.device_of_topic(topic)
            if device_id is None:
                log.warning("protocol %s: message on %s names no device; dropped", protocol.identifier, topic)
                return
            link = self.links.get((protocol.identifier, device_id))
            if link is None or link.transport is None or link.transport.is_closing():
                if reply:
                    return  # an answer to a command another node sent (or to a link that ended)
                link = self._open(protocol, device_id)  # e.g. "online" right after the last will
            link.data_received(payload)
            return
        log.warning("MQTT message on %s matches no protocol; dropped", topic)

    def _open(self, protocol: DeviceProtocol, device_id: str) -> MqttDeviceLink:
        link = MqttDeviceLink(self.gateway, protocol, self, device_id)
        self.links[(protocol.identifier, device_id)] = link
        link.connection_made(_LinkTransport(link))
        return link

    def forget(self, link: MqttDeviceLink) -> None:
        """Drop a closed link (called by the link's cleanup)."""
        key = (link.protocol.identifier, link.topic_device)
        if self.links.get(key) is link:
            del self.links[key]

    def publish(self, topic: str, payload: bytes) -> None:
        """Publish at QoS 1 (paho queues it while the broker is away)."""
        self.client.publish(topic, payload, qos=1)

    def _executor(self, identifier: str):
        protocol = self.protocols[identifier]

        async def execute(command: DeviceCommand) -> CommandResult:
            link = self.links.get((identifier, command.device_id))
            if link is None or link.device_id is None:
                if not self.connected.is_set():
                    return CommandResult.offline("MQTT broker not reachable")
                link = link or self._open(protocol, command.device_id)
                if not await link.resume():
                    return CommandResult.rejected("设备未登记或已禁用 (device unknown or disabled)")
            return await link.execute(command)

        return execute
