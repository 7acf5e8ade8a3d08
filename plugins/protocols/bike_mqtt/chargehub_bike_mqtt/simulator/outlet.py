"""One socket of a simulated charger (:class:`SocketState`) and the charge running on it
(:class:`ChargeSession`: order limits, pricing, full detection and power tier, stepped in simulated
seconds)."""
from __future__ import annotations

import math
from typing import Any

from chargehub_bike_mqtt.simulator.battery import Battery

__all__ = ["SocketState", "ChargeSession", "IDLE", "PLUGGED", "CHARGING", "FAULT", "DISABLED"]

IDLE, PLUGGED, CHARGING, FAULT, DISABLED = "idle", "plugged", "charging", "fault", "disabled"

#: Longest physics step, simulated seconds (shorter when a tick is short); limits are cut exactly.
_SUBSTEP = 5.0
_MAX_SUBSTEPS = 400


class ChargeSession:
    """A charge on one socket, from ``start`` to its end reason (doc §4.1).

    Limits (``limit_s`` simulated seconds, ``limit_wh``, ``limit_fen`` priced with ``fen_per_hour`` /
    ``fen_per_kwh``) apply together, the first reached ends the charge; with ``stop_when_full`` a current
    under ``full_current_ma`` for ``full_minutes`` ends it with ``full``; a power above ``max_power_w``
    (the order's tier, or the socket limit) ends it with ``power_over``.
    """

    __slots__ = ("order", "mode", "limit_s", "limit_wh", "limit_fen", "fen_per_hour", "fen_per_kwh",
                 "max_power_w", "stop_when_full", "full_current_ma", "full_minutes", "started_at", "elapsed_s",
                 "energy_wh", "cost_fen", "max_seen_w", "under_s", "voltage_v", "current_a", "power_w",
                 "updated_at")

    def __init__(self, order: str, mode: str, *, started_at: int, updated_at: float, limit_s: int | None = None,
                 limit_wh: int | None = None, limit_fen: int | None = None, fen_per_hour: int = 0,
                 fen_per_kwh: int = 0, max_power_w: int = 0, stop_when_full: bool = False,
                 full_current_ma: int = 150, full_minutes: int = 5) -> None:
        self.order = order
        self.mode = mode
        self.limit_s = limit_s
        self.limit_wh = limit_wh
        self.limit_fen = limit_fen
        self.fen_per_hour = fen_per_hour
        self.fen_per_kwh = fen_per_kwh
        self.max_power_w = max_power_w
        self.stop_when_full = stop_when_full or mode == "full"
        self.full_current_ma = full_current_ma
        self.full_minutes = full_minutes
        self.started_at = started_at
        self.updated_at = updated_at
        self.elapsed_s = 0.0
        self.energy_wh = 0.0
        self.cost_fen = 0.0
        self.max_seen_w = 0
        self.under_s: float | None = None
        self.voltage_v = self.current_a = 0.0
        self.power_w = 0

    def _measure(self, battery: Battery, limit_a: float) -> float:
        volts = battery.voltage()
        amps = battery.current(limit_a)
        watts = volts * amps
        self.voltage_v, self.current_a, self.power_w = volts, amps, int(round(watts))
        self.max_seen_w = max(self.max_seen_w, self.power_w)
        return watts

    def advance(self, battery: Battery, sim_dt: float, limit_a: float, socket_limit_w: int = 0) -> str | None:
        """Charge ``battery`` for ``sim_dt`` simulated seconds (0: only measure); the end reason when a
        limit, full detection or the power tier ends the charge, else ``None``."""
        tier = min((w for w in (self.max_power_w, socket_limit_w) if w > 0), default=0)
        remaining = max(0.0, sim_dt)
        substep = max(_SUBSTEP, remaining / _MAX_SUBSTEPS)
        while True:
            watts = self._measure(battery, limit_a)
            if tier and self.power_w > tier:
                return "power_over"
            if remaining <= 1e-9:
                return None
            step, reason = min(remaining, substep), None
            if self.limit_s is not None and self.elapsed_s + step >= self.limit_s:
                step, reason = max(0.0, self.limit_s - self.elapsed_s), "duration"
            wh = watts * step / 3600.0
            if self.limit_wh is not None and watts > 0 and self.energy_wh + wh >= self.limit_wh:
                step, reason = max(0.0, (self.limit_wh - self.energy_wh) * 3600.0 / watts), "energy"
            fen_rate = watts / 3_600_000.0 * self.fen_per_kwh + self.fen_per_hour / 3600.0  # fen per second
            if self.limit_fen is not None and fen_rate > 0 and self.cost_fen + fen_rate * step >= self.limit_fen:
                step, reason = max(0.0, (self.limit_fen - self.cost_fen) / fen_rate), "amount"
            wh = watts * step / 3600.0
            battery.charge(wh)
            self.energy_wh += wh
            self.cost_fen += fen_rate * step
            self.elapsed_s += step
            remaining -= step
            if reason is not None:
                self._measure(battery, limit_a)
                return reason
            if self.stop_when_full and self._full_after(battery.current(limit_a), step):
                self._measure(battery, limit_a)
                return "full"

    def _full_after(self, amps: float, step: float) -> bool:
        if amps * 1000.0 >= self.full_current_ma:
            self.under_s = None
            return False
        self.under_s = 0.0 if self.under_s is None else self.under_s + step
        return self.under_s >= self.full_minutes * 60

    def meter_entry(self, socket: int) -> dict[str, Any]:
        """This charge's entry of a ``meter`` message."""
        return {"no": socket, "order": self.order, "voltage_v": round(self.voltage_v, 1),
                "current_a": round(self.current_a, 3), "power_w": self.power_w,
                "energy_wh": int(math.floor(self.energy_wh + 1e-6)),
                "elapsed_s": int(math.floor(self.elapsed_s + 1e-6))}


class SocketState:
    """One socket (插座): plug state and load, enabled flag, fault bits, the running charge.

    :attr:`state` is what ``socket_status`` reports: ``charging`` while a charge runs, else ``fault`` with
    fault bits (the socket's or the whole device's), ``disabled``, ``plugged`` with a load, ``idle``.
    """

    __slots__ = ("no", "battery", "enabled", "fault_bits", "session", "refuse_code", "qr_url")

    def __init__(self, no: int, battery: Battery | None) -> None:
        self.no = no
        self.battery = battery
        self.enabled = True
        self.fault_bits = 0
        self.session: ChargeSession | None = None
        #: Knob: refuse every ``start`` on this socket with this code.
        self.refuse_code: str | None = None
        self.qr_url: str | None = None

    @property
    def plugged(self) -> bool:
        """A load is connected."""
        return self.battery is not None

    def state(self, device_fault_bits: int = 0) -> str:
        """``idle``, ``plugged``, ``charging``, ``fault`` or ``disabled``."""
        if self.session is not None:
            return CHARGING
        if self.fault_bits | device_fault_bits:
            return FAULT
        if not self.enabled:
            return DISABLED
        return PLUGGED if self.battery is not None else IDLE

    def status_entry(self, device_fault_bits: int = 0) -> dict[str, Any]:
        """This socket's entry of ``socket_status`` / heartbeat."""
        return {"no": self.no, "state": self.state(device_fault_bits),
                "order": self.session.order if self.session is not None else None,
                "fault_bits": self.fault_bits | device_fault_bits}
