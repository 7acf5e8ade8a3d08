"""Record delivery of :class:`~chargehub_bike_mqtt.simulator.device.SimulatedDevice` (doc §4 ``record``).

A record is kept in :attr:`pending_records` from the end of the charge until an ``ack`` names its id,
across disconnects and reboots. It is published at once when the device is ready, again with the
**same id** (the same bytes) after every reconnect, and every ``record_retry_s`` real seconds while
unacknowledged. One timer per device drives the resends, armed for the earliest one due.
"""
from __future__ import annotations

from typing import Any

__all__ = ["RecordsMixin"]


class RecordsMixin:
    """Record part of the simulated device (needs the device's attributes; see ``device.py``)."""

    def store_record(self, record: dict[str, Any]) -> None:
        """Keep ``record`` until acknowledged and publish it when the device is ready."""
        rid = record["id"]
        self.pending_records[rid] = record
        self.records.append(record)
        self.stats.records_created += 1
        if self.ready:
            self._send_record(rid)
            self._arm_record_retry()

    def resend_records(self) -> None:
        """Publish every unacknowledged record now (after a reconnect), oldest first."""
        for rid in list(self.pending_records):
            self._send_record(rid)
        self._arm_record_retry()

    def resend_record(self, order: str) -> bool:
        """Publish the record of ``order`` again with its id, as a charger does when the ``ack`` was lost (the
        platform must acknowledge the copy and change nothing). ``False`` when no such record was kept."""
        record = next((r for r in self.records if r.get("order") == order), None)
        if record is None:
            return False
        self.pending_records[record["id"]] = record
        self._send_record(record["id"])
        self._arm_record_retry()
        return True

    def record_sends(self, rid: str) -> int:
        """How many times the record ``rid`` was published (0 once acknowledged)."""
        return self._record_sends.get(rid, 0)

    def _send_record(self, rid: str) -> None:
        if not self.send(self.topic_up, self.pending_records[rid]):
            return
        sends = self._record_sends.get(rid, 0)
        if sends:
            self.stats.record_resends += 1
        self._record_sends[rid] = sends + 1
        self._record_sent_at[rid] = self.loop.time()

    def _arm_record_retry(self) -> None:
        self._cancel("_record_handle")
        if not self.pending_records or not self.ready:
            return
        now = self.loop.time()
        first = min(self._record_sent_at.get(rid, now) for rid in self.pending_records)
        self._record_handle = self.loop.call_at(first + self.config.record_retry_s, self._retry_records)

    def _retry_records(self) -> None:
        self._record_handle = None
        if not self.ready:
            return
        due = self.loop.time() - self.config.record_retry_s * 0.999
        for rid in list(self.pending_records):
            if self._record_sent_at.get(rid, due) <= due:
                self._send_record(rid)
        self._arm_record_retry()

    def on_ack(self, msg: dict[str, Any]) -> None:
        """``ack``: forget the record named by ``re`` (an unknown id only counts ``duplicate_acks``)."""
        rid = msg.get("re")
        record = self.pending_records.pop(rid, None) if isinstance(rid, str) else None
        if record is None:
            self.stats.duplicate_acks += 1
            return
        self._record_sends.pop(rid, None)
        self._record_sent_at.pop(rid, None)
        self.acked_ids.append(rid)
        self.stats.records_acked += 1
        if not self.pending_records:
            self._cancel("_record_handle")
