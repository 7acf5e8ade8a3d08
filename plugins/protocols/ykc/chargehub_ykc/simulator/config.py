"""A simulated pile's settings (:class:`PileConfig`) and its wall clock (:func:`local_clock`, :class:`ScaledClock`).

Timings follow ``specs/ykc-protocol.md`` §7 (heartbeat 10 s, idle status 5 min, charging status and BMS
frames 15 s, record retry 30 s, "not plugged" window 60 s); tests and benchmarks shorten them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Callable

__all__ = ["PileConfig", "Clock", "local_clock", "ScaledClock"]

#: A pile's wall clock: returns naive local time (YKC times carry no zone, §3.2).
Clock = Callable[[], datetime]


@lru_cache(maxsize=None)
def local_clock(zone: str = "Asia/Shanghai") -> Clock:
    """The host's current time in ``zone`` as a naive datetime (what a pile's RTC shows); one shared
    function per zone."""
    try:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(zone)
    except Exception:  # no tz database: China has no DST, a fixed offset is exact there
        tz = timezone(timedelta(hours=8))

    def now() -> datetime:
        return datetime.now(tz).replace(tzinfo=None)

    return now


class ScaledClock:
    """A clock that starts at ``start`` and runs ``speed`` times faster than real time.

    With ``speed=3600`` one real second is one pile hour, so a short test crosses several half-hour
    tariff slots. Energy is metered on the pile's clock, so it speeds up too.
    """

    __slots__ = ("start", "speed", "_origin")

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        self.start = start
        self.speed = speed
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._origin) * self.speed)


@dataclass(slots=True)
class PileConfig:
    """How one simulated pile looks and behaves.

    :param pile_code: 14 digits (桩编码).
    :param guns: number of guns, 1..8.
    :param pile_type: ``"dc"`` (sends the BMS frames 0x15/0x17/0x23/0x25/0x19) or ``"ac"``.
    :param power_kw: output power per gun while charging (Decimal, kW), scaled by the 0x52 power limit.
    :param protocol_version: the login's version byte (0x10 = V1.6).
    :param firmware: firmware text in the login (at most 8 ASCII characters).
    :param heartbeat_interval: seconds between 0x03 frames (one gun per frame, rotating).
    :param idle_status_interval: seconds between 0x13 frames of an idle (or faulted) gun.
    :param charging_status_interval: seconds between 0x13 frames of a charging gun.
    :param bms_interval: seconds between 0x23/0x25 frames of a charging DC gun.
    :param record_delay: seconds from the end of charging to the first 0x3B.
    :param record_retry_interval: seconds between resends of an unacknowledged 0x3B.
    :param login_retry_interval: seconds between 0x01 frames until 0x02 arrives; also the 0x09 resend period.
    :param reconnect_delay: seconds before reconnecting after a drop, a refusal or a failed connect
        (failed connects add up to the same again at random, so a fleet does not retry in lockstep).
    :param plug_timeout: the "not plugged" window after 0x34 (spec: 60 s).
    :param missed_heartbeats: unanswered heartbeats after which the pile drops the link and logs in
        again (DOC16: 3); 0 never.
    :param plugged: initial plug state, one bool for every gun or one per gun.
    :param meter_kwh: initial meter reading of every gun (kWh, 4 decimals).
    :param battery_kwh: simulated car battery size, for the SOC of DC piles.
    :param start_soc: SOC (%) of the simulated car when charging starts.
    :param keep_frames: how many received messages :attr:`SimulatedPile.frames` keeps (0: none).
    :param keep_records: how many created transaction records :attr:`SimulatedPile.records` keeps.
    :param clock: the pile's wall clock (naive local time); 0x56 sets an offset on top of it.
    :param zone: time zone of the default clock.
    """

    pile_code: str
    guns: int = 1
    pile_type: str = "dc"
    power_kw: Decimal = Decimal("60")
    protocol_version: int = 0x10
    firmware: str = "SIM-1.0"
    network_type: int = 0x01
    iccid: str = "0" * 20
    carrier: int = 0x04
    heartbeat_interval: float = 10.0
    idle_status_interval: float = 300.0
    charging_status_interval: float = 15.0
    bms_interval: float = 15.0
    record_delay: float = 1.0
    record_retry_interval: float = 30.0
    login_retry_interval: float = 10.0
    reconnect_delay: float = 5.0
    plug_timeout: float = 60.0
    missed_heartbeats: int = 3
    plugged: bool | tuple[bool, ...] = True
    meter_kwh: Decimal = Decimal("0")
    battery_kwh: Decimal = Decimal("60")
    start_soc: int = 30
    keep_frames: int = 200
    keep_records: int = 100
    offline_card_capacity: int = 1000
    clock: Clock | None = field(default=None, repr=False)
    zone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if len(self.pile_code) != 14 or not self.pile_code.isdigit():
            raise ValueError(f"pile code {self.pile_code!r} is not 14 digits")
        if not 1 <= self.guns <= 8:
            raise ValueError(f"{self.guns} guns: a simulated pile has 1..8")
        if self.pile_type not in ("dc", "ac"):
            raise ValueError(f"pile type {self.pile_type!r} is not 'dc' or 'ac'")
        if isinstance(self.power_kw, float) or isinstance(self.meter_kwh, float):
            raise TypeError("power_kw and meter_kwh are Decimal, never float")
        self.power_kw = Decimal(self.power_kw)
        self.meter_kwh = Decimal(self.meter_kwh)
        if isinstance(self.plugged, tuple) and len(self.plugged) != self.guns:
            raise ValueError(f"plugged has {len(self.plugged)} values for {self.guns} guns")

    def plugged_at_start(self, gun: int) -> bool:
        """The initial plug state of ``gun`` (1-based)."""
        return self.plugged[gun - 1] if isinstance(self.plugged, tuple) else bool(self.plugged)
