"""Counters shared by the devices of a fleet (one object, not one per device)."""
from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["BikeSimStats"]

_COUNTERS = ("connects", "reconnects", "connect_failures", "connect_refusals", "disconnects", "drops",
             "records_created", "records_acked", "record_resends", "duplicate_acks", "starts_accepted",
             "duplicate_commands", "invalid_received", "faults_injected", "reboots", "welcomes_refused")


class BikeSimStats:
    """What a set of simulated chargers did, summed over all of them.

    ``published`` / ``received``: messages per ``type`` (``received`` counts valid messages on ``down``);
    ``starts_refused``: refused ``start`` commands per code; ``connects`` (CONNACK accepted),
    ``reconnects`` (connects after a device's first), ``connect_failures`` (TCP connect failed or timed
    out), ``connect_refusals`` (CONNACK refused), ``disconnects`` (connections lost or closed), ``drops``
    (connections cut on purpose), ``records_created``, ``records_acked``, ``record_resends`` (copies
    after the first), ``duplicate_acks`` (``ack`` for no pending record), ``starts_accepted``,
    ``duplicate_commands`` (a command id seen again), ``invalid_received`` (bad JSON, wrong ``v`` or
    ``dev``), ``faults_injected``, ``reboots``, ``welcomes_refused``.
    """

    __slots__ = ("published", "received", "starts_refused") + _COUNTERS

    def __init__(self) -> None:
        self.published: Counter[str] = Counter()
        self.received: Counter[str] = Counter()
        self.starts_refused: Counter[str] = Counter()
        for name in _COUNTERS:
            setattr(self, name, 0)

    def snapshot(self) -> dict[str, Any]:
        """All counters as a JSON-ready dict."""
        out: dict[str, Any] = {
            "messages_published": sum(self.published.values()),
            "messages_received": sum(self.received.values()),
            "published_by_type": dict(sorted(self.published.items())),
            "received_by_type": dict(sorted(self.received.items())),
            "starts_refused": sum(self.starts_refused.values()),
            "starts_refused_by_code": dict(sorted(self.starts_refused.items())),
        }
        for name in _COUNTERS:
            out[name] = getattr(self, name)
        return out
