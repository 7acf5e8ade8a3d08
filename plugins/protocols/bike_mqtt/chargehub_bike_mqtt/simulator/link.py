"""One device's MQTT connection (:class:`MqttLink`): a paho client driven by the running asyncio loop.

paho's external-loop API is used so that thousands of clients share one thread: the loop watches each
client's socket (``on_socket_open`` / ``on_socket_close`` / ``on_socket_register_write`` /
``on_socket_unregister_write`` → ``loop.add_reader`` / ``add_writer``) and calls ``loop_read``,
``loop_write`` and, once a second, ``loop_misc`` (keep-alive). The TCP connect itself is made by the
loop (``sock_connect``, never blocking the other devices) and handed to paho, which then sends CONNECT
on it. Reconnects back off exponentially with jitter until :meth:`MqttLink.close`.
"""
from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
from typing import Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from chargehub_bike_mqtt.simulator.stats import BikeSimStats

__all__ = ["MqttLink"]

_MISC_INTERVAL = 1.0


class _Client(mqtt.Client):
    """A paho client that takes the TCP socket the event loop connected instead of connecting itself."""

    staged_socket: socket.socket | None = None

    def _create_socket_connection(self) -> socket.socket:
        sock, self.staged_socket = self.staged_socket, None
        return sock if sock is not None else super()._create_socket_connection()


