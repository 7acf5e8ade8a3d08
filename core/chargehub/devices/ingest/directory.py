"""Which registered device a login names, and what it is sent after login.

Logins are decided per device kind (a protocol's :attr:`~chargehub.contracts.devices.DeviceProtocol.device_kind`):
``"pile"`` logins are checked against :class:`~chargehub.assets.car_models.Pile`, ``"bike_device"`` logins
against :class:`~chargehub.assets.bike_models.BikeDevice` (by factory id, two queries per batch either way).

The gateway keeps a :class:`PileRef` or :class:`BikeRef` per logged-in device so that the event writer
never looks a device up again; the billing model of an area is cached for :data:`BILLING_TTL` seconds
because thousands of piles of one area log in together after a network outage.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, BikeStation, Socket
from chargehub.assets.car_models import CarStation, Gun, Pile
from chargehub.billing.services.ykc import billing_settings
from chargehub.config import settings
from chargehub.contracts.devices import LoginDecision
from chargehub.devices.models import DeviceKind
from chargehub.extensions import db
from chargehub.qrcodes.links import charge_url, pile_qr_prefix

#: Seconds an area's compiled billing settings are reused for logins.
BILLING_TTL = 30.0

UNKNOWN = "未登记的设备 (unknown device)"
DISABLED = "设备已禁用 (device disabled)"
UNSUPPORTED = "不支持的设备类型 (unsupported device kind)"


@dataclass
class PileRef:
    """What the writer needs about a logged-in pile (ids only; no ORM object leaves a session)."""

    kind: ClassVar[DeviceKind] = DeviceKind.PILE

    pile_id: int
    provider_id: int
    property_id: int
    station_id: int
    area_id: int
    name: str
    code: str
    factory_id: str
    guns: dict[int, int] = field(default_factory=dict)  # gun number -> gun id

    @property
    def id(self) -> int:
        """The pile's row id (what every device kind's ref has)."""
        return self.pile_id

    @property
    def parts(self) -> dict[int, int]:
        """Connector number -> row id: the guns."""
        return self.guns


@dataclass
class BikeRef:
    """What the writer needs about a logged-in e-bike charger (ids only, like :class:`PileRef`).

    ``device_id`` is the ``bike_device`` row id; ``factory_id`` is the id the device logs in with.
    """

    kind: ClassVar[DeviceKind] = DeviceKind.BIKE_DEVICE

    device_id: int
    provider_id: int
    property_id: int
    station_id: int
    area_id: int
    name: str
    code: str
    factory_id: str
    sockets: dict[int, int] = field(default_factory=dict)  # socket number -> socket id

    @property
    def id(self) -> int:
        """The device's row id."""
        return self.device_id

    @property
    def parts(self) -> dict[int, int]:
        """Connector number -> row id: the sockets."""
        return self.sockets


#: What a logged-in device of any kind is remembered as.
DeviceRef = PileRef | BikeRef


