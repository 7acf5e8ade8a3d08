"""Counters and latency samples shared by the piles of a fleet (one object, not one per pile)."""
from __future__ import annotations

from collections import Counter, deque
from typing import Any

__all__ = ["LatencySamples", "SimStats"]


class LatencySamples:
    """Round-trip times in seconds: the last ``maxlen`` samples plus a running count and maximum."""

    __slots__ = ("samples", "count", "max")

    def __init__(self, maxlen: int = 100_000) -> None:
        self.samples: deque[float] = deque(maxlen=maxlen)
        self.count = 0
        self.max = 0.0

    def add(self, seconds: float) -> None:
        """Record one round trip."""
        self.samples.append(seconds)
        self.count += 1
        if seconds > self.max:
            self.max = seconds

    def clear(self) -> None:
        """Forget every sample (e.g. after a warm-up)."""
        self.samples.clear()
        self.count = 0
        self.max = 0.0

    def percentile(self, q: float) -> float | None:
        """The nearest-rank ``q`` quantile (0..1) of the kept samples, ``None`` without samples."""
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[round(min(1.0, max(0.0, q)) * (len(ordered) - 1))]

    def summary(self) -> dict[str, Any]:
        """``{"count", "p50", "p95", "p99", "max"}`` in seconds (``None`` without samples)."""
        if not self.samples:
            return {"count": self.count, "p50": None, "p95": None, "p99": None, "max": None}
        ordered = sorted(self.samples)
        last = len(ordered) - 1

        def pick(q: float) -> float:
            return round(ordered[round(q * last)], 6)

        return {"count": self.count, "p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99),
                "max": round(self.max, 6)}


class SimStats:
    """What a set of piles did, summed over all of them.

    ``sent`` / ``received``: frames per frame code; ``bytes_sent`` / ``bytes_received``; ``connects``
    (TCP connections made), ``connect_failures``, ``disconnects`` (connections lost), ``logins`` (0x02
    success), ``login_refusals`` (0x02 failure), ``decode_errors`` (bad frames from the platform),
    ``records_created``, ``records_acked`` (0x40 result 0x00 for a stored record), ``records_rejected``
    (0x40 result 0x01), ``duplicate_acks`` (0x40 for no stored record), ``heartbeat_timeouts`` (links
    dropped for missed heartbeat replies), ``heartbeat_latency`` / ``record_latency``
    (:class:`LatencySamples` of 0x03→0x04 and 0x3B→0x40).
    """

    __slots__ = ("sent", "received", "bytes_sent", "bytes_received", "connects", "connect_failures",
                 "disconnects", "logins", "login_refusals", "decode_errors", "records_created", "records_acked",
                 "records_rejected", "duplicate_acks", "heartbeat_timeouts", "heartbeat_latency",
                 "record_latency")

    def __init__(self, max_samples: int = 100_000) -> None:
        self.sent: Counter[int] = Counter()
        self.received: Counter[int] = Counter()
        self.bytes_sent = 0
        self.bytes_received = 0
        self.connects = 0
        self.connect_failures = 0
        self.disconnects = 0
        self.logins = 0
        self.login_refusals = 0
        self.decode_errors = 0
        self.records_created = 0
        self.records_acked = 0
        self.records_rejected = 0
        self.duplicate_acks = 0
        self.heartbeat_timeouts = 0
        self.heartbeat_latency = LatencySamples(max_samples)
        self.record_latency = LatencySamples(max_samples)

    def snapshot(self) -> dict[str, Any]:
        """All counters as a JSON-ready dict (frame codes as ``"0x03"`` keys)."""
        return {
            "frames_sent": sum(self.sent.values()),
            "frames_received": sum(self.received.values()),
            "sent_by_code": {f"0x{code:02X}": n for code, n in sorted(self.sent.items())},
            "received_by_code": {f"0x{code:02X}": n for code, n in sorted(self.received.items())},
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
            "connects": self.connects,
            "connect_failures": self.connect_failures,
            "disconnects": self.disconnects,
            "logins": self.logins,
            "login_refusals": self.login_refusals,
            "decode_errors": self.decode_errors,
            "records_created": self.records_created,
            "records_acked": self.records_acked,
            "records_rejected": self.records_rejected,
            "duplicate_acks": self.duplicate_acks,
            "heartbeat_timeouts": self.heartbeat_timeouts,
            "heartbeat_latency": self.heartbeat_latency.summary(),
            "record_latency": self.record_latency.summary(),
        }
