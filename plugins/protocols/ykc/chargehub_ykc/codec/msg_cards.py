"""Offline-card lists, 0x43–0x48 (``specs/ykc-protocol.md`` §5 "Offline cards"): variable-length bodies.

Platform frames carry a count byte after the pile code; the pile's replies have none (their entry count
follows from the body length). The encoders keep the documented maxima (15 / 24 / 26 cards) so that the
length byte stays within one byte.
"""
from __future__ import annotations

from dataclasses import dataclass

from chargehub_ykc.codec.fields import DecodeError, EncodeError, bcd_decode, bcd_encode, hex_decode, hex_encode
from chargehub_ykc.codec.layout import PILE, U8, Message, message, wire

__all__ = [
    "OfflineCard", "CardClearResult", "CardQueryResult", "OfflineCardSyncReply", "OfflineCardSync",
    "OfflineCardClearReply", "OfflineCardClear", "OfflineCardQueryReply", "OfflineCardQuery",
    "MAX_SYNC_CARDS", "MAX_CLEAR_CARDS", "MAX_QUERY_CARDS",
]

MAX_SYNC_CARDS = 15
MAX_CLEAR_CARDS = 24
MAX_QUERY_CARDS = 26


@dataclass(frozen=True, slots=True)
class OfflineCard:
    """A card the pile may authorise offline: ``logical_card`` (16 digits), ``physical_card`` (hex)."""

    logical_card: str
    physical_card: str


@dataclass(frozen=True, slots=True)
class CardClearResult:
    """One entry of 0x45: ``cleared`` 0x00 failed, 0x01 cleared; ``reason`` 0x01 bad card format."""

    physical_card: str
    cleared: int
    reason: int


@dataclass(frozen=True, slots=True)
class CardQueryResult:
    """One entry of 0x47: ``present`` 0x00 absent, 0x01 present."""

    physical_card: str
    present: int


def _entries(code: int, body: bytes, head: int, size: int, counted: bool, limit: int = 255) -> range:
    """Offsets of the fixed-size entries after ``head`` bytes (plus a count byte when ``counted``);
    at most ``limit`` entries."""
    start = head + (1 if counted else 0)
    if len(body) < start or (len(body) - start) % size:
        raise DecodeError(f"frame 0x{code:02X}: body of {len(body)} bytes is not {start} + {size} × n", body)
    count = (len(body) - start) // size
    if counted and body[head] != count:
        raise DecodeError(f"frame 0x{code:02X}: count byte {body[head]} but {count} entries", body)
    if count > limit:
        raise DecodeError(f"frame 0x{code:02X}: {count} cards, at most {limit}", body)
    return range(start, len(body), size)


def _check_count(items: tuple, limit: int, what: str) -> int:
    if not isinstance(items, tuple) or len(items) > limit:
        raise EncodeError(f"{what}: a tuple of at most {limit} cards")
    return len(items)


@message(0x43)
@dataclass(frozen=True, slots=True)
class OfflineCardSyncReply(Message):
    """0x43 离线卡数据同步应答 (offline-card sync reply): ``result`` 0x00 failure, 0x01 success;
    ``failure_reason`` 0x01 bad card format, 0x02 storage full."""

    pile_code: str = wire(PILE)
    result: int = wire(U8)
    failure_reason: int = wire(U8)


@message(0x44)
@dataclass(frozen=True, slots=True)
class OfflineCardSync(Message):
    """0x44 离线卡数据同步 (offline-card sync): store or overwrite up to 15 :class:`OfflineCard`."""

    pile_code: str
    cards: tuple[OfflineCard, ...]

    @classmethod
    def from_body(cls, body: bytes) -> "OfflineCardSync":
        """Pile (7) · count (1) · n × [logical 8 BCD · physical 8]."""
        return cls(bcd_decode(body[:7]), tuple(OfflineCard(bcd_decode(body[i:i + 8]), hex_decode(body[i + 8:i + 16]))
                                               for i in _entries(0x44, body, 7, 16, True, MAX_SYNC_CARDS)))

    def to_body(self) -> bytes:
        """Encode the body."""
        count = _check_count(self.cards, MAX_SYNC_CARDS, "cards")
        return bcd_encode(self.pile_code, 7) + bytes((count,)) + b"".join(
            bcd_encode(card.logical_card, 8) + hex_encode(card.physical_card, 8) for card in self.cards)


