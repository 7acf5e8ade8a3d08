"""The gateway: one asyncio TCP listener per device protocol, the connections, and the bus node."""
from __future__ import annotations

import asyncio
import functools
import logging
import signal
from typing import Any, Iterable, Mapping

from chargehub.contracts.devices import DeviceProtocol
from chargehub.devices.bus.base import GatewayNode
from chargehub.devices.gateway.connection import DeviceConnection
from chargehub.devices.gateway.listen import Address, listen_addresses
from chargehub.devices.gateway.listener import GatewayListener
from chargehub.devices.gateway.registry import ConnectionRegistry

log = logging.getLogger("chargehub.devices.gateway")

#: Seconds :meth:`Gateway.stop` waits for connections to finish their cleanup.
STOP_GRACE = 5.0


class Gateway:
    """Holds device connections and serves the command bus for them.

    :param protocols: the enabled :class:`DeviceProtocol` instances (identifiers must be unique).
    :param node: this process's :class:`GatewayNode` (not started; :meth:`start` starts it).
    :param listen: ``{identifier: (host, port)}``; protocols not named listen on
        ``0.0.0.0:<default_port>``. Port ``0`` binds an ephemeral port (see :attr:`addresses`).
    :param listener: receives connection changes and device events (default: logs them).

    Run it with :meth:`serve_forever` (stops on SIGTERM/SIGINT) or :meth:`start` / :meth:`stop`.
    """

    def __init__(self, protocols: Iterable[DeviceProtocol], node: GatewayNode,
                 listen: Mapping[str, Address] | None = None, *, listener: GatewayListener | None = None) -> None:
        self.protocols = list(protocols)
        identifiers = [p.identifier for p in self.protocols]
        if len(set(identifiers)) != len(identifiers):
            raise ValueError(f"duplicate protocol identifiers: {identifiers}")
        self.node = node
        self.listen = listen_addresses(self.protocols, dict(listen or {}))
        self.listener = listener or GatewayListener()
        self.registry = ConnectionRegistry()
        #: Bound ``(host, port)`` per protocol identifier, filled by :meth:`start`.
        self.addresses: dict[str, Address] = {}
        self._servers: list[asyncio.Server] = []
        self._connections: set[DeviceConnection] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stop_requested: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Start the bus node and bind every listener; publish the bound addresses."""
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        await asyncio.to_thread(self.node.start, self._loop)
        try:
            for protocol in self.protocols:
                host, port = self.listen[protocol.identifier]
                server = await asyncio.start_server(functools.partial(self._accept, protocol), host, port)
                self._servers.append(server)
                bound = server.sockets[0].getsockname()
                self.addresses[protocol.identifier] = (bound[0], bound[1])
                log.info("protocol %s listening on %s:%s", protocol.identifier, bound[0], bound[1])
            listeners = {ident: f"{host}:{port}" for ident, (host, port) in self.addresses.items()}
            await asyncio.to_thread(self.node.update_state, listeners=listeners)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop accepting, leave the bus (pending senders get OFFLINE) and close every connection."""
        for server in self._servers:
            server.close()
        await asyncio.to_thread(self.node.stop)
        for connection in list(self._connections):
            connection.close("gateway stopping")
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=STOP_GRACE)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        log.info("gateway node %s stopped", self.node.node_id)

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

    async def _accept(self, protocol: DeviceProtocol, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        try:
            connection = DeviceConnection(self, protocol, reader, writer)
        except Exception:  # noqa: BLE001 - e.g. create_session failing
            log.exception("protocol %s could not create a session", protocol.identifier)
            writer.close()
            return
        self._connections.add(connection)
        if task is not None:
            self._tasks.add(task)
        try:
            await connection.run()
        finally:
            self._connections.discard(connection)
            if task is not None:
                self._tasks.discard(task)
