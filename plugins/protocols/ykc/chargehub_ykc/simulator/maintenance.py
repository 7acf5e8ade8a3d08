"""Maintenance commands of :class:`~chargehub_ykc.simulator.pile.SimulatedPile`: clock sync (0x56),
balance update (0x42), offline cards (0x44/0x46/0x48), ground locks (0x62), reboot (0x92), upgrade (0x94)
and the QR-code prefix (0xF0). Each is answered with its reply frame, the request's sequence echoed.
"""
from __future__ import annotations

from typing import Any

from chargehub_ykc.codec.frame import Frame
from chargehub_ykc.codec.messages import (
    BalanceUpdateReply,
    CardClearResult,
    CardQueryResult,
    ClockSyncReply,
    LockCommandReply,
    LockStatus,
    OfflineCardClearReply,
    OfflineCardQueryReply,
    OfflineCardSyncReply,
    QrPrefixReply,
    RebootReply,
    UpgradeReply,
)
from chargehub_ykc.simulator.charging import STOP_POWER_LOSS

__all__ = ["MaintenanceMixin"]

_NO_CARD = "0" * 16
_LOCK_RAISED = 0x55
_LOCK_LOWERED = 0xFF


class MaintenanceMixin:
    """Maintenance part of the simulated pile (needs the pile's slots; see ``pile.py``)."""

    __slots__ = ()

    def _reply(self, message: Any, frame: Frame) -> None:
        self._send(message, frame.seq, reply=True)

    def _on_clock_sync(self, frame: Frame, msg: Any) -> None:
        if msg.pile_code != self.code:
            return
        if msg.time is not None:
            # Meter what ran on the old clock first, then jump: a session never counts the jump.
            before = self.now()
            for state in self.guns:
                if state.session is not None:
                    state.session.accrue(before)
            self._offset += msg.time - before
            after = self.now()
            for state in self.guns:
                if state.session is not None:
                    state.session.last_at = after
            self.clock_syncs += 1
        self._reply(ClockSyncReply(self.code, self.now()), frame)

    def _on_balance_update(self, frame: Frame, msg: Any) -> None:
        if msg.pile_code != self.code:
            self._reply(BalanceUpdateReply(self.code, msg.physical_card, 0x01), frame)
            return
        state = self.guns[msg.gun - 1] if 1 <= msg.gun <= len(self.guns) else None
        session = state.session if state is not None else None
        if session is None or (msg.physical_card != _NO_CARD and msg.physical_card != session.physical_card):
            self._reply(BalanceUpdateReply(self.code, msg.physical_card, 0x02), frame)
            return
        session.balance = msg.balance
        self._reply(BalanceUpdateReply(self.code, msg.physical_card, 0x00), frame)

    def _on_card_sync(self, frame: Frame, msg: Any) -> None:
        cards = self.offline_cards if self.offline_cards is not None else {}
        new = {c.physical_card for c in msg.cards} - cards.keys()
        if len(cards) + len(new) > self.config.offline_card_capacity:
            self._reply(OfflineCardSyncReply(self.code, 0x00, 0x02), frame)  # storage full
            return
        for card in msg.cards:
            cards[card.physical_card] = card.logical_card
        self.offline_cards = cards
        self._reply(OfflineCardSyncReply(self.code, 0x01, 0x00), frame)

    def _on_card_clear(self, frame: Frame, msg: Any) -> None:
        cards = self.offline_cards or {}
        for card in msg.physical_cards:
            cards.pop(card, None)
        self._reply(OfflineCardClearReply(self.code, tuple(CardClearResult(c, 0x01, 0x00) for c in msg.physical_cards)),
                    frame)

    def _on_card_query(self, frame: Frame, msg: Any) -> None:
        cards = self.offline_cards or {}
        self._reply(OfflineCardQueryReply(self.code, tuple(CardQueryResult(c, 0x01 if c in cards else 0x00)
                                                           for c in msg.physical_cards)), frame)

    def _on_lock_command(self, frame: Frame, msg: Any) -> None:
        ok = msg.pile_code == self.code and 1 <= msg.gun <= len(self.guns) and msg.action in (_LOCK_RAISED,
                                                                                              _LOCK_LOWERED)
        self._reply(LockCommandReply(self.code, msg.gun, 0x01 if ok else 0x00), frame)
        if ok:
            state = self.guns[msg.gun - 1]
            state.lock_state = msg.action
            bay = 0xFF if state.plugged else 0x00
            self._send(LockStatus(self.code, state.number, state.lock_state, bay, 100, 0x00))

    def _on_reboot(self, frame: Frame, msg: Any) -> None:
        ok = msg.pile_code == self.code and msg.control in (0x01, 0x02)
        self._reply(RebootReply(self.code, 0x01 if ok else 0x00), frame)
        if not ok:
            return
        if msg.control == 0x01 or all(state.session is None for state in self.guns):
            self.loop.call_later(0.05, self._reboot_now)  # let the reply leave first
        else:
            self._reboot_when_idle = True

    def _reboot_now(self) -> None:
        """Power-cycle: running sessions end (0x83 power loss, records kept), the QR prefix is forgotten
        (OpenUC piles do not keep it), the billing model and unsent records survive; reconnect."""
        self._reboot_when_idle = False
        self.reboots += 1
        for state in self.guns:
            if state.session is not None:
                self._stop_session(state, STOP_POWER_LOSS)
        self.qr_prefix = None
        self.qr_format = None
        self.drop_connection()

    def _on_upgrade(self, frame: Frame, msg: Any) -> None:
        if msg.pile_code != self.code:
            status = 0x01
        elif msg.pile_model != (0x01 if self.config.pile_type == "dc" else 0x02):
            status = 0x02  # the program does not match this pile model
        else:
            status = 0x00
            if self.upgrades is None:
                self.upgrades = []
            self.upgrades.append(msg)
        self._reply(UpgradeReply(self.code, status), frame)

    def _on_qr_prefix(self, frame: Frame, msg: Any) -> None:
        ok = msg.pile_code == self.code and msg.qr_format in (0x00, 0x01)
        if ok:
            self.qr_prefix = msg.prefix
            self.qr_format = msg.qr_format
        self._reply(QrPrefixReply(self.code, 0x01 if ok else 0x00), frame)
