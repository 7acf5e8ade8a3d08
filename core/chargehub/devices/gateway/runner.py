"""Running a :class:`Gateway`: in the foreground (``chargehub gateway``) or in a daemon thread
(the embedded ``chargehub run``, tests)."""
from __future__ import annotations

import asyncio
import threading
from typing import Any

from flask import Flask

from chargehub.config import settings
from chargehub.mqtt.broker import BrokerAddress

from chargehub.devices.gateway.listen import parse_listen
from chargehub.devices.gateway.listener import GatewayListener
from chargehub.devices.gateway.server import Gateway


def run_gateway(gateway: Gateway) -> None:
    """Serve ``gateway`` in this thread until SIGTERM/SIGINT (uses uvloop when it is installed)."""
    try:
        import uvloop  # noqa: PLC0415 - optional
    except ImportError:
        asyncio.run(gateway.serve_forever())
    else:
        uvloop.run(gateway.serve_forever())


def build_gateway(app: Flask, *, listen: str | None = None, node_id: str | None = None,
                  listener: GatewayListener | None = None, mqtt_url: str | None = None) -> Gateway:
    """A gateway for ``app``: its enabled platform protocols and a node of its command bus.

    :param listen: listen spec (see :mod:`~chargehub.devices.gateway.listen`); default
        ``CHARGEHUB_GATEWAY_LISTEN``.
    :param node_id: default ``CHARGEHUB_GATEWAY_NODE`` or ``<hostname>-<pid>``.
    :param listener: default :class:`chargehub.devices.ingest.DatabaseListener` (logins checked against
        the registered devices, events applied to the database).
    :param mqtt_url: the broker of the MQTT protocols when it is not ``CHARGEHUB_MQTT_URL`` (the embedded
        broker of ``chargehub run``; plain subscriptions then, it has no shared ones).
    :raises ValueError: for a malformed listen spec or one naming a protocol that is not enabled.
    """
    from chargehub.extensions import command_bus, plugin_host  # noqa: PLC0415 - extensions import us

    with app.app_context():
        protocols = list(plugin_host.platform_providers("device_protocols").values())
    config = settings(app)
    spec = config["GATEWAY_LISTEN"] if listen is None else listen
    addresses = parse_listen(spec, protocols)
    node = command_bus.gateway_node(node_id, app=app)
    if listener is None:
        from chargehub.devices.ingest import DatabaseListener  # noqa: PLC0415 - needs the models

        listener = DatabaseListener(app)
    url = mqtt_url or config["MQTT_URL"]
    group = config["MQTT_SHARED_GROUP"]
    shared = None if mqtt_url or group.lower() == "none" else group
    return Gateway(protocols, node, addresses, listener=listener,
                   missed_heartbeats=config["GATEWAY_MISSED_HEARTBEATS"],
                   mqtt_address=BrokerAddress.parse(url) if url else None, mqtt_shared_group=shared)


class GatewayThread:
    """Runs a :class:`Gateway` on its own event loop in a daemon thread.

    :meth:`start` returns once every listener is bound (``gateway.addresses`` is filled) and re-raises
    a start-up failure; :meth:`stop` shuts the gateway down cleanly and joins the thread.
    """

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"gateway-{gateway.node.node_id}", daemon=True)

    def start(self, timeout: float = 30.0) -> "GatewayThread":
        self._thread.start()
        if not self._started.wait(timeout):
            raise TimeoutError("gateway did not start in time")
        if self._error is not None:
            raise self._error
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.gateway.request_stop()
        self._thread.join(timeout)

    @property
    def addresses(self) -> dict[str, Any]:
        """Bound ``(host, port)`` per protocol identifier."""
        return self.gateway.addresses

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        try:
            await self.gateway.start()
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            self._error = exc
            self._started.set()
            return
        self._started.set()
        await self.gateway.run_until_stopped()


def start_in_thread(app: Flask, **kwargs: Any) -> GatewayThread:
    """Build the app's gateway (see :func:`build_gateway`) and run it in a daemon thread."""
    return GatewayThread(build_gateway(app, **kwargs)).start()
