"""A car charging network of any size for device tests and the gateway benchmark.

:func:`seed_pile_network` bulk-inserts one approved provider, property, station and default area, a
billing rule (time-of-use, through the billing service so its version and model exist) and ``piles``
YKC piles with ``guns`` guns each — fast enough for 10,000 piles. Needs an app context and the
standard billing modes plugin registered.
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
    return PileNetwork(provider.id, prop.id, station.id, area.id, admin.id, rule_id, codes)