@message(0x45)
@dataclass(frozen=True, slots=True)
class OfflineCardClearReply(Message):
    """0x45 离线卡数据清除应答 (offline-card clear reply): one :class:`CardClearResult` per card."""

    pile_code: str
    results: tuple[CardClearResult, ...]

    @classmethod
    def from_body(cls, body: bytes) -> "OfflineCardClearReply":
        """Pile (7) · n × [physical 8 · cleared 1 · reason 1] (no count byte)."""
        return cls(bcd_decode(body[:7]), tuple(CardClearResult(hex_decode(body[i:i + 8]), body[i + 8], body[i + 9])
                                               for i in _entries(0x45, body, 7, 10, False)))

    def to_body(self) -> bytes:
        """Encode the body."""
        _check_count(self.results, (255 - 4 - 7) // 10, "results")
        return bcd_encode(self.pile_code, 7) + b"".join(
            hex_encode(r.physical_card, 8) + bytes((r.cleared, r.reason)) for r in self.results)


@message(0x46)
@dataclass(frozen=True, slots=True)
class OfflineCardClear(Message):
    """0x46 离线卡数据清除 (offline-card clear): up to 24 physical cards (hex)."""

    pile_code: str
    physical_cards: tuple[str, ...]

    @classmethod
    def from_body(cls, body: bytes) -> "OfflineCardClear":
        """Pile (7) · count (1) · n × physical 8."""
        entries = _entries(0x46, body, 7, 8, True, MAX_CLEAR_CARDS)
        return cls(bcd_decode(body[:7]), tuple(hex_decode(body[i:i + 8]) for i in entries))

    def to_body(self) -> bytes:
        """Encode the body."""
        count = _check_count(self.physical_cards, MAX_CLEAR_CARDS, "physical_cards")
        return bcd_encode(self.pile_code, 7) + bytes((count,)) + b"".join(
            hex_encode(card, 8) for card in self.physical_cards)


@message(0x47)
@dataclass(frozen=True, slots=True)
class OfflineCardQueryReply(Message):
    """0x47 离线卡数据查询应答 (offline-card query reply): one :class:`CardQueryResult` per card."""

    pile_code: str
    results: tuple[CardQueryResult, ...]

    @classmethod
    def from_body(cls, body: bytes) -> "OfflineCardQueryReply":
        """Pile (7) · n × [physical 8 · present 1] (no count byte)."""
        return cls(bcd_decode(body[:7]), tuple(CardQueryResult(hex_decode(body[i:i + 8]), body[i + 8])
                                               for i in _entries(0x47, body, 7, 9, False)))

    def to_body(self) -> bytes:
        """Encode the body."""
        _check_count(self.results, (255 - 4 - 7) // 9, "results")
        return bcd_encode(self.pile_code, 7) + b"".join(
            hex_encode(r.physical_card, 8) + bytes((r.present,)) for r in self.results)


@message(0x48)
@dataclass(frozen=True, slots=True)
class OfflineCardQuery(Message):
    """0x48 离线卡数据查询 (offline-card query): up to 26 physical cards (hex)."""

    pile_code: str
    physical_cards: tuple[str, ...]

    @classmethod
    def from_body(cls, body: bytes) -> "OfflineCardQuery":
        """Pile (7) · count (1) · n × physical 8."""
        entries = _entries(0x48, body, 7, 8, True, MAX_QUERY_CARDS)
        return cls(bcd_decode(body[:7]), tuple(hex_decode(body[i:i + 8]) for i in entries))

    def to_body(self) -> bytes:
        """Encode the body."""
        count = _check_count(self.physical_cards, MAX_QUERY_CARDS, "physical_cards")
        return bcd_encode(self.pile_code, 7) + bytes((count,)) + b"".join(
            hex_encode(card, 8) for card in self.physical_cards)
