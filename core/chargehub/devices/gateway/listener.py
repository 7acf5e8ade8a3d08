"""What the gateway asks and tells the rest of core about devices: logins, connections, events.

The gateway calls a :class:`GatewayListener` from its event loop. The default implementation accepts
every login and only logs; the device domain (:class:`chargehub.devices.ingest.DatabaseListener`)
checks logins against the registered devices, writes online/offline records (上下线记录) and applies
events to the database. Exceptions raised by a listener are logged and never break a connection.
"""
from __future__ import annotations

import logging
from typing import Awaitable

from chargehub.contracts.devices import DeviceEvent, LoginDecision, LoginRequest

log = logging.getLogger("chargehub.devices.gateway")


class GatewayListener:
    """Receives logins, connection changes and device events from the gateway; override any method."""

    async def authorize(self, protocol: str, request: LoginRequest, peer: str) -> LoginDecision:
        """Decide whether ``request.device_id`` may log in, and with which settings (default: accept)."""
        return LoginDecision.accept(request.device_id)

    async def on_connected(self, device_id: str, protocol: str, peer: str, *, resumed: bool = False) -> None:
        """A connection identified itself as ``device_id`` (after an accepted login).

        :param resumed: the login was a :attr:`LoginRequest.resumed` one (an MQTT device heard from
            without announcing itself): it is online already unless core marked it offline meanwhile.
        """
        log.info("device %s connected via %s from %s", device_id, protocol, peer)

    async def on_disconnected(self, device_id: str, protocol: str, peer: str, *, reason: str,
                              replaced: bool) -> None:
        """The connection of ``device_id`` ended.

        :param reason: why (``"closed by device"``, ``"idle timeout"``, ``"replaced"``, ``"gateway stopping"``...).
        :param replaced: ``True`` when a newer connection of the same device took over, so the device
            is not offline.
        """
        log.info("device %s disconnected from %s (%s)", device_id, peer, reason)

    def submit(self, events: list[DeviceEvent]) -> Awaitable[None] | None:
        """Take the events of one read, in order. Runs on the event loop: must not block.

        :return: an awaitable that completes once every ``durable`` event is stored (and raises if
            storing failed), or ``None`` when there is nothing to wait for.
        """
        for event in events:
            log.info("device event %s from %s: %s", event.type, event.device_id, dict(event.data))
        return None

    async def stop(self) -> None:
        """The gateway is stopping: flush what is still queued."""
