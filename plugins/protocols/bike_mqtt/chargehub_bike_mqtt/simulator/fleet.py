"""Many simulated chargers in one event loop (:class:`BikeFleet`), and that loop in a daemon thread for
synchronous tests (:class:`BikeFleetThread`)."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Callable, Iterable, Mapping

from chargehub.devices.simulation import SimulatorThread, raise_fd_limit
from chargehub_bike_mqtt.simulator.config import DeviceConfig, default_broker_url, device_sns
from chargehub_bike_mqtt.simulator.device import SimulatedDevice
from chargehub_bike_mqtt.simulator.stats import BikeSimStats

__all__ = ["BikeFleet", "BikeFleetThread", "device_sns", "raise_fd_limit"]


class BikeFleet:
    """N simulated chargers sharing one event loop and one :class:`BikeSimStats`.

    :param broker_url: ``mqtt://host:port``; default ``CHARGEHUB_MQTT_URL`` or ``mqtt://127.0.0.1:1884``.
    :param devices: explicit :class:`DeviceConfig` objects (in addition to the generated ones).
    :param count: how many devices to generate, sn ``prefix`` + counter from ``first`` (:func:`device_sns`).
    :param ramp: devices started per second (connections are spread out).
    :param credentials: sn → ``(username, password)`` for the generated devices.
    :param on_publish: passed to every device (see :class:`SimulatedDevice`).
    :param config_fields: :class:`DeviceConfig` fields for the generated devices (``sockets=10``,
        ``heartbeat_s=...``, ``speed=...``).
    """

    def __init__(self, broker_url: str | None = None, devices: Iterable[DeviceConfig] = (), *, count: int = 0,
                 prefix: str = "BK", first: int = 1, ramp: float = 200.0,
                 credentials: Mapping[str, tuple[str, str]] | None = None,
                 on_publish: Callable[[str, dict[str, Any]], None] | None = None, **config_fields: Any) -> None:
        self.broker_url = broker_url or default_broker_url()
        self.ramp = ramp
        self.stats_sink = BikeSimStats()
        configs = list(devices)
        for sn in device_sns(prefix, count, first):
            username, password = (credentials or {}).get(sn, (None, None))
            configs.append(DeviceConfig(sn, username=username, password=password, **config_fields))
        self.devices = [SimulatedDevice(cfg, self.broker_url, self.stats_sink, on_publish) for cfg in configs]
        self._by_sn = {device.sn: device for device in self.devices}
        if len(self._by_sn) != len(self.devices):
            raise ValueError("two devices of the fleet share an sn")
        self.started_at: float | None = None

    def __len__(self) -> int:
        return len(self.devices)

    def device(self, sn: str) -> SimulatedDevice:
        """The device with ``sn``."""
        return self._by_sn[sn]

    def start(self) -> None:
        """Start every device, ``ramp`` per second (call in the loop's thread)."""
        raise_fd_limit()
        self.started_at = time.monotonic()
        step = 1.0 / self.ramp if self.ramp > 0 else 0.0
        for index, device in enumerate(self.devices):
            device.start(index * step)

    async def stop(self, timeout: float = 3.0) -> None:
        """Publish ``offline`` and disconnect every device; cut what is still open after ``timeout``."""
        for device in self.devices:
            device.stop()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while any(d.link.socket_open for d in self.devices) and loop.time() < deadline:
            await asyncio.sleep(0.02)
        for device in self.devices:
            if device.link.socket_open:
                device.link.abort()

    @property
    def connected(self) -> int:
        """Devices connected right now."""
        return sum(1 for device in self.devices if device.connected)

    @property
    def ready(self) -> int:
        """Devices connected and past ``welcome`` (or its wait)."""
        return sum(1 for device in self.devices if device.ready)

    async def wait_connected(self, count: int | None = None, timeout: float = 60.0, ready: bool = False) -> None:
        """Wait until ``count`` devices (default: all) are connected (or ``ready``); :class:`TimeoutError`."""
        wanted = len(self.devices) if count is None else count
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (self.ready if ready else self.connected) < wanted:
            if loop.time() > deadline:
                raise TimeoutError(f"{self.connected} of {wanted} devices connected after {timeout} s")
            await asyncio.sleep(0.05)

    def stats(self) -> dict[str, Any]:
        """Aggregate state and counters, JSON-ready.

        Keys: ``devices``, ``connected``, ``ready``, ``charging_sockets``, ``faulted_sockets``,
        ``records_pending``, ``uptime`` (seconds since :meth:`start`), plus everything of
        :meth:`BikeSimStats.snapshot` (``messages_published``, ``published_by_type``, ``messages_received``,
        ``received_by_type``, ``records_created``, ``records_acked``, ``record_resends``, ``starts_accepted``,
        ``starts_refused``, ``starts_refused_by_code``, ``connects``, ``reconnects``, ...).
        """
        connected = ready = charging = faulted = pending = 0
        for device in self.devices:
            connected += device.connected
            ready += device.ready
            pending += len(device.pending_records)
            for state in device.socket_states():
                charging += state == "charging"
                faulted += state == "fault"
        out: dict[str, Any] = {
            "devices": len(self.devices), "connected": connected, "ready": ready, "charging_sockets": charging,
            "faulted_sockets": faulted, "records_pending": pending,
            "uptime": round(time.monotonic() - self.started_at, 3) if self.started_at is not None else 0.0,
        }
        out.update(self.stats_sink.snapshot())
        return out


class BikeFleetThread(SimulatorThread):
    """:class:`~chargehub.devices.simulation.SimulatorThread` running a :class:`BikeFleet`."""

    def __init__(self, fleet: BikeFleet | None = None, *, name: str = "bike-simulator") -> None:
        super().__init__(fleet, name=name)
