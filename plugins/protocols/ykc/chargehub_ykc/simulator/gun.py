"""One gun of a simulated pile: plug, fault and charging state, meter, and its timers."""
from __future__ import annotations

import asyncio

from chargehub_ykc.codec.messages import RemoteStart
from chargehub_ykc.simulator.metering import ChargeSession

__all__ = ["GunState", "FAULT", "IDLE", "CHARGING", "STATE_NAMES"]

#: 0x13 gun status codes (§8.3); "offline" (0x00) is never sent by a connected pile.
FAULT = 0x01
IDLE = 0x02
CHARGING = 0x03
STATE_NAMES = {FAULT: "fault", IDLE: "idle", CHARGING: "charging"}


class GunState:
    """State of one gun.

    :ivar number: gun number (1-based).
    :ivar status: 0x13 status code: :data:`FAULT`, :data:`IDLE` or :data:`CHARGING`.
    :ivar plugged: the connector is in a car.
    :ivar fault_bits: hardware fault bitmap (§8.4), 0 when healthy.
    :ivar session: the running :class:`ChargeSession`, else ``None``.
    :ivar last_session: the most recent ended session.
    :ivar meter: meter reading, 0.0001 kWh.
    :ivar pending_start: a 0x34 answered "not plugged" (0x05) that plugging within the window starts.
    :ivar lock_state: ground lock 0x55 raised / 0xFF lowered.
    """

    __slots__ = ("number", "status", "plugged", "fault_bits", "session", "last_session", "meter",
                 "pending_start", "lock_state", "plug_handle", "status_handle", "bms_handle")

    def __init__(self, number: int, plugged: bool, meter: int) -> None:
        self.number = number
        self.status = IDLE
        self.plugged = plugged
        self.fault_bits = 0
        self.session: ChargeSession | None = None
        self.last_session: ChargeSession | None = None
        self.meter = meter
        self.pending_start: RemoteStart | None = None
        self.lock_state = 0xFF
        self.plug_handle: asyncio.TimerHandle | None = None
        self.status_handle: asyncio.TimerHandle | None = None
        self.bms_handle: asyncio.TimerHandle | None = None

    @property
    def state(self) -> str:
        """``"idle"``, ``"charging"`` or ``"fault"``."""
        return STATE_NAMES[self.status]

    def cancel_timers(self) -> None:
        """Cancel the gun's status, BMS and plug-window timers."""
        for name in ("plug_handle", "status_handle", "bms_handle"):
            handle = getattr(self, name)
            if handle is not None:
                handle.cancel()
                setattr(self, name, None)

    def __repr__(self) -> str:
        return f"<GunState {self.number} {self.state} plugged={self.plugged} fault=0x{self.fault_bits:04X}>"
