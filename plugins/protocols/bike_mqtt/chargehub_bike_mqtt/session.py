"""One e-bike charger heard over MQTT: messages → device events, replies and command results.

The gateway feeds one whole MQTT payload per :meth:`BikeSession.receive` (``docs/protocols/bike-mqtt.md``).

- ``online`` → ``LoginRequest(dev, data)``; accepted: ``welcome`` then ``time`` and a ``login`` event;
  refused: ``welcome`` with ``accepted: false``, ``close`` and ``close_reason``.
- Any other message on a session that is not logged in (another gateway node heard the ``online``, or
  the gateway restarted) → ``LoginRequest(dev, {}, resumed=True)``; once accepted the message is handled
  with no ``welcome`` and no ``login`` event.
- :meth:`login_decided` without a pending ``LoginRequest`` is the gateway resuming the device on its own
  (to command a device this node never heard): accepted, the session is logged in and sends nothing.
- ``offline`` → ``close`` with ``close_reason`` "设备离线 (offline: lwt)".
- ``record`` → a durable ``transaction_record`` and the ``ack`` in ``acks`` — every copy alike.
- ``*_reply`` to a command this session sent → the command's result (and a durable ``start_result`` /
  ``stop_result``); replies to ids it did not send (another node's commands) produce nothing at all.
- Messages that do not decode, name another device or travel the wrong way → ``ProtocolError``.

:meth:`receive` never raises. Messages arriving while core decides a login wait in order.
"""
from __future__ import annotations

import logging
from collections import OrderedDict, deque
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from chargehub.contracts.devices import (
    CommandNotSupported,
    DeviceCommand,
    DeviceEvent,
    DeviceSession,
    LoginDecision,
    LoginRequest,
    ProtocolError,
    SessionOutput,
)

from chargehub_bike_mqtt import codec
from chargehub_bike_mqtt import events as E
from chargehub_bike_mqtt.codec import Message
from chargehub_bike_mqtt.codec import codes as C
from chargehub_bike_mqtt.commands import DEFAULT_TIMEZONE, build_command, valid_timezone

__all__ = ["BikeSession", "HEARTBEAT_S", "MAX_QUEUED", "MAX_SENT", "LOGIN_REFUSED", "DEFAULT_TIMEZONE"]

log = logging.getLogger(__name__)

#: ``welcome.heartbeat_s``.
HEARTBEAT_S = 60
#: Messages kept while core decides a login; more are refused (the device sends them again).
MAX_QUEUED = 256
#: Commands remembered for their replies; the oldest are forgotten beyond this.
MAX_SENT = 1024
LOGIN_REFUSED = "登录被拒绝 (login refused)"