class DeviceDirectory:
    """Looks up devices for logins and remembers the logged-in ones (thread-safe).

    One map for every kind, keyed by the id the device logs in with (events name nothing else): a
    pile and an e-bike charger must not share a factory id (the later login wins).
    """

    def __init__(self, app) -> None:
        self.app = app
        self._refs: dict[str, DeviceRef] = {}
        self._billing: dict[int, tuple[float, dict[str, Any] | None]] = {}
        self._lock = threading.Lock()

    def ref(self, device_id: str) -> DeviceRef | None:
        """The logged-in device ``device_id`` (``None`` if it never logged in through this gateway)."""
        return self._refs.get(device_id)

    def pile(self, device_id: str) -> PileRef | None:
        """The logged-in pile ``device_id`` (``None`` for other kinds and unknown ids)."""
        ref = self._refs.get(device_id)
        return ref if isinstance(ref, PileRef) else None

    def authorize(self, device_ids: list[str], kind: str = DeviceKind.PILE.value
                  ) -> dict[str, tuple[LoginDecision, Pile | BikeDevice | None]]:
        """Check ``device_ids`` of one device ``kind`` against the registered devices with two queries
        (the devices, their guns or sockets); call in an app context.

        Accepted devices are remembered (:meth:`ref`). Unknown and disabled ones are refused with
        :data:`UNKNOWN` / :data:`DISABLED`, devices of a kind core does not log in with :data:`UNSUPPORTED`.

        :return: per device id, the decision and the device row (``None`` for an unknown device).
        """
        if kind == DeviceKind.BIKE_DEVICE.value:
            return self._authorize_bikes(device_ids)
        if kind != DeviceKind.PILE.value:
            return {device_id: (LoginDecision.refuse(device_id, UNSUPPORTED), None) for device_id in device_ids}
        return self._authorize_piles(device_ids)

    def _authorize_piles(self, device_ids: list[str]) -> dict[str, tuple[LoginDecision, Pile | None]]:
        rows = db.session.execute(sa.select(Pile, CarStation.hotline).join(CarStation, CarStation.id == Pile.station_id)
                                  .where(Pile.factory_id.in_(set(device_ids)))).all()
        piles = {pile.factory_id: (pile, hotline) for pile, hotline in rows}
        guns: dict[int, dict[int, int]] = {}
        enabled_ids = [pile.id for pile, _ in piles.values() if pile.enabled]
        for pile_id, number, gun_id in db.session.execute(sa.select(Gun.pile_id, Gun.number, Gun.id).where(
                Gun.pile_id.in_(enabled_ids or [-1]))):
            guns.setdefault(pile_id, {})[number] = gun_id
        config = settings(self.app)
        public = config.get("PUBLIC_URL")

        def accept(pile: Pile, hotline: str) -> dict[str, Any]:
            self._refs[pile.factory_id] = PileRef(pile.id, pile.provider_id, pile.property_id, pile.station_id,
                                                  pile.area_id, pile.name, pile.code, pile.factory_id,
                                                  guns.get(pile.id, {}))
            return {"timezone": config["TIMEZONE"], "gun_count": pile.gun_count, "billing": self.billing(pile.area_id),
                    "qr_prefix": pile_qr_prefix(public) if public else None, "enabled": pile.enabled,
                    "hotline": hotline}

        return _decide(device_ids, piles, accept)

    def _authorize_bikes(self, device_ids: list[str]) -> dict[str, tuple[LoginDecision, BikeDevice | None]]:
        rows = db.session.execute(
            sa.select(BikeDevice, BikeStation.service_phone).join(BikeStation, BikeStation.id == BikeDevice.station_id)
            .where(BikeDevice.factory_id.in_(set(device_ids)))).all()
        devices = {device.factory_id: (device, hotline) for device, hotline in rows}
        sockets: dict[int, dict[int, tuple[int, str]]] = {}
        enabled_ids = [device.id for device, _ in devices.values() if device.enabled]
        for device_id, number, socket_id, token in db.session.execute(
                sa.select(Socket.device_id, Socket.number, Socket.id, Socket.qr_token).where(
                    Socket.device_id.in_(enabled_ids or [-1]))):
            sockets.setdefault(device_id, {})[number] = (socket_id, token)
        config = settings(self.app)
        public = config.get("PUBLIC_URL")

        def accept(device: BikeDevice, hotline: str) -> dict[str, Any]:
            own = sorted(sockets.get(device.id, {}).items())
            self._refs[device.factory_id] = BikeRef(device.id, device.provider_id, device.property_id,
                                                    device.station_id, device.area_id, device.name, device.code,
                                                    device.factory_id, {n: socket_id for n, (socket_id, _) in own})
            # No route resolves "<prefix><sn><socket>" for sockets (piles have /h5/charge/p/), so qr_prefix
            # stays empty and the device is given each socket's own charging URL (as sync_qrcode's ``sockets``).
            return {"timezone": config["TIMEZONE"], "socket_count": device.socket_count, "qr_prefix": None,
                    "qr_sockets": [{"number": n, "url": charge_url("socket", token, public)} for n, (_, token) in own]
                    if public else [],
                    "enabled": device.enabled, "hotline": hotline}

        return _decide(device_ids, devices, accept)

    def billing(self, area_id: int) -> dict[str, Any] | None:
        """The area's billing settings (:func:`chargehub.billing.services.ykc.billing_settings`), cached."""
        now = time.monotonic()
        with self._lock:
            cached = self._billing.get(area_id)
        if cached is not None and now - cached[0] < BILLING_TTL:
            return cached[1]
        value = billing_settings(area_id)
        with self._lock:
            self._billing[area_id] = (now, value)
        return value


def _decide(device_ids: list[str], found: dict[str, tuple[Any, str]],
            accept: Callable[[Any, str], dict[str, Any]]) -> dict[str, tuple[LoginDecision, Any]]:
    """Refuse the unknown and disabled devices of ``device_ids``; ``accept(row, hotline)`` gives the others' settings."""
    decisions: dict[str, tuple[LoginDecision, Any]] = {}
    for device_id in device_ids:
        entry = found.get(device_id)
        if entry is None:
            decisions[device_id] = (LoginDecision.refuse(device_id, UNKNOWN), None)
        elif not entry[0].enabled:
            decisions[device_id] = (LoginDecision.refuse(device_id, DISABLED), entry[0])
        else:
            decisions[device_id] = (LoginDecision.accept(device_id, accept(*entry)), entry[0])
    return decisions