class MqttLink:
    """A persistent MQTT connection for one client id, reconnecting until closed.

    :param client_id: the MQTT client id (the device's sn).
    :param host: broker address.
    :param port: broker port.
    :param will: ``(topic, payload)`` published by the broker, QoS 1 retained, when the link dies.
    :param on_up: called after every accepted CONNACK.
    :param on_down: called when a connection ends (lost, refused or closed).
    :param on_message: called with ``(topic, payload)`` for every message received.
    :param stats: counters to add to.

    The remaining keyword arguments are the MQTT settings of
    :class:`~chargehub_bike_mqtt.simulator.config.DeviceConfig`.
    """

    __slots__ = ("client", "host", "port", "stats", "connected", "running", "connect_timeout_s", "reconnect_min_s",
                 "reconnect_max_s", "_on_up", "_on_down", "_on_message", "_loop", "_sock", "_task", "_retry_handle",
                 "_deadline", "_misc_handle", "_backoff", "_next_delay", "_ever_connected", "_addr",
                 "_closing_mid")

    def __init__(self, client_id: str, host: str, port: int, *, will: tuple[str, bytes] | None,
                 on_up: Callable[[], None], on_down: Callable[[], None],
                 on_message: Callable[[str, bytes], None], stats: BikeSimStats, username: str | None = None,
                 password: str | None = None, keepalive: int = 60, mqtt_version: str = "3.1.1",
                 session_expiry_s: int = 86_400, connect_timeout_s: float = 10.0, reconnect_min_s: float = 0.5,
                 reconnect_max_s: float = 30.0) -> None:
        v5 = mqtt_version == "5"
        if v5:
            client = _Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        else:
            client = _Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False,
                             protocol=mqtt.MQTTv311)
        client.max_inflight_messages_set(100)
        if username is not None:
            client.username_pw_set(username, password)
        if will is not None:
            client.will_set(will[0], will[1], qos=1, retain=True)
        if v5:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = session_expiry_s
            client.connect_async(host, port, keepalive, clean_start=False, properties=props)
        else:
            client.connect_async(host, port, keepalive)
        client.on_connect = self._connack
        client.on_disconnect = self._disconnected
        client.on_message = self._message
        client.on_publish = self._published
        client.on_socket_open = self._socket_open
        client.on_socket_close = self._socket_close
        client.on_socket_register_write = self._want_write
        client.on_socket_unregister_write = self._written
        self.client = client
        self.host, self.port, self.stats = host, port, stats
        self.connect_timeout_s = connect_timeout_s
        self.reconnect_min_s, self.reconnect_max_s = reconnect_min_s, reconnect_max_s
        self._on_up, self._on_down, self._on_message = on_up, on_down, on_message
        self.connected = False
        self.running = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sock: socket.socket | None = None
        self._task: asyncio.Task | None = None
        #: Timers: the next connect attempt; the CONNACK wait (or close()'s PUBACK wait); loop_misc.
        self._retry_handle = self._deadline = self._misc_handle = None
        self._backoff = reconnect_min_s
        self._next_delay: float | None = None
        self._ever_connected = False
        self._addr: tuple | None = None
        self._closing_mid: int | None = None

    # ------------------------------------------------------------------ public

    @property
    def socket_open(self) -> bool:
        """A TCP connection exists (connected or waiting for CONNACK)."""
        return self._sock is not None

    def start(self, delay: float = 0.0) -> None:
        """Connect after ``delay`` seconds and keep reconnecting until :meth:`close` (in the loop's thread)."""
        self._loop = asyncio.get_running_loop()
        self.running = True
        if self._sock is None and self._task is None:
            self._schedule(delay)

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> bool:
        """Publish when connected; ``False`` (nothing queued) otherwise."""
        if not self.connected:
            return False
        return self.client.publish(topic, payload, qos=qos, retain=retain).rc == MQTTErrorCode.MQTT_ERR_SUCCESS

    def subscribe(self, topic: str, qos: int = 1) -> None:
        """Subscribe on the current connection."""
        if self.connected:
            self.client.subscribe(topic, qos)

    def drop(self, reconnect_after: float | None = None) -> None:
        """Cut the TCP connection without DISCONNECT (the broker publishes the will); reconnect after
        ``reconnect_after`` seconds (default: the backoff)."""
        if self._sock is None:
            return
        self.stats.drops += 1
        self._next_delay = reconnect_after
        self._abort()

    def close(self, last: tuple[str, bytes] | None = None) -> None:
        """Stop reconnecting; when connected publish ``last`` (retained) and, once the broker has it
        (PUBACK, or after a second), DISCONNECT: the broker drops the will."""
        self.running = False
        self._cancel_timers()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self.connected:
            if last is not None:
                # DISCONNECT right behind it could race the PUBACK: a close with unread data sends a
                # reset, and the broker may then lose the DISCONNECT and publish the will.
                self._closing_mid = self.client.publish(last[0], last[1], qos=1, retain=True).mid
                self._deadline = self._loop.call_later(1.0, self._disconnect_now)
            else:
                self.client.disconnect()
        elif self._sock is not None:
            self._abort()

    def abort(self) -> None:
        """Close the socket now, whatever is unsent (e.g. after :meth:`close` timed out)."""
        self.running = False
        self._cancel_timers()
        self._abort()

    # ------------------------------------------------------------------ connecting

    def _schedule(self, delay: float) -> None:
        if self._retry_handle is not None:
            self._retry_handle.cancel()
        self._retry_handle = self._loop.call_later(max(0.0, delay), self._begin)

    def _retry(self) -> None:
        if not self.running:
            return
        if self._next_delay is not None:
            delay, self._next_delay = self._next_delay, None
        else:
            delay = self._backoff * (0.75 + 0.5 * random.random())
            self._backoff = min(self.reconnect_max_s, self._backoff * 2)
        self._schedule(delay)

    def _begin(self) -> None:
        self._retry_handle = None
        if self.running and self._sock is None and self._task is None:
            self._task = self._loop.create_task(self._open())

    async def _open(self) -> None:
        sock = None
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                if self._addr is None:
                    self._addr = await self._resolve()
                family, kind, proto, _, address = self._addr
                sock = socket.socket(family, kind, proto)
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                await self._loop.sock_connect(sock, address)
        except (OSError, TimeoutError):
            if sock is not None:
                sock.close()
            self._task = None
            self.stats.connect_failures += 1
            self._retry()
            return
        self._task = None
        if not self.running:
            sock.close()
            return
        self.client.staged_socket = sock
        try:
            self.client.reconnect()
        except OSError:
            self.stats.connect_failures += 1
            self._abort()
            self._retry()
            return
        self._deadline = self._loop.call_later(self.connect_timeout_s, self._connack_timeout)
        self._misc_handle = self._loop.call_later(_MISC_INTERVAL, self._misc)

    async def _resolve(self) -> tuple:
        """The broker's address; an IP literal needs no resolver (no executor thread)."""
        try:
            ip = ipaddress.ip_address(self.host)
        except ValueError:
            infos = await self._loop.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
            return infos[0]
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        return family, socket.SOCK_STREAM, 0, "", (self.host, self.port)

    def _connack_timeout(self) -> None:
        self._deadline = None
        if not self.connected and self._sock is not None:
            self.stats.connect_failures += 1
            self._abort()

    def _abort(self) -> None:
        """Shut the socket down and let paho notice at once (closes it and reports the disconnect)."""
        sock = self._sock
        if sock is None:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.client.loop_read()  # reads EOF: paho closes the socket and calls on_disconnect

    def _misc(self) -> None:
        self._misc_handle = None
        if self._sock is not None:
            self.client.loop_misc()
        if self._sock is not None:
            self._misc_handle = self._loop.call_later(_MISC_INTERVAL, self._misc)

    def _cancel_timers(self) -> None:
        for name in ("_retry_handle", "_deadline", "_misc_handle"):
            handle = getattr(self, name)
            if handle is not None:
                handle.cancel()
                setattr(self, name, None)

    # ------------------------------------------------------------------ paho callbacks

    def _connack(self, client: mqtt.Client, userdata: object, flags: object, reason: object, props: object) -> None:
        if getattr(reason, "is_failure", False):
            self.stats.connect_refusals += 1
            return  # paho closes the connection and reports the disconnect
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.connected = True
        self._backoff = self.reconnect_min_s
        self.stats.connects += 1
        if self._ever_connected:
            self.stats.reconnects += 1
        self._ever_connected = True
        self._on_up()

    def _disconnected(self, client: mqtt.Client, userdata: object, flags: object, reason: object,
                      props: object) -> None:
        was_connected, self.connected = self.connected, False
        self._closing_mid = None
        for name in ("_deadline", "_misc_handle"):
            handle = getattr(self, name)
            if handle is not None:
                handle.cancel()
                setattr(self, name, None)
        self.stats.disconnects += 1
        if was_connected:
            self._on_down()
        self._retry()

    def _message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        self._on_message(message.topic, message.payload)

    def _published(self, client: mqtt.Client, userdata: object, mid: int, reason: object, props: object) -> None:
        if mid == self._closing_mid:
            self._disconnect_now()

    def _disconnect_now(self) -> None:
        self._closing_mid = None
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if self.connected:
            self.client.disconnect()

    def _socket_open(self, client: mqtt.Client, userdata: object, sock: socket.socket) -> None:
        self._sock = sock
        self._loop.add_reader(sock, client.loop_read)

    def _socket_close(self, client: mqtt.Client, userdata: object, sock: socket.socket) -> None:
        if self._sock is sock:
            self._sock = None
        try:  # read what is left, or closing would answer with a reset
            while sock.recv(65536):
                pass
        except OSError:
            pass
        self._loop.remove_reader(sock)
        self._loop.remove_writer(sock)

    def _want_write(self, client: mqtt.Client, userdata: object, sock: socket.socket) -> None:
        self._loop.add_writer(sock, client.loop_write)

    def _written(self, client: mqtt.Client, userdata: object, sock: socket.socket) -> None:
        self._loop.remove_writer(sock)