class BikeSession(DeviceSession):
    """Protocol state of one e-bike charger (see the module docstring).

    :param peer: what the gateway calls the remote end, for logs.
    :param sn: the device's sn when the gateway knows it from the topic: messages naming another
        ``dev`` are then refused even before login.
    :param clock: returns the current aware UTC time (``ts`` of platform messages, ``time.now``,
        ``occurred_at`` of events from devices without a clock).
    :param new_id: returns a fresh message id for the platform's own messages (``welcome``, ``time``, ``ack``).

    Attributes: ``sn`` (the device's sn once known), ``logged_in``, ``settings`` (from the login
    decision), ``timezone_name`` (``settings["timezone"]`` or Asia/Shanghai).
    """

    def __init__(self, peer: str, *, sn: str | None = None, clock: Callable[[], datetime] | None = None,
                 new_id: Callable[[], str] = codec.new_message_id) -> None:
        super().__init__(peer)
        self.sn = sn
        self.logged_in = False
        self.refused = False
        self.settings: Mapping[str, Any] = {}
        self.timezone_name = DEFAULT_TIMEZONE
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._new_id = new_id
        self._queue: deque[bytes] = deque()
        self._awaiting: tuple[bytes, Message, bool] | None = None
        self._sent: OrderedDict[str, E.SentCommand] = OrderedDict()

    # -- DeviceSession -----------------------------------------------------------------------------

    def receive(self, data: bytes) -> SessionOutput:
        """Handle one MQTT payload; see :meth:`DeviceSession.receive`."""
        out = SessionOutput()
        try:
            payload = bytes(data)
            if len(self._queue) >= MAX_QUEUED:
                out.errors.append(ProtocolError("too many messages while the login is decided; dropped",
                                                frame=payload))
                return out
            self._queue.append(payload)
            if self._awaiting is None:
                self._drain(out)
        except Exception as exc:  # noqa: BLE001 - receive() must never raise; the payload is logged instead
            log.exception("bike_mqtt session %s failed on input", self.peer)
            out.errors.append(ProtocolError(f"internal error: {exc!r}", frame=_bytes(data)))
        return out

    def login_decided(self, decision: LoginDecision) -> SessionOutput:
        """Answer the pending login (see the module docstring), then handle the waiting messages."""
        out = SessionOutput()
        if self._awaiting is None:
            return self._gateway_resumed(decision)
        payload, msg, resumed = self._awaiting
        self._awaiting = None
        self.sn = msg.dev
        if not decision.accepted:
            self._refuse(msg, decision, out)
            return out
        self._accept(decision, out)
        zone = self.timezone_name
        if resumed:
            self._queue.appendleft(payload)  # the message that revealed the device, handled now
        else:
            now = self._now()
            out.replies.append(codec.encode_welcome(self._new_id(), msg.dev, now, accepted=True,
                                                    heartbeat_s=HEARTBEAT_S, tz=zone))
            out.replies.append(self._time_message())
            out.events.append(self._event("login", E.login_data(msg), msg.ts))
        try:
            self._drain(out)
        except Exception as exc:  # noqa: BLE001 - as in receive()
            log.exception("bike_mqtt session %s failed after login", self.peer)
            out.errors.append(ProtocolError(f"internal error: {exc!r}"))
        return out

    def reply_expected(self, command: DeviceCommand) -> bool:
        """``sync_clock`` (a ``time`` message) is never answered."""
        return getattr(command, "name", None) != "sync_clock"

    def encode_command(self, command: DeviceCommand) -> bytes:
        """The message of ``command`` (see :mod:`chargehub_bike_mqtt.commands`); remembers its id so that
        the reply becomes the command's result. Works before login too: any gateway node may command
        any device.

        :raises CommandNotSupported: unknown command, invalid params, or a command for another device.
        """
        if self.sn is not None and command.device_id not in (self.sn, self.device_id):
            raise CommandNotSupported(f"命令发往其他设备 (command for device {command.device_id!r} on the "
                                      f"session of {self.sn!r})")
        built = build_command(command, dev=self.sn or command.device_id, now=self._now(),
                              timezone_name=self.timezone_name)
        if self.reply_expected(command):
            self._sent.pop(command.correlation_id, None)
            self._sent[command.correlation_id] = E.SentCommand(command.name, built.type, built.body)
            while len(self._sent) > MAX_SENT:
                self._sent.popitem(last=False)
        return built.payload

    # -- internals ---------------------------------------------------------------------------------

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _event(self, type_: str, data: Mapping[str, Any], ts: int, durable: bool = False) -> DeviceEvent:
        return DeviceEvent(self.device_id or self.sn or "", type_, dict(data), E.occurred_at(ts, self._clock()),
                           durable)

    def _time_message(self) -> bytes:
        now = self._now()
        return codec.encode_time(self._new_id(), self.sn or "", now, now=now, tz=self.timezone_name)

    def _accept(self, decision: LoginDecision, out: SessionOutput) -> None:
        self.device_id = out.device_id = decision.device_id
        self.logged_in, self.refused = True, False
        self.settings = dict(decision.settings or {})
        zone = self.settings.get("timezone") or DEFAULT_TIMEZONE
        if not valid_timezone(zone):
            out.errors.append(ProtocolError(f"unknown time zone {zone!r} in the login settings; using "
                                            f"{DEFAULT_TIMEZONE}"))
            zone = DEFAULT_TIMEZONE
        self.timezone_name = zone

    def _gateway_resumed(self, decision: LoginDecision) -> SessionOutput:
        """A decision on a resumed login the gateway asked for itself (to command a device this node has
        not heard from): nothing is sent to the device either way."""
        out = SessionOutput()
        if self.sn is not None and decision.device_id != self.sn:
            out.errors.append(ProtocolError(f"login decision for {decision.device_id!r} on the session of "
                                            f"{self.sn!r}; ignored"))
            return out
        problem = codec.dev_problem(decision.device_id)
        if problem:
            out.errors.append(ProtocolError(f"login decision for an unusable sn {decision.device_id!r}: {problem}"))
            out.close, out.close_reason = True, LOGIN_REFUSED
            return out
        self.sn = decision.device_id
        if not decision.accepted:
            self.logged_in, self.refused = False, True
            out.close, out.close_reason = True, LOGIN_REFUSED
            return out
        self._accept(decision, out)
        self._drain(out)
        return out

    def _refuse(self, msg: Message, decision: LoginDecision, out: SessionOutput) -> None:
        self.logged_in, self.refused = False, True
        reason = (decision.reason or LOGIN_REFUSED)[:C.MAX_TEXT]
        out.replies.append(codec.encode_welcome(self._new_id(), msg.dev, self._now(), accepted=False, reason=reason))
        out.close, out.close_reason = True, LOGIN_REFUSED
        self._queue.clear()

    def _drain(self, out: SessionOutput) -> None:
        while self._queue and self._awaiting is None and not out.close:
            payload = self._queue.popleft()
            try:
                self._message(payload, out)
            except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
                log.exception("bike_mqtt session %s failed on a message", self.peer)
                out.errors.append(ProtocolError(f"internal error: {exc!r}", frame=payload))

    def _message(self, payload: bytes, out: SessionOutput) -> None:
        try:
            msg = codec.decode(payload)
        except codec.MessageError as exc:
            out.errors.append(ProtocolError(str(exc), frame=payload))
            self._keep_invalid_record(payload, str(exc), out)
            return
        if msg.type in C.PLATFORM_TYPES:
            out.errors.append(ProtocolError(f"{msg.type} is sent by the platform, not by devices; ignored",
                                            frame=payload))
            return
        if self.sn is not None and msg.dev != self.sn:
            out.errors.append(ProtocolError(f"message of device {msg.dev!r} on the session of {self.sn!r}; ignored",
                                            frame=payload))
            return
        if msg.is_reply and msg.re not in self._sent:
            return  # an answer to another gateway node's command: that node handles it
        if msg.type == "online":
            self._awaiting = (payload, msg, False)
            out.login = LoginRequest(msg.dev, E.login_data(msg))
            return
        if not self.logged_in:
            if self.refused:
                out.errors.append(ProtocolError("the device's login was refused; ignored until its next online",
                                                frame=payload))
                return
            self._awaiting = (payload, msg, True)
            out.login = LoginRequest(msg.dev, {}, resumed=True)
            return
        _HANDLERS[msg.type](self, payload, msg, out)

    def _keep_invalid_record(self, payload: bytes, error: str, out: SessionOutput) -> None:
        """A ``record`` whose body is invalid: acknowledge it and keep it for review (never lost, never
        resent forever). Only on a logged-in session and for this device; else the device resends it."""
        msg = codec.decode_record_envelope(payload)
        if msg is None or not self.logged_in or msg.dev != self.sn:
            return
        out.events.append(self._event("transaction_record", E.invalid_record_data(msg, payload, error), 0,
                                      durable=True))
        out.acks.append(codec.encode_ack(self._new_id(), msg.dev, self._now(), re=msg.id))

    # -- per-type handlers (see _HANDLERS) ---------------------------------------------------------

    def _on_offline(self, payload: bytes, msg: Message, out: SessionOutput) -> None:
        self.logged_in = False
        out.close, out.close_reason = True, f"设备离线 (offline: {msg['reason']})"

    def _on_heartbeat(self, payload: bytes, msg: Message, out: SessionOutput) -> None:
        out.events.append(self._event("heartbeat", E.heartbeat_data(msg), msg.ts))
        for entry in msg["sockets"] or ():
            out.events.append(self._event("status", E.status_data(entry), msg.ts))

    def _on_socket_status(self, payload: bytes, msg: Message, out: SessionOutput) -> None:
        for entry in msg["sockets"]:
            out.events.append(self._event("status", E.status_data(entry), msg.ts))

    def _on_meter(self, payload: bytes, msg: Message, out: SessionOutput) -> None:
        for entry in msg["sockets"]:
            out.events.append(self._event("status", E.meter_data(entry), msg.ts))

    def _on_record(self, payload: bytes, msg: Message, out: SessionOutput) -> None:
        out.events.append(self._event("transaction_record", E.record_data(msg, payload), msg.ts, durable=True))
        out.acks.append(codec.encode_ack(self._new_id(), msg.dev, self._now(), re=msg.id))

    def _on_fault(self, payload: bytes, msg: Message, out: SessionOutput) -> None:
        out.events.append(self._event("fault", E.fault_data(msg), msg.ts))

    def _on_time_req(self, payload: bytes, msg: Message, out: SessionOutput) -> None:
        out.replies.append(self._time_message())

    def _on_reply(self, payload: bytes, msg: Message, out: SessionOutput) -> None:
        assert msg.re is not None
        sent = self._sent[msg.re]
        if msg.type != f"{sent.type}_reply":
            out.errors.append(ProtocolError(f"{msg.type} answers the {sent.type} command {msg.re}; ignored",
                                            frame=payload))
            return
        del self._sent[msg.re]
        result, event = E.reply_outcome(msg, sent)
        if event is not None:
            out.events.append(self._event(event[0], event[1], msg.ts, durable=True))
        out.command_results.append((msg.re, result))


def _bytes(data: Any) -> bytes:
    try:
        return bytes(data)
    except Exception:  # noqa: BLE001 - only for the error report
        return repr(data).encode()


_HANDLERS: dict[str, Callable[[BikeSession, bytes, Message, SessionOutput], None]] = {
    "offline": BikeSession._on_offline,
    "heartbeat": BikeSession._on_heartbeat,
    "socket_status": BikeSession._on_socket_status,
    "meter": BikeSession._on_meter,
    "record": BikeSession._on_record,
    "fault": BikeSession._on_fault,
    "time_req": BikeSession._on_time_req,
    **{type_: BikeSession._on_reply for type_ in C.REPLY_TYPES},
}
assert set(_HANDLERS) | {"online"} == C.DEVICE_TYPES
