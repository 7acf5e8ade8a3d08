"""Device ingest: what the gateway does with logins and device events in a real platform.

* :class:`.listener.DatabaseListener` — the gateway listener (login checks, 上下线记录, event storage)
* :class:`.apply.BatchApplier` — one batch of events in one transaction: piles there, e-bike chargers in
  :mod:`.bike_apply`, what both kinds share in :mod:`.states`
* :func:`.apply.register_handler` — other domains (orders) handle event types in the same transaction
"""
from __future__ import annotations

from chargehub.devices.ingest.apply import register_handler
from chargehub.devices.ingest.listener import DatabaseListener

__all__ = ["DatabaseListener", "register_handler"]
