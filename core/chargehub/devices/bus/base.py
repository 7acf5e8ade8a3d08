"""The command bus interface: web/worker → gateway node → device → reply.

Two sides share one object per app:

* **senders** (Flask request threads, rq jobs) call :meth:`CommandBus.send`, which blocks until the
  device answers, the timeout expires, or it is clear no gateway holds the device;
* a **gateway node** (one per gateway process) gets a :class:`GatewayNode` from
  :meth:`CommandBus.gateway_node`, registers each identified device connection with an *executor*
  (an ``async`` callable running on the gateway's asyncio loop) and starts the node so that commands
  for its devices reach it.

Backends: :mod:`.inprocess` (everything in one process, the embedded default) and :mod:`.redis`
(any process can command a device held by any gateway node).
"""
from __future__ import annotations

import abc
import asyncio
import logging
import os
import socket
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

from chargehub.contracts.devices import CommandResult, DeviceCommand

log = logging.getLogger(__name__)

#: Runs one command on the gateway's loop and returns the device's answer.
Executor = Callable[[DeviceCommand], Awaitable[CommandResult]]
#: Called (on the gateway's loop) when another connection, on any node, took over the device.
ReplacedCallback = Callable[[], None]


def default_node_id() -> str:
    """``<hostname>-<pid>``: the node id when ``CHARGEHUB_GATEWAY_NODE`` is not set."""
    return f"{socket.gethostname()}-{os.getpid()}"


def utcnow_iso() -> str:
    """Current UTC time, ISO 8601 with offset."""
    return datetime.now(timezone.utc).isoformat()


class CommandBus(abc.ABC):
    """Delivers :class:`DeviceCommand` values to the gateway node holding the device.

    :param default_timeout: seconds :meth:`send` waits when no ``timeout`` is given
        (``CHARGEHUB_COMMAND_TIMEOUT``).
    """

    def __init__(self, default_timeout: float = 15.0) -> None:
        self.default_timeout = float(default_timeout)

    @abc.abstractmethod
    def send(self, command: DeviceCommand, timeout: float | None = None) -> CommandResult:
        """Send ``command`` and block until its result.

        Never raises for device-side problems: returns ``OFFLINE`` at once when no live gateway node
        holds the device, ``TIMEOUT`` when the device did not answer within ``timeout`` seconds
        (default :attr:`default_timeout`), else the device's ``ACCEPTED``/``REJECTED``.
        Safe to call from any thread except the gateway's own event loop.
        """

    @abc.abstractmethod
    def gateway_states(self) -> list[dict[str, Any]]:
        """The known gateway nodes, for ``/healthz`` and the admin, sorted by ``node_id``.

        Each item: ``node_id``, ``host``, ``pid``, ``started_at`` and ``last_seen`` (ISO 8601 UTC),
        ``listeners`` (``{protocol identifier: "host:port"}``), ``device_count`` and ``alive`` (bool).
        """

    @abc.abstractmethod
    def gateway_node(self, node_id: str | None = None) -> "GatewayNode":
        """Return the node object a gateway process uses to receive commands (not started yet).

        :param node_id: unique per running gateway process (default :func:`default_node_id`).
        """

    def close(self) -> None:
        """Release connections held by the bus (not the nodes; stop those first)."""


class GatewayNode(abc.ABC):
    """One gateway process's end of the bus.

    Lifecycle: create with :meth:`CommandBus.gateway_node`, :meth:`start` it from the gateway's event
    loop, :meth:`register_device` / :meth:`unregister_device` as connections come and go, publish
    :meth:`update_state`, and :meth:`stop` on shutdown. ``register_device``, ``unregister_device``,
    ``update_state`` and ``stop`` may do network IO: call them off the loop (``asyncio.to_thread``).
    """

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self.loop: asyncio.AbstractEventLoop | None = None
        self.started_at: str | None = None
        self.listeners: dict[str, str] = {}
        #: Protocol identifier → executor for devices of broker protocols (see :meth:`register_protocol`).
        self.protocol_executors: dict[str, Executor] = {}

    @abc.abstractmethod
    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Start receiving commands; executors will run on ``loop`` (default: the running loop)."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop receiving commands, drop this node's device registrations and mark it gone."""

    @abc.abstractmethod
    def register_device(self, device_id: str, executor: Executor, *,
                        on_replaced: ReplacedCallback | None = None) -> None:
        """Route commands for ``device_id`` to ``executor`` on this node.

        A later registration of the same device (a reconnect, here or on another node) wins; the
        previous registration's ``on_replaced`` is then called on its node's loop so that the old
        connection can be closed.
        """

    @abc.abstractmethod
    def unregister_device(self, device_id: str, executor: Executor) -> bool:
        """Stop routing ``device_id`` here, but only if ``executor`` is still its registration.

        :return: ``True`` when the registration was removed, ``False`` when a newer one owns it.
        """

    @abc.abstractmethod
    def device_ids(self) -> list[str]:
        """Devices currently registered on this node."""

    def register_protocol(self, protocol: str, executor: Executor) -> None:
        """Serve commands for every device of ``protocol`` that no connection registered.

        For broker protocols (MQTT): no gateway node holds a device's connection, every node reaches
        every device through the broker, so the bus hands a command carrying
        :attr:`DeviceCommand.protocol` to any live node that registered the protocol. Call before
        :meth:`start` or from a thread other than the loop (it may do network IO).
        """
        self.protocol_executors[protocol] = executor

    def executor_for(self, command: DeviceCommand, device_executor: Executor | None) -> Executor | None:
        """The device's own executor, else this node's executor for the command's protocol."""
        if device_executor is not None:
            return device_executor
        return self.protocol_executors.get(command.protocol) if command.protocol else None

    def update_state(self, *, listeners: dict[str, str] | None = None) -> None:
        """Publish this node's listeners (``{protocol: "host:port"}``) in :meth:`CommandBus.gateway_states`."""
        if listeners is not None:
            self.listeners = dict(listeners)

    def state(self, *, alive: bool) -> dict[str, Any]:
        """This node's entry for :meth:`CommandBus.gateway_states`."""
        return {
            "node_id": self.node_id,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": self.started_at,
            "last_seen": utcnow_iso(),
            "listeners": dict(self.listeners),
            "device_count": len(self.device_ids()),
            "alive": alive,
        }


async def run_executor(executor: Executor, command: DeviceCommand, timeout: float) -> CommandResult:
    """Await ``executor(command)`` for at most ``timeout`` seconds, mapping failures to results.

    Used by both backends so that a timeout or a crashing executor never escapes into the bus.
    """
    try:
        return await asyncio.wait_for(executor(command), timeout=max(timeout, 0.0))
    except (TimeoutError, asyncio.TimeoutError):
        return CommandResult.timeout()
    except Exception as exc:  # noqa: BLE001 - reported to the sender instead of escaping
        log.exception("executor for %s failed", command.device_id)
        return CommandResult.rejected(f"gateway error: {type(exc).__name__}")
