"""Demo data: an approved service provider with a property and a small charging network, so a new
user of the embedded run finds a populated admin.

Everything goes through the same services as the admin (as the platform administrator), so the
demo obeys every rule the product does. Idempotent: a second run changes nothing and says so.
"""
from __future__ import annotations

from typing import Iterator

import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.tenancy.auth import acting_as
from chargehub.tenancy.models import ServiceProvider, User, UserType

DEMO_PROVIDER_PHONE = "13900000001"
DEMO_PROPERTY_PHONE = "13900000002"

CAR_STATIONS = (("人民广场充电站", "上海", "上海", "黄浦区", "人民大道 100 号"),
                ("张江科学城充电站", "上海", "上海", "浦东新区", "科苑路 88 号"),
                ("西湖文化广场充电站", "浙江", "杭州", "下城区", "中山北路 580 号"))
_PRICE = {"electricity_price": "0.80000", "service_price": "0.60000"}
CAR_FLAT = {"electricity_price": "0.85000", "service_price": "0.65000"}
CAR_TOU = {"prices": {"sharp": {"electricity_price": "1.25000", "service_price": "0.80000"},
                      "peak": {"electricity_price": "1.05000", "service_price": "0.70000"},
                      "flat": _PRICE, "valley": {"electricity_price": "0.35000", "service_price": "0.50000"}},
           "periods": [{"start": "00:00", "end": "08:00", "rate": "valley"},
                       {"start": "08:00", "end": "10:00", "rate": "flat"},
                       {"start": "10:00", "end": "12:00", "rate": "sharp"},
                       {"start": "12:00", "end": "17:00", "rate": "peak"},
                       {"start": "17:00", "end": "22:00", "rate": "flat"},
                       {"start": "22:00", "end": "24:00", "rate": "valley"}]}
BIKE_DURATION = {"unit_minutes": 60, "unit_price": "0.50", "auto_stop_minutes": 480, "auto_stop_amount": "4.00",
                 "free_minutes": 5}
BIKE_STATIONS = (("阳光小区单车充电站", "阳光充电"), ("创业园单车充电站", "创业园"), ("大学城单车充电站", "大学城"))
#: The demo driver (车主) who signs in to the driver API with an SMS code (logged by the default sender).
DEMO_DRIVER_PHONE = "13700000000"
DEMO_DRIVER_BALANCE = "100.00"
PILES_PER_STATION = DEVICES_PER_STATION = 2


def demo_device_ids(kind: str) -> list[str]:
    """The factory ids of the demo's YKC piles (``ykc``) or e-bike chargers (``bike``): what the demo run's
    simulators log in as."""
    if kind == "ykc":
        return [pile_code(i, n) for i in range(1, len(CAR_STATIONS) + 1) for n in range(1, PILES_PER_STATION + 1)]
    return [bike_id(i, n) for i in range(1, len(BIKE_STATIONS) + 1) for n in range(1, DEVICES_PER_STATION + 1)]


def pile_code(station: int, pile: int) -> str:
    """The 14-digit code of demo pile ``pile`` of car station ``station`` (both from 1)."""
    return f"3201060021{station:02d}{pile:02d}"


def bike_id(station: int, device: int) -> str:
    """The factory id of demo charger ``device`` of e-bike station ``station`` (both from 1)."""
    return f"DEMOBIKE{station:02d}{device:02d}"


def seed_demo() -> Iterator[str]:
    """Create the demo tenant and network if missing; yield one line per thing created or found."""
    from chargehub.tenancy.services.tenants import audit_provider, create_property, create_provider  # noqa: PLC0415

    admin = db.session.execute(sa.select(User).where(User.user_type == UserType.SYSTEM, User.is_owner.is_(True))
                               .order_by(User.id)).scalars().first()
    if admin is None:
        yield "no platform administrator yet: run `chargehub create-admin` first"
        return
    provider = db.session.execute(
        sa.select(ServiceProvider).where(ServiceProvider.phone == DEMO_PROVIDER_PHONE)).scalar_one_or_none()
    if provider is not None:
        yield f"demo service provider exists: {provider.name} (login {DEMO_PROVIDER_PHONE})"
        return
    with acting_as(admin):
        provider = create_provider({"name": "演示服务商", "contact": "演示联系人", "phone": DEMO_PROVIDER_PHONE,
                                    "email": "demo@example.com"})
        password = audit_provider(provider, approved=True, remark="演示数据")
        yield f"demo service provider created: {provider.name}, login {DEMO_PROVIDER_PHONE} / {password}"
        prop, prop_password = create_property({"provider_id": provider.id, "name": "演示物业", "contact": "物业联系人",
                                               "phone": DEMO_PROPERTY_PHONE, "province": "上海", "city": "上海",
                                               "address": "世纪大道 1 号"}, admin)
        yield f"demo property created: {prop.name}, login {DEMO_PROPERTY_PHONE} / {prop_password}"
        yield from _car_network(admin, prop)
        yield from _bike_network(admin, prop)
    yield _demo_driver(provider.id)


