"""The gateway's database writer: one thread applying device events in batches, in arrival order.

The event loop only enqueues (:meth:`EventWriter.put`); the thread takes everything queued, waits up
to :data:`FLUSH_INTERVAL` for more unless something urgent is queued (a durable event or a connection
change), applies the batch in one transaction (:class:`~.apply.BatchApplier`) and then completes the
waiters on the loop. A single writer keeps per-device order trivially; batching is what makes
thousands of heartbeats per second cheap.

When a batch fails, its items are retried one by one so that one bad event cannot block the others;
when the database itself is unreachable the batch is retried with back-off, and durable events stay
unacknowledged meanwhile (the devices resend them).
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Sequence

from sqlalchemy.exc import DBAPIError, OperationalError

from chargehub.contracts.devices import DeviceEvent
from chargehub.db import utcnow
from chargehub.devices.ingest.apply import BatchApplier
from chargehub.devices.ingest.states import ConnectionChange, sweep_stale
from chargehub.devices.ingest.directory import DeviceDirectory
from chargehub.extensions import db

log = logging.getLogger("chargehub.devices.ingest")

#: Seconds the writer waits to gather telemetry into one batch.
FLUSH_INTERVAL = 0.2
#: Items per transaction at most.
MAX_BATCH = 5000
#: Seconds between sweeps for devices (piles, e-bike chargers) left "online" by a gateway that died.
SWEEP_INTERVAL = 30.0
#: Back-off (seconds) while the database is unreachable.
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0)


@dataclass
class _Item:
    entries: Sequence[ConnectionChange | DeviceEvent]
    future: asyncio.Future | None
    urgent: bool


class EventWriter:
    """Applies queued items to the database from its own thread.

    :param app: the Flask app (an app context is pushed in the thread).
    :param directory: the logged-in devices.
    :param stale_after: seconds without a heartbeat after which an "online" device is swept offline.
    """

    def __init__(self, app, directory: DeviceDirectory, *, stale_after: float) -> None:
        self.app = app
        self.directory = directory
        self.stale_after = stale_after
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="device-writer", daemon=True)
        self._last_sweep = time.monotonic()
        self.applied = 0

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Apply what is queued, then end the thread."""
        self._queue.put(None)
        self._thread.join(timeout)

    def put(self, entries: Sequence[ConnectionChange | DeviceEvent], future: asyncio.Future | None = None,
            *, urgent: bool = False) -> None:
        """Queue ``entries`` (applied together, in order); ``future`` completes once they are committed."""
        self._queue.put(_Item(entries, future, urgent or future is not None))

    # -- the thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        with self.app.app_context():
            stopping = False
            while not stopping:
                batch, stopping = self._gather()
                if batch:
                    self._apply_with_retry(batch)
                if time.monotonic() - self._last_sweep > SWEEP_INTERVAL:
                    self._sweep()

    def _gather(self) -> tuple[list[_Item], bool]:
        """Block for the first item, then collect until the flush deadline (or at once when urgent)."""
        try:
            first = self._queue.get(timeout=SWEEP_INTERVAL)
        except queue.Empty:
            return [], False
        if first is None:
            return self._drain([]), True
        batch = [first]
        count = len(first.entries)
        deadline = time.monotonic() + FLUSH_INTERVAL
        urgent = first.urgent
        while count < MAX_BATCH:
            try:
                item = self._queue.get_nowait() if urgent else self._queue.get(
                    timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is None:
                return self._drain(batch), True
            batch.append(item)
            count += len(item.entries)
            urgent = urgent or item.urgent
        return batch, False

    def _drain(self, batch: list[_Item]) -> list[_Item]:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch
            if item is not None:
                batch.append(item)

    def _apply_with_retry(self, batch: list[_Item]) -> None:
        for delay in (*RETRY_DELAYS, None):
            try:
                self._apply(batch)
                self._complete(batch, None)
                return
            except DBAPIError as exc:
                db.session.rollback()
                unavailable = exc.connection_invalidated or isinstance(exc, OperationalError)
                if not unavailable or delay is None:
                    break  # a bad item (or the database stayed away): item by item below
                log.warning("database unavailable for device events (%s); retrying in %ss", exc, delay)
                time.sleep(delay)
            except Exception:  # noqa: BLE001 - a handler bug: isolate the item below
                db.session.rollback()
                log.exception("device event batch failed; retrying item by item")
                break
        for item in batch:
            try:
                self._apply([item])
                self._complete([item], None)
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                log.exception("device events could not be stored: %s",
                              [(getattr(e, "device_id", ""), getattr(e, "type", type(e).__name__), dict(
                                  getattr(e, "data", {}) or {})) for e in item.entries][:5])
                self._complete([item], exc)

    def _apply(self, batch: list[_Item]) -> None:
        applier = BatchApplier(self.directory)
        applier.apply(entry for item in batch for entry in item.entries)
        applier.finish()
        db.session.commit()
        self.applied += sum(len(item.entries) for item in batch)

    @staticmethod
    def _complete(batch: list[_Item], error: BaseException | None) -> None:
        for item in batch:
            future = item.future
            if future is None:
                continue
            loop = future.get_loop()
            if loop.is_closed():
                continue
            loop.call_soon_threadsafe(_settle, future, error)

    def _sweep(self) -> None:
        self._last_sweep = time.monotonic()
        try:
            count = sweep_stale(utcnow() - timedelta(seconds=self.stale_after), "心跳超时 (no heartbeat)")
            db.session.commit()
            if count:
                log.warning("%d devices had no heartbeat for %ss and were marked offline", count, self.stale_after)
        except Exception:  # noqa: BLE001
            db.session.rollback()
            log.exception("stale device sweep failed")


def _settle(future: asyncio.Future, error: Any) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error if isinstance(error, BaseException) else RuntimeError(str(error)))
