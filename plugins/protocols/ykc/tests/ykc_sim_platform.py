"""A minimal YKC platform for the simulator tests: an asyncio TCP server that speaks the platform side
with the codec (imported by name: pytest puts this folder on ``sys.path``).

It answers logins (0x02, then 0x56 and 0x58 like JCPP/OpenUC platforms), heartbeats (0x04 with the
sequence echoed), model checks (0x06/0x0A) and records (0x40), lets a test send any command, and keeps
every frame it received, decoded, in arrival order. Every frame must decode with the codec and carry
its CRC low byte first; anything else lands in :attr:`StubPlatform.errors`.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from chargehub_ykc.codec.frame import Frame, FrameError, FrameReader
from chargehub_ykc.codec.messages import (
    BillingModelReply,
    BillingModelSet,
    BillingModelVerifyReply,
    ClockSync,
    DecodeError,
    HeartbeatReply,
    LoginReply,
    Message,
    RatePrice,
    TransactionRecordAck,
    decode,
    encode,
)

#: Sharp, peak, flat, valley: electricity and service prices (yuan/kWh).
PRICES = (
    RatePrice(Decimal("1.20000"), Decimal("0.80000")),
    RatePrice(Decimal("0.95000"), Decimal("0.60000")),
    RatePrice(Decimal("0.70000"), Decimal("0.40000")),
    RatePrice(Decimal("0.31234"), Decimal("0.25001")),
)
#: 00:00–07:00 valley, 07:00–07:30 sharp, 07:30–08:00 peak, 08:00–08:30 flat, 08:30–10:00 valley,
#: 10:00–12:00 flat, 12:00–18:00 peak, 18:00–21:00 sharp, 21:00–24:00 valley.
SLOTS = tuple([3] * 14 + [0, 1, 2] + [3] * 3 + [2] * 4 + [1] * 12 + [0] * 6 + [3] * 6)
assert len(SLOTS) == 48


@dataclass
class Received:
    """One frame the platform received: connection number (1 = first), frame, decoded message, arrival
    time (loop clock)."""

    conn: int
    frame: Frame
    message: Message
    at: float


class _Conn(asyncio.Protocol):
    def __init__(self, platform: "StubPlatform") -> None:
        self.platform = platform
        self.reader = FrameReader()
        self.transport: asyncio.Transport | None = None
        self.pile_code: str | None = None
        self.number = 0
        self.seq = 0x8000

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.platform.connection_count += 1
        self.number = self.platform.connection_count

    def data_received(self, data: bytes) -> None:
        for item in self.reader.feed(data):
            if isinstance(item, FrameError):
                self.platform.errors.append(item)
                continue
            if item.crc_order != "le":
                self.platform.errors.append(f"CRC high byte first: {item.hex()}")
            try:
                message = decode(item)
            except DecodeError as exc:
                self.platform.errors.append(exc)
                continue
            self.platform.received.append(Received(self.number, item, message, asyncio.get_running_loop().time()))
            self.platform._handle(self, item, message)
        self.platform._changed()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.pile_code is not None and self.platform.conns.get(self.pile_code) is self:
            del self.platform.conns[self.pile_code]
        self.platform._changed()

    def send(self, message: Message, seq: bytes | None = None) -> bytes:
        if seq is None:
            seq = self.seq.to_bytes(2, "little")
            self.seq = (self.seq + 1) & 0xFFFF
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode(message, seq))
        return seq


class StubPlatform:
    """The platform side, on 127.0.0.1 (a free port).

    :param model_code: the model code the platform holds ("0001").
    :param push_model: push 0x58 after every login (else the pile must ask with 0x05/0x09).
    :param clock_time: local time pushed in 0x56 after every login (``None``: no clock sync).
    :param clock_time_fn: or a function giving it (evaluated at each login).
    """

    def __init__(self, *, model_code: str = "0001", push_model: bool = True, clock_time: datetime | None = None,
                 clock_time_fn: Callable[[], datetime] | None = None) -> None:
        self.model_code = model_code
        self.push_model = push_model
        self.clock_time = clock_time
        self.clock_time_fn = clock_time_fn
        self.ack_records = True
        self.answer_heartbeats = True
        self.answer_logins = True
        self.answer_model = True
        #: Pile codes whose next login is refused (0x02 result 0x01 and close); each refusal used once.
        self.refuse_next: set[str] = set()
        self.received: list[Received] = []
        self.errors: list[Any] = []
        self.conns: dict[str, _Conn] = {}
        self.connection_count = 0
        self.server: asyncio.AbstractServer | None = None
        self.port = 0
        self._waiters: list[asyncio.Future] = []

    async def start(self) -> int:
        """Listen; return the port."""
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: _Conn(self), "127.0.0.1", 0, backlog=1024)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Close the listener and every connection."""
        if self.server is not None:
            self.server.close()
        for conn in list(self.conns.values()):
            if conn.transport is not None:
                conn.transport.close()
        await asyncio.sleep(0.01)

    # -------------------------------------------------------------- queries

    def frames(self, code: int | None = None, pile: str | None = None) -> list[Received]:
        """Received frames, optionally of one frame code and one pile, in arrival order."""
        return [r for r in self.received if (code is None or r.frame.code == code)
                and (pile is None or getattr(r.message, "pile_code", pile) == pile)]

    def messages(self, code: int, pile: str | None = None) -> list[Any]:
        """The decoded messages of :meth:`frames`."""
        return [r.message for r in self.frames(code, pile)]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every received frame); return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"platform: condition not met within {timeout} s")
            future = loop.create_future()
            self._waiters.append(future)
            try:
                await asyncio.wait_for(future, min(remaining, 0.05))
            except TimeoutError:
                pass

    async def wait_frames(self, code: int, count: int = 1, pile: str | None = None,
                          where: Callable[[Any], bool] | None = None, timeout: float = 5.0) -> list[Received]:
        """Wait until at least ``count`` frames of ``code`` (matching ``where``) arrived; return them all."""
        def found() -> list[Received]:
            items = [r for r in self.frames(code, pile) if where is None or where(r.message)]
            return items if len(items) >= count else []
        return await self.wait_for(found, timeout)

    def send(self, pile: str, message: Message) -> bytes:
        """Send ``message`` to ``pile``'s current connection; return the sequence bytes used."""
        return self.conns[pile].send(message)

    # -------------------------------------------------------------- behaviour

    def model(self, pile: str, cls: type = BillingModelSet) -> Message:
        """The platform's billing model for ``pile`` as 0x58 (or 0x0A)."""
        return cls(pile, self.model_code, PRICES, 0, SLOTS)

    def _changed(self) -> None:
        waiters, self._waiters = self._waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)

    def _handle(self, conn: _Conn, frame: Frame, msg: Any) -> None:
        code = frame.code
        if code == 0x01:
            if not self.answer_logins:
                return
            if msg.pile_code in self.refuse_next:
                self.refuse_next.discard(msg.pile_code)
                conn.send(LoginReply(msg.pile_code, 0x01), frame.seq)
                conn.transport.close()
                return
            conn.pile_code = msg.pile_code
            old = self.conns.get(msg.pile_code)
            if old is not None and old is not conn and old.transport is not None:
                old.transport.close()
            self.conns[msg.pile_code] = conn
            conn.send(LoginReply(msg.pile_code, 0x00), frame.seq)
            when = self.clock_time_fn() if self.clock_time_fn is not None else self.clock_time
            if when is not None:
                conn.send(ClockSync(msg.pile_code, when))
            if self.push_model:
                conn.send(self.model(msg.pile_code))
        elif code == 0x03 and self.answer_heartbeats:
            conn.send(HeartbeatReply(msg.pile_code, msg.gun, 0x00), frame.seq)
        elif code == 0x05:
            conn.send(BillingModelVerifyReply(msg.pile_code, msg.model_code,
                                              0x00 if msg.model_code == self.model_code else 0x01), frame.seq)
        elif code == 0x09 and self.answer_model:
            conn.send(self.model(msg.pile_code, BillingModelReply), frame.seq)
        elif code == 0x3B and self.ack_records:
            conn.send(TransactionRecordAck(msg.trade_no, 0x00), frame.seq)
