"""One device connection: feeds bytes to its :class:`DeviceSession` and runs commands on it."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from chargehub.contracts.devices import (
    CommandNotSupported,
    CommandResult,
    DeviceCommand,
    DeviceProtocol,
    SessionOutput,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chargehub.devices.gateway.server import Gateway

log = logging.getLogger("chargehub.devices.gateway")

READ_SIZE = 65536
#: Idle connections are closed after this many silent heartbeat intervals.
MISSED_HEARTBEATS = 3
#: Bytes of a bad frame written to the log.
LOGGED_FRAME_BYTES = 256


def frame_hex(frame: bytes) -> str:
    """``frame`` in hex for the log, cut after :data:`LOGGED_FRAME_BYTES`."""
    if len(frame) <= LOGGED_FRAME_BYTES:
        return frame.hex()
    return f"{frame[:LOGGED_FRAME_BYTES].hex()}...(+{len(frame) - LOGGED_FRAME_BYTES} bytes)"


class DeviceConnection:
    """A TCP connection of one device, owned by :class:`~chargehub.devices.gateway.server.Gateway`.

    ``executor`` is the bound :meth:`execute` stored once, so that the bus can compare registrations
    by identity.
    """

    def __init__(self, gateway: "Gateway", protocol: DeviceProtocol,
                 reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.gateway = gateway
        self.protocol = protocol
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.peer = f"{peer[0]}:{peer[1]}"
        self.session = protocol.create_session(self.peer)
        self.device_id: str | None = None
        self.executor = self.execute
        self.close_reason = "closed by device"
        self._pending: dict[str, asyncio.Future[CommandResult]] = {}
        self._closing = False

    # -- commands (the bus executor) ---------------------------------------------------------------

    async def execute(self, command: DeviceCommand) -> CommandResult:
        """Encode ``command``, write it and wait for the device's reply (the bus enforces the timeout)."""
        if self._closing:
            return CommandResult.offline("connection closed")
        try:
            frame = self.session.encode_command(command)
        except CommandNotSupported as exc:
            return CommandResult.rejected(str(exc) or f"command {command.name!r} is not supported")
        future: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
        self._pending[command.correlation_id] = future
        try:
            self.writer.write(frame)
            await self.writer.drain()
            return await future
        except ConnectionError:
            return CommandResult.offline("connection lost while sending")
        finally:
            self._pending.pop(command.correlation_id, None)

    def close(self, reason: str = "closed by gateway") -> None:
        """Close the socket (idempotent); :meth:`run` then finishes and cleans up."""
        if not self._closing:
            self._closing = True
            self.close_reason = reason
            self.writer.close()

    def replaced(self) -> None:
        """The bus's ``on_replaced`` callback: a newer connection of this device took over."""
        self.close("replaced")

    # -- the read loop -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Read until the device or the gateway closes the connection, then unregister."""
        interval = float(self.protocol.heartbeat_interval or 0)
        idle_timeout = interval * MISSED_HEARTBEATS if interval > 0 else None
        try:
            while not self._closing:
                try:
                    data = await asyncio.wait_for(self.reader.read(READ_SIZE), idle_timeout)
                except (TimeoutError, asyncio.TimeoutError):
                    self.close("idle timeout")
                    break
                if not data:
                    break
                if not await self._feed(data):
                    break
        except ConnectionError as exc:
            self.close_reason = f"connection error: {exc}"
        finally:
            await self._cleanup()

    async def _feed(self, data: bytes) -> bool:
        """Handle one read; return ``False`` when the connection must end."""
        try:
            out = self.session.receive(data)
        except Exception:  # noqa: BLE001 - a broken session must not take the gateway down
            log.exception("protocol %s: session of %s (%s) failed on %s; closing", self.protocol.identifier,
                          self.device_id or "unidentified device", self.peer, frame_hex(data))
            self.close("protocol failure")
            return False
        device = self.device_id or out.device_id or "unidentified device"
        for error in out.errors:
            log.warning("protocol %s: bad frame from %s (%s): %s; frame=%s", self.protocol.identifier,
                        device, self.peer, error, frame_hex(error.frame))
        if out.device_id:
            # Registered before the login reply goes out, so the device is commandable once it hears it.
            await self._identify(out.device_id)
        for reply in out.replies:
            self.writer.write(reply)
        if out.replies:
            await self.writer.drain()
        self._resolve(out)
        for event in out.events:
            await self.gateway.notify("on_event", event)
        if out.close:
            self.close("closed by protocol")
            return False
        return True

    async def _identify(self, device_id: str) -> None:
        if self.device_id == device_id:
            return
        if self.device_id is not None:
            log.warning("connection %s of device %s claimed to be %s; ignored", self.peer, self.device_id, device_id)
            return
        self.device_id = device_id
        previous = self.gateway.registry.bind(device_id, self)
        if previous is not None:
            previous.close("replaced")
        await asyncio.to_thread(self.gateway.node.register_device, device_id, self.executor,
                                on_replaced=self.replaced)
        await self.gateway.notify("on_connected", device_id, self.protocol.identifier, self.peer)

    def _resolve(self, out: SessionOutput) -> None:
        for correlation_id, result in out.command_results:
            future = self._pending.get(correlation_id)
            if future is None or future.done():
                log.info("reply %s from %s matches no waiting command", correlation_id, self.device_id)
                continue
            future.set_result(result)

    async def _cleanup(self) -> None:
        self._closing = True
        self.writer.close()
        for future in self._pending.values():
            if not future.done():
                future.set_result(CommandResult.offline("connection closed"))
        if self.device_id is None:
            return
        self.gateway.registry.release(self.device_id, self)
        try:
            await asyncio.to_thread(self.gateway.node.unregister_device, self.device_id, self.executor)
        except Exception:  # noqa: BLE001 - the bus being unreachable must not stop the cleanup
            log.exception("could not unregister device %s from the command bus", self.device_id)
        await self.gateway.notify("on_disconnected", self.device_id, self.protocol.identifier, self.peer,
                                  reason=self.close_reason, replaced=self.close_reason == "replaced")
