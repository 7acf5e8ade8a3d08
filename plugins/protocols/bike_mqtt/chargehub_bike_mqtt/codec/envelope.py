"""The envelope of ``docs/protocols/bike-mqtt.md`` §3: ``decode`` (bytes → :class:`Message`) and
``encode`` (fields → bytes). Pure functions; numbers are parsed as ``Decimal``, never ``float``.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from chargehub_bike_mqtt.codec import codes as C
from chargehub_bike_mqtt.codec.bodies import validate_body
from chargehub_bike_mqtt.codec.fields import MISSING, MessageError, dev_problem, integer, is_int

__all__ = ["Message", "MessageError", "decode", "encode", "new_message_id", "MAX_PAYLOAD", "ID_PATTERN",
           "is_message_id"]

#: Larger payloads are refused before parsing (a real message is well under 4 KiB).
MAX_PAYLOAD = 64 * 1024
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NEEDS_RE = C.REPLY_TYPES | {"ack"}
_ENVELOPE = ("v", "type", "id", "dev", "ts", "re")


@dataclass(frozen=True, slots=True)
class Message:
    """One decoded message.

    :param type: the message type (``"heartbeat"``, ``"start_reply"``...).
    :param id: the sender's message id.
    :param dev: the device's sn.
    :param ts: Unix seconds on the sender's clock (``0``: the device's clock is not set).
    :param re: the answered message's id (replies and ``ack``), else ``None``.
    :param body: the typed body fields (see :mod:`chargehub_bike_mqtt.codec.bodies`); treat as read-only.
    """

    type: str
    id: str
    dev: str
    ts: int
    re: str | None = None
    body: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        """``message["socket"]`` is ``message.body["socket"]``."""
        return self.body[name]

    @property
    def is_reply(self) -> bool:
        """``True`` for the ``*_reply`` answers to commands."""
        return self.type in C.REPLY_TYPES


def is_message_id(value: Any) -> bool:
    """``True`` when ``value`` can be a message ``id`` (1–64 of ``[A-Za-z0-9_-]``)."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def new_message_id() -> str:
    """A fresh random message id (32 hex digits)."""
    return uuid.uuid4().hex


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse(payload: bytes) -> dict[str, Any]:
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise MessageError(f"payload must be bytes, not {type(payload).__name__}")
    if len(payload) > MAX_PAYLOAD:
        raise MessageError(f"payload of {len(payload)} bytes is larger than {MAX_PAYLOAD}")
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MessageError(f"payload is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise MessageError(f"payload is not JSON: {str(exc)[:120]}") from None
    if not isinstance(value, dict):
        raise MessageError("payload is not a JSON object")
    return value


def _envelope(data: Mapping[str, Any]) -> tuple[str, str, str, int, str | None]:
    version = data.get("v", MISSING)
    if version is MISSING:
        raise MessageError("required field is missing", "v")
    if not is_int(version) or version != C.VERSION:
        raise MessageError(f"unsupported protocol version {str(version)[:20]} (only {C.VERSION})", "v")
    type_ = data.get("type", MISSING)
    if type_ is MISSING:
        raise MessageError("required field is missing", "type")
    if not isinstance(type_, str) or type_ not in C.MESSAGE_TYPES:
        raise MessageError(f"unknown message type {str(type_)[:40]!r}", "type")
    message_id = data.get("id", MISSING)
    if message_id is MISSING:
        raise MessageError("required field is missing", "id")
    if not is_message_id(message_id):
        raise MessageError(f"must be 1..64 characters of A-Z a-z 0-9 _ -, not {str(message_id)[:80]!r}", "id")
    dev = data.get("dev", MISSING)
    if dev is MISSING:
        raise MessageError("required field is missing", "dev")
    problem = dev_problem(dev)
    if problem:
        raise MessageError(problem, "dev")
    ts = integer(data, "ts", "", 0, C.MAX_UNIX)
    answered = data.get("re", MISSING)
    if type_ in _NEEDS_RE:
        if answered is MISSING:
            raise MessageError("required field is missing", "re")
        if not is_message_id(answered):
            raise MessageError(f"must be a message id, not {str(answered)[:80]!r}", "re")
    else:
        answered = None  # meaningless outside replies and acks: ignored like any unknown field
    return type_, message_id, dev, ts, answered


def decode(payload: bytes) -> Message:
    """The :class:`Message` in ``payload``.

    :raises MessageError: anything the document refuses (not UTF-8 JSON, not an object, ``v`` other
        than 1, unknown type, a bad envelope or body field); the error names the field.
    """
    data = _parse(payload)
    type_, message_id, dev, ts, answered = _envelope(data)
    return Message(type_, message_id, dev, ts, answered, validate_body(type_, data))


def decode_record_envelope(payload: bytes) -> Message | None:
    """The envelope of a ``record`` whose body :func:`decode` refused, with the body as sent (unchecked).

    Records must never be lost: the session acknowledges such a record and keeps it for review
    instead of letting the device resend it forever. ``None`` when even the envelope is unusable.
    """
    try:
        data = _parse(payload)
        type_, message_id, dev, ts, answered = _envelope(data)
    except MessageError:
        return None
    if type_ != "record":
        return None
    return Message(type_, message_id, dev, ts, answered, {k: v for k, v in data.items() if k not in _ENVELOPE})


def _plain(value: Any, path: str) -> Any:
    """``value`` with ``Decimal`` as JSON numbers (exactly: refuses what a double cannot carry)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MessageError(f"{value} is not a number", path)
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise MessageError(f"{value} has too many digits for JSON", path)
        return as_float
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, float):
        raise MessageError("floats are not sent; use int or Decimal", path)
    return value


def encode(type: str, id: str, dev: str, ts: int, **body: Any) -> bytes:  # noqa: A002 - the wire's names
    """The payload of a ``type`` message: compact UTF-8 JSON, envelope first.

    ``re`` (replies and ``ack``) is passed as a keyword like the body fields. Top-level ``None`` values
    are left out (absent optional fields); nested ones are kept (``"order": null`` in a socket status).
    The result is decoded again before it is returned, so ``encode`` never produces a payload that
    :func:`decode` refuses.

    :raises MessageError: the fields do not make a valid message (same reasons as :func:`decode`).
    """
    clashes = [name for name in body if name in _ENVELOPE and name != "re"]
    if clashes:
        raise MessageError(f"envelope fields cannot be body fields: {', '.join(clashes)}")
    data: dict[str, Any] = {"v": C.VERSION, "type": type, "id": id, "dev": dev, "ts": ts}
    if body.get("re") is not None:
        data["re"] = body.pop("re")
    body.pop("re", None)
    data.update((name, _plain(value, name)) for name, value in body.items() if value is not None)
    try:
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise MessageError(f"not JSON-serialisable: {exc}") from None
    decode(raw)
    return raw
