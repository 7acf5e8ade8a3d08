"""A tiny MQTT device protocol for the gateway's broker side (independent of the e-bike plugin).

Topics under a per-test ``root``: ``<root>/<dev>/up`` (device → platform), ``<root>/<dev>/reply``
(answers to commands), ``<root>/<dev>/down`` (platform → device). Payloads are ASCII words, the first
naming the device:

``<dev> HELLO``               announce (reply ``WELCOME``; event ``login``)
``<dev> PING``                heartbeat (event ``heartbeat``)
``<dev> ACK <corr>``          on ``reply``: command accepted (only commands this session sent)
``<dev> REC <id>``            a durable record (event ``transaction_record``), acknowledged ``ACK <id>``
``<dev> BYE``                 the device went away (close, reason ``device said bye``)

Platform → device: ``WELCOME``, ``DENIED``, ``ACK <id>``, ``CMD <corr> <name>``.
"""
from __future__ import annotations

from chargehub.contracts.devices import (
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


class WordSession(DeviceSession):
    """One device's session: resumes a login on any first word other than HELLO."""

    def __init__(self, peer: str) -> None:
        super().__init__(peer)
        self.kept: bytes | None = None
        self.sent: set[str] = set()

    def receive(self, data: bytes) -> SessionOutput:
        out = SessionOutput()
        words = data.decode("ascii", "replace").split()
        if len(words) < 2:
            out.errors.append(ProtocolError("need '<dev> <verb>'", frame=data))
            return out
        if words[1] == "HELLO":
            out.login = LoginRequest(words[0], {"hello": True})
            return out
        if self.device_id is None:
            self.kept = data
            out.login = LoginRequest(words[0], resumed=True)
            return out
        self._word(words, data, out)
        return out

    def login_decided(self, decision: LoginDecision) -> SessionOutput:
        kept, self.kept = self.kept, None
        if not decision.accepted:
            return SessionOutput(replies=[b"DENIED"], close=True, close_reason="refused")
        self.device_id = decision.device_id
        out = SessionOutput(device_id=decision.device_id)
        if kept is None:
            out.replies.append(b"WELCOME")
            out.events.append(DeviceEvent(decision.device_id, "login", {}))
        else:
            self._word(kept.decode().split(), kept, out)
        return out

    def _word(self, words: list[str], data: bytes, out: SessionOutput) -> None:
        dev, verb, rest = words[0], words[1], words[2:]
        if dev != self.device_id:
            out.errors.append(ProtocolError(f"message of {dev} on the session of {self.device_id}", frame=data))
        elif verb == "PING":
            out.events.append(DeviceEvent(dev, "heartbeat", {}))
        elif verb == "ACK" and rest:
            if rest[0] in self.sent:
                self.sent.discard(rest[0])
                out.command_results.append((rest[0], CommandResult.accepted()))
        elif verb == "REC" and rest:
            out.events.append(DeviceEvent(dev, "transaction_record", {"trade_no": rest[0]}, durable=True))
            out.acks.append(f"ACK {rest[0]}".encode())
        elif verb == "BYE":
            out.close, out.close_reason = True, "device said bye"
        else:
            out.errors.append(ProtocolError(f"unknown verb {verb}", frame=data))

    def encode_command(self, command: DeviceCommand) -> bytes:
        self.sent.add(command.correlation_id)
        return f"CMD {command.correlation_id} {command.name}".encode()


class WordProtocol(DeviceProtocol):
    """The word protocol under ``root``."""

    identifier = "wordmqtt"
    verbose_name = "Word protocol over MQTT (tests)"
    transport = "mqtt"
    device_kind = "bike_device"
    heartbeat_interval = 60.0

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root

    def create_session(self, peer: str) -> WordSession:
        return WordSession(peer)

    def uplink_filters(self) -> list[str]:
        return [f"{self.root}/+/up"]

    def reply_filters(self) -> list[str]:
        return [f"{self.root}/+/reply"]

    def device_of_topic(self, topic: str) -> str | None:
        parts = topic.split("/")
        return parts[-2] if len(parts) >= 3 and parts[-2] else None

    def downlink_topic(self, device_id: str) -> str:
        return f"{self.root}/{device_id}/down"

    def device_acl(self, device_id: str) -> list[tuple[str, str]]:
        return [(f"{self.root}/{device_id}/up", "publish"), (f"{self.root}/{device_id}/reply", "publish"),
                (f"{self.root}/{device_id}/down", "subscribe")]
