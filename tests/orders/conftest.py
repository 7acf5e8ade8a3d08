"""Fixtures of the order tests: a signed-in driver with a balance, a YKC pile world and an e-bike world,
each with the real gateway (in a thread), real sockets / a real broker, and simulators."""
from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from chargehub import PluginLevel, PluginMeta, hookimpl
from chargehub.extensions import db
from chargehub.testing.helpers import wait_until

#: Simulator timings that make a charge take seconds, not minutes.
FAST_PILE = {"guns": 2, "heartbeat_interval": 1.0, "charging_status_interval": 0.3, "record_delay": 0.2,
             "reconnect_delay": 0.3, "login_retry_interval": 1.0, "record_retry_interval": 1.0,
             "power_kw": Decimal("360"), "plug_timeout": 3.0}
BIKE_RULE = {"unit_minutes": 10, "unit_price": "0.20000", "auto_stop_minutes": 240, "auto_stop_amount": "0.00",
             "free_minutes": 0}


class SmsInbox:
    """A platform SMS plugin that keeps every message (the tests read the sign-in codes from it)."""

    META = PluginMeta(name="sms_inbox", verbose_name="短信收件箱 (tests)", version="1.0", category="integration",
                      level=PluginLevel.PLATFORM)

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    @hookimpl
    def send_sms(self, phone, message, purpose):
        self.messages.append((phone, message))
        return True

    def code_for(self, phone: str) -> str:
        return re.search(r"\d{6}", [m for p, m in self.messages if p == phone][-1]).group(0)


def sign_in(client, inbox: SmsInbox, phone: str) -> dict[str, str]:
    """Sign a driver in through the driver API; returns the Authorization header."""
    sent = client.post("/api/v1/app/auth/code", json={"phone": phone})
    assert sent.status_code in (200, 201, 202), sent.get_json()
    login = client.post("/api/v1/app/auth/login", json={"phone": phone, "code": inbox.code_for(phone)})
    assert login.status_code == 200, login.get_json()
    return {"Authorization": f"Bearer {login.get_json()['token']}"}


def driver_id(phone: str) -> int:
    from chargehub.members.models import Driver

    return db.session.execute(sa.select(Driver.id).where(Driver.phone == phone)).scalar_one()


def fresh(model, ident):
    """``model`` row ``ident`` as the database has it now."""
    db.session.expire_all()
    return db.session.get(model, ident)


def key() -> dict[str, str]:
    """A new Idempotency-Key header."""
    return {"Idempotency-Key": uuid.uuid4().hex}


@dataclass
class World:
    app: Any
    client: Any
    driver: dict[str, str]  # Authorization header
    phone: str
    network: Any
    sim: Any
    gateway: Any
    inbox: SmsInbox


@pytest.fixture()
def car_world(make_app):
    """One provider, a station with 2 simulated YKC piles (2 guns each), a TOU rule, a signed-in driver
    holding 200 yuan at the provider."""
    with open_car_world(make_app) as world:
        yield world


@pytest.fixture()
def bike_world(make_app, mqtt_url):
    """Two simulated e-bike chargers (2 sockets) on the shared Mosquitto, a 时长模式 rule (0.20 yuan per
    started 10 minutes), a signed-in driver holding 20 yuan."""
    with open_bike_world(make_app, mqtt_url) as world:
        yield world


@contextmanager
def open_car_world(make_app, plugins=(), **settings):
    """The :func:`car_world` (with extra ``plugins`` and app ``settings``) as a context manager."""
    import chargehub_billing_standard.plugin as billing_standard
    import chargehub_ykc.plugin as ykc

    from chargehub.devices.gateway import start_in_thread
    from chargehub.members.balance import top_up
    from chargehub.testing.network import seed_pile_network
    from chargehub_ykc.simulator import Fleet, FleetThread, PileConfig

    inbox = SmsInbox()
    app = make_app(plugins=[billing_standard, ykc, inbox, *plugins], **{
        "PUBLIC_URL": "https://charge.example.com", "COMMAND_TIMEOUT": 5.0, "ORDER_COMMAND_WAIT": 5.0, **settings})
    with app.app_context():
        network = seed_pile_network(2, guns=2, prefix=f"56{uuid.uuid4().int % 100:02d}")
        gateway = start_in_thread(app, listen="ykc=127.0.0.1:0")
        sim = FleetThread(Fleet(*gateway.addresses["ykc"],
                                configs=[PileConfig(c, **FAST_PILE) for c in network.pile_codes]))
        sim.start()
        try:
            sim.run(sim.fleet.wait_logged_in(timeout=30))
            from chargehub.assets.car_models import Pile

            wait_until(lambda: all(p.online for p in (db.session.expire_all(), db.session.execute(
                sa.select(Pile).where(Pile.station_id == network.station_id)).scalars().all())[1]), timeout=20)
            client = app.test_client()
            phone = "13912345678"
            headers = sign_in(client, inbox, phone)
            top_up(driver_id(phone), network.provider_id, Decimal("200.00"), "测试充值", commit=True)
            yield World(app, client, headers, phone, network, sim, gateway, inbox)
        finally:
            sim.stop()
            gateway.stop()


@contextmanager
def open_bike_world(make_app, mqtt_url, plugins=(), **settings):
    """The :func:`bike_world` (with extra ``plugins`` and app ``settings``) as a context manager."""
    import chargehub_billing_standard.plugin as billing_standard
    import chargehub_bike_mqtt.plugin as bike_mqtt

    from chargehub.assets.bike_models import BikeDevice
    from chargehub.billing.services.rules import create_rule
    from chargehub.devices.gateway import start_in_thread
    from chargehub.members.balance import top_up
    from chargehub.tenancy.auth import acting_as
    from chargehub.tenancy.models import User
    from chargehub.testing.network import seed_bike_network
    from chargehub_bike_mqtt.simulator import BikeFleet, BikeFleetThread, device_sns

    inbox = SmsInbox()
    prefix = f"O{uuid.uuid4().hex[:5].upper()}"
    sns = device_sns(prefix, 2)
    app = make_app(plugins=[billing_standard, bike_mqtt, inbox, *plugins], **{
        "MQTT_URL": mqtt_url, "COMMAND_TIMEOUT": 10.0, "ORDER_COMMAND_WAIT": 10.0,
        "MQTT_SHARED_GROUP": f"g{uuid.uuid4().hex[:8]}", "PUBLIC_URL": "https://charge.example.com", **settings})
    with app.app_context():
        network = seed_bike_network(2, sockets=2, prefix=prefix, factory_ids=sns)
        with acting_as(db.session.get(User, network.admin_id)):
            create_rule("bike", {"station_id": network.station_id, "area_id": network.area_id, "name": "时长计费",
                                 "mode": "bike_duration", "params": BIKE_RULE})
        gateway = start_in_thread(app)
        sim = BikeFleetThread(BikeFleet(mqtt_url, count=2, prefix=prefix, sockets=2, heartbeat_s=1, meter_s=1,
                                        speed=60, record_retry_s=2, reconnect_max_s=1, reboot_s=0.5))
        try:
            sim.start()
            wait_until(lambda: len([d for d in (db.session.expire_all(), db.session.execute(sa.select(BikeDevice).where(
                BikeDevice.station_id == network.station_id)).scalars().all())[1] if d.online]) == 2, timeout=30)
            client = app.test_client()
            phone = "13987654321"
            headers = sign_in(client, inbox, phone)
            top_up(driver_id(phone), network.provider_id, Decimal("20.00"), "测试充值", commit=True)
            yield World(app, client, headers, phone, network, sim, gateway, inbox)
        finally:
            sim.stop()
            gateway.stop()
