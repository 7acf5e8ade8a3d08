"""YKC messages: one frozen dataclass per frame code, and :func:`decode` / :func:`encode`.

>>> frame = FrameReader().feed(bytes.fromhex("680d00010003320102000000010100f11a"))[0]
>>> decode(frame)
Heartbeat(pile_code='32010200000001', gun=1, gun_status=0)
>>> encode(HeartbeatReply("32010200000001", 1, 0), seq=frame.seq).hex()
'680d0001000432010200000001010040c0'

Values are in natural units: ``Decimal`` for scaled quantities (at the spec's precision), naive local
``datetime`` for CP56Time2a times, digit strings for BCD codes, hex strings for raw identifiers (physical
cards, ICCID), ``int`` for codes and flags. For every well-formed frame (CRC low byte first),
``encode(decode(frame), seq=frame.seq) == frame.raw`` except for the CP56Time2a bits the spec says to mask
(reserved, invalid, summer time, weekday).
"""
from __future__ import annotations

import struct

from chargehub_ykc.codec.fields import DecodeError, EncodeError
from chargehub_ykc.codec.frame import CodecError, Frame, FrameReader, encode_frame
from chargehub_ykc.codec.layout import MESSAGE_TYPES, Message
from chargehub_ykc.codec.msg_billing import (
    RATE_NAMES,
    SLOT_COUNT,
    BillingModel,
    BillingModelReply,
    BillingModelRequest,
    BillingModelSet,
    BillingModelSetReply,
    BillingModelVerify,
    BillingModelVerifyReply,
    RatePrice,
)
from chargehub_ykc.codec.msg_bms import (
    BmsAbort,
    BmsDemand,
    BmsError,
    BmsHandshake,
    BmsParameters,
    BmsStatus,
    ChargerAbort,
    ChargingEnd,
)
from chargehub_ykc.codec.msg_cards import (
    MAX_CLEAR_CARDS,
    MAX_QUERY_CARDS,
    MAX_SYNC_CARDS,
    CardClearResult,
    CardQueryResult,
    OfflineCard,
    OfflineCardClear,
    OfflineCardClearReply,
    OfflineCardQuery,
    OfflineCardQueryReply,
    OfflineCardSync,
    OfflineCardSyncReply,
)
from chargehub_ykc.codec.msg_charging import (
    ParallelRemoteStart,
    ParallelRemoteStartReply,
    ParallelStartAuthorization,
    ParallelStartRequest,
    PileStartRequest,
    ReadRealtimeData,
    RealtimeData,
    RemoteStart,
    RemoteStartReply,
    RemoteStop,
    RemoteStopReply,
    StartAuthorization,
)
from chargehub_ykc.codec.msg_link import (
    ClockSync,
    ClockSyncReply,
    Heartbeat,
    HeartbeatReply,
    Login,
    LoginReply,
    QrPrefixReply,
    QrPrefixSet,
    Reboot,
    RebootReply,
    Upgrade,
    UpgradeReply,
    WorkParams,
    WorkParamsReply,
)
from chargehub_ykc.codec.msg_records import (
    BalanceUpdate,
    BalanceUpdateReply,
    LockCommand,
    LockCommandReply,
    LockStatus,
    Period,
    TransactionRecord,
    TransactionRecordAck,
    TransactionRecordV17,
)

__all__ = [
    "decode", "decode_body", "encode", "encode_body", "MESSAGE_TYPES", "Message", "DecodeError", "EncodeError",
    "RATE_NAMES", "SLOT_COUNT", "MAX_SYNC_CARDS", "MAX_CLEAR_CARDS", "MAX_QUERY_CARDS",
    "RatePrice", "Period", "OfflineCard", "CardClearResult", "CardQueryResult",
    "Login", "LoginReply", "Heartbeat", "HeartbeatReply", "BillingModelVerify", "BillingModelVerifyReply",
    "BillingModelRequest", "BillingModel", "BillingModelReply", "BillingModelSet", "BillingModelSetReply",
    "ReadRealtimeData", "RealtimeData", "BmsHandshake", "BmsParameters", "ChargingEnd", "BmsError", "BmsAbort",
    "ChargerAbort", "BmsDemand", "BmsStatus", "PileStartRequest", "StartAuthorization", "RemoteStartReply",
    "RemoteStart", "RemoteStopReply", "RemoteStop", "TransactionRecord", "TransactionRecordV17",
    "TransactionRecordAck", "BalanceUpdateReply", "BalanceUpdate", "OfflineCardSyncReply", "OfflineCardSync",
    "OfflineCardClearReply", "OfflineCardClear", "OfflineCardQueryReply", "OfflineCardQuery", "WorkParamsReply",
    "WorkParams", "ClockSyncReply", "ClockSync", "LockStatus", "LockCommand", "LockCommandReply", "RebootReply",
    "Reboot", "UpgradeReply", "Upgrade", "ParallelStartRequest", "ParallelStartAuthorization",
    "ParallelRemoteStartReply", "ParallelRemoteStart", "QrPrefixSet", "QrPrefixReply",
]

_ENCODE_FAILURES = (struct.error, ValueError, TypeError, AttributeError, OverflowError, IndexError)


def decode_body(code: int, body: bytes) -> Message:
    """The message of frame ``code`` with ``body``.

    :raises DecodeError: unknown code, wrong body length or an invalid field (``data`` is ``body``).
    """
    cls = MESSAGE_TYPES.get(code)
    if cls is None:
        raise DecodeError(f"unknown frame code 0x{code:02X}", body)
    expected = cls.BODY_LENGTH
    if expected is not None and len(body) != expected:
        raise DecodeError(f"frame 0x{code:02X} ({cls.__name__}) needs a body of {expected} bytes, got {len(body)}",
                          body)
    try:
        return cls.from_body(body)
    except DecodeError as exc:
        raise DecodeError(f"frame 0x{code:02X} ({cls.__name__}): {exc.message}", body) from None
    except (struct.error, ValueError, IndexError) as exc:
        raise DecodeError(f"frame 0x{code:02X} ({cls.__name__}): {exc}", body) from None


def decode(frame: Frame) -> Message:
    """The message carried by ``frame`` (from :class:`FrameReader`).

    :raises DecodeError: as :func:`decode_body`, or for an encrypted frame; ``data`` is the whole frame.
    """
    if frame.encrypted:
        raise DecodeError("encrypted frames are not supported", frame.raw)
    try:
        return decode_body(frame.code, frame.body)
    except DecodeError as exc:
        raise DecodeError(exc.message, frame.raw or frame.body) from None


def encode_body(message: Message) -> bytes:
    """The body bytes of ``message``.

    :raises EncodeError: a field out of range or of the wrong type.
    """
    try:
        return message.to_body()
    except EncodeError:
        raise
    except _ENCODE_FAILURES as exc:
        raise EncodeError(f"{type(message).__name__}: {exc}") from None


def encode(message: Message, seq: bytes = b"\x00\x00") -> bytes:
    """The complete frame of ``message`` with the two sequence bytes ``seq`` (CRC low byte first).

    :raises EncodeError: as :func:`encode_body`; :class:`CodecError` for a bad ``seq``.
    """
    return encode_frame(message.CODE, encode_body(message), seq)


# Re-exported for convenience: frame layer names used together with the messages.
__all__ += ["Frame", "FrameReader", "CodecError"]
