"""A tiny line-based device protocol, registered as the ``lineproto`` plugin in the device tests.

Device → gateway (one ASCII line each, ``\\n`` terminated):

``HELLO <device_id>``       log in (reply ``WELCOME``, or ``GO AWAY`` and close when refused; event ``login``)
``PING``                    heartbeat (reply ``PONG``; event ``heartbeat``)
``ACK <corr>``              command accepted
``NAK <corr> <reason...>``  command rejected
``EVT <type> <json>``       a device event with a JSON object as data
``BYE``                     the device asks the gateway to close the connection

Gateway → device: ``CMD <corr> <name> <json params>``.
"""
from __future__ import annotations

import json

from chargehub import PluginLevel, PluginMeta, hookimpl
from chargehub.contracts.devices import (
    CommandNotSupported,
    CommandResult,
    DeviceCommand,
    DeviceEvent,
    DeviceProtocol,
    DeviceSession,
    LoginDecision,
    LoginRequest,
    ProtocolError,
    SessionOutput,
)

META = PluginMeta(name="lineproto", verbose_name="Line protocol (tests)", version="1.0", category="protocol",
                  level=PluginLevel.PLATFORM)

SUPPORTED_COMMANDS = frozenset({"start", "stop", "reboot"})
MAX_LINE = 1024


class LineSession(DeviceSession):
    """Session of the line protocol: buffers partial lines between reads."""

    def __init__(self, peer: str) -> None:
        super().__init__(peer)
        self._buffer = bytearray()

    def receive(self, data: bytes) -> SessionOutput:
        self._buffer += data
        return self._decode(SessionOutput())

    def login_decided(self, decision: LoginDecision) -> SessionOutput:
        if not decision.accepted:
            return SessionOutput(replies=[b"GO AWAY\n"], close=True)
        self.device_id = decision.device_id
        out = SessionOutput(replies=[b"WELCOME\n"], device_id=decision.device_id,
                            events=[DeviceEvent(decision.device_id, "login", {"peer": self.peer})])
        return self._decode(out)

    def _decode(self, out: SessionOutput) -> SessionOutput:
        while out.login is None and (end := self._buffer.find(b"\n")) >= 0:
            line = bytes(self._buffer[:end]).rstrip(b"\r")
            del self._buffer[:end + 1]
            if len(line) > MAX_LINE:
                out.errors.append(ProtocolError("line too long", frame=line))
            elif line:
                self._line(line, out)
        if out.login is None and len(self._buffer) > MAX_LINE:
            out.errors.append(ProtocolError("line too long", frame=bytes(self._buffer)))
            self._buffer.clear()
        return out

    def _line(self, line: bytes, out: SessionOutput) -> None:
        try:
            text = line.decode("ascii")
        except UnicodeDecodeError:
            out.errors.append(ProtocolError("not ASCII", frame=line))
            return
        verb, _, rest = text.partition(" ")
        if verb == "HELLO":
            if not rest or " " in rest:
                out.errors.append(ProtocolError("HELLO needs one device id", frame=line))
                return
            out.login = LoginRequest(rest, {"peer": self.peer})
        elif self.device_id is None:
            out.errors.append(ProtocolError("device has not identified itself", frame=line))
        elif verb == "PING":
            out.replies.append(b"PONG\n")
            out.events.append(DeviceEvent(self.device_id, "heartbeat"))
        elif verb == "ACK" and rest:
            out.command_results.append((rest.strip(), CommandResult.accepted()))
        elif verb == "NAK" and rest:
            correlation_id, _, reason = rest.partition(" ")
            out.command_results.append((correlation_id, CommandResult.rejected(reason or "rejected by device")))
        elif verb == "EVT" and rest:
            event_type, _, payload = rest.partition(" ")
            try:
                data = json.loads(payload or "{}")
            except ValueError:
                data = None
            if not isinstance(data, dict):
                out.errors.append(ProtocolError("EVT data is not a JSON object", frame=line))
                return
            out.events.append(DeviceEvent(self.device_id, event_type, data))
        elif verb == "BYE":
            out.close = True
        else:
            out.errors.append(ProtocolError("unknown line", frame=line))

    def encode_command(self, command: DeviceCommand) -> bytes:
        if command.name not in SUPPORTED_COMMANDS:
            raise CommandNotSupported(f"lineproto cannot send {command.name!r}")
        params = json.dumps(dict(command.params), separators=(",", ":"))
        return f"CMD {command.correlation_id} {command.name} {params}\n".encode("ascii")


class LineProtocol(DeviceProtocol):
    """The line protocol (tests only)."""

    identifier = "lineproto"
    verbose_name = "Line protocol (tests)"
    default_port = 18767
    heartbeat_interval = 30.0

    def create_session(self, peer: str) -> LineSession:
        return LineSession(peer)


@hookimpl
def register_device_protocols() -> list[type[DeviceProtocol]]:
    return [LineProtocol]
