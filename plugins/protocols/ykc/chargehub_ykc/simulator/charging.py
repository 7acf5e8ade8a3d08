"""Charging behaviour of :class:`~chargehub_ykc.simulator.pile.SimulatedPile`: remote start/stop
(0x34/0x36, spec §7.3 and the "not plugged" rule of §5 0x33), real-time data (0x13), the BMS frames of DC
piles (0x15/0x17/0x23/0x25/0x19) and the local controls a test uses (plug, unplug, faults, stop at the pile).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from chargehub_ykc.codec.frame import Frame
from chargehub_ykc.codec.messages import (
    BmsDemand,
    BmsHandshake,
    BmsParameters,
    BmsStatus,
    ChargingEnd,
    RealtimeData,
    RemoteStart,
    RemoteStartReply,
    RemoteStopReply,
    WorkParamsReply,
)
from chargehub_ykc.simulator.gun import CHARGING, FAULT, IDLE, GunState
from chargehub_ykc.simulator.metering import ChargeSession, kwh_to_units, units_to_kwh

__all__ = ["ChargingMixin", "fault_stop_reason"]

_ZERO_TRADE = "0" * 32
_NO_CABLE = "0" * 16
_ZERO = Decimal(0)
#: Wire value 0 of a temperature field (−50 °C offset): "no reading" while idle (§5 0x13).
_NO_TEMPERATURE = -50
#: Stop reasons (§8.1) used by the local controls.
STOP_APP = 0x40
STOP_MANUAL = 0x45
STOP_PILOT_LOST = 0x6B
STOP_POWER_LOSS = 0x83
#: Fault bit (§8.4) → abnormal stop reason (§8.1) when a fault ends a session.
_FAULT_STOPS = ((0, 0x72), (3, 0x73), (6, 0x6D), (1, 0x71), (11, 0x70))


def fault_stop_reason(bits: int) -> int:
    """The §8.1 abnormal-stop reason for a hardware fault bitmap (0x90 "unknown" when nothing fits)."""
    for bit, reason in _FAULT_STOPS:
        if bits >> bit & 1:
            return reason
    return 0x90


class ChargingMixin:
    """Charging part of the simulated pile (needs the pile's slots; see ``pile.py``)."""

    __slots__ = ()

    # ------------------------------------------------------------------ local controls (tests)

    def plug(self, gun: int) -> None:
        """Plug gun ``gun`` into a car; starts a "not plugged" start still inside its window."""
        state: GunState = self.gun(gun)
        if state.plugged:
            return
        state.plugged = True
        pending = state.pending_start
        if pending is not None:
            self._clear_pending(state)
            if self._can_start(state) is None:
                # Second 0x33, now a success (§5 0x33 "not plugged" rule); no idle 0x13 in between.
                self._send(RemoteStartReply(pending.trade_no, self.code, state.number, 0x01, 0x00))
                self._start_session(state, pending)
                self._notify()
                return
        self._send_status(state)
        self._notify()

    def unplug(self, gun: int) -> None:
        """Pull gun ``gun`` out; a running session ends at once (0x6B) and its record is sent at once."""
        state: GunState = self.gun(gun)
        if not state.plugged:
            return
        state.plugged = False
        if state.session is not None:
            self._stop_session(state, STOP_PILOT_LOST, record_delay=0.0)
        else:
            self._send_status(state)
        self._notify()

    def set_fault(self, gun: int, bits: int = 0x0001) -> None:
        """Put gun ``gun`` in fault with hardware fault bitmap ``bits`` (§8.4): 0x13 status 0x01, heartbeat
        gun status 0x01; a running session ends with the matching abnormal-stop reason."""
        if not 0 < bits <= 0xFFFF:
            raise ValueError("fault bits are a non-zero u16")
        state: GunState = self.gun(gun)
        state.fault_bits = bits
        if state.session is not None:
            self._stop_session(state, fault_stop_reason(bits))
        else:
            state.status = FAULT
            self._send_status(state)
        self._notify()

    def clear_fault(self, gun: int) -> None:
        """Clear gun ``gun``'s fault: back to idle (0x13 at once)."""
        state: GunState = self.gun(gun)
        state.fault_bits = 0
        if state.status == FAULT:
            state.status = IDLE
            self._send_status(state)
        self._notify()

    def stop_at_pile(self, gun: int, reason: int = STOP_MANUAL) -> bool:
        """End gun ``gun``'s session locally with stop ``reason`` (§8.1); False when it is not charging."""
        state: GunState = self.gun(gun)
        if state.session is None:
            return False
        self._stop_session(state, reason)
        self._notify()
        return True

    # ------------------------------------------------------------------ platform commands

    def _on_remote_start(self, frame: Frame, msg: RemoteStart) -> None:
        def reply(result: int, reason: int) -> None:
            self._send(RemoteStartReply(msg.trade_no, self.code, msg.gun, result, reason), frame.seq,
                       reply=True)

        if msg.pile_code != self.code:
            reply(0x00, 0x01)
            return
        if not 1 <= msg.gun <= len(self.guns):
            reply(0x00, 0x03)
            return
        state: GunState = self.guns[msg.gun - 1]
        refusal = self._can_start(state)
        if refusal is not None:
            reply(0x00, refusal)
            if self.billing is None:
                self._request_model()
            return
        if not state.plugged:
            reply(0x00, 0x05)
            self._clear_pending(state)
            state.pending_start = msg
            state.plug_handle = self.loop.call_later(self.config.plug_timeout, self._plug_expired, state)
            return
        self._clear_pending(state)
        reply(0x01, 0x00)
        self._start_session(state, msg)

    def _can_start(self, state: GunState) -> int | None:
        """The 0x33 failure reason that forbids a start now (plug state aside), else ``None``."""
        if state.session is not None:
            return 0x02
        if state.status == FAULT or not self.enabled or self.billing is None:
            return 0x03  # a disabled pile or one without a billing model must not charge (§5 0x09, 0x52)
        return None

    def _plug_expired(self, state: GunState) -> None:
        state.plug_handle = None
        state.pending_start = None  # not plugged in time: no start, no further 0x33

    def _clear_pending(self, state: GunState) -> None:
        state.pending_start = None
        if state.plug_handle is not None:
            state.plug_handle.cancel()
            state.plug_handle = None

    def _on_remote_stop(self, frame: Frame, msg: Any) -> None:
        def reply(result: int, reason: int) -> None:
            self._send(RemoteStopReply(self.code, msg.gun, result, reason), frame.seq, reply=True)

        if msg.pile_code != self.code:
            reply(0x00, 0x01)
            return
        if not 1 <= msg.gun <= len(self.guns):
            reply(0x00, 0x03)
            return
        state: GunState = self.guns[msg.gun - 1]
        if state.session is None:
            self._clear_pending(state)  # the platform closed the order: forget a start waiting for the plug
            reply(0x00, 0x02)
            return
        reply(0x01, 0x00)
        self._stop_session(state, STOP_APP)

    def _on_read_realtime(self, frame: Frame, msg: Any) -> None:
        if msg.pile_code == self.code and 1 <= msg.gun <= len(self.guns):
            self._send_status(self.guns[msg.gun - 1], frame.seq)

    def _on_work_params(self, frame: Frame, msg: Any) -> None:
        ok = msg.pile_code == self.code and msg.work_state in (0x00, 0x01)
        if ok:
            self._set_power_percent(min(100, max(30, msg.max_power_percent)))
            self.enabled = msg.work_state == 0x00  # running sessions go on; new starts are refused
        self._send(WorkParamsReply(self.code, 0x01 if ok else 0x00), frame.seq, reply=True)

    def _set_power_percent(self, percent: int) -> None:
        self.max_power_percent = percent
        now = self.now()
        power = self._power_mw * percent // 100
        for state in self.guns:
            if state.session is not None:
                state.session.accrue(now)
                state.session.power_mw = power

    # ------------------------------------------------------------------ sessions

    def _start_session(self, state: GunState, cmd: RemoteStart) -> None:
        cfg = self.config
        session = ChargeSession(
            cmd.trade_no, state.number, self.billing, self._power_mw * self.max_power_percent // 100,
            self.now(), state.meter, logical_card=cmd.logical_card, physical_card=cmd.physical_card,
            balance=cmd.balance, start_soc=cfg.start_soc)
        state.session = session
        state.status = CHARGING
        if cfg.pile_type == "dc":
            self._send_bms_start(state, session)
            state.bms_handle = self.loop.call_later(cfg.bms_interval, self._bms_tick, state)
        self._send_status(state)

    def _stop_session(self, state: GunState, reason: int, record_delay: float | None = None) -> None:
        session = state.session
        assert session is not None
        now = self.now()
        session.accrue(now)
        session.ended_at = now
        session.stop_reason = reason
        state.meter += session.energy_units
        state.session = None
        state.last_session = session
        if state.bms_handle is not None:
            state.bms_handle.cancel()
            state.bms_handle = None
        dc = self.config.pile_type == "dc"
        if dc:
            self._send_charging_end(state, session, now)
        state.status = FAULT if state.fault_bits else IDLE
        self._send_status(state)
        record = session.record(self.code, vin=self._vin() if dc else "")
        self._store_record(record, self.config.record_delay if record_delay is None else record_delay)
        if self._reboot_when_idle and all(g.session is None for g in self.guns):
            self._reboot_now()

    # ------------------------------------------------------------------ 0x13 real-time data

    def _send_status(self, state: GunState, seq: bytes | None = None) -> None:
        """Send gun ``state``'s 0x13 now (``seq`` echoed when answering 0x12) and restart its timer."""
        if state.status_handle is not None:
            state.status_handle.cancel()
        cfg = self.config
        interval = cfg.charging_status_interval if state.session is not None else cfg.idle_status_interval
        state.status_handle = self.loop.call_later(interval, self._send_status, state)
        if self.state == "online" or seq is not None:
            self._send(self._realtime(state), seq, reply=seq is not None)

    def _realtime(self, state: GunState) -> RealtimeData:
        session = state.session
        plugged = 0x01 if state.plugged else 0x00
        homed = 0x00 if state.plugged else 0x01
        if session is None:
            return RealtimeData(_ZERO_TRADE, self.code, state.number, state.status, homed, plugged, _ZERO, _ZERO,
                                _NO_TEMPERATURE, _NO_CABLE, 0, _NO_TEMPERATURE, 0, 0, _ZERO, _ZERO, _ZERO,
                                state.fault_bits)
        now = self.now()
        session.accrue(now)
        dc = self.config.pile_type == "dc"
        soc = self._soc(session) if dc else 0
        volts, amps = self._electrics(session, soc)
        energy = units_to_kwh(session.energy_units)
        return RealtimeData(
            session.trade_no, self.code, state.number, CHARGING, homed, plugged, volts, amps, 35, _NO_CABLE,
            soc, 32 if dc else _NO_TEMPERATURE, session.minutes(now), self._remaining(session, soc) if dc else 0,
            energy, energy, Decimal(session.amount()).scaleb(-4), state.fault_bits)

    def _soc(self, session: ChargeSession) -> int:
        return session.soc(kwh_to_units(self.config.battery_kwh))

    def _electrics(self, session: ChargeSession, soc: int) -> tuple[Decimal, Decimal]:
        """Output voltage and current (0.1 V / 0.1 A) for the session's power: a DC battery at 360 V + SOC,
        an AC single phase at 220 V."""
        decivolts = 3600 + 10 * soc if self.config.pile_type == "dc" else 2200
        deciamps = min(0xFFFF, (session.power_mw // 10 + decivolts // 2) // decivolts)
        return Decimal(decivolts).scaleb(-1), Decimal(deciamps).scaleb(-1)

    def _remaining(self, session: ChargeSession, soc: int) -> int:
        if session.power_mw <= 0:
            return 0
        missing = kwh_to_units(self.config.battery_kwh) * (100 - soc) // 100
        return min(0xFFFF, missing * 6000 // session.power_mw)

    # ------------------------------------------------------------------ BMS frames (DC)

    def _vin(self) -> str:
        return "LSIM" + self.code[-13:]

    def _send_bms_start(self, state: GunState, session: ChargeSession) -> None:
        cfg = self.config
        trade, code, gun = session.trade_no, self.code, state.number
        self._send(BmsHandshake(trade, code, gun, "010001", 0x03, Decimal("150.0"), Decimal("400.0"), "SIMB",
                                1, 2022, 6, 1, 100, 0x01, 0, self._vin(), "0" * 16))
        self._send(BmsParameters(trade, code, gun, Decimal("4.20"), Decimal("250.0"),
                                 Decimal(cfg.battery_kwh).quantize(Decimal("0.1")), Decimal("450.0"), 60,
                                 Decimal(session.start_soc).quantize(Decimal("0.1")), Decimal("380.0"),
                                 Decimal("750.0"), Decimal("200.0"), Decimal("250.0"), Decimal("0.0")))

    def _bms_tick(self, state: GunState) -> None:
        session = state.session
        if session is None:
            state.bms_handle = None
            return
        state.bms_handle = self.loop.call_later(self.config.bms_interval, self._bms_tick, state)
        if self.state != "online":
            return
        now = self.now()
        session.accrue(now)
        soc = self._soc(session)
        volts, amps = self._electrics(session, soc)
        trade, code, gun = session.trade_no, self.code, state.number
        self._send(BmsDemand(trade, code, gun, Decimal("420.0"), amps, 0x02, volts, amps, Decimal("3.45"), 0, soc,
                             self._remaining(session, soc), volts, amps, session.minutes(now)))
        self._send(BmsStatus(trade, code, gun, 12, 32, 3, 28, 7, 0x1000))  # charging permitted

    def _send_charging_end(self, state: GunState, session: ChargeSession, now: Any) -> None:
        energy = min(0xFFFF, session.energy_units // 1000)  # 0.1 kWh
        self._send(ChargingEnd(session.trade_no, self.code, state.number, self._soc(session), Decimal("3.30"),
                               Decimal("3.45"), 28, 32, min(0xFFFF, session.minutes(now)), Decimal(energy).scaleb(-1),
                               1))