def _car_network(admin: User, prop) -> Iterator[str]:
    from chargehub.assets.services import cameras, car_stations, piles, spaces  # noqa: PLC0415

    for index, (name, province, city, district, address) in enumerate(CAR_STATIONS, start=1):
        station = car_stations.create_station({
            "property_id": prop.id, "name": name, "operation_type": "public", "contact": "站长",
            "contact_phone": f"1390000{index:04d}", "hotline": "400-800-1234", "business_hours": "00:00-24:00",
            "province": province, "city": city, "district": district, "address": address,
            "introduction": "演示电站：快充与慢充，24 小时营业。"}, admin)
        car_stations.audit_station(station, True, "演示数据")
        area_id = _default_area_id("car", station.id)
        created = spaces.create_spaces({"area_id": area_id, "count": 4, "lock_type": "camera_lock"})
        cameras.create_camera({"area_id": area_id, "factory_id": f"DEMOCAM{index:04d}", "ip": f"192.0.2.{index}",
                               "name": f"{index}号相机", "left_space_id": created[0].id, "right_space_id": created[1].id})
        for pile_no in range(1, PILES_PER_STATION + 1):
            piles.create_pile({"area_id": area_id, "factory_id": pile_code(index, pile_no),
                               "name": f"{pile_no}号桩", "model": "YKC-DC120", "gun_count": 2, "output_power_kw": "120",
                               "speed": "fast", "current_type": "dc", "protocol": "ykc"})
        yield f"demo car station created: {name} (4 spaces, 1 camera, 2 piles × 2 guns)"
        mode, params = ("car_tou", CAR_TOU) if index == 1 else ("car_flat", CAR_FLAT)
        yield _billing_rule("car", station.id, area_id, f"{name}计费", mode, params)


def _bike_network(admin: User, prop) -> Iterator[str]:
    from chargehub.assets.services import bike_stations, devices  # noqa: PLC0415

    for index, (name, short) in enumerate(BIKE_STATIONS, start=1):
        station = bike_stations.create_bike_station({
            "property_id": prop.id, "name": name, "short_name": short, "service_phone": "400-800-1234",
            "operation_type": "self_operated", "business_hours": "00:00-24:00", "province": "上海", "city": "上海",
            "address": f"演示路 {index} 号"}, admin)
        bike_stations.audit_bike_station(station, True, "演示数据")
        area_id = _default_area_id("bike", station.id)
        for device_no in range(1, DEVICES_PER_STATION + 1):
            devices.create_device({"area_id": area_id, "factory_id": bike_id(index, device_no),
                                   "name": f"{device_no}号充电设备", "device_type": "10路充电站", "socket_count": 10,
                                   "rated_power_w": "1000", "rated_voltage_v": "220", "rated_current_a": "5"})
        yield f"demo e-bike station created: {name} (2 devices × 10 sockets)"
        yield _billing_rule("bike", station.id, area_id, f"{short}按时计费", "bike_duration", BIKE_DURATION)


def _demo_driver(provider_id: int) -> str:
    """The demo driver with a balance at the demo provider (the driver API's balance path works at once)."""
    from chargehub.members.balance import top_up  # noqa: PLC0415
    from chargehub.members.models import Driver  # noqa: PLC0415

    driver = Driver(phone=DEMO_DRIVER_PHONE, nickname="演示车主", plate="沪A12345")
    db.session.add(driver)
    db.session.flush()
    top_up(driver.id, provider_id, DEMO_DRIVER_BALANCE, "演示数据")
    return (f"demo driver created: {DEMO_DRIVER_PHONE} with {DEMO_DRIVER_BALANCE} yuan (sign in with an SMS code: "
            f"the default sender writes it to the log)")


def _billing_rule(vehicle: str, station_id: int, area_id: int, name: str, mode: str, params: dict) -> str:
    """Add a billing rule to a demo area; without the standard billing modes, say so and go on."""
    from chargehub.billing.services.rules import create_rule  # noqa: PLC0415
    from chargehub.errors import ValidationFailed  # noqa: PLC0415

    try:
        create_rule(vehicle, {"station_id": station_id, "area_id": area_id, "name": name, "mode": mode,
                              "params": params})
    except ValidationFailed as exc:
        db.session.rollback()
        return f"demo billing rule skipped ({exc}): install / switch on chargehub-billing-standard"
    return f"demo billing rule created: {name} ({mode})"


def _default_area_id(kind: str, station_id: int) -> int:
    from chargehub.assets.bike_models import BikeArea  # noqa: PLC0415
    from chargehub.assets.car_models import CarArea  # noqa: PLC0415

    model = CarArea if kind == "car" else BikeArea
    return db.session.execute(sa.select(model.id).where(model.station_id == station_id, model.is_default.is_(True))).scalar_one()
