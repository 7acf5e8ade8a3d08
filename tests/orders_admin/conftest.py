"""Fixtures of the order admin tests: a seeded dataset of car and e-bike orders made with the models.

Tenant ``A`` has two properties: property 1 owns car stations 1 and 2 and e-bike station 1, property 2
owns car station 3 and e-bike station 2. Tenant ``B`` has one of each. The orders cover every state, start
method, order type, pay and invoice state, three phone numbers and card numbers, and creation times over
the last two weeks in Asia/Shanghai — some exactly at local midnight, some a second before it.

Each order's spec (what was inserted, plus its ``id`` and ``days_ago``) is kept, so tests compute the
expected rows of a search from the specs.
"""
from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest

from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket
from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile
from chargehub.charging.models import (
    BikeOrder,
    CarOrder,
    InvoiceState,
    OrderState,
    OrderType,
    PayMethod,
    PayState,
    StartMethod,
)
from chargehub.extensions import db
from chargehub.tenancy.models import Property, User, UserType
from chargehub.tenancy.org_models import Role
from chargehub.tenancy.passwords import hash_password

ZONE = ZoneInfo("Asia/Shanghai")
PHONES = ("13800001111", "13900002222", "13700003333")
CAR_STATES = (OrderState.STARTING, OrderState.CHARGING, OrderState.STOPPING, OrderState.COMPLETED,
              OrderState.FAILED, OrderState.SUSPENDED)
BIKE_STATES = (OrderState.CHARGING, OrderState.COMPLETED, OrderState.FAILED, OrderState.SUSPENDED)
METHODS = tuple(StartMethod)
PAY_STATES = tuple(PayState)
INVOICE_STATES = tuple(InvoiceState)
_numbers = itertools.count(1)


def today() -> date:
    """Today in the operators' zone."""
    return datetime.now(ZONE).date()


