"""Fixtures of the driver-API tests: an app with the standard billing modes and an SMS plugin that keeps
every message, drivers signed in through the real code flow, and charging networks on both sides."""
from __future__ import annotations

import itertools
import re

import pytest

from chargehub import PluginLevel, PluginMeta, hookimpl

_phones = itertools.count(1)
BIKE_DURATION = {"unit_minutes": 60, "unit_price": "1.00000", "auto_stop_minutes": 480, "auto_stop_amount": "6.00",
                 "free_minutes": 5}


class SmsOutbox:
    """A PLATFORM plugin implementing ``send_sms``: keeps each message; ``answer`` is what it returns."""

    META = PluginMeta(name="sms_outbox", verbose_name="测试短信", version="1.0", category="integration",
                      level=PluginLevel.PLATFORM)

    def __init__(self):
        self.messages: list[tuple[str, str, str]] = []
        self.answer: bool | None = True

    @hookimpl
    def send_sms(self, phone, message, purpose):
        self.messages.append((phone, message, purpose))
        return self.answer

    def last_code(self, phone: str) -> str:
        """The code in the newest message to ``phone``."""
        message = next(m for p, m, _ in reversed(self.messages) if p == phone)
        return re.search(r"验证码 (\d{6})", message).group(1)


def new_phone() -> str:
    """A mobile number no other test of this run uses."""
    return f"158{next(_phones):08d}"


@pytest.fixture
def sms():
    return SmsOutbox()


@pytest.fixture
def app(make_app, sms):
    """The app with the standard billing modes and :class:`SmsOutbox`."""
    import chargehub_billing_standard.plugin as billing_standard

    application = make_app(plugins=[billing_standard, sms])
    with application.app_context():
        yield application


@pytest.fixture
def sign_in(client, sms):
    """``sign_in(phone=None)`` -> Authorization headers of a driver signed in through code + login."""

    def factory(phone: str | None = None) -> dict:
        phone = phone or new_phone()
        sent = client.post("/api/v1/app/auth/code", json={"phone": phone})
        assert sent.status_code == 200, sent.json
        login = client.post("/api/v1/app/auth/login", json={"phone": phone, "code": sms.last_code(phone)})
        assert login.status_code == 200, login.json
        return {"Authorization": f"Bearer {login.json['token']}"}

    return factory


@pytest.fixture
def car_net(app):
    """One approved car station with a time-of-use rule (预充值 options 10 / 50 / 100) and one pile
    ``55030000000001`` with guns 1 and 2, online and idle."""
    import sqlalchemy as sa

    from chargehub.assets.car_models import Gun, GunState, Pile
    from chargehub.billing.models import CarBillingRule
    from chargehub.billing.services.options import set_options
    from chargehub.extensions import db
    from chargehub.tenancy.auth import acting_as
    from chargehub.tenancy.models import User
    from chargehub.testing.network import seed_pile_network

    net = seed_pile_network(1, guns=2, codes=["55030000000001"])
    db.session.execute(sa.update(Pile).values(online=True))
    db.session.execute(sa.update(Gun).values(state=GunState.IDLE))
    db.session.commit()
    with acting_as(db.session.get(User, net.admin_id)):
        set_options(db.session.get(CarBillingRule, net.rule_id),
                    [{"amount": "10"}, {"amount": "50"}, {"amount": "100"}])
    return net


@pytest.fixture
def bike_net(app):
    """One approved e-bike station with a duration rule (预估值 60 min / 1 yuan, 120 min / 2 yuan) and one
    device ``BK000001`` with sockets 1 and 2, online."""
    import sqlalchemy as sa

    from chargehub.assets.bike_models import BikeDevice
    from chargehub.billing.services.options import set_options
    from chargehub.billing.services.rules import create_rule
    from chargehub.extensions import db
    from chargehub.tenancy.auth import acting_as
    from chargehub.tenancy.models import User
    from chargehub.testing.network import seed_bike_network

    net = seed_bike_network(1, sockets=2)
    db.session.execute(sa.update(BikeDevice).values(online=True))
    db.session.commit()
    with acting_as(db.session.get(User, net.admin_id)):
        rule = create_rule("bike", {"station_id": net.station_id, "area_id": net.area_id, "name": "按时计费",
                                    "mode": "bike_duration", "params": BIKE_DURATION})
        set_options(rule, [{"minutes": 60, "amount": "1"}, {"minutes": 120, "amount": "2"}])
    return net
