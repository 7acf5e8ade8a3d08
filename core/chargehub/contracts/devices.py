"""Device protocols: what a protocol plugin implements, and the values it exchanges with core.

A protocol plugin returns :class:`DeviceProtocol` subclasses from ``register_device_protocols``. The
gateway (``chargehub gateway``) owns every socket: it opens one TCP listener per enabled protocol,
creates one :class:`DeviceSession` per accepted connection and then only moves bytes::

    bytes from the device ──► session.receive(data) ──► SessionOutput
                                                         ├─ replies          written back to the device
                                                         ├─ device_id        the connection is bound to it
                                                         ├─ events           handed to core (DB, listeners)
                                                         ├─ command_results  wake up waiting senders
                                                         └─ errors           logged with the frame in hex

    bus.send(DeviceCommand) ──► gateway ──► session.encode_command(cmd) ──► bytes to the device

Sessions are **pure with respect to IO**: they never read, write, sleep or touch the database, so a
protocol can be unit-tested and fuzzed by feeding bytes. Everything here is a plain value; no ORM
object or Flask state ever crosses this boundary.

Login (the device claims an id; core decides)::

    receive(login frame) ──► SessionOutput(login=LoginRequest(device_id, data))
    gateway ──► listener.authorize(protocol, request, peer) ──► LoginDecision(accepted, reason, settings)
    gateway ──► session.login_decided(decision) ──► SessionOutput(device_id=…, replies=[login reply, …])

After a refused login the session returns ``close=True``. A session stops decoding at a login frame
and decodes the rest of its buffer in :meth:`DeviceSession.login_decided`, so frames keep their order.

Durable events (commit before acknowledge): an event with ``durable=True`` changes state that must not
be lost (start accepted, stop, transaction record). The gateway writes :attr:`SessionOutput.acks` and
hands over :attr:`SessionOutput.command_results` only after core has stored every durable event of that
output; if storing fails nothing is acknowledged and the device sends again. Everything else (heartbeats,
telemetry) is applied in batches, in per-device order.

A minimal protocol (newline-terminated text) looks like this::

    class LineSession(DeviceSession):
        def receive(self, data):
            out = SessionOutput()
            for line in self.split_lines(data):          # your own framing, keeping partial input
                if line.startswith(b"HELLO "):
                    out.login = LoginRequest(line[6:].decode())
                    break                                 # the rest waits for login_decided()
                elif line.startswith(b"ACK "):
                    out.command_results.append((line[4:].decode(), CommandResult.accepted()))
                else:
                    out.errors.append(ProtocolError("unknown line", frame=line))
            return out

        def login_decided(self, decision):
            out = SessionOutput(replies=[b"WELCOME\\n" if decision.accepted else b"GO AWAY\\n"])
            if decision.accepted:
                self.device_id = out.device_id = decision.device_id
            else:
                out.close = True
            return out

        def encode_command(self, command):
            if command.name not in ("start", "stop"):
                raise CommandNotSupported(f"{command.name} is not supported")
            return f"CMD {command.correlation_id} {command.name}\\n".encode()

    class LineProtocol(DeviceProtocol):
        identifier = "lineproto"
        verbose_name = "Line protocol"
        default_port = 9000
        heartbeat_interval = 30.0

        def create_session(self, peer):
            return LineSession(peer)

The normalized event types core understands, and their ``data``, are listed in
``docs/devices/protocol_plugins.md`` (the integrator's guide); :data:`EVENT_TYPES` names them.
"""
from __future__ import annotations

import enum
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar, Mapping

from chargehub.contracts.base import Provider

__all__ = [
    "CommandStatus",
    "DeviceCommand",
    "CommandResult",
    "DeviceEvent",
    "SessionOutput",
    "ProtocolError",
    "CommandNotSupported",
    "DeviceSession",
    "DeviceProtocol",
    "LoginRequest",
    "LoginDecision",
    "EVENT_TYPES",
]

