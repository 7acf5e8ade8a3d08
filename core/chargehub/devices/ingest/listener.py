"""The gateway listener of a real platform: logins checked against the registered devices, events stored."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable

import sqlalchemy as sa

from chargehub.contracts.devices import DeviceEvent, LoginDecision, LoginRequest
from chargehub.devices.gateway.listener import GatewayListener
from chargehub.devices.ingest.directory import DeviceDirectory
from chargehub.devices.ingest.states import RESUMED, ConnectionChange, online_record
from chargehub.devices.ingest.writer import EventWriter
from chargehub.devices.models import ConnectionState, DeviceKind, DeviceOnlineRecord
from chargehub.extensions import db, plugin_host

log = logging.getLogger("chargehub.devices.ingest")

#: Seconds without a heartbeat after which a device still marked online is swept offline (a gateway died).
STALE_AFTER = 180.0
#: Logins decided together at most (per device kind: one query for the devices, one for their guns or sockets).
LOGIN_BATCH = 500
LOGGED_IN = "登录成功 (logged in)"


class DatabaseListener(GatewayListener):
    """Authorizes logins (unknown and disabled devices are refused and recorded) and stores events.

    Logins are answered from a worker thread in batches (the logins that arrived while the previous
    batch was decided: two queries per device kind, plus the area's cached billing model); which kind
    of device a protocol logs in (:attr:`~chargehub.contracts.devices.DeviceProtocol.device_kind`) is
    read from the platform's enabled protocols. Events and connection changes go to the
    :class:`~.writer.EventWriter` thread, so the event loop never waits for the database except where a
    durable event must be committed before its acknowledgement.
    """

    def __init__(self, app, *, stale_after: float = STALE_AFTER) -> None:
        self.app = app
        self.directory = DeviceDirectory(app)
        self.writer = EventWriter(app, self.directory, stale_after=stale_after)
        self.writer.start()
        self._logins: list[tuple[str, LoginRequest, str, asyncio.Future]] = []
        self._login_task: asyncio.Task | None = None
        self._kinds: dict[str, str] | None = None  # protocol identifier -> device kind

    def device_kind(self, protocol: str) -> str:
        """The device kind ``protocol`` logs in (``"pile"`` for a protocol the platform does not know);
        call in an app context. The enabled protocols are read once, and again for an unseen identifier."""
        if self._kinds is None or protocol not in self._kinds:
            kinds = {identifier: str(getattr(provider, "device_kind", DeviceKind.PILE.value))
                     for identifier, provider in plugin_host.platform_providers("device_protocols").items()}
            self._kinds = {**(self._kinds or {}), **kinds}
            self._kinds.setdefault(protocol, DeviceKind.PILE.value)
        return self._kinds[protocol]

    async def authorize(self, protocol: str, request: LoginRequest, peer: str) -> LoginDecision:
        """Queue the login; logins arriving together are decided together (two queries per batch)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[LoginDecision] = loop.create_future()
        self._logins.append((protocol, request, peer, future))
        if self._login_task is None or self._login_task.done():
            self._login_task = loop.create_task(self._decide_logins())
        return await future

    async def _decide_logins(self) -> None:
        while self._logins:
            batch, self._logins = self._logins[:LOGIN_BATCH], self._logins[LOGIN_BATCH:]
            try:
                decisions = await asyncio.to_thread(self._authorize, batch)
            except Exception as exc:  # noqa: BLE001 - every waiting login hears it (the gateway refuses them)
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, request, _, future), decision in zip(batch, decisions):
                if not future.done():
                    future.set_result(decision)

    def _authorize(self, batch: list[tuple[str, LoginRequest, str, asyncio.Future]]) -> list[LoginDecision]:
        with self.app.app_context():
            try:
                kinds = [self.device_kind(protocol) for protocol, _, _, _ in batch]
                by_kind: dict[str, list[str]] = {}
                for kind, (_, request, _, _) in zip(kinds, batch):
                    by_kind.setdefault(kind, []).append(request.device_id)
                found = {(kind, device_id): result for kind, device_ids in by_kind.items()
                         for device_id, result in self.directory.authorize(device_ids, kind).items()}
                decided = [found[(kind, request.device_id)] for kind, (_, request, _, _) in zip(kinds, batch)]
                refused = [online_record(device, ConnectionState.REFUSED, decision.reason or "", protocol=protocol,
                                         peer=peer, factory_id=request.device_id, kind=kind,
                                         detail={**request.data, "resumed": True} if request.resumed
                                         else dict(request.data))
                           for kind, (protocol, request, peer, _), (decision, device) in zip(kinds, batch, decided)
                           if not decision.accepted]
                if refused:
                    db.session.execute(sa.insert(DeviceOnlineRecord), refused)
                    db.session.commit()
                return [decision for decision, _ in decided]
            finally:
                db.session.remove()

    async def on_connected(self, device_id: str, protocol: str, peer: str, *, resumed: bool = False) -> None:
        """上线, recorded by the writer; a resumed login only when the device was marked offline."""
        change = ConnectionChange(device_id, protocol, peer, ConnectionState.ONLINE, RESUMED if resumed else LOGGED_IN,
                                  resumed=resumed)
        self.writer.put([change], urgent=True)

    async def on_disconnected(self, device_id: str, protocol: str, peer: str, *, reason: str,
                              replaced: bool) -> None:
        if replaced:
            return  # the newer connection keeps the device online
        self.writer.put([ConnectionChange(device_id, protocol, peer, ConnectionState.OFFLINE, _REASONS.get(reason, reason))],
                        urgent=True)

    def submit(self, events: list[DeviceEvent]) -> Awaitable[None] | None:
        future = asyncio.get_running_loop().create_future() if any(e.durable for e in events) else None
        self.writer.put(events, future)
        return future

    async def stop(self) -> None:
        await asyncio.to_thread(self.writer.stop)


#: Gateway close reasons in the operators' words.
_REASONS = {
    "closed by device": "设备断开连接 (closed by the device)",
    "idle timeout": "心跳超时 (no heartbeat)",
    "gateway stopping": "网关停止 (gateway stopped)",
    "closed by protocol": "协议关闭连接 (closed by the protocol)",
    "protocol failure": "协议处理失败 (protocol failure)",
}
