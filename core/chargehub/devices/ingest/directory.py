"""Which registered device a login names, and what it is sent after login.

The gateway keeps a :class:`PileRef` per logged-in pile so that the event writer never looks a pile
up again; the billing model of an area is cached for :data:`BILLING_TTL` seconds because thousands of
piles of one area log in together after a network outage.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from chargehub.assets.car_models import CarStation, Gun, Pile
from chargehub.billing.services.ykc import billing_settings
from chargehub.config import settings
from chargehub.contracts.devices import LoginDecision
from chargehub.extensions import db
from chargehub.qrcodes.links import pile_qr_prefix

#: Seconds an area's compiled billing settings are reused for logins.
BILLING_TTL = 30.0

UNKNOWN = "未登记的设备 (unknown device)"
DISABLED = "设备已禁用 (device disabled)"


@dataclass
class PileRef:
    """What the writer needs about a logged-in pile (ids only; no ORM object leaves a session)."""

    pile_id: int
    provider_id: int
    property_id: int
    station_id: int
    area_id: int
    name: str
    code: str
    factory_id: str
    guns: dict[int, int] = field(default_factory=dict)  # gun number -> gun id


class DeviceDirectory:
    """Looks up piles for logins and remembers the logged-in ones (thread-safe)."""

    def __init__(self, app) -> None:
        self.app = app
        self._piles: dict[str, PileRef] = {}
        self._billing: dict[int, tuple[float, dict[str, Any] | None]] = {}
        self._lock = threading.Lock()

    def pile(self, device_id: str) -> PileRef | None:
        """The logged-in pile ``device_id`` (``None`` if it never logged in through this gateway)."""
        return self._piles.get(device_id)

    def authorize(self, device_ids: list[str]) -> dict[str, tuple[LoginDecision, Pile | None]]:
        """Check ``device_ids`` against the registered piles with two queries; call in an app context.

        :return: per device id, the decision and the pile row (``None`` for an unknown device).
        """
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
        decisions: dict[str, tuple[LoginDecision, Pile | None]] = {}
        for device_id in device_ids:
            found = piles.get(device_id)
            if found is None:
                decisions[device_id] = (LoginDecision.refuse(device_id, UNKNOWN), None)
                continue
            pile, hotline = found
            if not pile.enabled:
                decisions[device_id] = (LoginDecision.refuse(device_id, DISABLED), pile)
                continue
            self._piles[device_id] = PileRef(pile.id, pile.provider_id, pile.property_id, pile.station_id,
                                             pile.area_id, pile.name, pile.code, pile.factory_id, guns.get(pile.id, {}))
            decisions[device_id] = (LoginDecision.accept(device_id, {
                "timezone": config["TIMEZONE"],
                "gun_count": pile.gun_count,
                "billing": self.billing(pile.area_id),
                "qr_prefix": pile_qr_prefix(public) if public else None,
                "enabled": pile.enabled,
                "hotline": hotline,
            }), pile)
        return decisions

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