#: Normalized device event types (see ``docs/devices/protocol_plugins.md`` for each one's ``data``).
EVENT_TYPES = frozenset({
    "login", "heartbeat", "status", "start_result", "stop_result", "transaction_record", "card_start_request",
    "tariff_applied", "lock_status", "bms", "fault", "clock", "command_reply",
})


class CommandStatus(enum.StrEnum):
    """How a device command ended, as seen by the sender.

    ``ACCEPTED``  the device confirmed the command.
    ``REJECTED``  the device refused it, or its protocol cannot express it (``reason`` says which).
    ``TIMEOUT``   the device is connected but did not answer in time; it may still act on it.
    ``OFFLINE``   no gateway holds a connection to the device; the command was never sent.
    """

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    TIMEOUT = "timeout"
    OFFLINE = "offline"


def _new_correlation_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class DeviceCommand:
    """A command for one device, in core's words (the protocol turns it into bytes).

    :param device_id: the id the device identified itself with (pile serial, charger number...).
    :param name: what to do, e.g. ``"start"``, ``"stop"``, ``"set_tariff"``, ``"sync_clock"``,
        ``"reboot"``. Each protocol documents the names and ``params`` it supports and raises
        :class:`CommandNotSupported` for the others.
    :param params: JSON-serialisable arguments (numbers as strings where precision matters, e.g.
        money as ``"12.50"``).
    :param correlation_id: matches the device's reply to this command; generated when omitted.
        Protocols that carry a sequence number map it to their own numbering inside the session.
    """

    device_id: str
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    correlation_id: str = field(default_factory=_new_correlation_id)
    #: The device's protocol identifier (``"bike_mqtt"``...). Needed for devices of message-broker
    #: protocols, which no gateway node holds a connection to: any node serving the protocol can
    #: command them. Optional for connection protocols (the bus finds the node holding the device).
    protocol: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form used on the command bus."""
        return {
            "device_id": self.device_id,
            "name": self.name,
            "params": dict(self.params),
            "correlation_id": self.correlation_id,
            "protocol": self.protocol,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DeviceCommand":
        """Inverse of :meth:`to_dict`; raises ``KeyError``/``TypeError`` on malformed input."""
        return cls(
            device_id=str(data["device_id"]),
            name=str(data["name"]),
            params=dict(data.get("params") or {}),
            correlation_id=str(data["correlation_id"]),
            protocol=str(data.get("protocol") or ""),
        )

    def to_json(self) -> str:
        """Serialise for the bus wire format."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> "DeviceCommand":
        """Parse :meth:`to_json` output."""
        return cls.from_dict(json.loads(raw))


