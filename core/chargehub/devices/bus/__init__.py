"""The command bus: how web processes and workers reach a device through the gateway holding it.

Use the app's bus through the extension object::

    from chargehub.extensions import command_bus
    from chargehub.contracts.devices import DeviceCommand

    result = command_bus.send(DeviceCommand(device_id="32010600213533", name="stop"))
    if result.status is CommandStatus.OFFLINE: ...

``init_app`` picks :class:`~.redis.RedisCommandBus` when ``CHARGEHUB_REDIS_URL`` is set, else
:class:`~.inprocess.InProcessCommandBus` (web and gateway in one process).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from chargehub.config import settings
from chargehub.contracts.devices import CommandResult, DeviceCommand
from chargehub.devices.bus.base import CommandBus, Executor, GatewayNode, default_node_id
from chargehub.devices.bus.inprocess import InProcessCommandBus
from chargehub.devices.bus.redis import RedisCommandBus

__all__ = [
    "CommandBus",
    "CommandBusExtension",
    "Executor",
    "GatewayNode",
    "InProcessCommandBus",
    "RedisCommandBus",
    "EXTENSION_KEY",
]

#: Where ``init_app`` stores the app's backend in ``app.extensions``.
EXTENSION_KEY = "chargehub.command_bus"


class CommandBusExtension:
    """Flask extension holding one :class:`CommandBus` backend per app.

    Every method takes an optional ``app``; without it the current app is used.
    """

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Create the app's backend from its settings (``REDIS_URL``, ``REDIS_NAMESPACE``, ``COMMAND_TIMEOUT``)."""
        values = settings(app)
        timeout = float(values.get("COMMAND_TIMEOUT") or 15.0)
        if values.get("REDIS_URL"):
            backend: CommandBus = RedisCommandBus(values["REDIS_URL"], values.get("REDIS_NAMESPACE") or "chargehub",
                                                  timeout)
        else:
            backend = InProcessCommandBus(timeout)
        app.extensions[EXTENSION_KEY] = backend

    def backend(self, app: Flask | None = None) -> CommandBus:
        """The app's :class:`CommandBus`."""
        app = app or current_app
        try:
            return app.extensions[EXTENSION_KEY]
        except KeyError:
            raise RuntimeError("command_bus.init_app(app) was not called for this app") from None

    def send(self, command: DeviceCommand, timeout: float | None = None, *, app: Flask | None = None) -> CommandResult:
        """See :meth:`CommandBus.send`."""
        return self.backend(app).send(command, timeout)

    def gateway_states(self, *, app: Flask | None = None) -> list[dict[str, Any]]:
        """See :meth:`CommandBus.gateway_states`."""
        return self.backend(app).gateway_states()

    def gateway_node(self, node_id: str | None = None, *, app: Flask | None = None) -> GatewayNode:
        """See :meth:`CommandBus.gateway_node`; ``node_id`` defaults to ``CHARGEHUB_GATEWAY_NODE``."""
        app = app or current_app
        node_id = node_id or settings(app).get("GATEWAY_NODE") or default_node_id()
        return self.backend(app).gateway_node(node_id)
