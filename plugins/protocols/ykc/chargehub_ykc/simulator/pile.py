"""A simulated YKC pile: an asyncio TCP client that behaves like the real piles of
``specs/ykc-protocol.md`` §7 (login and retry, stored records first, billing-model check, heartbeats,
status frames, remote start/stop, transaction records kept until acknowledged).

Built to run by the ten thousand in one event loop: the pile itself keeps its state in slots, each
connection is a tiny :class:`asyncio.Protocol`, and every periodic duty is a ``loop.call_later`` handle
(no task per pile, no thread per pile). All methods must be called in the loop's thread (see
:class:`~chargehub_ykc.simulator.fleet.FleetThread` to drive piles from another thread).
"""
from __future__ import annotations

import asyncio
import random
from collections import deque
from datetime import datetime, timedelta
from typing import Any, Callable

from chargehub_ykc.codec.frame import FrameError, FrameReader
from chargehub_ykc.codec.messages import DecodeError, Message, TransactionRecord, decode, encode
from chargehub_ykc.simulator.charging import ChargingMixin
from chargehub_ykc.simulator.config import PileConfig, local_clock
from chargehub_ykc.simulator.gun import GunState
from chargehub_ykc.simulator.login import LoginMixin
from chargehub_ykc.simulator.maintenance import MaintenanceMixin
from chargehub_ykc.simulator.metering import PileBillingModel, kwh_to_units
from chargehub_ykc.simulator.records import RecordsMixin
from chargehub_ykc.simulator.stats import SimStats

__all__ = ["SimulatedPile"]

_CONNECT_TIMEOUT = 10.0
_POLL = 0.05

#: Frame code → handler method name.
_HANDLERS = {
    0x02: "_on_login_reply", 0x04: "_on_heartbeat_reply", 0x06: "_on_verify_reply", 0x0A: "_on_billing_model",
    0x58: "_on_billing_model", 0x12: "_on_read_realtime", 0x34: "_on_remote_start", 0x36: "_on_remote_stop",
    0x40: "_on_record_ack", 0x42: "_on_balance_update", 0x44: "_on_card_sync", 0x46: "_on_card_clear",
    0x48: "_on_card_query", 0x52: "_on_work_params", 0x56: "_on_clock_sync", 0x62: "_on_lock_command",
    0x92: "_on_reboot", 0x94: "_on_upgrade", 0xF0: "_on_qr_prefix",
}


