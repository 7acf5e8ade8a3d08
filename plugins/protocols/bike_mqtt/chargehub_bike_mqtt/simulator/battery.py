"""The load on a socket: an e-bike battery charged constant-current, then constant-voltage
(:class:`Battery`, shaped by :class:`~chargehub_bike_mqtt.simulator.config.BatteryParams`)."""
from __future__ import annotations

from chargehub_bike_mqtt.simulator.config import BatteryParams

__all__ = ["Battery"]


class Battery:
    """One battery pack's state of charge and the voltage / current its charger gives it.

    Below ``cv_soc`` the current is ``cc_current_a`` (capped by the socket's current limit) and the
    voltage rises linearly from ``empty_v`` to ``full_v``; above it the voltage is ``full_v`` and the
    current is ``cc_current_a × (1 − soc) / (1 − cv_soc)``, so it decays exponentially over time.
    """

    __slots__ = ("params", "soc")

    def __init__(self, params: BatteryParams | None = None, soc: float | None = None) -> None:
        self.params = params or BatteryParams()
        self.soc = self.params.start_soc if soc is None else min(1.0, max(0.0, soc))

    def voltage(self) -> float:
        """Pack voltage now, V."""
        p = self.params
        if self.soc >= p.cv_soc:
            return p.full_v
        return p.empty_v + (p.full_v - p.empty_v) * self.soc / p.cv_soc

    def current(self, limit_a: float | None = None) -> float:
        """Charging current now, A (at most ``limit_a``)."""
        p = self.params
        if self.soc < p.cv_soc:
            amps = p.cc_current_a
        else:
            amps = p.cc_current_a * (1.0 - self.soc) / (1.0 - p.cv_soc)
        return amps if limit_a is None else min(amps, limit_a)

    def charge(self, wh: float) -> None:
        """Store ``wh`` watt-hours."""
        self.soc = min(1.0, self.soc + wh / self.params.capacity_wh)

    def __repr__(self) -> str:
        return f"<Battery soc={self.soc:.3f} {self.voltage():.1f} V {self.current():.3f} A>"
