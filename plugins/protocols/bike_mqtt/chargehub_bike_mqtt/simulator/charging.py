"""Charging part of :class:`~chargehub_bike_mqtt.simulator.device.SimulatedDevice`: ``start`` checks and
refusal codes, the physics tick, ``meter`` every ``meter_s``, the end of a charge (meter, status,
record), plug / unplug, faults, and the knobs tests turn (refuse starts, disable a socket)."""
from __future__ import annotations

import math
from typing import Any, Callable

from chargehub_bike_mqtt.simulator.battery import Battery
from chargehub_bike_mqtt.simulator.config import BatteryParams
from chargehub_bike_mqtt.simulator.outlet import ChargeSession, SocketState

__all__ = ["ChargingMixin", "START_CODES", "MODES", "is_count", "echo"]

#: Refusal codes of ``start_reply``.
START_CODES = ("busy", "no_load", "fault", "disabled", "bad_params")
MODES = ("duration", "energy", "amount", "full")
_LIMIT_OF_MODE = {"duration": "seconds", "energy": "wh", "amount": "fen"}


def is_count(value: Any, low: int = 0, high: int | None = None) -> bool:
    """``value`` is an int (not a bool) in ``low..high``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)


def echo(msg: dict[str, Any]) -> dict[str, Any]:
    """The command's ``socket`` and ``order`` for its reply, each only when well-formed (a reply must
    stay valid even when it refuses a malformed command)."""
    out: dict[str, Any] = {}
    if is_count(msg.get("socket"), 1, 12):
        out["socket"] = msg["socket"]
    if isinstance(msg.get("order"), str) and 1 <= len(msg["order"]) <= 32:
        out["order"] = msg["order"]
    return out


class ChargingMixin:
    """Charging part of the simulated device (needs the device's attributes; see ``device.py``)."""

    # ------------------------------------------------------------------ knobs and local events

    def plug(self, socket: int, battery: Battery | BatteryParams | None = None) -> None:
        """Connect a load to ``socket`` (a fresh pack of the config's kind by default)."""
        state = self.socket(socket)
        state.battery = battery if isinstance(battery, Battery) else Battery(battery or self.config.battery)
        self.send_socket_status()

    def unplug(self, socket: int) -> None:
        """Remove the load; a running charge ends with ``unplugged``."""
        state = self.socket(socket)
        if state.session is not None:
            self._advance(state)
            state.battery = None
            self._end_charge(state, "unplugged")
        else:
            state.battery = None
            self.send_socket_status()

    def inject_fault(self, socket: int, bits: int) -> None:
        """Raise fault ``bits`` on ``socket`` (0: the whole device): publish ``fault``, end the charges it
        touches with reason ``fault``, publish the status."""
        if socket == 0:
            self.device_fault_bits |= bits
            touched, total = self.sockets, self.device_fault_bits
        else:
            state = self.socket(socket)
            state.fault_bits |= bits
            touched, total = [state], state.fault_bits
        self.stats.faults_injected += 1
        self.send(self.topic_up, self.message("fault", socket=socket, fault_bits=total))
        ended = False
        for state in touched:
            if state.session is not None:
                self._advance(state)
                self._end_charge(state, "fault", state.fault_bits | self.device_fault_bits)
                ended = True
        if not ended:
            self.send_socket_status()

    def clear_fault(self, socket: int, bits: int | None = None) -> None:
        """Clear ``bits`` (all by default) on ``socket`` (0: the device); publish ``fault`` and the status."""
        if socket == 0:
            self.device_fault_bits &= ~bits if bits is not None else 0
            total = self.device_fault_bits
        else:
            state = self.socket(socket)
            state.fault_bits &= ~bits if bits is not None else 0
            total = state.fault_bits
        self.send(self.topic_up, self.message("fault", socket=socket, fault_bits=total))
        self.send_socket_status()

    def disable(self, socket: int) -> None:
        """Take ``socket`` out of service (starts answer ``disabled``)."""
        self.socket(socket).enabled = False
        self.send_socket_status()

    def enable(self, socket: int) -> None:
        """Put ``socket`` back in service."""
        self.socket(socket).enabled = True
        self.send_socket_status()

    def refuse_starts(self, code: str | None, socket: int | None = None) -> None:
        """Refuse every ``start`` (or those on ``socket``) with ``code``; ``None`` accepts again."""
        if code is not None and code not in START_CODES:
            raise ValueError(f"{code!r} is not one of {START_CODES}")
        if socket is None:
            self.refuse_code = code
        else:
            self.socket(socket).refuse_code = code

    def start_local(self, socket: int, *, seconds: int | None = None, wh: int | None = None,
                    stop_when_full: bool = True) -> str:
        """Start a charge at the device (card, coin): the device's own order number; returns it."""
        state = self.socket(socket)
        if state.session is not None or state.battery is None:
            raise RuntimeError(f"socket {socket} of {self.sn} is {state.state(self.device_fault_bits)}")
        self._seq += 1
        order = f"L{self._id_base[:8]}{self._seq:06x}{socket:02d}"
        mode = "duration" if seconds else "energy" if wh else "full"
        self._begin(state, ChargeSession(order, mode, started_at=self.now(), updated_at=self.loop.time(),
                                         limit_s=seconds, limit_wh=wh, stop_when_full=stop_when_full,
                                         full_current_ma=int(self.params["full_current_ma"]),
                                         full_minutes=int(self.params["full_minutes"])))
        return order

    # ------------------------------------------------------------------ start command

    def _cmd_start(self, msg: dict[str, Any]) -> tuple[dict[str, Any], Callable[[], None] | None]:
        base = echo(msg)
        problem = self._start_problem(msg)
        if problem is not None:
            self.stats.starts_refused[problem[0]] += 1
            return {**base, "ok": False, "code": problem[0], "reason": problem[1]}, None
        state = self.socket(msg["socket"])
        limits, price = msg.get("limits") or {}, msg.get("price") or {}
        session = ChargeSession(
            msg["order"], msg["mode"], started_at=self.now(), updated_at=self.loop.time(),
            limit_s=limits.get("seconds"), limit_wh=limits.get("wh"), limit_fen=limits.get("fen"),
            fen_per_hour=price.get("fen_per_hour", 0), fen_per_kwh=price.get("fen_per_kwh", 0),
            max_power_w=msg.get("max_power_w", 0), stop_when_full=msg.get("stop_when_full", False),
            full_current_ma=msg.get("full_current_ma", int(self.params["full_current_ma"])),
            full_minutes=msg.get("full_minutes", int(self.params["full_minutes"])))
        self.stats.starts_accepted += 1
        return {**base, "ok": True}, lambda: self._begin(state, session)

    def _start_problem(self, msg: dict[str, Any]) -> tuple[str, str] | None:
        """``(code, reason)`` when the start is refused, else ``None``."""
        if not is_count(msg.get("socket"), 1, len(self.sockets)):
            return "bad_params", f"socket must be 1..{len(self.sockets)}"
        order, mode = msg.get("order"), msg.get("mode")
        if not isinstance(order, str) or not 1 <= len(order) <= 32:
            return "bad_params", "order must be 1-32 characters"
        if mode not in MODES:
            return "bad_params", f"mode must be one of {', '.join(MODES)}"
        limits, price = msg.get("limits", {}), msg.get("price", {})
        if not isinstance(limits, dict) or not isinstance(price, dict):
            return "bad_params", "limits and price must be objects"
        for key in ("seconds", "wh", "fen"):
            if key in limits and not is_count(limits[key], 1):
                return "bad_params", f"limits.{key} must be a positive integer"
        if mode in _LIMIT_OF_MODE and _LIMIT_OF_MODE[mode] not in limits:
            return "bad_params", f"mode {mode} needs limits.{_LIMIT_OF_MODE[mode]}"
        for key in ("fen_per_hour", "fen_per_kwh"):
            if key in price and not is_count(price[key]):
                return "bad_params", f"price.{key} must be a non-negative integer"
        if "fen" in limits and not (price.get("fen_per_hour") or price.get("fen_per_kwh")):
            return "bad_params", "limits.fen needs a price"
        for key in ("max_power_w", "full_current_ma", "full_minutes"):
            if key in msg and not is_count(msg[key]):
                return "bad_params", f"{key} must be a non-negative integer"
        if not isinstance(msg.get("stop_when_full", False), bool):
            return "bad_params", "stop_when_full must be a boolean"
        state = self.socket(msg["socket"])
        refused = state.refuse_code or self.refuse_code
        if refused is not None:
            return refused, "refused by the device"
        if not state.enabled:
            return "disabled", "socket is disabled"
        if state.fault_bits | self.device_fault_bits:
            return "fault", f"fault {state.fault_bits | self.device_fault_bits:04d}"
        if state.session is not None:
            return "busy", f"socket is charging order {state.session.order}"
        if state.battery is None:
            return "no_load", "no load plugged in"
        return None

    # ------------------------------------------------------------------ running charges

    def _begin(self, state: SocketState, session: ChargeSession) -> None:
        state.session = session
        reason = self._advance(state)  # measures the load (0 s)
        self.send_socket_status()
        self._send_meter([state])
        if reason is not None:
            self._end_charge(state, reason)
        elif self._tick_handle is None:
            self._next_meter_at = self.loop.time() + self.config.meter_s
            self._tick_handle = self.loop.call_later(min(self.config.tick_s, self.config.meter_s), self._tick)

    def _advance(self, state: SocketState) -> str | None:
        """Bring ``state``'s charge up to now; its end reason when one is reached."""
        session, now = state.session, self.loop.time()
        sim_dt = (now - session.updated_at) * self.config.speed
        session.updated_at = now
        return session.advance(state.battery, sim_dt, self.params["max_current_ma"] / 1000.0,
                               int(self.params["socket_max_power_w"]))

    def _tick(self) -> None:
        self._tick_handle = None
        for state in self.sockets:
            if state.session is not None:
                reason = self._advance(state)
                if reason is not None:
                    self._end_charge(state, reason)
        self._check_device_power()
        charging = [s for s in self.sockets if s.session is not None]
        now = self.loop.time()
        if charging and now >= self._next_meter_at - 1e-3:
            self._send_meter(charging)
            self._next_meter_at = max(self._next_meter_at + self.config.meter_s, now + self.config.meter_s / 2)
        if charging:
            self._tick_handle = self.loop.call_later(min(self.config.tick_s, self.config.meter_s), self._tick)

    def _check_device_power(self) -> None:
        """Above the whole-device ``max_power_w`` the latest charge ends with ``power_over``."""
        limit = int(self.params["max_power_w"])
        charging = [s for s in self.sockets if s.session is not None]
        if limit > 0 and charging and sum(s.session.power_w for s in charging) > limit:
            latest = max(charging, key=lambda s: (s.session.started_at, s.no))
            self._end_charge(latest, "power_over")

    def _send_meter(self, states: list[SocketState]) -> None:
        if self.ready and states:
            self.send(self.topic_up, self.message("meter", sockets=[s.session.meter_entry(s.no) for s in states]))

    def _end_all(self, reason: str) -> None:
        for state in self.sockets:
            if state.session is not None:
                self._advance(state)
                self._end_charge(state, reason)

    def _end_charge(self, state: SocketState, reason: str, fault_bits: int = 0) -> None:
        """Final meter, ``socket_status``, then the record (kept until acknowledged)."""
        session = state.session
        self._send_meter([state])
        state.session = None
        self.send_socket_status()
        started = session.started_at
        elapsed = int(math.floor(session.elapsed_s + 1e-6))
        self.store_record(self.message(
            "record", socket=state.no, order=session.order, started_at=started,
            ended_at=started + elapsed if started else self.now(), energy_wh=int(math.floor(session.energy_wh + 1e-6)),
            elapsed_s=elapsed, max_power_w=session.max_seen_w, reason=reason,
            fault_bits=fault_bits if reason == "fault" else 0))
        if self._reboot_when_idle and all(s.session is None for s in self.sockets):
            self.loop.call_soon(self.reboot)
