"""电枪管理 (3.2.6): rename, enable / disable; charging URLs come from :func:`chargehub.qrcodes.charge_url`.

Guns are created and removed by their pile (:mod:`.piles`, from ``gun_count``), never on their own.
A gun is usable by drivers only while it, its pile, its area and its station are all enabled.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.api.listing import contains, equals
from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile
from chargehub.extensions import db
from chargehub.qrcodes import charge_url
from chargehub.tenancy.audit_log import record

def gun_conditions(filters: Mapping[str, Any]) -> list:
    """The gun list's search (电枪管理) as conditions on a select joined with :class:`Pile`.

    Used by the list endpoint and the QR export, so both find the same guns.
    """
    return [equals(Gun.station_id, filters.get("station_id")), equals(Gun.area_id, filters.get("area_id")),
            contains(Pile.code, filters.get("pile_code")), contains(Pile.factory_id, filters.get("factory_id")),
            equals(Gun.state, filters.get("state")), equals(Gun.enabled, filters.get("enabled"))]


def annotate_guns(guns: Iterable[Gun]) -> list[Gun]:
    """Set the list columns on each gun: pile code / factory id / name, station and area names,
    ``charge_url`` — one query per relation."""
    guns = list(guns)
    pile_ids = {g.pile_id for g in guns} or {-1}
    piles = {p.id: p for p in db.session.execute(sa.select(Pile).where(Pile.id.in_(pile_ids))).scalars()}
    stations = dict(db.session.execute(sa.select(CarStation.id, CarStation.name).where(
        CarStation.id.in_({g.station_id for g in guns} or {-1}))).all())
    areas = dict(db.session.execute(sa.select(CarArea.id, CarArea.name).where(
        CarArea.id.in_({g.area_id for g in guns} or {-1}))).all())
    for gun in guns:
        pile = piles.get(gun.pile_id)
        gun.pile_code = pile.code if pile else None
        gun.pile_name = pile.name if pile else None
        gun.factory_id = pile.factory_id if pile else None
        gun.station_name = stations.get(gun.station_id)
        gun.area_name = areas.get(gun.area_id)
        gun.charge_url = charge_url("gun", gun.qr_token)
    return guns


def update_gun(gun: Gun, data: Mapping[str, Any]) -> Gun:
    """编辑: only the name changes (number, pile and QR token are fixed)."""
    if "name" in data:
        gun.name = data["name"]
    record("gun.update", target=gun, fields=sorted(k for k in ("name",) if k in data))
    db.session.commit()
    return gun


def set_gun_enabled(gun: Gun, enabled: bool) -> Gun:
    """启用 / 禁用. A disabled gun shows as unusable to drivers (see :func:`gun_usable`)."""
    gun.enabled = enabled
    record("gun.enable" if enabled else "gun.disable", target=gun)
    db.session.commit()
    return gun


def gun_usable(gun: Gun) -> bool:
    """Whether drivers may charge at ``gun``: it and its pile, area and station are enabled."""
    pile = db.session.get(Pile, gun.pile_id)
    area = db.session.get(CarArea, gun.area_id)
    station = db.session.get(CarStation, gun.station_id)
    return all(row is not None and row.enabled for row in (gun, pile, area, station))
