"""One YKC pile connection: frames → device events, replies and command results; commands → frames.

Follows ``specs/ykc-protocol.md`` §7: the login (0x01) is decided by core; after an accepted login the
session answers 0x02 (the login's sequence bytes echoed) and pushes the clock (0x56), the billing model
(0x58, when core has one) and the QR prefix (0xF0, when configured). Every reply echoes the request's
two sequence bytes; platform-initiated frames use a per-connection 16-bit counter. Transaction records
are always acknowledged (0x40 in ``acks``, after core stored them), duplicates and unreadable ones
included. :meth:`YkcSession.receive` never raises: bad input becomes ``ProtocolError`` entries.
"""
from __future__ import annotations

import logging
import time
from collections import deque
from datetime import datetime, timezone, tzinfo
from typing import Any, Callable, Mapping

from chargehub.contracts.devices import (
    CommandNotSupported,
    CommandResult,
    DeviceCommand,
    DeviceEvent,
    DeviceSession,
    LoginDecision,
    LoginRequest,
    ProtocolError,
    SessionOutput,
)

from chargehub_ykc import events as E
from chargehub_ykc.codec import codes
from chargehub_ykc.codec import messages as M
from chargehub_ykc.codec.frame import Frame, FrameError, FrameReader, encode_frame
from chargehub_ykc.commands import CommandContext, build_command, local_now, zone
from chargehub_ykc.pending import PendingCommands
from chargehub_ykc.replies import REPLY_RESULTS
from chargehub_ykc.tariff import Tariff, parse_billing

__all__ = ["YkcSession", "DEFAULT_TIMEZONE", "MAX_QUEUED_FRAMES"]

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"
#: Decoded frames kept while core decides a login; older ones are dropped beyond this.
MAX_QUEUED_FRAMES = 512
_RECORD_CODES = (0x3B, 0x3D)