@dataclass(frozen=True)
class CommandResult:
    """The outcome of a :class:`DeviceCommand`.

    :param status: a :class:`CommandStatus`.
    :param reason: why it was not accepted, in words an operator can read (``None`` when accepted).
    :param data: JSON-serialisable values the device returned with its answer (protocol specific).
    """

    status: CommandStatus
    reason: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """``True`` when the device accepted the command."""
        return self.status is CommandStatus.ACCEPTED

    @classmethod
    def accepted(cls, data: Mapping[str, Any] | None = None) -> "CommandResult":
        """The device confirmed the command."""
        return cls(CommandStatus.ACCEPTED, None, dict(data or {}))

    @classmethod
    def rejected(cls, reason: str, data: Mapping[str, Any] | None = None) -> "CommandResult":
        """The device (or its protocol) refused the command for ``reason``."""
        return cls(CommandStatus.REJECTED, reason, dict(data or {}))

    @classmethod
    def timeout(cls, reason: str = "no reply from the device in time") -> "CommandResult":
        """No answer before the deadline."""
        return cls(CommandStatus.TIMEOUT, reason)

    @classmethod
    def offline(cls, reason: str = "device is not connected") -> "CommandResult":
        """No gateway holds a connection to the device."""
        return cls(CommandStatus.OFFLINE, reason)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form used on the command bus."""
        return {"status": self.status.value, "reason": self.reason, "data": dict(self.data)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CommandResult":
        """Inverse of :meth:`to_dict`; raises ``ValueError``/``KeyError`` on malformed input."""
        return cls(CommandStatus(data["status"]), data.get("reason"), dict(data.get("data") or {}))

    def to_json(self) -> str:
        """Serialise for the bus wire format."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> "CommandResult":
        """Parse :meth:`to_json` output."""
        return cls.from_dict(json.loads(raw))


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class DeviceEvent:
    """Something a device reported, normalized by its protocol.

    :param device_id: the reporting device.
    :param type: what happened: ``"login"``, ``"heartbeat"``, ``"status"``, ``"meter_sample"``,
        ``"start_accepted"``, ``"start_rejected"``, ``"stop_accepted"``, ``"transaction_record"``,
        ``"card_start_request"``, ``"fault"``, ``"lock_status"``...
    :param data: JSON-serialisable details (money and energy as decimal strings, never floats).
    :param occurred_at: timezone-aware UTC time of the event (the device's own clock when the frame
        carries one, else the moment of decoding).
    """

    device_id: str
    type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=_utcnow)
    #: ``True`` for events that change state that must not be lost (start/stop results, transaction
    #: records): the gateway acknowledges them only after core has committed them.
    durable: bool = False


@dataclass(frozen=True)
class LoginRequest:
    """A device's claim to be ``device_id``, which core checks against its registered devices.

    :param device_id: the id from the login frame (a YKC pile code, a charger's serial...).
    :param data: what else the frame said (model, firmware, gun count...), JSON-serialisable; core
        stores it with the online record.
    """

    device_id: str
    data: Mapping[str, Any] = field(default_factory=dict)
    #: ``True`` when the device did not announce itself but is heard from on a session that does not
    #: know it yet (an MQTT device after a gateway restart, or heard by another gateway node): core
    #: checks it like a login but records no new 上线 unless the device was marked offline.
    resumed: bool = False


@dataclass(frozen=True)
class LoginDecision:
    """Core's answer to a :class:`LoginRequest`.

    :param device_id: the device the decision is about.
    :param accepted: ``False`` for unknown or disabled devices.
    :param reason: why it was refused, in words (logged and recorded), ``None`` when accepted.
    :param settings: what core knows that the protocol may push after login, JSON-serialisable:

        ``timezone``     the operator's zone for device clocks (``"Asia/Shanghai"``)
        ``gun_count``    connectors registered for the device
        ``billing``      ``{"rule_id", "version_id", "model_code", "ykc": {...}}`` or ``None`` (no rule);
                         ``ykc`` is :meth:`chargehub.contracts.billing.YkcTariff.to_dict` output
        ``qr_prefix``    URL the device shows as QR code, followed by its own id and connector number
        ``enabled``      ``False`` when the operator disabled the device (it may log in but not charge)
    """

    device_id: str
    accepted: bool
    reason: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def accept(cls, device_id: str, settings: Mapping[str, Any] | None = None) -> "LoginDecision":
        """An accepted login with ``settings``."""
        return cls(device_id, True, None, dict(settings or {}))

    @classmethod
    def refuse(cls, device_id: str, reason: str) -> "LoginDecision":
        """A refused login."""
        return cls(device_id, False, reason, {})


class ProtocolError(ValueError):
    """A frame the session could not understand.

    Sessions append these to :attr:`SessionOutput.errors` and carry on with the next frame; the gateway
    logs each one with the device id and ``frame`` in hex. Raising from :meth:`DeviceSession.receive`
    instead means the session's state is unusable: the gateway then closes the connection.

    :param message: what is wrong, for the log.
    :param frame: the offending bytes (as much as is known).
    """

    def __init__(self, message: str, *, frame: bytes = b"") -> None:
        super().__init__(message)
        self.frame = bytes(frame)


