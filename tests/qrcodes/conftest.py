"""QR-code fixtures: two tenants, each with a car station (pile + guns) and a bike station (device + sockets)."""
from __future__ import annotations

import uuid

import cv2
import numpy as np
import pytest

from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket
from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile
from chargehub.extensions import db
from chargehub.tenancy.models import Property

PUBLIC_URL = "https://charge.example.com"


def decode_png(data: bytes) -> str:
    """The text of the QR code in PNG ``data``, '' when none is found.

    OpenCV's ArUco-based detector: the classic ``cv2.QRCodeDetector`` misses 2–8 % of valid codes
    (measured on 400 renders that the ArUco detector all read), which would make tests flaky.
    """
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None, "not a decodable image"
    text, _points, _ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    return text


def seed_assets(provider, tag: str, guns: int = 3, sockets: int = 2) -> dict:
    """A property, a car station with one pile of ``guns`` guns and a bike station with one device of
    ``sockets`` sockets, all of ``provider``; returns their ids."""
    owner = {"provider_id": provider.id}
    prop = Property(name=f"{tag}物业", phone=f"137{uuid.uuid4().int % 10**8:08d}", **owner)
    db.session.add(prop)
    db.session.flush()
    owner["property_id"] = prop.id
    car = CarStation(name=f"{tag}汽车充电站", hotline="400-100-2000", **owner)
    bike = BikeStation(name=f"{tag}单车充电站", service_phone="400-200-3000", **owner)
    db.session.add_all([car, bike])
    db.session.flush()
    area = CarArea(station_id=car.id, code=f"{tag}CA1", name="默认区域", is_default=True, **owner)
    bike_area = BikeArea(station_id=bike.id, code=f"{tag}BA1", name="默认区域", is_default=True, **owner)
    db.session.add_all([area, bike_area])
    db.session.flush()
    pile = Pile(station_id=car.id, area_id=area.id, code=f"{tag}P0001", factory_id=f"{tag}-FAC-P1", name="1号桩",
                gun_count=guns, **owner)
    other_pile = Pile(station_id=car.id, area_id=area.id, code=f"{tag}Q0002", factory_id=f"{tag}-FAC-Q2",
                      name="2号桩", gun_count=1, **owner)
    device = BikeDevice(station_id=bike.id, area_id=bike_area.id, code=f"{tag}D0001", factory_id=f"{tag}-FAC-D1",
                        name="A栋设备", socket_count=sockets, **owner)
    db.session.add_all([pile, other_pile, device])
    db.session.flush()
    gun_rows = [Gun(station_id=car.id, area_id=area.id, pile_id=pile.id, number=n, name=f"{n}号枪", **owner)
                for n in range(1, guns + 1)]
    gun_rows.append(Gun(station_id=car.id, area_id=area.id, pile_id=other_pile.id, number=1, name="1号枪", **owner))
    socket_rows = [Socket(station_id=bike.id, area_id=bike_area.id, device_id=device.id, number=n, **owner)
                   for n in range(1, sockets + 1)]
    db.session.add_all(gun_rows + socket_rows)
    db.session.commit()
    return {"property_id": prop.id, "car_station_id": car.id, "bike_station_id": bike.id, "pile_id": pile.id,
            "gun_ids": [g.id for g in gun_rows], "socket_ids": [s.id for s in socket_rows]}


@pytest.fixture
def make_world(make_app, make_provider, auth_headers):
    """``make_world(**settings)``: an app with ``PUBLIC_URL`` set (its app context pushed for the test) and
    tenants ``A`` (3 + 1 guns, 2 sockets) and ``B`` (1 + 1 guns, 2 sockets), each with its provider, owner,
    owner's headers and asset ids."""
    contexts = []

    def build(**settings):
        app = make_app(PUBLIC_URL=PUBLIC_URL, **settings)
        context = app.app_context()
        context.push()
        contexts.append(context)
        world = {"app": app, "client": app.test_client()}
        for tag in ("A", "B"):
            provider, owner = make_provider(f"服务商{tag}")
            world[tag] = {"provider": provider, "owner": owner, "headers": auth_headers(owner),
                          **seed_assets(provider, tag, guns=3 if tag == "A" else 1)}
        return world

    yield build
    for context in reversed(contexts):
        context.pop()


@pytest.fixture
def qr_world(make_world):
    """:func:`make_world` with default settings."""
    return make_world()
