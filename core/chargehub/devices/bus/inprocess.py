"""In-process command bus: the embedded default (no Redis), web and gateway in one process.

``send`` looks the device up in a dict and runs its executor on the owning node's event loop with
:func:`asyncio.run_coroutine_threadsafe`; nothing is serialised.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from dataclasses import dataclass
from typing import Any

from chargehub.contracts.devices import CommandResult, DeviceCommand
from chargehub.devices.bus.base import (
    CommandBus,
    Executor,
    GatewayNode,
    ReplacedCallback,
    default_node_id,
    run_executor,
    utcnow_iso,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Registration:
    node: "InProcessGatewayNode"
    executor: Executor
    on_replaced: ReplacedCallback | None


class InProcessCommandBus(CommandBus):
    """Device registry shared by every node created from this bus, guarded by one lock."""

    def __init__(self, default_timeout: float = 15.0) -> None:
        super().__init__(default_timeout)
        self._lock = threading.Lock()
        self._devices: dict[str, _Registration] = {}
        self._nodes: dict[str, InProcessGatewayNode] = {}

    def send(self, command: DeviceCommand, timeout: float | None = None) -> CommandResult:
        timeout = self.default_timeout if timeout is None else float(timeout)
        with self._lock:
            registration = self._devices.get(command.device_id) or self._protocol_registration(command.protocol)
        if registration is None:
            return CommandResult.offline()
        loop = registration.node.loop
        if loop is None or loop.is_closed() or not registration.node.running:
            return CommandResult.offline("gateway is not running")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise RuntimeError("CommandBus.send() blocks; it cannot be called from the gateway's event loop")
        future = asyncio.run_coroutine_threadsafe(
            run_executor(registration.executor, command, timeout), loop)
        try:
            # run_executor enforces the timeout itself; the margin covers scheduling delay only.
            return future.result(timeout + 1.0)
        except concurrent.futures.TimeoutError:
            future.cancel()
            return CommandResult.timeout()

    def gateway_states(self) -> list[dict[str, Any]]:
        with self._lock:
            nodes = sorted(self._nodes.values(), key=lambda n: n.node_id)
        return [node.state(alive=node.running) for node in nodes]

    def gateway_node(self, node_id: str | None = None) -> "InProcessGatewayNode":
        return InProcessGatewayNode(self, node_id or default_node_id())

    def _protocol_registration(self, protocol: str) -> _Registration | None:
        """A running node serving every device of ``protocol`` (broker protocols); call holding the lock."""
        if not protocol:
            return None
        for node in self._nodes.values():
            executor = node.protocol_executors.get(protocol)
            if executor is not None and node.running:
                return _Registration(node, executor, None)
        return None

    # -- used by the nodes -------------------------------------------------------------------------

    def _register(self, node: "InProcessGatewayNode", device_id: str, executor: Executor,
                  on_replaced: ReplacedCallback | None) -> None:
        with self._lock:
            previous = self._devices.get(device_id)
            self._devices[device_id] = _Registration(node, executor, on_replaced)
        if previous is not None and previous.executor is not executor:
            previous.node.notify_replaced(device_id, previous.on_replaced)

    def _unregister(self, node: "InProcessGatewayNode", device_id: str, executor: Executor | None) -> bool:
        with self._lock:
            current = self._devices.get(device_id)
            if current is None or current.node is not node:
                return False
            if executor is not None and current.executor is not executor:
                return False
            del self._devices[device_id]
            return True

    def _device_ids(self, node: "InProcessGatewayNode") -> list[str]:
        with self._lock:
            return sorted(d for d, r in self._devices.items() if r.node is node)

    def _set_node(self, node: "InProcessGatewayNode", present: bool) -> None:
        with self._lock:
            if present:
                self._nodes[node.node_id] = node
            elif self._nodes.get(node.node_id) is node:
                del self._nodes[node.node_id]


class InProcessGatewayNode(GatewayNode):
    """A gateway node of :class:`InProcessCommandBus`."""

    def __init__(self, bus: InProcessCommandBus, node_id: str) -> None:
        super().__init__(node_id)
        self.bus = bus
        self.running = False

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop or asyncio.get_running_loop()
        self.started_at = utcnow_iso()
        self.running = True
        self.bus._set_node(self, True)

    def stop(self) -> None:
        self.running = False
        for device_id in self.device_ids():
            self.bus._unregister(self, device_id, None)
        self.bus._set_node(self, False)

    def register_device(self, device_id: str, executor: Executor, *,
                        on_replaced: ReplacedCallback | None = None) -> None:
        self.bus._register(self, device_id, executor, on_replaced)

    def unregister_device(self, device_id: str, executor: Executor) -> bool:
        return self.bus._unregister(self, device_id, executor)

    def device_ids(self) -> list[str]:
        return self.bus._device_ids(self)

    def notify_replaced(self, device_id: str, callback: ReplacedCallback | None) -> None:
        """Run ``callback`` on this node's loop: ``device_id`` now belongs to another connection."""
        if callback is None or self.loop is None or self.loop.is_closed():
            return
        log.info("device %s taken over by another connection; closing the old one", device_id)
        self.loop.call_soon_threadsafe(callback)
