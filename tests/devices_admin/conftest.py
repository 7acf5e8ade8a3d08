"""Fixtures of the device admin tests: two tenants with real asset rows, and inserters for what the
gateway writes (上下线记录, live gun and socket figures, pile transaction and e-bike charge records) — rows
made through the models."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket, SocketState
from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile
from chargehub.devices.models import (
    ConnectionState,
    DeviceKind,
    DeviceOnlineRecord,
    GunLive,
    PileTransactionRecord,
    ReviewState,
)
from chargehub.devices.bike_models import BikeChargeRecord, SocketLive
from chargehub.extensions import db
from chargehub.tenancy.models import AuthScope, Property, StationKind, User, UserStation, UserType
from chargehub.tenancy.passwords import hash_password

_numbers = itertools.count(1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def _seed_tenant(provider, tag: str) -> dict:
    """A property with two car stations (a 2-gun pile in the first, a 1-gun pile in the second) and an
    e-bike station with a device, all of ``provider``."""
    owner = {"provider_id": provider.id}
    prop = Property(name=f"{tag}物业", phone=f"136{next(_numbers):08d}", **owner)
    db.session.add(prop)
    db.session.flush()
    owner["property_id"] = prop.id
    cars = [CarStation(name=f"{tag}汽车站{n}", **owner) for n in (1, 2)]
    bike = BikeStation(name=f"{tag}单车站", **owner)
    db.session.add_all([*cars, bike])
    db.session.flush()
    areas = [CarArea(station_id=car.id, code=f"{tag}CA{n}", name="默认区域", is_default=True, **owner)
             for n, car in enumerate(cars, start=1)]
    bike_area = BikeArea(station_id=bike.id, code=f"{tag}BA1", name="默认区域", is_default=True, **owner)
    db.session.add_all([*areas, bike_area])
    db.session.flush()
    piles = [Pile(station_id=area.station_id, area_id=area.id, code=f"{tag}P000{n}", factory_id=f"{tag}-FAC-{n}",
                  name=f"{tag}{n}号桩", gun_count=3 - n, **owner) for n, area in enumerate(areas, start=1)]
    device = BikeDevice(station_id=bike.id, area_id=bike_area.id, code=f"{tag}D0001", factory_id=f"{tag}-DEV-1",
                        name=f"{tag}单车设备", socket_count=2, **owner)
    db.session.add_all([*piles, device])
    db.session.flush()
    guns = [Gun(station_id=pile.station_id, area_id=pile.area_id, pile_id=pile.id, number=n, name=f"{n}号枪", **owner)
            for pile in piles for n in range(1, pile.gun_count + 1)]
    db.session.add_all(guns)
    db.session.commit()
    return {"provider_id": provider.id, "property_id": prop.id, "stations": cars, "bike_station": bike,
            "piles": piles, "guns": guns, "device": device}


@pytest.fixture
def world(client, make_provider, auth_headers):
    """Tenants ``A`` and ``B``: each a dict of its rows (:func:`_seed_tenant`) plus ``headers`` (the provider's
    owner) and ``property_headers`` (its property's owner); ``world["client"]`` is the test client."""
    out = {"client": client}
    for tag in ("A", "B"):
        provider, owner = make_provider(f"服务商{tag}")
        tenant = _seed_tenant(provider, tag)
        prop_owner = User(phone=f"135{next(_numbers):08d}", name=f"{tag}物业", password_hash=hash_password("pass-123456"),
                          user_type=UserType.PROPERTY, provider_id=provider.id, property_id=tenant["property_id"],
                          is_owner=True)
        db.session.add(prop_owner)
        db.session.commit()
        tenant.update(headers=auth_headers(owner), property_headers=auth_headers(prop_owner), owner=owner)
        out[tag] = tenant
    return out


@pytest.fixture
def station_user(auth_headers):
    """``station_user(tenant, car_station_ids=(), bike_station_ids=())`` -> headers of a provider account of
    ``tenant`` that sees only the bound stations (every provider permission, ``auth_scope = stations``)."""

    def factory(tenant: dict, car_station_ids=(), bike_station_ids=()):
        user = User(phone=f"134{next(_numbers):08d}", name="电站专员", password_hash=hash_password("pass-123456"),
                    user_type=UserType.PROVIDER, provider_id=tenant["provider_id"], is_owner=True,
                    auth_scope=AuthScope.STATIONS)
        db.session.add(user)
        db.session.flush()
        db.session.add_all([UserStation(user_id=user.id, kind=StationKind.CAR, station_id=i) for i in car_station_ids] +
                           [UserStation(user_id=user.id, kind=StationKind.BIKE, station_id=i) for i in bike_station_ids])
        db.session.commit()
        return auth_headers(user)

    return factory


def add_online_record(tenant: dict | None, *, pile: Pile | None = None, device: BikeDevice | None = None,
                      **fields) -> DeviceOnlineRecord:
    """A 上下线记录 of ``pile`` / ``device`` of ``tenant`` (or of an unknown device when ``tenant`` is None)."""
    values = {"device_kind": DeviceKind.PILE, "state": ConnectionState.ONLINE, "protocol": "ykc",
              "peer": "10.0.0.8:50112", "reason": "", "occurred_at": utc(2025, 3, 1, 2, 0, 0), "detail": {}}
    if tenant is not None:
        values.update(provider_id=tenant["provider_id"], property_id=tenant["property_id"])
    if pile is not None:
        values.update(car_station_id=pile.station_id, device_ref=pile.id, device_name=pile.name, device_code=pile.code,
                      factory_id=pile.factory_id)
    if device is not None:
        values.update(bike_station_id=device.station_id, device_ref=device.id, device_kind=DeviceKind.BIKE_DEVICE,
                      device_name=device.name, device_code=device.code, factory_id=device.factory_id, protocol="bike")
    values.update(fields)
    record = DeviceOnlineRecord(**values)
    db.session.add(record)
    db.session.commit()
    return record


def add_gun_live(gun: Gun, **fields) -> GunLive:
    """The live row of ``gun`` (a charging gun with a fault by default)."""
    values = {"gun_id": gun.id, "pile_id": gun.pile_id, "trade_no": "32010000000001012503011000000001",
              "plugged": True, "voltage_v": Decimal("380.5"), "current_a": Decimal("62.3"), "power_kw": Decimal("23.70"),
              "soc": 56, "energy_kwh": Decimal("12.3456"), "amount": Decimal("18.5184"), "charging_minutes": 35,
              "remaining_minutes": 48, "cable_temp_c": 41, "battery_max_temp_c": 33, "fault_bits": 0b101,
              "faults": [{"code": "0x0001", "text": "急停按钮动作故障 (emergency stop pressed)"},
                         {"code": "0x0004", "text": "绝缘监测故障 (insulation fault)"}],
              "bms": {"status": {"values": {"soc": 56}, "at": "2025-03-01T10:00:00+00:00"}},
              "lock": {"state": "down", "occupied": True, "battery": 80, "alarm": None,
                       "at": "2025-03-01T10:00:00+00:00"},
              "last_start": {"accepted": True, "reason_code": 0, "reason": "", "at": "2025-03-01T09:25:00+00:00"},
              "last_stop": {"accepted": False, "reason_code": 2, "reason": "设备故障 (device fault)",
                            "at": "2025-03-01T09:20:00+00:00"},
              "updated_at": utc(2025, 3, 1, 10, 0, 0)}
    values.update(fields)
    row = GunLive(**values)
    db.session.add(row)
    db.session.commit()
    return row


def add_pile_record(pile: Pile, gun_number: int = 1, **fields) -> PileTransactionRecord:
    """A transaction record uploaded by ``pile``."""
    number = next(_numbers)
    values = {"provider_id": pile.provider_id, "property_id": pile.property_id, "station_id": pile.station_id,
              "pile_id": pile.id, "gun_number": gun_number, "trade_no": f"{pile.factory_id}-T{number:06d}",
              "started_at": utc(2025, 3, 1, 1, 0, 0), "ended_at": utc(2025, 3, 1, 2, 30, 0),
              "traded_at": utc(2025, 3, 1, 2, 30, 5), "energy_kwh": Decimal("20.5000"), "amount": Decimal("30.7500"),
              "periods": [{"rate": "sharp", "unit_price": "1.50000", "energy_kwh": "0.0000", "amount": "0.0000"},
                          {"rate": "peak", "unit_price": "1.50000", "energy_kwh": "20.5000", "amount": "30.7500"},
                          {"rate": "flat", "unit_price": "1.00000", "energy_kwh": "0.0000", "amount": "0.0000"},
                          {"rate": "valley", "unit_price": "0.60000", "energy_kwh": "0.0000", "amount": "0.0000"}],
              "meter_start_kwh": Decimal("1000.0000"), "meter_end_kwh": Decimal("1020.5000"), "vin": "LSVAB4BR5KN000001",
              "trade_flag": "app", "stop_reason_code": 64, "stop_reason": "充满停止 (full)", "card": "",
              "review_state": ReviewState.PENDING, "frame": "680c0001003b" + "00" * 8,
              "received_at": utc(2025, 3, 1, 2, 30, 6), "last_received_at": utc(2025, 3, 1, 2, 30, 6)}
    values.update(fields)
    record = PileTransactionRecord(**values)
    db.session.add(record)
    db.session.commit()
    return record


def add_sockets(device: BikeDevice) -> list[Socket]:
    """Sockets 1..``socket_count`` of ``device`` (idle), as adding the device through the API makes them."""
    owner = {k: getattr(device, k) for k in ("provider_id", "property_id", "station_id", "area_id")}
    sockets = [Socket(device_id=device.id, number=n, state=SocketState.IDLE, **owner)
               for n in range(1, device.socket_count + 1)]
    db.session.add_all(sockets)
    db.session.commit()
    return sockets


#: Bits 2 and 5 of the manual's fault bitmap: 过流 + 电表故障, display code 0036.
SOCKET_FAULTS = [{"bit": 2, "code": "0004", "text": "过流 (over-current)"},
                 {"bit": 5, "code": "0032", "text": "电表故障 (meter fault)"}]


def add_socket_live(socket: Socket, **fields) -> SocketLive:
    """The live row of ``socket`` (charging, with two faults by default)."""
    values = {"socket_id": socket.id, "device_id": socket.device_id, "trade_no": "B20250301100000000001",
              "voltage_v": Decimal("220.5"), "current_a": Decimal("1.825"), "power_w": 402,
              "energy_kwh": Decimal("0.3120"), "elapsed_s": 2765, "fault_bits": 36, "faults": SOCKET_FAULTS,
              "last_start": {"accepted": True, "reason_code": None, "reason": "", "order": "B20250301100000000001",
                             "at": "2025-03-01T09:14:00+00:00"},
              "last_stop": {"accepted": False, "reason_code": "idle", "reason": "插座空闲 (socket idle)",
                            "at": "2025-03-01T09:10:00+00:00"},
              "updated_at": utc(2025, 3, 1, 10, 0, 0)}
    values.update(fields)
    row = SocketLive(**values)
    db.session.add(row)
    db.session.commit()
    return row


def add_bike_record(device: BikeDevice, socket_number: int = 1, **fields) -> BikeChargeRecord:
    """An end-of-charge record uploaded by ``device`` for ``socket_number`` (the battery got full)."""
    number = next(_numbers)
    socket = db.session.execute(db.select(Socket).where(Socket.device_id == device.id,
                                                        Socket.number == socket_number)).scalar_one_or_none()
    values = {"provider_id": device.provider_id, "property_id": device.property_id, "station_id": device.station_id,
              "device_id": device.id, "socket_id": socket.id if socket else None, "socket_number": socket_number,
              "trade_no": f"{device.factory_id}-R{number:06d}", "record_id": f"r{number}",
              "started_at": utc(2025, 3, 1, 1, 0, 0), "ended_at": utc(2025, 3, 1, 3, 5, 30),
              "energy_kwh": Decimal("0.8125"), "elapsed_s": 7530, "max_power_w": 415, "stop_reason_code": "full",
              "stop_reason": "充满自停 (battery full)", "fault_bits": 0, "faults": [],
              "review_state": ReviewState.PENDING,
              "frame": '{"v":1,"type":"record","id":"r%d","body":{"socket":%d}}' % (number, socket_number),
              "received_at": utc(2025, 3, 1, 3, 5, 31), "last_received_at": utc(2025, 3, 1, 3, 5, 31)}
    values.update(fields)
    record = BikeChargeRecord(**values)
    db.session.add(record)
    db.session.commit()
    return record
