"""Fixtures of the payment flow tests: the order worlds of tests/orders with a payment plugin on for the
provider and its station, the vendor's sandbox on a real port, and the app itself served over HTTP so
that the sandbox's notifications reach our callback route exactly as a vendor's would."""
from __future__ import annotations

import importlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from chargehub.extensions import db, plugin_host
from chargehub.testing.sandbox import PaymentSandbox, SandboxServer
from chargehub.testing.helpers import wait_until
from tests.orders.conftest import World, car_world, fresh, key, open_bike_world, open_car_world  # noqa: F401

PLUGINS = ("wechatpay", "leshua", "suixingfu")


def sandbox_class(plugin: str) -> type[PaymentSandbox]:
    """The sandbox class of a payment plugin (``chargehub_<plugin>.testing``)."""
    module = importlib.import_module(f"chargehub_{plugin}.testing")
    return next(value for value in vars(module).values()
                if isinstance(value, type) and issubclass(value, PaymentSandbox) and value is not PaymentSandbox)


@dataclass
class PayingWorld:
    """An order world whose station takes online payments through ``plugin``'s sandbox."""

    world: World
    plugin: str
    sandbox: Any
    server: SandboxServer

    def __getattr__(self, name):
        return getattr(self.world, name)


def configure_payment(app, network, kind: str, plugin: str, sandbox, split_accounts=None) -> None:
    """Switch ``plugin`` on for the network's provider and its station, pointing at ``sandbox``."""
    from chargehub.assets.services.stations_config import save_payment_config
    from chargehub.payments.providers import station_model

    with app.app_context():
        plugin_host.configure(plugin, network.provider_id, enabled=True, settings=sandbox.tenant_settings())
        station = db.session.get(station_model(kind), network.station_id)
        values = sandbox.split_station_settings(split_accounts) if split_accounts else sandbox.station_settings()
        save_payment_config(kind, station, plugin, True, values)


@contextmanager
def open_paying_world(make_app, kind: str, plugin: str, mqtt_url=None, split_accounts=None, **settings):
    """A car (``kind="car"``) or e-bike world taking payments through ``plugin``'s sandbox."""
    plugin_module = importlib.import_module(f"chargehub_{plugin}.plugin")
    opener = (lambda: open_car_world(make_app, plugins=[plugin_module], **settings)) if kind == "car" else (
        lambda: open_bike_world(make_app, mqtt_url, plugins=[plugin_module], **settings))
    sandbox = sandbox_class(plugin)()
    try:
        with opener() as world:
            server = SandboxServer(world.app)
            world.app.config["CHARGEHUB"]["PAYMENT_NOTIFY_URL"] = server.url
            try:
                configure_payment(world.app, world.network, kind, plugin, sandbox, split_accounts)
                yield PayingWorld(world, plugin, sandbox, server)
            finally:
                server.close()
    finally:
        sandbox.close()


def wait_for(model, ident, predicate, timeout: float = 20.0):
    """Wait until ``predicate(row)`` holds for ``model`` row ``ident``; return the row."""
    return wait_until(lambda: (lambda row: row if predicate(row) else None)(fresh(model, ident)), timeout=timeout)


def rows(model, **where) -> list:
    """Every ``model`` row matching ``where`` (column == value), fresh from the database."""
    db.session.expire_all()
    return list(db.session.execute(sa.select(model).filter_by(**where).order_by(model.id)).scalars())


@pytest.fixture(params=PLUGINS)
def plugin(request) -> str:
    """Each payment plugin in turn."""
    return request.param
