"""Simulated e-bike chargers that speak ``docs/protocols/bike-mqtt.md`` (the device side) over real MQTT,
for tests, demos and benchmarks.

- :class:`DeviceConfig`, :class:`BatteryParams` (``config``): what a charger and its loads look like.
- :class:`SimulatedDevice` (``device``, with ``charging``, ``commands``, ``records``; ``link`` holds the
  paho client on the event loop; ``outlet`` and ``battery`` the sockets and the charging physics).
- :class:`BikeFleet` / :class:`BikeFleetThread` (``fleet``): hundreds of chargers in one loop, driven
  from a thread; :func:`device_sns` names them. ``stats``: shared counters. ``cli``: ``chargehub
  simulate bike``.
"""
from chargehub_bike_mqtt.simulator.battery import Battery
from chargehub_bike_mqtt.simulator.config import (
    DEFAULT_BROKER,
    BatteryParams,
    DeviceConfig,
    default_broker_url,
    device_sns,
    parse_broker_url,
)
from chargehub_bike_mqtt.simulator.device import PROTOCOL_VERSION, SimulatedDevice
from chargehub_bike_mqtt.simulator.fleet import BikeFleet, BikeFleetThread, raise_fd_limit
from chargehub_bike_mqtt.simulator.outlet import CHARGING, DISABLED, FAULT, IDLE, PLUGGED, ChargeSession, SocketState
from chargehub_bike_mqtt.simulator.stats import BikeSimStats

__all__ = [
    "Battery", "BatteryParams", "DeviceConfig", "DEFAULT_BROKER", "default_broker_url", "device_sns",
    "parse_broker_url", "PROTOCOL_VERSION", "SimulatedDevice", "BikeFleet", "BikeFleetThread", "raise_fd_limit",
    "CHARGING", "DISABLED", "FAULT", "IDLE", "PLUGGED", "ChargeSession", "SocketState", "BikeSimStats",
]
