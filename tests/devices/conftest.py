"""Fixtures of the device tests: a unique Redis namespace, an in-process gateway with the line protocol."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from chargehub.contracts.devices import DeviceEvent
from chargehub.devices.bus.inprocess import InProcessCommandBus
from chargehub.devices.gateway import Gateway, GatewayListener, GatewayThread

from .lineproto import LineProtocol


class RecordingListener(GatewayListener):
    """Logs like the default listener and keeps what it saw."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[DeviceEvent] = []
        self.disconnects: list[dict[str, Any]] = []

    def submit(self, events: list[DeviceEvent]) -> None:
        super().submit(events)
        with self.lock:
            self.events.extend(events)

    async def on_disconnected(self, device_id: str, protocol: str, peer: str, *, reason: str,
                              replaced: bool) -> None:
        await super().on_disconnected(device_id, protocol, peer, reason=reason, replaced=replaced)
        with self.lock:
            self.disconnects.append({"device_id": device_id, "reason": reason, "replaced": replaced})

    def event_types(self, device_id: str) -> list[str]:
        with self.lock:
            return [e.type for e in self.events if e.device_id == device_id]


@pytest.fixture()
def namespace(redis_namespace):
    """A unique Redis namespace (the shared ``redis_namespace`` fixture); its keys are deleted afterwards."""
    return redis_namespace


@pytest.fixture()
def inprocess_gateway():
    """``(bus, gateway, listener)``: a line-protocol gateway on an ephemeral port, in-process bus."""
    bus = InProcessCommandBus(default_timeout=5.0)
    listener = RecordingListener()
    gateway = Gateway([LineProtocol()], bus.gateway_node("node-a"), {"lineproto": ("127.0.0.1", 0)},
                      listener=listener)
    thread = GatewayThread(gateway).start()
    yield bus, gateway, listener
    thread.stop()
