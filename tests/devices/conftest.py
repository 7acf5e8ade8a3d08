"""Fixtures of the device tests: a unique Redis namespace, an in-process gateway with the line protocol."""
from __future__ import annotations

import os
import threading
import time
import uuid
from typing import Any, Callable

import pytest
import redis

from chargehub.contracts.devices import DeviceEvent
from chargehub.devices.bus.inprocess import InProcessCommandBus
from chargehub.devices.gateway import Gateway, GatewayListener, GatewayThread

from .lineproto import LineProtocol

REDIS_URL = os.environ.get("CHARGEHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class RecordingListener(GatewayListener):
    """Logs like the default listener and keeps what it saw."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[DeviceEvent] = []
        self.disconnects: list[dict[str, Any]] = []

    async def on_event(self, event: DeviceEvent) -> None:
        await super().on_event(event)
        with self.lock:
            self.events.append(event)

    async def on_disconnected(self, device_id: str, protocol: str, peer: str, *, reason: str,
                              replaced: bool) -> None:
        await super().on_disconnected(device_id, protocol, peer, reason=reason, replaced=replaced)
        with self.lock:
            self.disconnects.append({"device_id": device_id, "reason": reason, "replaced": replaced})

    def event_types(self, device_id: str) -> list[str]:
        with self.lock:
            return [e.type for e in self.events if e.device_id == device_id]


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.fixture()
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture()
def namespace():
    """A unique Redis namespace; every key under it is deleted afterwards."""
    ns = f"chdevtest-{uuid.uuid4().hex[:10]}"
    yield ns
    conn = redis.Redis.from_url(REDIS_URL)
    keys = list(conn.scan_iter(f"{ns}:*"))
    if keys:
        conn.delete(*keys)
    conn.close()


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