class CommandNotSupported(Exception):
    """Raised by :meth:`DeviceSession.encode_command` for a command the protocol cannot send.

    The gateway answers the sender with ``REJECTED`` and ``str(exc)`` as the reason, without writing
    anything to the device.
    """


@dataclass
class SessionOutput:
    """What one call of :meth:`DeviceSession.receive` produced. Every field may be empty.

    :param replies: frames to write back to the device at once, in order (heartbeat replies...).
    :param acks: frames written only after every ``durable`` event in ``events`` has been stored
        (transaction-record acknowledgements); dropped when storing fails.
    :param login: set when a login frame arrived: the gateway asks core and then calls
        :meth:`DeviceSession.login_decided`.
    :param device_id: set (by :meth:`DeviceSession.login_decided`) once core accepted the login; the
        gateway then binds the connection to that id, replacing any older connection of the device.
    :param events: normalized :class:`DeviceEvent` values, in the order the frames arrived.
    :param command_results: ``(correlation_id, CommandResult)`` pairs for replies to commands sent with
        :meth:`DeviceSession.encode_command`; unknown correlation ids are ignored.
    :param errors: frames that could not be understood (logged, never fatal).
    :param close: ``True`` asks the gateway to close the connection after writing ``replies``
        (e.g. a login the protocol refuses, or an MQTT device that announced it went offline).
    :param close_reason: why, in words recorded with the 下线 record (default "closed by protocol").
    """

    replies: list[bytes] = field(default_factory=list)
    acks: list[bytes] = field(default_factory=list)
    login: LoginRequest | None = None
    device_id: str | None = None
    events: list[DeviceEvent] = field(default_factory=list)
    command_results: list[tuple[str, CommandResult]] = field(default_factory=list)
    errors: list[ProtocolError] = field(default_factory=list)
    close: bool = False
    close_reason: str | None = None


class DeviceSession:
    """Protocol state of one device connection; created by :meth:`DeviceProtocol.create_session`.

    The gateway calls the methods below from a single asyncio task per connection, so a session needs
    no locking. It must not do IO: return what to write, never write it.

    Attributes available to subclasses:

    ``peer``       ``"host:port"`` of the remote end, for logs
    ``device_id``  ``None`` until the device identified itself; set it in :meth:`receive` (the gateway
                   also reads :attr:`SessionOutput.device_id`)
    """

    def __init__(self, peer: str) -> None:
        self.peer = peer
        self.device_id: str | None = None

    def receive(self, data: bytes) -> SessionOutput:
        """Consume bytes read from the socket and return what they mean.

        ``data`` is whatever one ``read()`` returned: it may hold part of a frame, exactly one frame,
        or several frames plus the start of the next. Keep incomplete input buffered in the session and
        complete it on the next call; never assume frame boundaries match reads.

        For each complete frame, append to the returned :class:`SessionOutput`: the replies to write,
        the normalized events, the ``(correlation_id, result)`` of answered commands, and a
        :class:`ProtocolError` for each frame that cannot be decoded (then resynchronise and continue).
        At a login frame set ``login`` on the output and stop: keep the rest of the input buffered
        until :meth:`login_decided`.

        :param data: the bytes just read (never empty; the gateway handles end of stream).
        :return: a :class:`SessionOutput`.
        """
        raise NotImplementedError

    def login_decided(self, decision: LoginDecision) -> SessionOutput:
        """Core's answer to the :class:`LoginRequest` this session returned.

        Accepted: set ``self.device_id`` and ``device_id`` on the output, reply to the login and push
        what the protocol pushes after login (clock, tariff...) from ``decision.settings``; then decode
        whatever input is still buffered, as :meth:`receive` would. Refused: reply with the protocol's
        refusal and set ``close``.

        MQTT protocols: the gateway may also call it with no request pending, to log in a device it has
        not heard from before sending it a command (a resumed login): log in silently, or close.
        """
        raise NotImplementedError

    def reply_expected(self, command: DeviceCommand) -> bool:
        """``False`` for commands the device never answers (the sender gets ACCEPTED once written)."""
        return True

    def encode_command(self, command: DeviceCommand) -> bytes:
        """Turn a core command into the frame to write to the device.

        The device's answer must later come back from :meth:`receive` as
        ``(command.correlation_id, CommandResult)``: if the protocol numbers its frames itself, record
        the mapping from its sequence number to ``command.correlation_id`` here.

        :param command: the :class:`DeviceCommand` to send; ``command.device_id`` is this session's.
        :return: the complete frame.
        :raises CommandNotSupported: when the protocol (or this device model) cannot express the
            command or its parameters; the message is shown to the sender as the reason.
        """
        raise NotImplementedError


