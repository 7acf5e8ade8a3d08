"""Commands waiting for the pile's answer, matched by reply code (plus gun) in FIFO order.

YKC replies carry no correlation id (and piles do not reliably echo the sequence number), so a reply
answers the oldest command still waiting for that reply code and gun. Entries older than ``ttl``
seconds are dropped (the gateway has timed them out long before), so a lost reply cannot shift the
matching of later commands for good. Entries with ``correlation_id=None`` are the session's own pushes
(login-time clock, billing model and QR prefix): they keep the FIFO aligned but produce no result.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["Pending", "PendingCommands"]

#: Seconds a command waits for its reply before it is forgotten.
DEFAULT_TTL = 300.0
#: At most this many waiting commands per reply code and gun (the oldest go first).
MAX_PER_KEY = 64


@dataclass(slots=True)
class Pending:
    """One command waiting for a reply."""

    correlation_id: str | None
    name: str
    created: float
    extra: dict[str, Any] | None = None


class PendingCommands:
    """FIFO queues of :class:`Pending` per ``(reply_code, gun)``, plus ``refresh_state`` trackers."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, ttl: float = DEFAULT_TTL) -> None:
        self._monotonic = monotonic
        self._ttl = ttl
        self._queues: dict[tuple[int, int | None], deque[Pending]] = {}
        self._refresh: list[Pending] = []

    def add(self, reply_code: int, gun: int | None, correlation_id: str | None, name: str, **extra: Any) -> None:
        """Wait for ``reply_code`` (for ``gun`` when the reply carries one)."""
        queue = self._queues.get((reply_code, gun))
        if queue is None:
            queue = self._queues[(reply_code, gun)] = deque(maxlen=MAX_PER_KEY)
        queue.append(Pending(correlation_id, name, self._monotonic(), extra or None))

    def take(self, reply_code: int, gun: int | None = None) -> Pending | None:
        """The oldest live command answered by ``reply_code`` (and ``gun``), removed; ``None`` if none."""
        key = (reply_code, gun)
        queue = self._queues.get(key)
        if not queue:
            return None
        deadline = self._monotonic() - self._ttl
        found = None
        while queue and found is None:
            entry = queue.popleft()
            if entry.created >= deadline:
                found = entry
        if not queue:
            del self._queues[key]  # empty queues are not kept: 10,000 sessions hold mostly none
        return found

    def add_refresh(self, correlation_id: str, guns: set[int]) -> None:
        """Wait for a 0x13 of every gun in ``guns``."""
        self._refresh.append(Pending(correlation_id, "refresh_state", self._monotonic(), {"guns": set(guns)}))
        del self._refresh[:-MAX_PER_KEY]

    def status_arrived(self, gun: int) -> list[Pending]:
        """Record a 0x13 of ``gun``; return the ``refresh_state`` commands now complete."""
        deadline = self._monotonic() - self._ttl
        done, waiting = [], []
        for entry in self._refresh:
            if entry.created < deadline:
                continue
            entry.extra["guns"].discard(gun)
            (waiting if entry.extra["guns"] else done).append(entry)
        self._refresh = waiting
        return done

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values()) + len(self._refresh)
