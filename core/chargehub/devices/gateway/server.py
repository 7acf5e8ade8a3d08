"""The gateway: one asyncio TCP listener per device protocol, the connections, and the bus node."""
from __future__ import annotations

import asyncio
import logging
import signal
import time
from typing import Any, Awaitable, Coroutine, Iterable, Mapping

from chargehub.contracts.devices import DeviceEvent, DeviceProtocol, LoginDecision, LoginRequest
from chargehub.devices.bus.base import GatewayNode
from chargehub.devices.gateway.connection import DeviceConnection
from chargehub.devices.gateway.listen import Address, listen_addresses
from chargehub.devices.gateway.listener import GatewayListener
from chargehub.devices.gateway.mqtt import MqttTransport
from chargehub.devices.gateway.registry import ConnectionRegistry
from chargehub.mqtt.broker import BrokerAddress

log = logging.getLogger("chargehub.devices.gateway")

#: Seconds :meth:`Gateway.stop` waits for connections to finish their cleanup.
STOP_GRACE = 5.0
#: Idle connections are closed after this many silent heartbeat intervals (default).
MISSED_HEARTBEATS = 3.0


class Gateway:
    """Holds device connections and serves the command bus for them.

    :param protocols: the enabled :class:`DeviceProtocol` instances (identifiers must be unique).
    :param node: this process's :class:`GatewayNode` (not started; :meth:`start` starts it).
    :param listen: ``{identifier: (host, port)}``; protocols not named listen on
        ``0.0.0.0:<default_port>``. Port ``0`` binds an ephemeral port (see :attr:`addresses`).
    :param listener: authorizes logins, receives connection changes and device events (default:
        accepts every login and logs).
    :param missed_heartbeats: a connection silent for this many heartbeat intervals of its protocol
        is closed as ``"idle timeout"`` (``CHARGEHUB_GATEWAY_MISSED_HEARTBEATS``).
    :param mqtt_address: the broker of the MQTT protocols (``None``: they stay unavailable, logged).
    :param mqtt_shared_group: shared-subscription group of the gateway nodes, ``None`` for plain
        subscriptions (a single node, or a broker without shared subscriptions).

    Run it with :meth:`serve_forever` (stops on SIGTERM/SIGINT) or :meth:`start` / :meth:`stop`.
    """

    def __init__(self, protocols: Iterable[DeviceProtocol], node: GatewayNode,
                 listen: Mapping[str, Address] | None = None, *, listener: GatewayListener | None = None,
                 missed_heartbeats: float = MISSED_HEARTBEATS, mqtt_address: BrokerAddress | None = None,
                 mqtt_shared_group: str | None = None) -> None:
        self.protocols = list(protocols)
        identifiers = [p.identifier for p in self.protocols]
        if len(set(identifiers)) != len(identifiers):
            raise ValueError(f"duplicate protocol identifiers: {identifiers}")
        self.node = node
        self.tcp_protocols = [p for p in self.protocols if p.transport == "tcp"]
        self.mqtt_protocols = [p for p in self.protocols if p.transport == "mqtt"]
        self.listen = listen_addresses(self.tcp_protocols, dict(listen or {}))
        self.mqtt_address = mqtt_address
        self.mqtt_shared_group = mqtt_shared_group
        #: The broker client, once :meth:`start` connected the MQTT protocols.
        self.mqtt: MqttTransport | None = None
        self.listener = listener or GatewayListener()
        self.registry = ConnectionRegistry()
        #: Bound ``(host, port)`` per protocol identifier, filled by :meth:`start`.
        self.addresses: dict[str, Address] = {}
        self.missed_heartbeats = float(missed_heartbeats)
        self._servers: list[asyncio.Server] = []
        self._connections: set[DeviceConnection] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stop_requested: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Start the bus node and bind every listener; publish the bound addresses."""
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        await asyncio.to_thread(self.node.start, self._loop)
        try:
            for protocol in self.tcp_protocols:
                host, port = self.listen[protocol.identifier]
                server = await self._loop.create_server(
                    lambda protocol=protocol: DeviceConnection(self, protocol), host, port, backlog=4096)
                self._servers.append(server)
                bound = server.sockets[0].getsockname()
                self.addresses[protocol.identifier] = (bound[0], bound[1])
                log.info("protocol %s listening on %s:%s", protocol.identifier, bound[0], bound[1])
            listeners = {ident: f"{host}:{port}" for ident, (host, port) in self.addresses.items()}
            listeners.update(await self._start_mqtt())
            await asyncio.to_thread(self.node.update_state, listeners=listeners)
            self._sweeper = self._loop.create_task(self._sweep_idle())
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop accepting, leave the bus (pending senders get OFFLINE) and close every connection."""
        for server in self._servers:
            server.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
        await asyncio.to_thread(self.node.stop)
        connections = list(self._connections)
        for connection in connections:
            connection.close("gateway stopping")
        if connections:
            await asyncio.wait([c.closed for c in connections], timeout=STOP_GRACE)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=STOP_GRACE)
        if self.mqtt is not None:
            await self.mqtt.stop()
        await self.notify("stop")
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        log.info("gateway node %s stopped", self.node.node_id)

    async def _start_mqtt(self) -> dict[str, str]:
        """Connect the MQTT protocols to the broker; return their entries for the node's listeners."""
        if not self.mqtt_protocols:
            return {}
        names = ", ".join(p.identifier for p in self.mqtt_protocols)
        if self.mqtt_address is None:
            log.error("no MQTT broker configured (CHARGEHUB_MQTT_URL): protocols %s are unavailable", names)
            return {}
        self.mqtt = MqttTransport(self, self.mqtt_protocols, self.mqtt_address,
                                  client_id=f"chargehub-gateway-{self.node.node_id}",
                                  shared_group=self.mqtt_shared_group)
        await self.mqtt.start()
        log.info("protocols %s served through MQTT broker %s", names, self.mqtt_address.url())
        return {p.identifier: self.mqtt_address.url() for p in self.mqtt_protocols}

    def request_stop(self) -> None:
        """Ask :meth:`serve_forever` to stop; safe from any thread and from signal handlers."""
        if self._loop is not None and self._stop_requested is not None:
            self._loop.call_soon_threadsafe(self._stop_requested.set)

    async def serve_forever(self, *, handle_signals: bool = True) -> None:
        """Start, run until :meth:`request_stop` (or SIGTERM/SIGINT), then stop cleanly."""
        await self.start()
        await self.run_until_stopped(handle_signals=handle_signals)

    async def run_until_stopped(self, *, handle_signals: bool = False) -> None:
        """After :meth:`start`: wait for :meth:`request_stop` (or SIGTERM/SIGINT), then :meth:`stop`.

        Signal handlers can only be installed in the main thread's loop.
        """
        assert self._loop is not None and self._stop_requested is not None, "start() first"
        signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
        for sig in signals:
            self._loop.add_signal_handler(sig, self._stop_requested.set)
        try:
            await self._stop_requested.wait()
        finally:
            for sig in signals:
                self._loop.remove_signal_handler(sig)
            await self.stop()

    async def notify(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Call ``listener.<method>``; log and swallow its errors."""
        try:
            await getattr(self.listener, method)(*args, **kwargs)
        except Exception:  # noqa: BLE001 - listeners must never break a connection
            log.exception("gateway listener %s failed", method)

    async def authorize(self, protocol: str, request: LoginRequest, peer: str) -> LoginDecision:
        """Ask the listener about a login; a failing listener refuses it (the device logs in again)."""
        try:
            return await self.listener.authorize(protocol, request, peer)
        except Exception:  # noqa: BLE001
            log.exception("could not authorize %s via %s", request.device_id, protocol)
            return LoginDecision.refuse(request.device_id, "平台暂不可用 (platform unavailable)")

    def submit(self, events: list[DeviceEvent]) -> Awaitable[None] | None:
        """Hand events to the listener; see :meth:`GatewayListener.submit`."""
        try:
            return self.listener.submit(events)
        except Exception as exc:  # noqa: BLE001
            log.exception("gateway listener submit failed")
            failed = asyncio.get_running_loop().create_future()
            failed.set_exception(exc)
            return failed

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run ``coroutine`` as a task the gateway waits for when stopping."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def idle_timeout(self, protocol: DeviceProtocol) -> float | None:
        """Seconds of silence after which a connection of ``protocol`` is closed (``None``: never)."""
        interval = float(protocol.heartbeat_interval or 0)
        return interval * self.missed_heartbeats if interval > 0 else None

    def connection_opened(self, connection: DeviceConnection) -> None:
        """Called by a connection once its session exists."""
        self._connections.add(connection)

    def connection_closed(self, connection: DeviceConnection) -> None:
        """Called by a connection after its cleanup."""
        self._connections.discard(connection)

    @property
    def connection_count(self) -> int:
        """Open connections, identified or not."""
        return len(self._connections)

    async def _sweep_idle(self) -> None:
        """Close connections that stayed silent longer than their idle timeout (one pass per second)."""
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for connection in list(self._connections):
                timeout = connection.idle_timeout
                if timeout is not None and now - connection.last_received > timeout:
                    connection.close("idle timeout")
