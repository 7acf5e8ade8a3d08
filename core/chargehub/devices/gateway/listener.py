"""What the gateway tells the rest of core about devices: connections and normalized events.

The gateway calls a :class:`GatewayListener` from its event loop. The default implementation only
logs; the device domain subclasses it to write online/offline records (上下线记录) and apply events
to the database (do blocking work with ``await asyncio.to_thread(...)``). Exceptions raised by a
listener are logged and never break the connection.
"""
from __future__ import annotations

import logging

from chargehub.contracts.devices import DeviceEvent

log = logging.getLogger("chargehub.devices.gateway")


class GatewayListener:
    """Receives device connection changes and events from the gateway; every method may be overridden."""

    async def on_connected(self, device_id: str, protocol: str, peer: str) -> None:
        """A connection identified itself as ``device_id`` (after login)."""
        log.info("device %s connected via %s from %s", device_id, protocol, peer)

    async def on_disconnected(self, device_id: str, protocol: str, peer: str, *, reason: str,
                              replaced: bool) -> None:
        """The connection of ``device_id`` ended.

        :param reason: why (``"closed by device"``, ``"idle timeout"``, ``"replaced"``, ``"gateway stopping"``...).
        :param replaced: ``True`` when a newer connection of the same device took over, so the device
            is not offline.
        """
        log.info("device %s disconnected from %s (%s)", device_id, peer, reason)

    async def on_event(self, event: DeviceEvent) -> None:
        """A normalized event arrived from a device."""
        log.info("device event %s from %s: %s", event.type, event.device_id, dict(event.data))
