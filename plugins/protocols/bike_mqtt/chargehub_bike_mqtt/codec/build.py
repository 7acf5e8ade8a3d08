"""One builder per message type (``encode_<type>``), for the platform and for simulated devices.

Each returns the payload bytes (through :func:`~chargehub_bike_mqtt.codec.envelope.encode`, so it is
validated) and raises :class:`~chargehub_bike_mqtt.codec.fields.MessageError` for invalid values.
Optional arguments left ``None`` are not sent. ``voltage_v`` / ``current_a`` take ``Decimal`` or int.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from chargehub_bike_mqtt.codec import codes as C
from chargehub_bike_mqtt.codec.envelope import encode
from chargehub_bike_mqtt.codec.fields import MessageError

__all__ = [
    "encode_welcome", "encode_time", "encode_ack", "encode_start", "encode_stop", "encode_refresh",
    "encode_params", "encode_reboot", "encode_qrcode",
    "encode_online", "encode_offline", "encode_heartbeat", "encode_socket_status", "encode_meter",
    "encode_record", "encode_fault", "encode_time_req", "encode_reply", "lwt_payload",
]


# -- platform → device (§5) ---------------------------------------------------------------------------

def encode_welcome(id: str, dev: str, ts: int, *, accepted: bool, reason: str | None = None,  # noqa: A002
                   heartbeat_s: int | None = 60, tz: str | None = None) -> bytes:
    """``welcome``: the answer to ``online``; a refusal carries ``reason`` (and no heartbeat/zone)."""
    if not accepted:
        heartbeat_s = tz = None
    return encode("welcome", id, dev, ts, accepted=accepted, reason=reason, heartbeat_s=heartbeat_s, tz=tz)


def encode_time(id: str, dev: str, ts: int, *, now: int, tz: str) -> bytes:  # noqa: A002
    """``time``: the platform's clock (``now``, Unix seconds) and the operator's zone."""
    return encode("time", id, dev, ts, now=now, tz=tz)


def encode_ack(id: str, dev: str, ts: int, *, re: str) -> bytes:  # noqa: A002
    """``ack`` of the message ``re`` (a ``record``)."""
    return encode("ack", id, dev, ts, re=re)


def encode_start(id: str, dev: str, ts: int, *, socket: int, order: str, mode: str,  # noqa: A002
                 limits: Mapping[str, int] | None = None, price: Mapping[str, int] | None = None,
                 max_power_w: int | None = None, stop_when_full: bool | None = None,
                 full_current_ma: int | None = None, full_minutes: int | None = None) -> bytes:
    """``start``: ``limits`` holds any of ``seconds``/``wh``/``fen``; ``price`` ``fen_per_hour``/``fen_per_kwh``."""
    return encode("start", id, dev, ts, socket=socket, order=order, mode=mode, limits=limits, price=price,
                  max_power_w=max_power_w, stop_when_full=stop_when_full, full_current_ma=full_current_ma,
                  full_minutes=full_minutes)


def encode_stop(id: str, dev: str, ts: int, *, socket: int, order: str | None = None) -> bytes:  # noqa: A002
    """``stop`` (only ``order`` when given)."""
    return encode("stop", id, dev, ts, socket=socket, order=order)


def encode_refresh(id: str, dev: str, ts: int, *, sockets: Sequence[int] | None = None) -> bytes:  # noqa: A002
    """``refresh`` of ``sockets`` (all when ``None``)."""
    return encode("refresh", id, dev, ts, sockets=None if sockets is None else list(sockets))


def encode_params(id: str, dev: str, ts: int, **values: int) -> bytes:  # noqa: A002
    """``params``: any of ``max_current_ma``, ``max_power_w``, ``socket_max_power_w``, ``full_current_ma``,
    ``full_minutes``, ``heartbeat_s``."""
    unknown = sorted(set(values) - set(C.PARAM_RANGES))
    if unknown:
        raise MessageError(f"not a device parameter: {', '.join(unknown)}")
    return encode("params", id, dev, ts, **values)


def encode_reboot(id: str, dev: str, ts: int, *, mode: str = "now") -> bytes:  # noqa: A002
    """``reboot`` ``now`` or when ``idle``."""
    return encode("reboot", id, dev, ts, mode=mode)


def encode_qrcode(id: str, dev: str, ts: int, *, prefix: str | None = None,  # noqa: A002
                  sockets: Sequence[Mapping[str, Any]] | None = None) -> bytes:
    """``qrcode``: a ``prefix`` or ``sockets`` as ``[{"no", "url"}]``."""
    return encode("qrcode", id, dev, ts, prefix=prefix, sockets=None if sockets is None else list(sockets))


# -- device → platform (§4, §5) -----------------------------------------------------------------------

def encode_online(id: str, dev: str, ts: int, *, fw: str, model: str, sockets: int,  # noqa: A002
                  iccid: str | None = None, rssi: int | None = None, boot: str | None = None) -> bytes:
    """``online`` (topic ``state``, retained)."""
    return encode("online", id, dev, ts, fw=fw, model=model, sockets=sockets, iccid=iccid, rssi=rssi, boot=boot)


def encode_offline(id: str, dev: str, ts: int, *, reason: str) -> bytes:  # noqa: A002
    """``offline`` (``lwt``, ``reboot``, ``shutdown``)."""
    return encode("offline", id, dev, ts, reason=reason)


def lwt_payload(dev: str) -> bytes:
    """The last will of ``dev`` exactly as §1 gives it (``id`` ``lwt``, ``ts`` 0)."""
    return encode_offline("lwt", dev, 0, reason="lwt")


def encode_heartbeat(id: str, dev: str, ts: int, *, rssi: int | None = None,  # noqa: A002
                     temp_c: int | None = None, sockets: Sequence[Mapping[str, Any]] | None = None) -> bytes:
    """``heartbeat`` (``sockets`` as in ``socket_status``)."""
    return encode("heartbeat", id, dev, ts, rssi=rssi, temp_c=temp_c,
                  sockets=None if sockets is None else list(sockets))


def encode_socket_status(id: str, dev: str, ts: int, *, sockets: Sequence[Mapping[str, Any]]) -> bytes:  # noqa: A002
    """``socket_status``: ``[{"no", "state", "order", "fault_bits"}]``."""
    return encode("socket_status", id, dev, ts, sockets=list(sockets))


def encode_meter(id: str, dev: str, ts: int, *, sockets: Sequence[Mapping[str, Any]]) -> bytes:  # noqa: A002
    """``meter``: ``[{"no", "order", "voltage_v", "current_a", "power_w", "energy_wh", "elapsed_s"}]``."""
    return encode("meter", id, dev, ts, sockets=list(sockets))


def encode_record(id: str, dev: str, ts: int, *, socket: int, order: str, started_at: int,  # noqa: A002
                  ended_at: int, energy_wh: int, elapsed_s: int, max_power_w: int, reason: str,
                  fault_bits: int = 0) -> bytes:
    """``record``: the end of a charge (resend with the same ``id`` until acknowledged)."""
    return encode("record", id, dev, ts, socket=socket, order=order, started_at=started_at, ended_at=ended_at,
                  energy_wh=energy_wh, elapsed_s=elapsed_s, max_power_w=max_power_w, reason=reason,
                  fault_bits=fault_bits)


def encode_fault(id: str, dev: str, ts: int, *, socket: int, fault_bits: int) -> bytes:  # noqa: A002
    """``fault`` of ``socket`` (``0`` = the whole device; ``fault_bits`` 0 = cleared)."""
    return encode("fault", id, dev, ts, socket=socket, fault_bits=fault_bits)


def encode_time_req(id: str, dev: str, ts: int) -> bytes:  # noqa: A002
    """``time_req``: the device asks for the time."""
    return encode("time_req", id, dev, ts)


def encode_reply(command: str, id: str, dev: str, ts: int, *, re: str, ok: bool,  # noqa: A002
                 code: str | None = None, reason: str | None = None, **body: Any) -> bytes:
    """``<command>_reply`` to the command ``re``; ``code`` and ``reason`` when ``ok`` is false.

    ``body``: ``start`` → ``socket``, ``order``; ``stop`` → also ``energy_wh``, ``elapsed_s``; ``params``
    → the values in force.
    """
    if command not in C.COMMAND_TYPES:
        raise MessageError(f"not a command: {command!r}", "type")
    return encode(f"{command}_reply", id, dev, ts, re=re, ok=ok, code=code, reason=reason, **body)
