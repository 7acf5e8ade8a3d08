"""Plugin entry point: META, the ``register_device_protocols`` hook and ``chargehub simulate bike``."""
from __future__ import annotations

from chargehub import PluginLevel, PluginMeta, hookimpl

from chargehub_bike_mqtt.protocol import BikeMqttProtocol

META = PluginMeta(
    name="bike_mqtt",
    verbose_name="两轮车 MQTT 协议 (e-bike chargers over MQTT)",
    version="1.0.0",
    category="protocol",
    level=PluginLevel.PLATFORM,
    description="两轮车充电设备 MQTT 协议：上下线、心跳、插座状态、计量、远程启停、充电记录、故障、对时、参数与二维码下发 "
                "(e-bike chargers over MQTT: online/offline, heartbeats, socket status, metering, remote "
                "start/stop, charge records, faults, clock, parameters and QR codes).",
)


@hookimpl
def register_device_protocols():
    """The e-bike MQTT protocol."""
    return [BikeMqttProtocol]


@hookimpl
def register_commands():
    """``chargehub simulate bike``: the device simulator (merged into core's ``simulate`` group)."""
    from chargehub_bike_mqtt.simulator.cli import simulate_group  # noqa: PLC0415 - only the CLI needs it

    return [simulate_group]
