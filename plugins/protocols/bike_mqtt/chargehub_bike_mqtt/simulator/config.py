"""A simulated e-bike charger's settings (:class:`DeviceConfig`), its loads (:class:`BatteryParams`), the
broker address (:func:`parse_broker_url`, :func:`default_broker_url`) and generated sns (:func:`device_sns`).

Timings follow ``docs/protocols/bike-mqtt.md`` (keep-alive and heartbeat 60 s, meter 15 s, record resend
60 s); tests shorten them. ``speed`` accelerates only the charging physics: with ``speed=3600`` one real
second of charging is one simulated hour, so ``elapsed_s``, ``energy_wh`` and the order limits run fast
while the MQTT timings stay in real seconds.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["BatteryParams", "DeviceConfig", "device_sns", "parse_broker_url", "default_broker_url", "DEFAULT_BROKER",
           "PROTOCOL_VERSION"]

#: The envelope's ``v`` the simulator speaks (doc §3).
PROTOCOL_VERSION = 1

#: Where ``chargehub simulate bike`` connects without ``--broker`` and ``CHARGEHUB_MQTT_URL``: the
#: embedded platform's own broker.
DEFAULT_BROKER = "mqtt://127.0.0.1:1884"
_SN = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(slots=True, frozen=True)
class BatteryParams:
    """An e-bike battery pack on a constant-current / constant-voltage charger.

    While the state of charge is below ``cv_soc`` the charger pushes ``cc_current_a`` and the pack voltage
    climbs from ``empty_v`` towards ``full_v``; above it the voltage holds at ``full_v`` and the current
    falls in proportion to the charge still missing, so power falls as the pack fills and never quite
    reaches zero (a charge ends on a limit, on ``full`` detection or by hand).

    :param capacity_wh: pack energy (a 48 V 20 Ah pack holds about 960 Wh).
    :param start_soc: state of charge (0..1) when the load is plugged in.
    :param cc_current_a: constant-phase current, A (2–3 A for a typical charger).
    :param cv_soc: state of charge where the constant-voltage phase begins.
    :param empty_v: pack voltage at 0 % charge.
    :param full_v: the charger's constant voltage (54.6 V for a 13-cell 48 V pack).
    """

    capacity_wh: float = 960.0
    start_soc: float = 0.3
    cc_current_a: float = 2.5
    cv_soc: float = 0.8
    empty_v: float = 42.0
    full_v: float = 54.6

    def __post_init__(self) -> None:
        if self.capacity_wh <= 0 or self.cc_current_a <= 0:
            raise ValueError("capacity_wh and cc_current_a must be positive")
        if not 0.0 <= self.start_soc < 1.0 or not 0.0 < self.cv_soc < 1.0:
            raise ValueError("start_soc must be in [0, 1) and cv_soc in (0, 1)")
        if not 0 < self.empty_v <= self.full_v <= 500:
            raise ValueError("need 0 < empty_v <= full_v <= 500")


@dataclass(slots=True)
class DeviceConfig:
    """How one simulated charger looks and behaves.

    :param sn: the factory id (client id and topic segment), 1–32 of ``[A-Za-z0-9_-]``.
    :param sockets: number of sockets, 2..12.
    :param username: MQTT user name (``None``: connect without credentials).
    :param password: MQTT password.
    :param heartbeat_s: seconds between heartbeats (``params`` may change it).
    :param meter_s: seconds between ``meter`` messages while a socket charges.
    :param speed: time-acceleration factor of the charging physics and order limits.
    :param battery: the load plugged into each socket (:meth:`SimulatedDevice.plug` may give another).
    :param plugged: initial plug state, one bool for every socket or one per socket.
    :param fw: firmware version in ``online``.
    :param model: model name in ``online``.
    :param iccid: SIM card id in ``online`` (``None``: left out).
    :param rssi: signal strength in ``online`` and heartbeats, dBm.
    :param temp_c: board temperature in heartbeats.
    :param keepalive: MQTT keep-alive, s.
    :param mqtt_version: ``"3.1.1"`` or ``"5"``.
    :param session_expiry_s: MQTT 5 session expiry (the persistent session of ``clean_session=False``).
    :param record_retry_s: real seconds between resends of an unacknowledged record.
    :param tick_s: real seconds between two steps of the charging physics (at most ``meter_s``).
    :param reconnect_min_s: first reconnect delay; doubles per failure up to ``reconnect_max_s``.
    :param reconnect_max_s: longest reconnect delay.
    :param connect_timeout_s: TCP connect plus CONNACK must finish within this.
    :param welcome_timeout_s: after ``online``, carry on (status, records, heartbeats) if no ``welcome``
        arrives within this.
    :param refused_retry_s: after ``welcome`` with ``accepted: false``, send ``online`` again after this.
    :param reboot_s: real seconds a rebooting device stays offline.
    :param clock_set: the device has a clock (``ts`` real); ``False``: ``ts`` is 0 and the device sends
        ``time_req`` until a ``time`` arrives.
    :param follow_welcome_heartbeat: adopt ``welcome``'s ``heartbeat_s`` (real devices do; tests that
        shorten ``heartbeat_s`` leave it off).
    :param max_current_ma: charger current limit per socket (``params``).
    :param max_power_w: whole-device power limit; above it the latest charge ends ``power_over`` (0: none).
    :param socket_max_power_w: per-socket power limit (``power_over`` above it).
    :param full_current_ma: default full threshold when a ``start`` gives none.
    :param full_minutes: default full duration when a ``start`` gives none (simulated minutes).
    :param keep_messages: how many received messages :attr:`SimulatedDevice.received` keeps.
    """

    sn: str
    sockets: int = 10
    username: str | None = None
    password: str | None = None
    heartbeat_s: float = 60.0
    meter_s: float = 15.0
    speed: float = 1.0
    battery: BatteryParams = field(default_factory=BatteryParams)
    plugged: bool | tuple[bool, ...] = True
    fw: str = "SIM-BIKE-1.0"
    model: str = "SIM-BK"
    iccid: str | None = "89860000000000000000"
    rssi: int = -67
    temp_c: int = 35
    keepalive: int = 60
    mqtt_version: str = "3.1.1"
    session_expiry_s: int = 86_400
    record_retry_s: float = 60.0
    tick_s: float = 1.0
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0
    connect_timeout_s: float = 10.0
    welcome_timeout_s: float = 5.0
    refused_retry_s: float = 60.0
    reboot_s: float = 1.0
    clock_set: bool = True
    follow_welcome_heartbeat: bool = False
    max_current_ma: int = 3000
    max_power_w: int = 0
    socket_max_power_w: int = 1000
    full_current_ma: int = 150
    full_minutes: int = 5
    keep_messages: int = 200

    def __post_init__(self) -> None:
        if not _SN.fullmatch(self.sn):
            raise ValueError(f"sn {self.sn!r} is not 1-32 of [A-Za-z0-9_-]")
        if not 2 <= self.sockets <= 12:
            raise ValueError(f"{self.sockets} sockets: a simulated charger has 2..12")
        if self.mqtt_version not in ("3.1.1", "5"):
            raise ValueError(f"mqtt_version {self.mqtt_version!r} is not '3.1.1' or '5'")
        if self.speed <= 0 or self.heartbeat_s <= 0 or self.meter_s <= 0 or self.tick_s <= 0:
            raise ValueError("speed, heartbeat_s, meter_s and tick_s must be positive")
        if isinstance(self.plugged, tuple) and len(self.plugged) != self.sockets:
            raise ValueError(f"plugged has {len(self.plugged)} values for {self.sockets} sockets")

    def plugged_at_start(self, socket: int) -> bool:
        """The initial plug state of ``socket`` (1-based)."""
        return self.plugged[socket - 1] if isinstance(self.plugged, tuple) else bool(self.plugged)


def device_sns(prefix: str, count: int, first: int = 1) -> list[str]:
    """``count`` sns: ``prefix`` then a counter from ``first``, zero-padded to at least four digits
    (``device_sns("BK", 2)`` → ``["BK0001", "BK0002"]``)."""
    if count < 0 or first < 0:
        raise ValueError("count and first must not be negative")
    width = max(4, len(str(first + count - 1)))
    sns = [f"{prefix}{n:0{width}d}" for n in range(first, first + count)]
    for sn in sns[:1] + sns[-1:]:
        if not _SN.fullmatch(sn):
            raise ValueError(f"prefix {prefix!r} makes sn {sn!r}, not 1-32 of [A-Za-z0-9_-]")
    return sns


def default_broker_url() -> str:
    """``CHARGEHUB_MQTT_URL`` when set, else :data:`DEFAULT_BROKER`."""
    return os.environ.get("CHARGEHUB_MQTT_URL") or DEFAULT_BROKER


def parse_broker_url(url: str) -> tuple[str, int]:
    """``mqtt://host:port`` (or ``tcp://``; port 1883 by default) → ``(host, port)``. TLS and WebSocket
    URLs are refused: the simulator speaks plain MQTT over TCP."""
    parts = urlsplit(url if "://" in url else f"mqtt://{url}")
    if parts.scheme not in ("mqtt", "tcp"):
        raise ValueError(f"broker URL {url!r}: only mqtt:// (plain TCP) is simulated")
    if not parts.hostname:
        raise ValueError(f"broker URL {url!r} has no host")
    return parts.hostname, parts.port or 1883
