"""One device connection: an :class:`asyncio.Protocol` that feeds bytes to its :class:`DeviceSession`.

The common path (heartbeats, telemetry) is handled synchronously in :meth:`data_received`: decode,
write the replies, hand the events to the listener. Output that needs the database first — a login
to authorize, durable events to commit before their acknowledgement — is finished by a task while the
connection's further input waits in order (reading is paused), so frames are never reordered.

Liveness is not a timer per connection: :class:`~chargehub.devices.gateway.server.Gateway` sweeps its
connections and closes those silent for longer than their idle timeout.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Awaitable

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

#: Bytes of a bad frame written to the log.
LOGGED_FRAME_BYTES = 256


def frame_hex(frame: bytes) -> str:
    """``frame`` in hex for the log, cut after :data:`LOGGED_FRAME_BYTES`."""
    if len(frame) <= LOGGED_FRAME_BYTES:
        return frame.hex()
    return f"{frame[:LOGGED_FRAME_BYTES].hex()}...(+{len(frame) - LOGGED_FRAME_BYTES} bytes)"


class DeviceConnection(asyncio.Protocol):
    """A TCP connection of one device, owned by :class:`~chargehub.devices.gateway.server.Gateway`.

    ``executor`` is the bound :meth:`execute` stored once, so that the bus can compare registrations
    by identity. ``last_received`` (monotonic seconds) drives the gateway's idle sweep.
    """

    def __init__(self, gateway: "Gateway", protocol: DeviceProtocol) -> None:
        self.gateway = gateway
        self.protocol = protocol
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.session = None
        self.device_id: str | None = None
        self.executor = self.execute
        self.close_reason = "closed by device"
        self.last_received = time.monotonic()
        self.idle_timeout = gateway.idle_timeout(protocol)
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending: dict[str, asyncio.Future[CommandResult]] = {}
        self._backlog: deque[bytes] = deque()
        self._busy = False
        self._closing = False
        self._cleaned = False

    # -- asyncio.Protocol --------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername") or ("?", 0)
        self.peer = f"{peer[0]}:{peer[1]}"
        try:
            self.session = self.protocol.create_session(self.peer)
        except Exception:  # noqa: BLE001 - a broken plugin must not take the gateway down
            log.exception("protocol %s could not create a session", self.protocol.identifier)
            self.close("protocol failure")
            return
        self.gateway.connection_opened(self)

    def data_received(self, data: bytes) -> None:
        self.last_received = time.monotonic()
        if self._closing:
            return
        if self._busy:
            self._backlog.append(data)
            return
        self._handle(data)

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and not self._closing:
            self.close_reason = f"connection error: {exc}"
        self._closing = True
        for future in self._pending.values():
            if not future.done():
                future.set_result(CommandResult.offline("connection closed"))
        self.transport = None  # break the transport <-> protocol cycle: freed by refcount, not the collector
        self.gateway.spawn(self._cleanup())

    # -- input -------------------------------------------------------------------------------------

    def _handle(self, data: bytes) -> None:
        """Decode one read; finish synchronously or hand the rest to a task (input then waits)."""
        out = self._receive(data)
        if out is None:
            return
        if _needs_task(out):
            self._busy = True
            self.transport.pause_reading()
            self.gateway.spawn(self._finish(out))
            return
        self._apply(out)

    def _receive(self, data: bytes) -> SessionOutput | None:
        """``session.receive(data)``; a session that raises closes the connection (``None``)."""
        try:
            return self.session.receive(data)
        except Exception:  # noqa: BLE001 - a broken session must not take the gateway down
            log.exception("protocol %s: session of %s (%s) failed on %s; closing", self.protocol.identifier,
                          self.device_id or "unidentified device", self.peer, frame_hex(data))
            self.close("protocol failure")
            return None

    def _apply(self, out: SessionOutput) -> Awaitable[None] | None:
        """Log errors, write replies, submit events, resolve results; return the durable-store waiter."""
        device = self.device_id or out.device_id or "unidentified device"
        for error in out.errors:
            log.warning("protocol %s: bad frame from %s (%s): %s; frame=%s", self.protocol.identifier,
                        device, self.peer, error, frame_hex(error.frame))
        self._write(out.replies)
        waiter = self.gateway.submit(out.events) if out.events else None
        if waiter is None or not _has_durable(out):  # nothing to wait for before acknowledging
            self._write(out.acks)
            self._resolve(out)
            waiter = None
        if out.close and waiter is None:
            self.close(out.close_reason or "closed by protocol")
        return waiter

    async def _finish(self, out: SessionOutput) -> None:
        """The slow path: authorize a login, bind the device, wait for durable events; then go on."""
        try:
            while out is not None and not self._closing:
                if out.login is not None:
                    self._apply(SessionOutput(errors=out.errors, replies=out.replies, events=out.events,
                                              command_results=out.command_results))
                    out = await self._login(out)
                    continue
                if out.device_id:
                    # Registered before the login reply goes out, so the device is commandable once it hears it.
                    await self._identify(out.device_id)
                waiter = self._apply(out)
                if waiter is not None:
                    try:
                        await waiter
                    except Exception:  # noqa: BLE001 - not stored: not acknowledged, the device resends
                        log.exception("events of %s could not be stored; not acknowledged", self.device_id)
                    else:
                        self._write(out.acks)
                    self._resolve(out)
                    if out.close:
                        self.close(out.close_reason or "closed by protocol")
                out = self._next_output()
        except Exception:  # noqa: BLE001
            log.exception("connection %s (%s) failed; closing", self.device_id, self.peer)
            self.close("gateway failure")
        finally:
            self._busy = False
        if not self._closing and self.transport is not None:
            self.transport.resume_reading()

    def _next_output(self) -> SessionOutput | None:
        """Decode the next buffered read; ``None`` when the backlog is empty or it finished synchronously."""
        while self._backlog and not self._closing:
            out = self._receive(self._backlog.popleft())
            if out is None:
                return None
            if _needs_task(out):
                return out
            self._apply(out)
        return None

    async def _login(self, out: SessionOutput) -> SessionOutput:
        request = out.login
        decision = await self.gateway.authorize(self.protocol.identifier, request, self.peer)
        if not decision.accepted:
            log.warning("protocol %s: login of %s from %s refused: %s", self.protocol.identifier,
                        request.device_id, self.peer, decision.reason)
        return self.session.login_decided(decision)

    def _write(self, frames: list[bytes]) -> None:
        if frames and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(frames))

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

    # -- commands (the bus executor) ---------------------------------------------------------------

    async def execute(self, command: DeviceCommand) -> CommandResult:
        """Encode ``command``, write it and wait for the device's reply (the bus enforces the timeout)."""
        if self._closing or self.transport is None:
            return CommandResult.offline("connection closed")
        try:
            frame = self.session.encode_command(command)
            expects_reply = self.session.reply_expected(command)
        except CommandNotSupported as exc:
            return CommandResult.rejected(str(exc) or f"command {command.name!r} is not supported")
        if not expects_reply:
            self._write([frame])
            return CommandResult.accepted()
        future: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
        self._pending[command.correlation_id] = future
        try:
            self._write([frame])
            return await future
        finally:
            self._pending.pop(command.correlation_id, None)

    # -- closing -----------------------------------------------------------------------------------

    def close(self, reason: str = "closed by gateway") -> None:
        """Close the socket (idempotent); cleanup follows in :meth:`connection_lost`."""
        if not self._closing:
            self._closing = True
            self.close_reason = reason
            if self.transport is not None:
                self.transport.close()

    def replaced(self) -> None:
        """The bus's ``on_replaced`` callback: a newer connection of this device took over."""
        self.close("replaced")

    async def _cleanup(self) -> None:
        if self._cleaned:
            return
        self._cleaned = True
        try:
            await self._release()
        finally:
            self.gateway.connection_closed(self)
            if not self.closed.done():
                self.closed.set_result(None)
            self.executor = None  # the bound method refers to self: drop the cycle (see connection_lost)

    async def _release(self) -> None:
        """Forget the device here and on the bus, and tell the listener it disconnected."""
        if self.device_id is None:
            return
        self.gateway.registry.release(self.device_id, self)
        try:
            await asyncio.to_thread(self.gateway.node.unregister_device, self.device_id, self.executor)
        except Exception:  # noqa: BLE001 - the bus being unreachable must not stop the cleanup
            log.exception("could not unregister device %s from the command bus", self.device_id)
        await self.gateway.notify("on_disconnected", self.device_id, self.protocol.identifier, self.peer,
                                  reason=self.close_reason, replaced=self.close_reason == "replaced")


def _needs_task(out: SessionOutput) -> bool:
    """Output that must wait for core: a login to decide, a device to bind, durable events to store."""
    return out.login is not None or bool(out.device_id) or _has_durable(out)


def _has_durable(out: SessionOutput) -> bool:
    return any(event.durable for event in out.events)


__all__ = ["DeviceConnection", "frame_hex"]
