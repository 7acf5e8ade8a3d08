"""Fixtures of the charging-asset tests. Pile / gun fixtures are prefixed ``pile_``, e-bike ones ``bike_``."""
from __future__ import annotations

import itertools

import pytest

_phones = itertools.count(1)


def _unique_phone() -> str:
    return f"137{next(_phones):08d}"


@pytest.fixture
def bike_owner(make_provider, auth_headers):
    """``bike_owner(name)`` -> (approved provider, its property, the provider owner's auth headers)."""
    from chargehub.extensions import db
    from chargehub.tenancy.models import Property

    def factory(name: str = "服务商A"):
        provider, user = make_provider(name)
        prop = Property(provider_id=provider.id, name=f"{name}物业", phone=_unique_phone())
        db.session.add(prop)
        db.session.commit()
        return provider, prop, auth_headers(user)

    return factory


@pytest.fixture
def bike_api(client, admin_token):
    """Small helpers that call the e-bike API as the platform administrator (or ``headers``)."""

    class Api:
        def station(self, property_id, approved=True, headers=None, **fields):
            body = {"property_id": property_id, "name": "绿能云", "short_name": "绿能", "service_phone": "13317000000",
                    **fields}
            response = client.post("/api/v1/admin/bike-stations", headers=headers or admin_token, json=body)
            assert response.status_code == 201, response.json
            station = response.json
            if approved:
                audit = client.post(f"/api/v1/admin/bike-stations/{station['id']}/audit",
                                    headers=admin_token, json={"approved": True})
                assert audit.status_code == 200, audit.json
            return station

        def default_area(self, station_id, headers=None):
            items = client.get("/api/v1/admin/bike-areas", headers=headers or admin_token,
                               query_string={"station_id": station_id}).json["items"]
            return next(a for a in items if a["is_default"])

        def device(self, area_id, factory_id, headers=None, **fields):
            body = {"area_id": area_id, "factory_id": factory_id, "name": f"设备{factory_id}", "socket_count": 2,
                    **fields}
            response = client.post("/api/v1/admin/devices", headers=headers or admin_token, json=body)
            assert response.status_code == 201, response.json
            return response.json

    return Api()


@pytest.fixture
def bike_site(bike_owner, bike_api):
    """An approved e-bike station of 服务商A with its default area: ``{"station", "area", "provider",
    "property", "headers"}``."""
    provider, prop, headers = bike_owner()
    station = bike_api.station(prop.id)
    return {"station": station, "area": bike_api.default_area(station["id"]), "provider": provider,
            "property": prop, "headers": headers}


@pytest.fixture
def pile_site(bike_owner):
    """``pile_site(name, approved=True)`` -> (car station, car area, provider owner's headers), rows added
    directly: the pile tests need a car area, not the car-station API."""
    from chargehub.assets.car_models import CarArea, CarStation
    from chargehub.assets.services.common import next_code
    from chargehub.extensions import db
    from chargehub.tenancy.models import AuditState

    def factory(name: str = "服务商A", approved: bool = True):
        provider, prop, headers = bike_owner(name)
        station = CarStation(provider_id=provider.id, property_id=prop.id, name=f"{name}汽车站", hotline="4008001234",
                             audit_state=AuditState.APPROVED if approved else AuditState.PENDING)
        db.session.add(station)
        db.session.flush()
        area = CarArea(provider_id=provider.id, property_id=prop.id, station_id=station.id,
                       code=next_code(CarArea, "TA"), name=f"{name}A区")
        db.session.add(area)
        db.session.commit()
        return station, area, headers

    return factory


@pytest.fixture
def pile_factory_ids():
    """Distinct 14-digit YKC pile codes."""
    counter = itertools.count(1)
    return lambda: f"3201{next(counter):010d}"


# ------------------------------------------------------------------------------------------ car side


class CarTenant(dict):
    """One car-side tenant: ``provider``, ``property``, ``station`` (approved, via the API), ``area`` (its
    default area) as JSON items, and ``headers`` / ``property_headers`` of the provider and property owners."""


@pytest.fixture
def car_world(client, admin_token, make_provider, auth_headers):
    """Two car tenants built through the station API: ``car_world["A"]``, ``car_world["B"]``, plus
    ``car_world.call(method, url, headers=None, status=200, **kwargs)`` (admin by default) answering JSON."""
    from chargehub.extensions import db
    from chargehub.tenancy.models import Property, User, UserType
    from chargehub.tenancy.passwords import hash_password

    class World(dict):
        def call(self, method, url, headers=None, status=200, **kwargs):
            response = client.open(f"/api/v1/admin{url}", method=method, headers=headers or admin_token, **kwargs)
            assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
            return response.json

    world = World(client=client, admin=admin_token)
    for tag in ("A", "B"):
        provider, _ = make_provider(f"服务商{tag}")
        prop = Property(provider_id=provider.id, name=f"{tag}物业", phone=_unique_phone())
        db.session.add(prop)
        db.session.flush()
        owner = User(phone=prop.phone, name=prop.name, password_hash=hash_password("property-pass-1"),
                     user_type=UserType.PROPERTY, provider_id=provider.id, property_id=prop.id, is_owner=True)
        db.session.add(owner)
        db.session.commit()
        user = db.session.execute(db.select(User).where(User.provider_id == provider.id,
                                                        User.user_type == UserType.PROVIDER)).scalar_one()
        tenant = CarTenant(provider_id=provider.id, property_id=prop.id, headers=auth_headers(user),
                           property_headers=auth_headers(owner))
        station = world.call("POST", "/car-stations", tenant["headers"], 201,
                             json={"property_id": prop.id, "name": f"{tag}汽车站", "hotline": "4008001234"})
        world.call("POST", f"/car-stations/{station['id']}/audit", json={"approved": True})
        tenant["station"] = world.call("GET", f"/car-stations/{station['id']}")
        tenant["area"] = world.call("GET", "/car-areas", query_string={"station_id": station["id"]})["items"][0]
        world[tag] = tenant
    return world
