"""Where each protocol listens: ``CHARGEHUB_GATEWAY_LISTEN`` / ``chargehub gateway --listen``.

Format: comma-separated ``<protocol identifier>=<host>:<port>``, e.g.
``ykc=0.0.0.0:8767,lineproto=127.0.0.1:0`` (IPv6 hosts in brackets: ``ykc=[::]:8767``). Port ``0``
binds an ephemeral port; the bound one is published in the node's state. Protocols not named listen
on ``0.0.0.0:<default_port>``.
"""
from __future__ import annotations

from typing import Iterable

from chargehub.contracts.devices import DeviceProtocol

DEFAULT_HOST = "0.0.0.0"

Address = tuple[str, int]


def parse_listen(spec: str | None, protocols: Iterable[DeviceProtocol] | None = None) -> dict[str, Address]:
    """Parse a listen spec into ``{identifier: (host, port)}``.

    :param spec: the spec string; empty or ``None`` gives ``{}``.
    :param protocols: when given, identifiers not among them are an error.
    :raises ValueError: with a message naming the bad entry.
    """
    protocols = None if protocols is None else list(protocols)
    known = None if protocols is None else {p.identifier for p in protocols}
    result: dict[str, Address] = {}
    for entry in (spec or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        identifier, sep, address = entry.partition("=")
        host, colon, port = address.strip().rpartition(":")
        identifier, host = identifier.strip(), host.strip().strip("[]")
        if not sep or not colon or not identifier or not host or not port.strip().isdigit():
            raise ValueError(f"listen entry {entry!r} is not <protocol>=<host>:<port>")
        if protocols is not None and any(p.identifier == identifier and p.transport != "tcp" for p in protocols):
            raise ValueError(f"listen entry {entry!r}: {identifier} is an MQTT protocol; it uses the broker "
                             f"(CHARGEHUB_MQTT_URL), not a listen address")
        if known is not None and identifier not in known:
            raise ValueError(f"listen entry {entry!r}: no enabled protocol {identifier!r} "
                             f"(enabled: {', '.join(sorted(known)) or 'none'})")
        if int(port) > 65535:
            raise ValueError(f"listen entry {entry!r}: port out of range")
        result[identifier] = (host, int(port))
    return result


def listen_addresses(protocols: Iterable[DeviceProtocol], configured: dict[str, Address]) -> dict[str, Address]:
    """Every protocol's address: the configured one, else ``0.0.0.0:<default_port>``."""
    return {p.identifier: configured.get(p.identifier, (DEFAULT_HOST, p.default_port)) for p in protocols}
