"""Link and maintenance messages: login, heartbeat, clock, work parameters, reboot, upgrade, QR prefix.

Field meanings and codes: ``specs/ykc-protocol.md`` §5 (and :mod:`chargehub_ykc.codec.codes`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chargehub_ykc.codec.fields import DecodeError, EncodeError, ascii_encode, bcd_decode, bcd_encode
from chargehub_ykc.codec.frame import MAX_BODY
from chargehub_ykc.codec.layout import CP56, GUN, PILE, U8, U16, Message, hexa, message, text, wire

__all__ = [
    "Login", "LoginReply", "Heartbeat", "HeartbeatReply", "ClockSync", "ClockSyncReply", "WorkParams",
    "WorkParamsReply", "Reboot", "RebootReply", "Upgrade", "UpgradeReply", "QrPrefixSet", "QrPrefixReply",
]


@message(0x01)
@dataclass(frozen=True, slots=True)
class Login(Message):
    """0x01 充电桩登录认证 (login), pile → platform, answered by :class:`LoginReply`.

    ``pile_type`` 0x00 DC / 0x01 AC; ``protocol_version`` version × 10 (0x0F = 1.5, 0x10 = 1.6);
    ``network_type`` 0x00 SIM, 0x01 LAN, 0x02 WAN, 0x03 other; ``iccid`` hex string (20 digits, zeros when
    unknown); ``carrier`` 0x00 China Mobile, 0x02 China Telecom, 0x03 China Unicom, 0x04 other.
    """

    pile_code: str = wire(PILE)
    pile_type: int = wire(U8)
    gun_count: int = wire(U8)
    protocol_version: int = wire(U8)
    firmware_version: str = wire(text(8))
    network_type: int = wire(U8)
    iccid: str = wire(hexa(10))
    carrier: int = wire(U8)


@message(0x02)
@dataclass(frozen=True, slots=True)
class LoginReply(Message):
    """0x02 登录认证应答 (login reply): ``result`` 0x00 success, 0x01 failure (then the platform closes)."""

    pile_code: str = wire(PILE)
    result: int = wire(U8)


@message(0x03)
@dataclass(frozen=True, slots=True)
class Heartbeat(Message):
    """0x03 充电桩心跳包 (heartbeat) for one gun: ``gun_status`` 0x00 normal, 0x01 fault."""

    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    gun_status: int = wire(U8)


@message(0x04)
@dataclass(frozen=True, slots=True)
class HeartbeatReply(Message):
    """0x04 心跳包应答 (heartbeat reply): pile and gun echoed, ``reply`` 0x00."""

    pile_code: str = wire(PILE)
    gun: int = wire(GUN)
    reply: int = wire(U8)


@message(0x55)
@dataclass(frozen=True, slots=True)
class ClockSyncReply(Message):
    """0x55 对时设置应答 (clock-sync reply): the pile's own current time after setting it."""

    pile_code: str = wire(PILE)
    device_time: datetime | None = wire(CP56)


@message(0x56)
@dataclass(frozen=True, slots=True)
class ClockSync(Message):
    """0x56 对时设置 (clock sync): the platform's local time."""

    pile_code: str = wire(PILE)
    time: datetime | None = wire(CP56)


@message(0x51)
@dataclass(frozen=True, slots=True)
class WorkParamsReply(Message):
    """0x51 充电桩工作参数设置应答 (work-parameter reply): ``result`` 0x00 failure, 0x01 success."""

    pile_code: str = wire(PILE)
    result: int = wire(U8)


@message(0x52)
@dataclass(frozen=True, slots=True)
class WorkParams(Message):
    """0x52 充电桩工作参数设置 (work parameters): ``work_state`` 0x00 allowed (normal), 0x01 disabled
    (pile locked); ``max_power_percent`` of rated output, 30..100."""

    pile_code: str = wire(PILE)
    work_state: int = wire(U8)
    max_power_percent: int = wire(U8)


@message(0x91)
@dataclass(frozen=True, slots=True)
class RebootReply(Message):
    """0x91 远程重启应答 (reboot reply): ``result`` 0x00 failure, 0x01 success."""

    pile_code: str = wire(PILE)
    result: int = wire(U8)


@message(0x92)
@dataclass(frozen=True, slots=True)
class Reboot(Message):
    """0x92 远程重启 (remote reboot): ``control`` 0x01 reboot now, 0x02 reboot when idle."""

    pile_code: str = wire(PILE)
    control: int = wire(U8)


@message(0x93)
@dataclass(frozen=True, slots=True)
class UpgradeReply(Message):
    """0x93 远程更新应答 (upgrade reply): ``status`` 0x00 success, 0x01 pile code error, 0x02 program does
    not match the pile model, 0x03 download timeout."""

    pile_code: str = wire(PILE)
    status: int = wire(U8)


@message(0x94)
@dataclass(frozen=True, slots=True)
class Upgrade(Message):
    """0x94 远程更新 (remote upgrade over FTP): ``pile_model`` 0x01 DC, 0x02 AC (not the login coding);
    ``execution`` 0x01 now, 0x02 when idle; ``download_timeout_minutes``."""

    pile_code: str = wire(PILE)
    pile_model: int = wire(U8)
    pile_power_kw: int = wire(U16)
    server: str = wire(text(16))
    port: int = wire(U16)
    user: str = wire(text(16))
    password: str = wire(text(16))
    file_path: str = wire(text(32))
    execution: int = wire(U8)
    download_timeout_minutes: int = wire(U8)


@message(0xF0)
@dataclass(frozen=True, slots=True)
class QrPrefixSet(Message):
    """0xF0 后台下发二维码前缀 (QR-code prefix, OpenUC extension): ``qr_format`` 0x00 prefix + pile code,
    0x01 prefix + pile code + 2-digit gun; ``prefix`` ASCII (its length byte is implied)."""

    pile_code: str
    qr_format: int
    prefix: str

    @classmethod
    def from_body(cls, body: bytes) -> "QrPrefixSet":
        """Pile (7) · format (1) · length L (1) · prefix (L)."""
        if len(body) < 9 or len(body) != 9 + body[8]:
            raise DecodeError(f"frame 0xF0 needs a body of 9 + prefix length bytes, got {len(body)}", body)
        return cls(bcd_decode(body[:7]), body[7], body[9:].decode("latin-1"))

    def to_body(self) -> bytes:
        """Encode the body."""
        if not isinstance(self.prefix, str):
            raise EncodeError("prefix must be a string")
        size = len(self.prefix.encode("latin-1", "replace"))
        if size > MAX_BODY - 9:
            raise EncodeError(f"QR prefix of {size} bytes is longer than {MAX_BODY - 9}")
        if not isinstance(self.qr_format, int) or not 0 <= self.qr_format <= 0xFF:
            raise EncodeError(f"QR format {self.qr_format!r} is not a byte")
        raw = ascii_encode(self.prefix, size)
        return bcd_encode(self.pile_code, 7) + bytes((self.qr_format, len(raw))) + raw


@message(0xF1)
@dataclass(frozen=True, slots=True)
class QrPrefixReply(Message):
    """0xF1 桩应答二维码前缀 (QR-prefix reply): ``result`` 0x00 failure, 0x01 success."""

    pile_code: str = wire(PILE)
    result: int = wire(U8)
