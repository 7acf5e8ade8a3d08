"""Fixtures of the billing-rule tests: an app with the standard billing modes, sites on both sides."""
from __future__ import annotations

import itertools

import pytest

_phones = itertools.count(1)

CAR_FLAT = {"electricity_price": "1.00000", "service_price": "0.80000"}
CAR_TOU = {
    "prices": {"sharp": {"electricity_price": "1.50000", "service_price": "0.80000"},
               "peak": {"electricity_price": "1.20000", "service_price": "0.80000"},
               "flat": {"electricity_price": "0.90000", "service_price": "0.60000"},
               "valley": {"electricity_price": "0.40000", "service_price": "0.40000"}},
    "periods": [{"start": "00:00", "end": "08:00", "rate": "valley"},
                {"start": "08:00", "end": "12:00", "rate": "peak"},
                {"start": "12:00", "end": "18:00", "rate": "flat"},
                {"start": "18:00", "end": "21:00", "rate": "sharp"},
                {"start": "21:00", "end": "24:00", "rate": "valley"}],
}
BIKE_DURATION = {"unit_minutes": 60, "unit_price": "1.00000", "auto_stop_minutes": 480, "auto_stop_amount": "6.00",
                 "free_minutes": 5}


@pytest.fixture
def app(make_app):
    """The app with the standard billing modes (a PLATFORM plugin: on for every tenant)."""
    import chargehub_billing_standard.plugin as billing_standard

    application = make_app(plugins=[billing_standard])
    with application.app_context():
        yield application


class Site(dict):
    """One tenant's car and e-bike station with their areas (rows), and its owners' headers."""


@pytest.fixture
def site(make_provider, auth_headers):
    """``site(name)`` -> :class:`Site`: ``provider``, ``property``, ``car_station``, ``car_area``,
    ``bike_station``, ``bike_area`` (rows, all enabled and approved), ``headers`` (provider owner)."""
    from chargehub.assets.bike_models import BikeArea, BikeStation
    from chargehub.assets.car_models import CarArea, CarStation
    from chargehub.assets.services.common import next_code
    from chargehub.extensions import db
    from chargehub.tenancy.models import AuditState, Property

    def factory(name: str = "服务商A") -> Site:
        provider, user = make_provider(name)
        prop = Property(provider_id=provider.id, name=f"{name}物业", phone=f"136{next(_phones):08d}")
        db.session.add(prop)
        db.session.flush()
        owner = {"provider_id": provider.id, "property_id": prop.id}
        car_station = CarStation(**owner, name=f"{name}汽车站", audit_state=AuditState.APPROVED)
        bike_station = BikeStation(**owner, name=f"{name}单车站", audit_state=AuditState.APPROVED)
        db.session.add_all([car_station, bike_station])
        db.session.flush()
        car_area = CarArea(**owner, station_id=car_station.id, code=next_code(CarArea, "BA"), name=f"{name}A区")
        bike_area = BikeArea(**owner, station_id=bike_station.id, code=next_code(BikeArea, "BB"), name=f"{name}B区")
        db.session.add_all([car_area, bike_area])
        db.session.commit()
        return Site(provider=provider, property=prop, car_station=car_station, car_area=car_area,
                    bike_station=bike_station, bike_area=bike_area, headers=auth_headers(user), user=user)

    return factory


@pytest.fixture
def call(client):
    """``call(method, url, headers, status=200, **kwargs)`` -> JSON of ``/api/v1/admin<url>``, asserting the status."""

    def request(method, url, headers, status=200, **kwargs):
        response = client.open(f"/api/v1/admin{url}", method=method, headers=headers, **kwargs)
        assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:800])
        return response.json if response.status_code != 204 else None

    return request


@pytest.fixture
def add_rule(call):
    """``add_rule(site, vehicle="car", name=..., mode=..., params=..., status=201, **fields)`` through the API."""

    def factory(site, vehicle="car", name="标准计费", mode=None, params=None, status=201, **fields):
        mode = mode or ("car_flat" if vehicle == "car" else "bike_duration")
        params = params if params is not None else (CAR_FLAT if vehicle == "car" else BIKE_DURATION)
        body = {"station_id": site[f"{vehicle}_station"].id, "area_id": site[f"{vehicle}_area"].id, "name": name,
                "mode": mode, "params": params, **fields}
        return call("POST", f"/{vehicle}/billing-rules", site["headers"], status, json=body)

    return factory


def count_rows(model) -> int:
    import sqlalchemy as sa

    from chargehub.extensions import db

    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
