"""Transaction-record delivery of :class:`~chargehub_ykc.simulator.pile.SimulatedPile` (spec §7.5).

A record is stored the moment charging ends and stays in :attr:`unsent` until a 0x40 with result 0x00
names its trade number, across disconnects. It is sent ``record_delay`` after the end, uploaded again
first thing after every login, and resent every ``record_retry_interval`` while unacknowledged. One
timer per pile drives the resends, armed for the earliest one due.
"""
from __future__ import annotations

from typing import Any

from chargehub_ykc.codec.frame import Frame
from chargehub_ykc.codec.messages import TransactionRecord

__all__ = ["RecordsMixin"]

_MAX_PENDING_SEQS = 64


class RecordsMixin:
    """Record part of the simulated pile (needs the pile's slots; see ``pile.py``)."""

    __slots__ = ()

    def _store_record(self, record: TransactionRecord, delay: float) -> None:
        trade = record.trade_no
        self.unsent[trade] = record
        self._sent_at[trade] = None
        self.records.append(record)
        self.stats.records_created += 1
        if delay <= 0:
            self._send_record(trade)
        else:
            self.loop.call_later(delay, self._first_send, trade)

    def resend_record(self, trade: str) -> bool:
        """Upload the record of ``trade`` again, as a pile does when the platform's 0x40 was lost on the way
        (the platform must answer the copy and change nothing). ``False`` when no such record was kept."""
        record = next((r for r in self.records if r.trade_no == trade), None)
        if record is None:
            return False
        self.unsent[trade] = record
        self._sent_at[trade] = None
        self._send_record(trade)
        return True

    def _first_send(self, trade: str) -> None:
        # Skipped when a login upload already sent it (or it was acknowledged meanwhile).
        if trade in self.unsent and self._sent_at.get(trade) is None:
            self._send_record(trade)

    def _upload_unsent(self) -> None:
        """After a login: every stored record, before anything else (§7.1 item 3)."""
        for trade in list(self.unsent):
            self._send_record(trade, rearm=False)
        self._rearm_records()

    def _send_record(self, trade: str, rearm: bool = True) -> None:
        record = self.unsent.get(trade)
        if record is None or self.state != "online":
            return
        seq = self._next_seq()
        if self._send(record, seq):
            now = self.loop.time()
            self._sent_at[trade] = now
            self.records_sent += 1
            pending = self._record_seq
            pending[seq] = (trade, now)
            if len(pending) > _MAX_PENDING_SEQS:
                del pending[next(iter(pending))]
            if rearm:
                self._rearm_records()

    def _rearm_records(self) -> None:
        if self._record_handle is not None:
            self._record_handle.cancel()
            self._record_handle = None
        sent = [t for t in self._sent_at.values() if t is not None]
        if sent and self.state == "online":
            due = min(sent) + self.config.record_retry_interval
            self._record_handle = self.loop.call_at(due, self._resend_due)

    def _resend_due(self) -> None:
        self._record_handle = None
        interval = self.config.record_retry_interval
        now = self.loop.time()
        for trade, sent in list(self._sent_at.items()):
            if sent is not None and now - sent >= interval * 0.999:
                self._send_record(trade, rearm=False)
        self._rearm_records()

    def _on_record_ack(self, frame: Frame, msg: Any) -> None:
        by_seq = self._record_seq.pop(frame.seq, None)
        trade = msg.trade_no
        if msg.result != 0x00:
            self.stats.records_rejected += 1  # "illegal record": keep it and keep retrying
            return
        record = self.unsent.pop(trade, None)
        if record is None:
            self.stats.duplicate_acks += 1
            return
        sent = self._sent_at.pop(trade, None)
        start = by_seq[1] if by_seq is not None and by_seq[0] == trade else sent
        if start is not None:
            self.stats.record_latency.add(self.loop.time() - start)
        self.acked_trades.append(trade)
        self.stats.records_acked += 1
        self._rearm_records()