class YkcSession(DeviceSession):
    """Protocol state of one YKC pile connection (see the module docstring).

    :param peer: ``"host:port"`` of the pile.
    :param clock: returns the current aware UTC time (clock sync frames, card-refusal trade numbers).
    :param monotonic: seconds for pending-command expiry.

    Attributes: ``pile_code`` (after login), ``gun_count``, ``tariff`` (the billing model the pile should
    hold, a :class:`~chargehub_ykc.tariff.Tariff` or ``None``), ``settings`` (from the login decision).
    """

    def __init__(self, peer: str, *, clock: Callable[[], datetime] | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(peer)
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._reader = FrameReader()
        self._queue: deque[Frame | FrameError] = deque()
        self._awaiting: tuple[Frame, M.Login] | None = None
        self._pending = PendingCommands(monotonic)
        self._seq = 0
        self.pile_code: str | None = None
        self.gun_count = 0
        self.tariff: Tariff | None = None
        self.settings: Mapping[str, Any] = {}
        self.tz: tzinfo = zone(DEFAULT_TIMEZONE)

    # -- DeviceSession -----------------------------------------------------------------------------

    def receive(self, data: bytes) -> SessionOutput:
        """Decode ``data`` (any part of the byte stream); see :meth:`DeviceSession.receive`."""
        out = SessionOutput()
        try:
            self._queue.extend(self._reader.feed(data))
            while len(self._queue) > MAX_QUEUED_FRAMES:
                dropped = self._queue.popleft()
                raw = dropped.raw if isinstance(dropped, Frame) else dropped.data
                out.errors.append(ProtocolError("too many frames while the login is decided; dropped", frame=raw))
            if self._awaiting is None:
                self._drain(out)
        except Exception as exc:  # noqa: BLE001 - receive() must never raise; the frame is logged instead
            log.exception("YKC session %s failed on input", self.peer)
            out.errors.append(ProtocolError(f"internal error: {exc!r}", frame=bytes(data)))
        return out

    def login_decided(self, decision: LoginDecision) -> SessionOutput:
        """Answer the pending login (see the module docstring), then decode what is buffered."""
        out = SessionOutput()
        if self._awaiting is None:
            out.errors.append(ProtocolError("login decision without a pending login"))
            return out
        frame, login = self._awaiting
        self._awaiting = None
        if not decision.accepted:
            out.replies.append(M.encode(M.LoginReply(login.pile_code, 0x01), seq=frame.seq))
            out.close = True
            self._queue.clear()
            return out
        self.device_id = out.device_id = decision.device_id
        self.pile_code = login.pile_code
        self.settings = dict(decision.settings or {})
        try:
            self.tz = zone(self.settings.get("timezone") or DEFAULT_TIMEZONE)
        except ValueError as exc:
            out.errors.append(ProtocolError(f"{exc}; using {DEFAULT_TIMEZONE}"))
            self.tz = zone(DEFAULT_TIMEZONE)
        gun_count = self.settings.get("gun_count")
        valid = isinstance(gun_count, int) and not isinstance(gun_count, bool) and 0 < gun_count < 100
        self.gun_count = gun_count if valid else login.gun_count
        out.replies.append(M.encode(M.LoginReply(login.pile_code, 0x00), seq=frame.seq))
        self._push_after_login(out)
        out.events.append(self._event("login", E.login_data(login)))
        try:
            self._drain(out)
        except Exception as exc:  # noqa: BLE001 - as in receive()
            log.exception("YKC session %s failed after login", self.peer)
            out.errors.append(ProtocolError(f"internal error: {exc!r}"))
        return out

    def encode_command(self, command: DeviceCommand) -> bytes:
        """The frame(s) of ``command`` (see ``commands.COMMANDS``); records what answers it.

        :raises CommandNotSupported: unknown command, invalid params, hotline, or no login yet.
        """
        if self.pile_code is None:
            raise CommandNotSupported("充电桩尚未登录 (the pile has not logged in)")
        planned = build_command(self._context(), command)
        if planned.tariff is not None:
            self.tariff = planned.tariff
        if planned.guns:
            self._pending.add_refresh(command.correlation_id, set(planned.guns))
        elif planned.reply_code is not None:
            self._pending.add(planned.reply_code, planned.gun, command.correlation_id, command.name, **planned.extra)
        return planned.frame

    # -- internals ---------------------------------------------------------------------------------

    def _context(self) -> CommandContext:
        return CommandContext(self.pile_code or "", self.gun_count, self.tz, self._next_seq, self._clock)

    def _next_seq(self) -> bytes:
        seq = self._seq.to_bytes(2, "little")
        self._seq = (self._seq + 1) & 0xFFFF
        return seq

    def _event(self, type_: str, data: Mapping[str, Any], durable: bool = False,
               device_time: datetime | None = None) -> DeviceEvent:
        """An event of this pile; ``device_time`` (naive local, from the frame) becomes ``occurred_at``."""
        if device_time is None:
            return DeviceEvent(self.device_id or self.pile_code or "", type_, dict(data), durable=durable)
        occurred = device_time.replace(tzinfo=self.tz).astimezone(timezone.utc)
        return DeviceEvent(self.device_id or self.pile_code or "", type_, dict(data), occurred, durable)

    def _push_after_login(self, out: SessionOutput) -> None:
        pile = self.pile_code or ""
        out.replies.append(M.encode(M.ClockSync(pile, local_now(self._clock(), self.tz)), seq=self._next_seq()))
        self._pending.add(0x55, None, None, "sync_clock")
        billing = self.settings.get("billing")
        self.tariff = None
        if billing is not None:
            try:
                self.tariff = parse_billing(billing)
            except ValueError as exc:
                out.errors.append(ProtocolError(f"billing settings not usable, no model pushed: {exc}"))
            else:
                out.replies.append(M.encode(self.tariff.message(pile, M.BillingModelSet), seq=self._next_seq()))
                self._pending.add(0x57, None, None, "sync_billing", model_code=self.tariff.model_code)
        prefix = self.settings.get("qr_prefix")
        if prefix:
            try:
                if not isinstance(prefix, str) or not prefix.isascii():
                    raise M.EncodeError(f"{prefix!r} is not an ASCII URL")
                out.replies.append(M.encode(M.QrPrefixSet(pile, 0x01, prefix), seq=self._next_seq()))
            except M.EncodeError as exc:
                out.errors.append(ProtocolError(f"QR prefix not usable: {exc}"))
            else:
                self._pending.add(0xF1, None, None, "sync_qrcode")

    def _drain(self, out: SessionOutput) -> None:
        while self._queue and out.login is None and self._awaiting is None:
            item = self._queue.popleft()
            if isinstance(item, FrameError):
                out.errors.append(ProtocolError(item.message, frame=item.data))
                continue
            try:
                self._frame(item, out)
            except Exception as exc:  # noqa: BLE001 - one bad frame must not stop the others
                log.exception("YKC session %s failed on frame %s", self.peer, item.hex())
                out.errors.append(ProtocolError(f"internal error on frame 0x{item.code:02X}: {exc!r}", frame=item.raw))

    def _frame(self, frame: Frame, out: SessionOutput) -> None:
        code = frame.code
        if code == 0x01:
            self._on_login(frame, out)
            return
        if self.pile_code is None:
            out.errors.append(ProtocolError(f"frame 0x{code:02X} before login; ignored", frame=frame.raw))
            return
        if code in _RECORD_CODES:
            self._on_record(frame, out)
            return
        try:
            msg = M.decode(frame)
        except M.DecodeError as exc:
            out.errors.append(ProtocolError(exc.message, frame=frame.raw))
            return
        pile = getattr(msg, "pile_code", None)
        if pile is not None and pile != self.pile_code:
            out.errors.append(ProtocolError(f"frame 0x{code:02X} names pile {pile}, not the logged-in {self.pile_code}",
                                            frame=frame.raw))
            return
        handler = _HANDLERS.get(code)
        if handler is None:
            out.errors.append(ProtocolError(f"frame 0x{code:02X} is not sent by piles; ignored", frame=frame.raw))
            return
        handler(self, frame, msg, out)

    def _on_login(self, frame: Frame, out: SessionOutput) -> None:
        try:
            login = M.decode(frame)
        except M.DecodeError as exc:
            out.errors.append(ProtocolError(exc.message, frame=frame.raw))
            return
        assert isinstance(login, M.Login)
        if self.pile_code is not None and login.pile_code != self.pile_code:
            out.errors.append(ProtocolError(f"login as pile {login.pile_code} on the connection of {self.pile_code}",
                                            frame=frame.raw))
            return
        self._awaiting = (frame, login)
        out.login = LoginRequest(login.pile_code, E.login_data(login))

    def _on_record(self, frame: Frame, out: SessionOutput) -> None:
        cls = M.MESSAGE_TYPES[frame.code]
        try:
            msg = M.decode(frame)
            values = {name: getattr(msg, name) for name in cls.LAYOUT.names}
            problems: dict[str, str] = {}
        except M.DecodeError as exc:
            values, problems = cls.LAYOUT.unpack_partial(frame.body)
            problems["frame"] = exc.message
            out.errors.append(ProtocolError(f"{exc.message}; acknowledged and kept for review", frame=frame.raw))
        data = E.record_data(values, frame.raw, self.tz)
        if values.get("pile_code") not in (None, self.pile_code):
            problems["pile_code"] = f"record of pile {values['pile_code']} on the connection of {self.pile_code}"
            out.errors.append(ProtocolError(problems["pile_code"] + "; acknowledged and kept for review",
                                            frame=frame.raw))
        if problems:
            data["decode_errors"] = problems
        device_time = values.get("traded_at") or values.get("ended_at")
        out.events.append(self._event("transaction_record", data, durable=True, device_time=device_time))
        trade = frame.body[:16].ljust(16, b"\x00")
        out.acks.append(encode_frame(0x40, trade + b"\x00", frame.seq))

    # -- per-frame handlers (code → method, see _HANDLERS) -----------------------------------------

    def _on_heartbeat(self, frame: Frame, msg: M.Heartbeat, out: SessionOutput) -> None:
        out.replies.append(M.encode(M.HeartbeatReply(msg.pile_code, msg.gun, 0x00), seq=frame.seq))
        out.events.append(self._event("heartbeat", {"gun": msg.gun, "fault": msg.gun_status == 0x01}))

    def _on_verify(self, frame: Frame, msg: M.BillingModelVerify, out: SessionOutput) -> None:
        matches = self.tariff is not None and msg.model_code == self.tariff.model_code
        reply = M.BillingModelVerifyReply(msg.pile_code, msg.model_code, 0x00 if matches else 0x01)
        out.replies.append(M.encode(reply, seq=frame.seq))
        if matches:
            out.events.append(self._event("tariff_applied", {"model_code": msg.model_code}))

    def _on_model_request(self, frame: Frame, msg: M.BillingModelRequest, out: SessionOutput) -> None:
        if self.tariff is None:
            log.info("YKC pile %s asks for a billing model but its area has none; not answered (it retries)",
                     self.pile_code)
            return
        out.replies.append(M.encode(self.tariff.message(msg.pile_code, M.BillingModelReply), seq=frame.seq))

    def _on_realtime(self, frame: Frame, msg: M.RealtimeData, out: SessionOutput) -> None:
        out.events.append(self._event("status", E.status_data(msg)))
        for entry in self._pending.status_arrived(msg.gun):
            out.command_results.append((entry.correlation_id or "", CommandResult.accepted()))

    def _on_bms(self, frame: Frame, msg: M.Message, out: SessionOutput) -> None:
        out.events.append(self._event("bms", E.bms_data(msg)))

    def _on_card_request(self, frame: Frame, msg: M.PileStartRequest | M.ParallelStartRequest,
                         out: SessionOutput) -> None:
        if self.settings.get("cards"):
            out.events.append(self._event("card_start_request", E.card_request_data(msg, None, None)))
            return
        now = local_now(self._clock(), self.tz)
        trade_no = f"{msg.pile_code}{msg.gun:02d}{now:%y%m%d%H%M%S}{int.from_bytes(frame.seq, 'big') % 10000:04d}"
        args = (trade_no, msg.pile_code, msg.gun, "0" * 16, 0, 0x00, 0x0B)
        if isinstance(msg, M.ParallelStartRequest):
            reply: M.Message = M.ParallelStartAuthorization(*args, msg.parallel_serial)
        else:
            reply = M.StartAuthorization(*args)
        out.replies.append(M.encode(reply, seq=frame.seq))
        out.events.append(self._event("card_start_request",
                                      E.card_request_data(msg, "refused", codes.auth_failure_text(0x0B))))

    def _on_start_reply(self, frame: Frame, msg: M.RemoteStartReply | M.ParallelRemoteStartReply,
                        out: SessionOutput) -> None:
        data = E.start_result_data(msg)
        out.events.append(self._event("start_result", data, durable=True))
        entry = self._pending.take(0x33, msg.gun) if isinstance(msg, M.RemoteStartReply) else None
        if entry is not None and entry.correlation_id:
            result = (CommandResult.accepted({"trade_no": data["trade_no"]}) if data["accepted"] else
                      CommandResult.rejected(data["reason"], {"trade_no": data["trade_no"],
                                                               "reason_code": data["reason_code"],
                                                               "awaiting_plug": data["awaiting_plug"]}))
            out.command_results.append((entry.correlation_id, result))

    def _on_stop_reply(self, frame: Frame, msg: M.RemoteStopReply, out: SessionOutput) -> None:
        data = E.stop_result_data(msg)
        out.events.append(self._event("stop_result", data, durable=True))
        entry = self._pending.take(0x35, msg.gun)
        if entry is not None and entry.correlation_id:
            result = (CommandResult.accepted() if data["accepted"] else
                      CommandResult.rejected(data["reason"], {"reason_code": data["reason_code"]}))
            out.command_results.append((entry.correlation_id, result))

    def _on_lock_status(self, frame: Frame, msg: M.LockStatus, out: SessionOutput) -> None:
        out.events.append(self._event("lock_status", E.lock_data(msg)))

    def _on_reply(self, frame: Frame, msg: M.Message, out: SessionOutput) -> None:
        """0x41/0x43/0x45/0x47/0x51/0x55/0x57/0x63/0x91/0x93/0xF1: answer the oldest waiting command."""
        entry = self._pending.take(frame.code, getattr(msg, "gun", None))
        extra = (entry.extra if entry is not None else None) or {}
        tz = zone(extra["timezone"]) if "timezone" in extra else self.tz
        result = REPLY_RESULTS[frame.code](msg, tz)
        if frame.code == 0x57 and result.ok:
            model_code = extra.get("model_code")
            model_code = model_code or (self.tariff.model_code if self.tariff is not None else None)
            out.events.append(self._event("tariff_applied", {"model_code": model_code}))
        if entry is not None and entry.correlation_id:
            out.command_results.append((entry.correlation_id, result))


_HANDLERS: dict[int, Callable[[YkcSession, Frame, Any, SessionOutput], None]] = {
    0x03: YkcSession._on_heartbeat,
    0x05: YkcSession._on_verify,
    0x09: YkcSession._on_model_request,
    0x13: YkcSession._on_realtime,
    **{code: YkcSession._on_bms for code in (0x15, 0x17, 0x19, 0x1B, 0x1D, 0x21, 0x23, 0x25)},
    0x31: YkcSession._on_card_request,
    0xA1: YkcSession._on_card_request,
    0x33: YkcSession._on_start_reply,
    0xA3: YkcSession._on_start_reply,
    0x35: YkcSession._on_stop_reply,
    0x61: YkcSession._on_lock_status,
    **{code: YkcSession._on_reply for code in REPLY_RESULTS},
}
