"""Shared helpers of the YKC plugin tests (imported by name: pytest puts this folder on ``sys.path``)."""
from __future__ import annotations

from datetime import datetime, timezone

from chargehub.contracts.devices import LoginDecision, SessionOutput

from chargehub_ykc.codec import messages as M
from chargehub_ykc.codec.frame import Frame, FrameError, FrameReader
from chargehub_ykc.codec.messages import Message, decode, encode
from chargehub_ykc.session import YkcSession


def frame_of(hex_text: str) -> Frame:
    """The single frame in ``hex_text`` (spaces allowed); fails the test on anything else."""
    items = FrameReader().feed(bytes.fromhex(hex_text))
    assert len(items) == 1, items
    assert isinstance(items[0], Frame), items[0]
    return items[0]


def message_of(hex_text: str) -> Message:
    """The decoded message of the single frame in ``hex_text``."""
    return decode(frame_of(hex_text))


def frames_and_errors(items: list) -> tuple[list[Frame], list[FrameError]]:
    """Split a :meth:`FrameReader.feed` result."""
    return [i for i in items if isinstance(i, Frame)], [i for i in items if isinstance(i, FrameError)]


def be_crc(hex_text: str) -> bytes:
    """The frame of ``hex_text`` (CRC low byte first) with its two CRC bytes swapped."""
    raw = bytes.fromhex(hex_text)
    return raw[:-2] + raw[-1:] + raw[-2:-1]


# -- session helpers ---------------------------------------------------------------------------------

PILE = "55031412782305"
#: 2024-01-02 03:04:05.678 UTC = 11:04:05.678 in Shanghai.
NOW = datetime(2024, 1, 2, 3, 4, 5, 678900, tzinfo=timezone.utc)
RATES = ("sharp", "peak", "flat", "valley")
YKC_MODEL = {"prices": [{"rate": rate, "electricity_price": price, "service_price": "0.40000"}
                        for rate, price in zip(RATES, ("2.00000", "3.00000", "4.00000", "5.00000"))],
             "slots": [3] * 16 + [2] * 16 + [1] * 8 + [0] * 8}
SETTINGS = {"timezone": "Asia/Shanghai", "gun_count": 2, "enabled": True, "qr_prefix": "https://q.example/c?no=",
            "billing": {"rule_id": 1, "version_id": 7, "model_code": "0008", "ykc": YKC_MODEL}}


class FakeMonotonic:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def login_frame(seq: bytes = b"\x00\x07", pile: str = PILE, guns: int = 2) -> bytes:
    """A V1.6 DC login frame."""
    return encode(M.Login(pile, 0, guns, 0x10, "V4.1.50", 1, "0" * 20, 4), seq=seq)


def new_session(monotonic: FakeMonotonic | None = None) -> YkcSession:
    """A session with a fixed clock."""
    return YkcSession("10.0.0.9:40000", clock=lambda: NOW, monotonic=monotonic or FakeMonotonic())


def logged_in(settings: dict | None = None, monotonic: FakeMonotonic | None = None,
              extra: bytes = b"") -> tuple[YkcSession, SessionOutput]:
    """A session after an accepted login (``extra`` bytes follow the login frame in the same read)."""
    session = new_session(monotonic)
    out = session.receive(login_frame() + extra)
    assert out.login is not None and out.login.device_id == PILE
    decided = session.login_decided(LoginDecision.accept(PILE, SETTINGS if settings is None else settings))
    return session, decided


def decoded(blob: bytes) -> list[M.Message]:
    """The messages of every frame in ``blob`` (which must hold only valid frames)."""
    items = FrameReader().feed(blob)
    assert all(isinstance(i, Frame) for i in items), items
    return [decode(i) for i in items]


def replies(out: SessionOutput) -> list[M.Message]:
    """The decoded reply frames of ``out``."""
    return [m for blob in out.replies for m in decoded(blob)]
