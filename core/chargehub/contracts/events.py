"""Payloads of the listener hooks (``order_started``, ``device_status_changed``...).

Listener payloads are frozen dataclasses that survive pickling into a job. Amounts are ``Decimal``
yuan, times are timezone-aware UTC. Later issues may add fields with defaults, never remove them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Mapping


@dataclass(frozen=True)
class OrderEvent:
    """A charging order at the moment of the event.

    :param order_no: the platform's order number (shown to operators and drivers).
    :param vehicle: ``"car"`` or ``"bike"``.
    :param station_id: the station's id.
    :param state: the order state after the event (``"charging"``, ``"completed"``...).
    :param started_at: when charging started, if it did.
    :param ended_at: when charging ended, if it did.
    :param energy_kwh: energy delivered so far, kWh to 0.0001.
    :param amount: amount charged so far, yuan to 0.01.
    :param plate: the licence plate when known (car side), used by parking-relief pushes.
    :param extra: protocol- or mode-specific values that do not have a field yet.
    """

    order_no: str
    vehicle: str
    station_id: int
    state: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    energy_kwh: Decimal = Decimal("0")
    amount: Decimal = Decimal("0.00")
    plate: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundEvent:
    """A refund that reached a final state: ``order_no``, ``refund_no``, ``amount``, ``state``."""

    order_no: str
    refund_no: str
    amount: Decimal
    state: str
    reason: str = ""


@dataclass(frozen=True)
class DeviceStatusEvent:
    """A device (pile, gun, e-bike device or socket, camera, lock) changed state.

    :param device_id: the device's factory id as the protocol names it.
    :param device_type: ``"pile"``, ``"gun"``, ``"bike_device"``, ``"socket"``, ``"camera"``, ``"lock"``.
    :param status: the new normalized status (``"online"``, ``"offline"``, ``"idle"``, ``"charging"``,
        ``"fault"``...).
    :param previous: the status before, if known.
    :param occurred_at: when the device reported it.
    :param reason: why, in words (offline after missed heartbeats, fault names...).
    """

    device_id: str
    device_type: str
    status: str
    occurred_at: datetime
    previous: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class PlateEvent:
    """A parking camera recognised a plate (车牌识别) on a parking space."""

    camera_id: str
    plate: str
    occurred_at: datetime
    space_id: int | None = None
    image_url: str | None = None
    confidence: int | None = None
