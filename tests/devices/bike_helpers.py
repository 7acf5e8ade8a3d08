"""Helpers of the e-bike ingest tests: a stub MQTT protocol of kind ``bike_device`` (registered as a
platform plugin, so the listener learns the kind the way it does in production) that also records the
``device_status_changed`` notifications, and shortcuts to build the events the ``bike_mqtt`` plugin emits."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from chargehub import PluginLevel, PluginMeta, hookimpl
from chargehub.contracts.devices import DeviceEvent, DeviceProtocol

PROTOCOL = "bike_stub"
#: ``(tenant id, DeviceStatusEvent)`` of every notification, in order (cleared by the tests' fixture).
NOTIFIED: list[tuple[int, Any]] = []
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


class BikeStubProtocol(DeviceProtocol):
    """Never used for sessions: only its identifier and device kind matter here."""

    identifier = PROTOCOL
    verbose_name = "单车测试协议 (tests)"
    transport = "mqtt"
    device_kind = "bike_device"
    heartbeat_interval = 60.0


class BikeStubPlugin:
    META = PluginMeta(name="bike_stub", verbose_name="单车测试协议", version="1.0", category="protocol",
                      level=PluginLevel.PLATFORM)

    @hookimpl
    def register_device_protocols(self):
        return [BikeStubProtocol]

    @hookimpl
    def device_status_changed(self, tenant_id, event):
        NOTIFIED.append((tenant_id, event))


def at(seconds: float) -> datetime:
    """:data:`T0` plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


def event(device_id: str, type_: str, seconds: float = 0, durable: bool = False, **data: Any) -> DeviceEvent:
    return DeviceEvent(device_id, type_, data, at(seconds), durable)


def status(device_id: str, socket: int, state: str, seconds: float = 0, *, trade_no: str | None = None,
           fault_bits: int = 0, faults: list | None = None) -> DeviceEvent:
    """A ``socket_status`` entry as the plugin normalizes it."""
    return event(device_id, "status", seconds, socket=socket, state=state, trade_no=trade_no, fault_bits=fault_bits,
                 faults=faults or [])


def meter(device_id: str, socket: int, trade_no: str, seconds: float = 0, *, voltage: str = "48.2",
          current: str = "2.105", power: int = 101, energy: str = "0.0350", elapsed: int = 900) -> DeviceEvent:
    """A ``meter`` entry as the plugin normalizes it (a ``status`` with ``meter: True``)."""
    return event(device_id, "status", seconds, socket=socket, state="charging", trade_no=trade_no, voltage_v=voltage,
                 current_a=current, power_w=power, energy_kwh=energy, elapsed_s=elapsed, meter=True)


def record(device_id: str, trade_no: str, seconds: float = 0, *, socket: int = 1, energy: str = "0.4120",
           record_id: str = "r-1") -> DeviceEvent:
    """An end-of-charge ``record`` as the plugin normalizes it (durable)."""
    return event(device_id, "transaction_record", seconds, durable=True, trade_no=trade_no, socket=socket,
                 started_at="2026-03-02T06:00:00+00:00", ended_at="2026-03-02T07:45:10+00:00", energy_kwh=energy,
                 elapsed_s=6310, max_power_w=236, stop_reason_code="full",
                 stop_reason="充满自停 (battery full)", fault_bits=0, faults=[], record_id=record_id,
                 frame='{"v":1,"type":"record"}')
