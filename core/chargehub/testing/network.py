"""Charging networks of any size for device tests and the gateway benchmark.

:func:`seed_pile_network` bulk-inserts one approved provider, property, car station and default area, a
billing rule (time-of-use, through the billing service so its version and model exist) and ``piles``
YKC piles with ``guns`` guns each — fast enough for 10,000 piles. Needs an app context and (with
``billing``) the standard billing modes plugin registered.

:func:`seed_bike_network` does the same for e-bike chargers: an approved provider, property, e-bike
station (with a service phone) and default area, and ``devices`` chargers with ``sockets`` sockets each.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

#: The rule the network bills by: valley at night, sharp around noon (prices in yuan/kWh).
TOU_RULE = {"prices": {"sharp": {"electricity_price": "1.20000", "service_price": "0.80000"},
                       "peak": {"electricity_price": "1.00000", "service_price": "0.70000"},
                       "flat": {"electricity_price": "0.70000", "service_price": "0.60000"},
                       "valley": {"electricity_price": "0.30000", "service_price": "0.50000"}},
            "periods": [{"start": "00:00", "end": "08:00", "rate": "valley"},
                        {"start": "08:00", "end": "11:00", "rate": "flat"},
                        {"start": "11:00", "end": "13:00", "rate": "sharp"},
                        {"start": "13:00", "end": "19:00", "rate": "peak"},
                        {"start": "19:00", "end": "24:00", "rate": "flat"}]}


@dataclass(frozen=True)
class PileNetwork:
    """Ids of what :func:`seed_pile_network` created; ``pile_codes`` in creation order."""

    provider_id: int
    property_id: int
    station_id: int
    area_id: int
    admin_id: int
    rule_id: int
    pile_codes: tuple[str, ...]


def pile_code(prefix: str, index: int) -> str:
    """The 14-digit pile code number ``index`` under ``prefix`` (digits)."""
    return f"{prefix}{index:0{14 - len(prefix)}d}"


def seed_pile_network(piles: int, guns: int = 2, *, prefix: str = "5503", name: str = "网关测试",
                      codes: list[str] | None = None, billing: bool = True) -> PileNetwork:
    """Create the network described in the module docstring and return its ids.

    :param codes: the piles' factory ids instead of ``piles`` generated 14-digit codes.
    :param billing: ``False`` adds no billing rule (``rule_id`` 0), for apps without the billing modes.
    """
    from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile  # noqa: PLC0415
    from chargehub.billing.services.rules import create_rule  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.tenancy.auth import acting_as  # noqa: PLC0415
    from chargehub.tenancy.models import AuditState  # noqa: PLC0415

    tag, owner, admin = _seed_owner(name)
    station = CarStation(name=f"{name}电站", hotline="4008001234", audit_state=AuditState.APPROVED, **owner)
    db.session.add(station)
    db.session.flush()
    area = CarArea(station_id=station.id, code=f"GA{tag:08d}", name="默认区域", is_default=True, **owner)
    db.session.add(area)
    db.session.flush()
    codes = tuple(codes) if codes is not None else tuple(pile_code(prefix, i + 1) for i in range(piles))
    piles = len(codes)
    first = db.session.execute(sa.select(sa.func.coalesce(sa.func.max(Pile.id), 0))).scalar_one()
    for start in range(0, piles, 5000):
        db.session.execute(sa.insert(Pile), [
            {"station_id": station.id, "area_id": area.id, "code": f"G{tag % 10**6:06d}{i:06d}", "factory_id": codes[i],
             "name": f"{i + 1}号桩", "gun_count": guns, "protocol": "ykc", **owner}
            for i in range(start, min(piles, start + 5000))])
    pile_ids = db.session.execute(sa.select(Pile.id).where(Pile.id > first, Pile.station_id == station.id)
                                  .order_by(Pile.id)).scalars().all()
    rows = [{"station_id": station.id, "area_id": area.id, "pile_id": pid, "number": n, "name": f"{n}号枪", **owner}
            for pid in pile_ids for n in range(1, guns + 1)]
    for start in range(0, len(rows), 10_000):
        db.session.execute(sa.insert(Gun), rows[start:start + 10_000])
    db.session.commit()
    rule_id = 0
    if billing:
        with acting_as(admin):
            rule_id = create_rule("car", {"station_id": station.id, "area_id": area.id, "name": f"{name}分时计费",
                                          "mode": "car_tou", "params": TOU_RULE}).id
    return PileNetwork(owner["provider_id"], owner["property_id"], station.id, area.id, admin.id, rule_id, codes)


@dataclass(frozen=True)
class BikeNetwork:
    """Ids of what :func:`seed_bike_network` created, devices in creation order.

    ``factory_ids[i]`` is the id device ``device_ids[i]`` logs in with; ``sockets[factory_id]`` maps its
    socket numbers to socket ids.
    """

    provider_id: int
    property_id: int
    station_id: int
    area_id: int
    admin_id: int
    factory_ids: tuple[str, ...]
    device_ids: tuple[int, ...]
    sockets: dict[str, dict[int, int]]
    hotline: str


def bike_factory_id(prefix: str, index: int) -> str:
    """The factory id (sn) of e-bike charger number ``index`` under ``prefix``: ``BK000001``."""
    return f"{prefix}{index:06d}"


def seed_bike_network(devices: int, sockets: int = 10, *, prefix: str = "BK", name: str = "单车网关测试",
                      factory_ids: list[str] | None = None, protocol: str = "bike_mqtt",
                      hotline: str = "4008005678") -> BikeNetwork:
    """Create the e-bike network described in the module docstring (bulk inserts) and return its ids.

    :param sockets: sockets per device (numbered 1..n; the manual's devices have 2 to 12).
    :param prefix: factory ids are ``prefix`` + six digits (:func:`bike_factory_id`).
    :param factory_ids: the devices' factory ids instead of ``devices`` generated ones.
    :param protocol: the devices' ``protocol`` column.
    :param hotline: the station's service phone (sent to devices after login).
    """
    from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.tenancy.models import AuditState  # noqa: PLC0415

    tag, owner, admin = _seed_owner(name)
    station = BikeStation(name=f"{name}电站", service_phone=hotline, audit_state=AuditState.APPROVED, **owner)
    db.session.add(station)
    db.session.flush()
    area = BikeArea(station_id=station.id, code=f"BA{tag:08d}", name="默认区域", is_default=True, **owner)
    db.session.add(area)
    db.session.flush()
    ids = tuple(factory_ids) if factory_ids is not None else tuple(
        bike_factory_id(prefix, i + 1) for i in range(devices))
    placed = {"station_id": station.id, "area_id": area.id, **owner}
    for start in range(0, len(ids), 5000):
        db.session.execute(sa.insert(BikeDevice), [
            {"code": f"B{tag % 10**6:06d}{i:06d}", "factory_id": ids[i], "name": f"{i + 1}号设备",
             "socket_count": sockets, "protocol": protocol, **placed}
            for i in range(start, min(len(ids), start + 5000))])
    rows = db.session.execute(sa.select(BikeDevice.id, BikeDevice.factory_id).where(
        BikeDevice.station_id == station.id).order_by(BikeDevice.id)).all()
    by_factory = {factory_id: device_id for device_id, factory_id in rows}
    socket_rows = [{"device_id": device_id, "number": n, **placed} for device_id, _ in rows
                   for n in range(1, sockets + 1)]
    for start in range(0, len(socket_rows), 10_000):
        db.session.execute(sa.insert(Socket), socket_rows[start:start + 10_000])
    db.session.commit()
    found: dict[int, dict[int, int]] = {}
    for device_id, number, socket_id in db.session.execute(sa.select(Socket.device_id, Socket.number, Socket.id).where(
            Socket.station_id == station.id)):
        found.setdefault(device_id, {})[number] = socket_id
    return BikeNetwork(owner["provider_id"], owner["property_id"], station.id, area.id, admin.id, ids,
                       tuple(by_factory[f] for f in ids), {f: found.get(by_factory[f], {}) for f in ids}, hotline)


def _seed_owner(name: str):
    """An approved provider and its property named after ``name``, and a platform admin (the first
    system user, created when there is none): ``(tag, {"provider_id", "property_id"}, admin)``."""
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.tenancy.models import AuditState, Property, ServiceProvider, User, UserType  # noqa: PLC0415

    tag = uuid.uuid4().int % 10**8
    provider = ServiceProvider(name=f"{name}服务商", phone=f"137{tag:08d}", audit_state=AuditState.APPROVED)
    db.session.add(provider)
    db.session.flush()
    owner = {"provider_id": provider.id}
    prop = Property(name=f"{name}物业", phone=f"136{tag:08d}", **owner)
    admin = db.session.execute(sa.select(User).where(User.user_type == UserType.SYSTEM).limit(1)).scalar_one_or_none()
    if admin is None:
        admin = User(phone=f"135{tag:08d}", name="admin", password_hash="x", user_type=UserType.SYSTEM, is_owner=True)
    db.session.add_all([prop, admin])
    db.session.flush()
    owner["property_id"] = prop.id
    return tag, owner, admin