class _Link(asyncio.Protocol):
    """One TCP connection of a pile; forwards to the pile, which ignores links it has let go."""

    __slots__ = ("pile", "transport")

    def __init__(self, pile: "SimulatedPile") -> None:
        self.pile = pile
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.pile._link_up(self)

    def data_received(self, data: bytes) -> None:
        self.pile._link_data(self, data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.pile._link is self:
            self.pile._detach_link(reconnect=True)


class SimulatedPile(LoginMixin, ChargingMixin, RecordsMixin, MaintenanceMixin):
    """One simulated pile connected to ``host:port``.

    :param config: the pile's :class:`PileConfig`.
    :param host: the platform's address.
    :param port: the platform's YKC port.
    :param stats: a :class:`SimStats` to add to (a fleet shares one); a new one by default.

    Link state (:attr:`state`): ``"stopped"`` (never started or disconnected), ``"offline"`` (waiting to
    reconnect), ``"connecting"``, ``"login"`` (0x01 sent, waiting for 0x02), ``"online"``.

    Observable: :attr:`guns` (:class:`GunState` list; :meth:`gun`, :meth:`gun_state`), :attr:`billing`
    (:class:`PileBillingModel` or ``None``), :attr:`qr_prefix` / :attr:`qr_format`, :attr:`frames` (last
    received messages), :attr:`records` (created), :attr:`unsent` (trade → record awaiting 0x40),
    :attr:`acked_trades`, :attr:`enabled` / :attr:`max_power_percent` (0x52), :attr:`offline_cards`
    (physical → logical), :attr:`reboots`, :attr:`upgrades`, :attr:`clock_syncs`, and the counters
    :attr:`login_count`, :attr:`login_refusals`, :attr:`frames_sent`, :attr:`frames_received`,
    :attr:`heartbeats_sent`, :attr:`heartbeat_replies`, :attr:`records_sent`; latencies are in
    :attr:`stats` (shared with the fleet).

    Local controls (:meth:`plug`, :meth:`unplug`, :meth:`set_fault`, :meth:`clear_fault`,
    :meth:`stop_at_pile`, :meth:`drop_connection`) need a started pile.
    """

    __slots__ = (
        "config", "code", "host", "port", "stats", "loop", "guns", "state", "billing", "qr_prefix", "qr_format",
        "frames", "records", "unsent", "acked_trades", "login_count", "login_refusals", "frames_sent",
        "frames_received", "heartbeats_sent", "heartbeat_replies", "records_sent", "enabled",
        "max_power_percent", "offline_cards", "reboots", "upgrades", "clock_syncs",
        "_clock", "_offset", "_link", "_reader", "_seq", "_running", "_connect_task", "_reconnect_handle",
        "_next_delay", "_login_handle", "_hb_handle", "_hb_gun", "_hb_pending", "_hb_unanswered",
        "_model_handle", "_model_wanted", "_verify_code", "_record_handle", "_sent_at", "_record_seq",
        "_reboot_when_idle",
        "_waiters", "_power_mw",
    )

    def __init__(self, config: PileConfig, host: str = "127.0.0.1", port: int = 8767,
                 stats: SimStats | None = None) -> None:
        self.config = config
        self.code = config.pile_code
        self.host = host
        self.port = port
        self.stats = stats if stats is not None else SimStats()
        self.loop: asyncio.AbstractEventLoop | None = None
        meter = kwh_to_units(config.meter_kwh)
        self.guns = [GunState(n, config.plugged_at_start(n), meter) for n in range(1, config.guns + 1)]
        self.state = "stopped"
        #: The billing model held (``None`` until 0x0A/0x58); kept across reconnects like EEPROM.
        self.billing: PileBillingModel | None = None
        self.qr_prefix: str | None = None
        self.qr_format: int | None = None
        #: The last received messages (decoded), newest last; ``None`` when ``keep_frames`` is 0.
        self.frames: deque[Message] | None = deque(maxlen=config.keep_frames) if config.keep_frames else None
        #: Transaction records created, newest last (bounded by ``keep_records``).
        self.records: deque[TransactionRecord] = deque(maxlen=max(1, config.keep_records))
        #: Records not acknowledged yet, by trade number (kept across disconnects).
        self.unsent: dict[str, TransactionRecord] = {}
        #: Trade numbers acknowledged with 0x40 result 0x00, in order.
        self.acked_trades: deque[str] = deque(maxlen=max(1, config.keep_records))
        self.login_count = 0
        self.login_refusals = 0
        self.frames_sent = 0
        self.frames_received = 0
        self.heartbeats_sent = 0
        self.heartbeat_replies = 0
        self.records_sent = 0
        self.enabled = True
        self.max_power_percent = 100
        self.offline_cards: dict[str, str] | None = None
        self.reboots = 0
        self.upgrades: list[Any] | None = None
        self.clock_syncs = 0
        self._clock = config.clock or local_clock(config.zone)
        self._offset = timedelta(0)
        self._link: _Link | None = None
        self._reader = FrameReader()
        self._seq = 0
        self._running = False
        self._connect_task: asyncio.Task | None = None
        self._reconnect_handle: asyncio.TimerHandle | None = None
        self._next_delay: float | None = None
        self._login_handle: asyncio.TimerHandle | None = None
        self._hb_handle: asyncio.TimerHandle | None = None
        self._hb_gun = 0
        self._hb_pending: dict[bytes, float] = {}
        self._hb_unanswered = 0
        self._model_handle: asyncio.TimerHandle | None = None
        self._model_wanted = False
        self._verify_code = "0000"
        self._record_handle: asyncio.TimerHandle | None = None
        self._sent_at: dict[str, float | None] = {}
        self._record_seq: dict[bytes, tuple[str, float]] = {}
        self._reboot_when_idle = False
        self._waiters: list[asyncio.Future] | None = None
        self._power_mw = int(config.power_kw * 1_000_000)

    # ------------------------------------------------------------------ public: life cycle

    def start(self, delay: float = 0.0) -> None:
        """Connect (after ``delay`` seconds) and keep reconnecting until :meth:`disconnect`."""
        self.loop = asyncio.get_running_loop()
        self._running = True
        if self._link is None and self._connect_task is None:
            self._schedule_connect(delay)

    def disconnect(self) -> None:
        """Close the connection gracefully and stay offline until :meth:`start` (charging goes on)."""
        self._running = False
        self._cancel_reconnect()
        link = self._link
        self._detach_link(reconnect=False)
        if link is not None and link.transport is not None:
            link.transport.close()
        self.state = "stopped"
        self._notify()

    def close(self) -> None:
        """:meth:`disconnect` and cancel every timer of the pile (for good)."""
        self.disconnect()
        for gun in self.guns:
            gun.cancel_timers()

    def drop_connection(self, reconnect_after: float | None = None) -> None:
        """Abort the connection abruptly (no FIN); reconnect after ``reconnect_after`` seconds
        (default ``reconnect_delay``) and upload what is unsent after the next login."""
        link = self._link
        if link is None:
            return
        self._detach_link(reconnect=False)
        if link.transport is not None:
            link.transport.abort()
        if self._running:
            self._schedule_connect(self.config.reconnect_delay if reconnect_after is None else reconnect_after)
        self._notify()

    # ------------------------------------------------------------------ public: observation

    @property
    def connected(self) -> bool:
        """A TCP connection is open."""
        return self._link is not None

    @property
    def logged_in(self) -> bool:
        """Logged in on the current connection (0x02 success received)."""
        return self.state == "online"

    @property
    def model_code(self) -> str:
        """The held billing model's code, ``"0000"`` without one (what 0x05 sends)."""
        return self.billing.model_code if self.billing is not None else "0000"

    def gun(self, number: int) -> GunState:
        """Gun ``number`` (1-based)."""
        if not 1 <= number <= len(self.guns):
            raise ValueError(f"pile {self.code} has no gun {number}")
        return self.guns[number - 1]

    def gun_state(self, number: int) -> str:
        """``"idle"``, ``"charging"`` or ``"fault"``."""
        return self.gun(number).state

    def received(self, code: int) -> list[Message]:
        """The kept received messages of frame ``code``, oldest first."""
        return [m for m in self.frames or () if m.CODE == code]

    def now(self) -> datetime:
        """The pile's local wall-clock time (its clock plus the offset set by 0x56), to the millisecond."""
        moment = self._clock() + self._offset
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every change and every 50 ms); return its
        value. :class:`TimeoutError` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"pile {self.code}: condition not met within {timeout} s")
            future = loop.create_future()
            if self._waiters is None:
                self._waiters = []
            self._waiters.append(future)
            try:
                async with asyncio.timeout(min(remaining, _POLL)):
                    await future
            except TimeoutError:
                pass

    async def wait_logged_in(self, timeout: float = 5.0, count: int = 1) -> None:
        """Wait until the pile is online and has logged in at least ``count`` times in all."""
        await self.wait_for(lambda: self.logged_in and self.login_count >= count, timeout)

    # ------------------------------------------------------------------ link

    def _schedule_connect(self, delay: float) -> None:
        self._cancel_reconnect()
        self.state = "offline"
        self._reconnect_handle = self.loop.call_later(max(0.0, delay), self._connect)

    def _cancel_reconnect(self) -> None:
        if self._reconnect_handle is not None:
            self._reconnect_handle.cancel()
            self._reconnect_handle = None
        if self._connect_task is not None:
            self._connect_task.cancel()
            self._connect_task = None

    def _connect(self) -> None:
        self._reconnect_handle = None
        if self._running and self._link is None and self._connect_task is None:
            self.state = "connecting"
            self._connect_task = self.loop.create_task(self._open())

    async def _open(self) -> None:
        try:
            async with asyncio.timeout(_CONNECT_TIMEOUT):
                await self.loop.create_connection(lambda: _Link(self), self.host, self.port)
        except (OSError, TimeoutError):
            self._connect_task = None
            self.stats.connect_failures += 1
            if self._running:
                self._schedule_connect(self.config.reconnect_delay * (1 + random.random()))
        else:
            self._connect_task = None

    def _link_up(self, link: _Link) -> None:
        if not self._running or self._link is not None:
            link.transport.close()
            return
        self._link = link
        self._reader.clear()
        self._seq = 0
        self.stats.connects += 1
        self.state = "login"
        self._send_login()
        self._notify()

    def _detach_link(self, reconnect: bool) -> None:
        """Forget the current connection and stop the per-connection timers; records stay unsent."""
        if self._link is None:
            return
        self._link = None
        self.stats.disconnects += 1
        for name in ("_login_handle", "_hb_handle", "_model_handle", "_record_handle"):
            handle = getattr(self, name)
            if handle is not None:
                handle.cancel()
                setattr(self, name, None)
        self._hb_pending.clear()
        self._hb_unanswered = 0
        self._record_seq.clear()
        for trade in self._sent_at:
            self._sent_at[trade] = None
        self.state = "stopped"
        if reconnect and self._running:
            delay = self._next_delay if self._next_delay is not None else self.config.reconnect_delay
            self._next_delay = None
            self._schedule_connect(delay)
        self._notify()

    def _link_data(self, link: _Link, data: bytes) -> None:
        if link is not self._link:
            return
        self.stats.bytes_received += len(data)
        for item in self._reader.feed(data):
            if isinstance(item, FrameError):
                self.stats.decode_errors += 1
                continue
            try:
                message = decode(item)
            except DecodeError:
                self.stats.decode_errors += 1
                continue
            self.frames_received += 1
            self.stats.received[item.code] += 1
            if self.frames is not None:
                self.frames.append(message)
            handler = _HANDLERS.get(item.code)
            if handler is not None:
                getattr(self, handler)(item, message)
            if self._link is not link:  # the handler closed the connection
                break
        self._notify()

    def _next_seq(self) -> bytes:
        seq = self._seq
        self._seq = (seq + 1) & 0xFFFF
        return seq.to_bytes(2, "big")  # counts like the real pile in the spec's captures (§2)

    def _send(self, message: Message, seq: bytes | None = None, *, reply: bool = False) -> bool:
        """Send ``message`` (a new sequence number unless ``seq``); periodic frames only when online,
        replies (``reply=True``) whenever connected. False when nothing was sent."""
        link = self._link
        if link is None or (not reply and self.state != "online"):
            return False
        data = encode(message, self._next_seq() if seq is None else seq)
        link.transport.write(data)
        self.frames_sent += 1
        stats = self.stats
        stats.sent[message.CODE] += 1
        stats.bytes_sent += len(data)
        return True

    def _notify(self) -> None:
        waiters = self._waiters
        if waiters:
            self._waiters = None
            for future in waiters:
                if not future.done():
                    future.set_result(None)

    def __repr__(self) -> str:
        return f"<SimulatedPile {self.code} {self.state} guns={[g.state for g in self.guns]}>"
