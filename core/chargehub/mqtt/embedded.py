"""The embedded broker: ``chargehub run`` with no ``CHARGEHUB_MQTT_URL`` starts one in-process.

It is amqtt (a pure-Python MQTT 3.1.1 broker) on its own event loop in a daemon thread, so the e-bike
side works on a bare machine with nothing installed. It has no shared subscriptions and allows
anonymous clients: it serves one gateway and trials, not a production fleet (use Mosquitto there; see
``docs/decisions/0009-bike-mqtt-gateway.md``).
"""
from __future__ import annotations

import asyncio
import logging
import threading

from chargehub.mqtt.broker import EMBEDDED_PORT

log = logging.getLogger("chargehub.mqtt")


class EmbeddedBroker:
    """An amqtt broker on ``host:port`` in a daemon thread.

    :meth:`start` returns once the listener is bound (and re-raises a failure to bind);
    :meth:`stop` shuts it down and joins the thread.
    """

    def __init__(self, host: str = "0.0.0.0", port: int = EMBEDDED_PORT) -> None:
        self.host, self.port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mqtt-broker", daemon=True)

    @property
    def url(self) -> str:
        """The URL clients on this machine use."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"mqtt://{host}:{self.port}"

    def start(self, timeout: float = 15.0) -> "EmbeddedBroker":
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the embedded MQTT broker did not start in time")
        if self._error is not None:
            raise self._error
        log.info("embedded MQTT broker listening on %s:%s", self.host, self.port)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        from amqtt.broker import Broker  # noqa: PLC0415 - only the embedded platform needs it

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        # amqtt and its state machine log every client's every transition at INFO
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        broker = Broker({
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}", "max_connections": 0}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }, loop=self._loop)
        try:
            await broker.start()
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        try:
            await broker.shutdown()
        except (asyncio.CancelledError, Exception):  # noqa: BLE001 - amqtt cancels in-flight QoS 1 deliveries
            log.debug("embedded MQTT broker: deliveries still in flight were cancelled at shutdown", exc_info=True)


def start_embedded_broker(app) -> EmbeddedBroker | None:
    """Start the embedded broker for ``app`` when it needs one: an MQTT protocol is enabled and no
    ``CHARGEHUB_MQTT_URL`` is set. Listens on ``CHARGEHUB_MQTT_EMBEDDED_LISTEN`` (``host:port``)."""
    from chargehub.config import settings  # noqa: PLC0415
    from chargehub.extensions import plugin_host  # noqa: PLC0415

    config = settings(app)
    if config["MQTT_URL"]:
        return None
    with app.app_context():
        protocols = plugin_host.platform_providers("device_protocols").values()
        if not any(p.transport == "mqtt" for p in protocols):
            return None
    host, _, port = config["MQTT_EMBEDDED_LISTEN"].rpartition(":")
    if not port.isdigit():
        raise ValueError(f"CHARGEHUB_MQTT_EMBEDDED_LISTEN={config['MQTT_EMBEDDED_LISTEN']!r} is not host:port")
    return EmbeddedBroker(host.strip("[]") or "0.0.0.0", int(port)).start()
