"""The device gateway: holds device connections (asyncio TCP) and serves the command bus for them.

* :class:`~.server.Gateway` - listeners, connections, bus node; :meth:`~.server.Gateway.serve_forever`
* :class:`~.listener.GatewayListener` - where connection changes and device events go
* :func:`~.runner.start_in_thread` - the embedded mode (``chargehub run``)
* :mod:`.cli` - the ``chargehub gateway`` command
"""
from __future__ import annotations

from chargehub.devices.gateway.listen import parse_listen
from chargehub.devices.gateway.listener import GatewayListener
from chargehub.devices.gateway.runner import GatewayThread, build_gateway, run_gateway, start_in_thread
from chargehub.devices.gateway.server import Gateway

__all__ = ["Gateway", "GatewayListener", "GatewayThread", "build_gateway", "parse_listen", "run_gateway",
           "start_in_thread"]