def local_utc(days_ago: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """UTC time of ``hour:minute:second`` local time ``days_ago`` days before today."""
    return datetime.combine(today() - timedelta(days=days_ago), time(hour, minute, second), ZONE).astimezone(timezone.utc)


def day(days_ago: int) -> str:
    """The local date ``days_ago`` days ago as ``YYYY-MM-DD``."""
    return (today() - timedelta(days=days_ago)).isoformat()


#: (days_ago, hour, minute, second) of the orders at the edges of local days.
EDGES = ((6, 0, 0, 0), (7, 23, 59, 59), (0, 0, 0, 0), (13, 0, 0, 0), (14, 23, 59, 59))


def _network(provider, tag: str) -> dict[str, Any]:
    """Properties, stations, areas, piles with guns and e-bike devices with sockets of ``provider``."""
    base = {"provider_id": provider.id}
    props = [Property(name=f"{tag}物业{n}", phone=f"136{next(_numbers):08d}", **base) for n in (1, 2)]
    db.session.add_all(props)
    db.session.flush()
    car_owner = (props[0], props[0], props[1])
    stations = [CarStation(name=f"{tag}汽车站{n}", provider_id=provider.id, property_id=p.id)
                for n, p in enumerate(car_owner, start=1)]
    bike_stations = [BikeStation(name=f"{tag}单车站{n}", provider_id=provider.id, property_id=p.id)
                     for n, p in enumerate(props, start=1)]
    db.session.add_all(stations + bike_stations)
    db.session.flush()

    def owned(row):
        return {"provider_id": row.provider_id, "property_id": row.property_id}

    areas = [CarArea(station_id=s.id, code=f"{tag}CA{n}", name=f"{tag}区域{n}", is_default=True, **owned(s))
             for n, s in enumerate(stations, start=1)]
    bike_areas = [BikeArea(station_id=s.id, code=f"{tag}BA{n}", name=f"{tag}单车区域{n}", is_default=True, **owned(s))
                  for n, s in enumerate(bike_stations, start=1)]
    db.session.add_all(areas + bike_areas)
    db.session.flush()
    piles = [Pile(station_id=a.station_id, area_id=a.id, code=f"{tag}P{n:04d}", factory_id=f"{tag}SN{n:06d}",
                  name=f"{tag}{n}号桩", gun_count=2 if n == 1 else 1, **owned(a)) for n, a in enumerate(areas, start=1)]
    devices = [BikeDevice(station_id=a.station_id, area_id=a.id, code=f"{tag}D{n:04d}", factory_id=f"{tag}FAC{n:05d}",
                          name=f"{tag}设备{n}", socket_count=2, **owned(a)) for n, a in enumerate(bike_areas, start=1)]
    db.session.add_all(piles + devices)
    db.session.flush()
    guns = [Gun(station_id=p.station_id, area_id=p.area_id, pile_id=p.id, number=n, name=f"{n}号枪", **owned(p))
            for p in piles for n in range(1, p.gun_count + 1)]
    sockets = [Socket(station_id=d.station_id, area_id=d.area_id, device_id=d.id, number=n, **owned(d))
               for d in devices for n in (1, 2)]
    db.session.add_all(guns + sockets)
    db.session.commit()
    return {"provider_id": provider.id, "properties": props, "stations": stations, "bike_stations": bike_stations,
            "areas": {a.station_id: a for a in areas}, "bike_areas": {a.station_id: a for a in bike_areas},
            "piles": {p.id: p for p in piles}, "devices": {d.id: d for d in devices}, "guns": guns, "sockets": sockets}


def _money(i: int, base: int, step: int) -> Decimal:
    return Decimal(f"{base + i % 17}.{(i * step) % 100:02d}")


def _common(i: int, tag: str, kind_digit: str, days_ago: int, hms: tuple[int, int, int]) -> dict[str, Any]:
    method = METHODS[(i // 4) % 4]
    electricity, service = _money(i, 0, 13), Decimal(f"{i % 5}.{(i * 7) % 100:02d}")
    return {
        "trade_no": f"{kind_digit}{'12'[tag == 'B']}{i:030d}", "start_method": method,
        "phone": "" if method is StartMethod.CARD else PHONES[i % 3],
        "card_no": f"CARD{tag}{i % 5:04d}" if method is StartMethod.CARD else "",
        "order_type": (OrderType.RESERVATION if i % 9 == 4 else OrderType.COLLECTIVE if i % 11 == 7 else OrderType.NORMAL),
        "reservation_id": 900 + i if i % 10 == 3 else None,
        "pay_state": PAY_STATES[(i // 3) % 4], "invoice_state": INVOICE_STATES[(i // 5) % 3],
        "pay_method": PayMethod.BALANCE, "prepaid": _money(i, 30, 37), "electricity_fee": electricity,
        "service_fee": service, "amount": electricity + service, "refunded": Decimal("0.00"),
        "energy_kwh": Decimal(f"{i % 23}.{(i * 379) % 10000:04d}"), "duration_s": 37 * i + 5,
        "created_at": local_utc(days_ago, *hms), "days_ago": days_ago,
    }


def _schedule(count: int) -> list[tuple[int, tuple[int, int, int]]]:
    """(days_ago, (h, m, s)) of order ``i``: the edges first, then spread over two weeks."""
    out = [(d, (h, m, s)) for d, h, m, s in EDGES]
    out += [(i % 14, ((i * 5) % 24, (i * 7) % 60, i % 60)) for i in range(len(out), count)]
    return out[:count]


def _seed_orders(net: dict[str, Any], tag: str, cars: int, bikes: int) -> tuple[list[dict], list[dict]]:
    car_specs, bike_specs = [], []
    car_stations = {s.id: s for s in net["stations"]}
    bike_stations = {s.id: s for s in net["bike_stations"]}
    for i, (days_ago, hms) in enumerate(_schedule(cars)):
        gun = net["guns"][i % len(net["guns"])]
        pile, station = net["piles"][gun.pile_id], car_stations[gun.station_id]
        spec = _common(i, tag, "1", days_ago, hms)
        spec.update(provider_id=gun.provider_id, property_id=gun.property_id, station_id=station.id,
                    station_name=station.name, area_id=gun.area_id, area_name=net["areas"][station.id].name,
                    pile_id=pile.id, gun_id=gun.id, gun_number=gun.number, device_code=pile.code,
                    factory_id=pile.factory_id, state=CAR_STATES[i % len(CAR_STATES)], plate=f"沪A{i:05d}",
                    rule_name=f"{tag}汽车计费", rule_text="电费 1.00000 元/度，服务费 0.80000 元/度")
        car_specs.append(spec)
    for i, (days_ago, hms) in enumerate(_schedule(bikes)):
        socket = net["sockets"][(i // 2) % len(net["sockets"])]
        device, station = net["devices"][socket.device_id], bike_stations[socket.station_id]
        spec = _common(i, tag, "2", days_ago, hms)
        spec.update(provider_id=socket.provider_id, property_id=socket.property_id, station_id=station.id,
                    station_name=station.name, area_id=socket.area_id, area_name=net["bike_areas"][station.id].name,
                    device_id=device.id, socket_id=socket.id, socket_number=socket.number, device_code=device.code,
                    factory_id=device.factory_id, state=BIKE_STATES[i % len(BIKE_STATES)],
                    preset_minutes=60 * (i % 4 + 1), rule_name=f"{tag}单车计费", rule_text="1.00 元/小时")
        bike_specs.append(spec)
    for model, specs in ((CarOrder, car_specs), (BikeOrder, bike_specs)):
        rows = [model(**{k: v for k, v in spec.items() if k != "days_ago"}) for spec in specs]
        db.session.add_all(rows)
        db.session.flush()
        for spec, row in zip(specs, rows):
            spec["id"] = row.id
    db.session.commit()
    return car_specs, bike_specs


def make_user(tenant: dict, user_type: UserType, permissions: list[str] | None = None, **fields) -> User:
    """A user of ``tenant``: its owner kind (``permissions=None``) or one with a role of ``permissions``."""
    user = User(phone=f"135{next(_numbers):08d}", name=fields.pop("name", "操作员"),
                password_hash=hash_password("pass-123456"), user_type=user_type, provider_id=tenant["provider_id"],
                is_owner=permissions is None, **fields)
    if permissions is not None:
        user.roles.append(Role(user_type=user_type, provider_id=tenant["provider_id"],
                               property_id=fields.get("property_id"), name="受限角色", permissions=permissions))
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def dataset(client, make_provider, auth_headers) -> dict[str, Any]:
    """``{"client", "A", "B"}``: each tenant's network, ``car`` / ``bike`` order specs, ``headers`` (the provider's
    owner), ``property_headers`` (the owner of property 2 for A, of property 1 for B)."""
    out: dict[str, Any] = {"client": client}
    for tag, cars, bikes in (("A", 44, 40), ("B", 6, 6)):
        provider, owner = make_provider(f"服务商{tag}")
        net = _network(provider, tag)
        net["car"], net["bike"] = _seed_orders(net, tag, cars, bikes)
        prop = net["properties"][1 if tag == "A" else 0]
        prop_owner = make_user(net, UserType.PROPERTY, property_id=prop.id, name=f"{tag}物业主")
        net.update(tag=tag, owner=owner, headers=auth_headers(owner), property=prop,
                   property_headers=auth_headers(prop_owner))
        out[tag] = net
    return out


def select(specs: list[dict], predicate: Callable[[dict], bool] = lambda s: True) -> list[int]:
    """Ids of the specs matching ``predicate``, sorted."""
    return sorted(s["id"] for s in specs if predicate(s))


def all_days() -> dict[str, str]:
    """A created-at range that covers the whole dataset."""
    return {"created_from": day(15), "created_to": day(0)}