class DeviceProtocol(Provider):
    """A device protocol (YunKuaiChong, a vendor's e-bike charger protocol...): a session factory.

    Instantiated once for the platform (protocol plugins are ``PLATFORM`` level) with the plugin's
    platform settings. Class attributes every subclass sets:

    ``identifier``          stable machine name, e.g. ``"ykc"``; used in ``CHARGEHUB_GATEWAY_LISTEN``
    ``verbose_name``        what operators read, e.g. ``"云快充"``
    ``default_port``        TCP port the gateway listens on when nothing else is configured
    ``heartbeat_interval``  seconds between the device's heartbeats; the gateway considers a connection
                            dead after about three silent intervals
    ``transport``           ``"tcp"`` (the gateway listens, one session per connection) or ``"mqtt"``
                            (the gateway holds one broker client, one session per device heard from)
    ``device_kind``         which registered devices log in: ``"pile"`` (充电桩) or ``"bike_device"``
                            (两轮车充电设备)

    **MQTT protocols** also implement the topic methods below. The gateway subscribes to
    :meth:`uplink_filters` through a shared subscription (several gateway nodes split the devices),
    to :meth:`reply_filters` on every node, finds the device of each message with
    :meth:`device_of_topic` and feeds the payload to that device's session, one whole message per
    :meth:`DeviceSession.receive` call. ``replies`` and ``acks`` go to :meth:`downlink_topic` (QoS 1),
    and so do encoded commands. A session must expect any message first (the device announced itself
    to another node, or before a gateway restart): it then returns a ``LoginRequest`` with
    ``resumed=True`` and handles the message after :meth:`DeviceSession.login_decided`.
    :meth:`device_acl` is what the broker lets a device do with its own credentials.
    """

    kind: ClassVar[str] = "device_protocols"
    transport: ClassVar[str] = "tcp"
    device_kind: ClassVar[str] = "pile"
    default_port: ClassVar[int] = 0
    heartbeat_interval: ClassVar[float] = 30.0

    def uplink_filters(self) -> list[str]:
        """MQTT: topic filters of what devices publish (read through a shared subscription)."""
        raise NotImplementedError

    def reply_filters(self) -> list[str]:
        """MQTT: topic filters of answers to commands (read by every node; default: none)."""
        return []

    def device_of_topic(self, topic: str) -> str | None:
        """MQTT: the device id a topic belongs to, ``None`` for a topic of no device."""
        raise NotImplementedError

    def downlink_topic(self, device_id: str) -> str:
        """MQTT: where the platform publishes to ``device_id``."""
        raise NotImplementedError

    def device_acl(self, device_id: str) -> list[tuple[str, str]]:
        """MQTT: ``(topic filter, "publish" | "subscribe")`` pairs the broker allows ``device_id``."""
        raise NotImplementedError

    def create_session(self, peer: str) -> DeviceSession:
        """Return a fresh :class:`DeviceSession` for a newly accepted connection.

        :param peer: ``"host:port"`` of the remote end.
        """
        raise NotImplementedError
