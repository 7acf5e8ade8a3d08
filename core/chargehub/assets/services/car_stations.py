"""汽车电站 (3.2.1): add, edit, audit, enable / disable, totals, history, private-pile applications.

A station belongs to a property (and its provider). It is created pending audit (审核) together with
its default area (默认区域); piles go under it only once it is approved and enabled. Drivers apply for a
private pile (私桩申请) from the station's public form (:mod:`chargehub.assets.h5`); operators review.
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from chargehub.assets.car_models import (
    ApplicationState,
    CarArea,
    CarStation,
    Gun,
    ParkingSpace,
    Pile,
    PrivatePileApplication,
)
from chargehub.assets.services import stations_common
from chargehub.assets.services.car_areas import create_default_area
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.models import AuditState, User

#: Fields set on create and changeable on edit (provider and property are fixed at creation).
EDITABLE = ("name", "operation_type", "contact", "contact_phone", "introduction", "hotline", "business_hours",
            "max_power_kw", "capacity_kva", "province", "city", "district", "address", "longitude", "latitude")
_COUNTED = {"area_count": CarArea, "space_count": ParkingSpace, "pile_count": Pile, "gun_count": Gun}


def create_station(data: Mapping[str, Any], actor: User) -> CarStation:
    """Add a station under a property the caller may see, with its default area; it waits for audit."""
    provider_id, property_id = stations_common.resolve_owner(data, actor)
    station = CarStation(provider_id=provider_id, property_id=property_id, audit_state=AuditState.PENDING,
                         **{k: data[k] for k in EDITABLE if data.get(k) is not None})
    db.session.add(station)
    db.session.flush()
    create_default_area(station)
    record("car_station.create", target=station, name=station.name)
    db.session.commit()
    return station


def update_station(station: CarStation, data: Mapping[str, Any]) -> CarStation:
    """修改: change any of :data:`EDITABLE`; the owner never changes."""
    return stations_common.update_station(station, data, EDITABLE, "car_station")


def audit_station(station: CarStation, approved: bool, remark: str = "") -> CarStation:
    """审核: approve, or reject with a reason. An approved station cannot be audited again (409)."""
    return stations_common.audit_station(station, approved, remark, "car_station")


def set_station_enabled(station: CarStation, enabled: bool) -> CarStation:
    """启用 / 禁用. A disabled station is hidden from drivers and gets no new areas, piles or billing rules."""
    return stations_common.set_station_enabled(station, enabled, "car_station")


def annotate_totals(stations, with_spaces: bool = False) -> list:
    """Set ``area_count``, ``pile_count``, ``gun_count`` (and ``space_count``) with one query."""
    stations = list(stations)
    counted = {k: m for k, m in _COUNTED.items() if with_spaces or k != "space_count"}
    totals: dict[int, tuple] = {}
    if stations:
        columns = [sa.select(sa.func.count(model.id)).where(model.station_id == CarStation.id)
                   .correlate(CarStation).scalar_subquery() for model in counted.values()]
        rows = db.session.execute(sa.select(CarStation.id, *columns)
                                  .where(CarStation.id.in_({s.id for s in stations})))
        totals = {row[0]: tuple(row[1:]) for row in rows}
    for station in stations:
        for index, key in enumerate(counted):
            setattr(station, key, totals.get(station.id, (0,) * len(counted))[index])
    return stations


def history(station: CarStation) -> list[dict[str, Any]]:
    """审核 / 修改 history of ``station`` (fetched by the caller through the scope helper), newest first."""
    return stations_common.station_history(station)


# ------------------------------------------------------------------------------ private-pile applications


def station_by_token(public_token: str) -> CarStation | None:
    """The station of a public application form, if it exists and is enabled (public: no scope)."""
    return db.session.execute(sa.select(CarStation).where(CarStation.public_token == public_token,
                                                          CarStation.enabled.is_(True))).scalar_one_or_none()


def submit_application(station: CarStation, data: Mapping[str, Any]) -> PrivatePileApplication:
    """A driver's 私桩申请 from the public form (already validated: name, phone; plate/address optional)."""
    application = PrivatePileApplication(
        provider_id=station.provider_id, property_id=station.property_id, station_id=station.id,
        applicant=data["applicant"].strip(), phone=data["phone"].strip(), plate=(data.get("plate") or "").strip(),
        address=(data.get("address") or "").strip(), remark=(data.get("remark") or "").strip())
    db.session.add(application)
    db.session.flush()
    record("private_pile_application.submit", target=application, provider_id=station.provider_id,
           station_id=station.id)
    db.session.commit()
    return application


def review_application(application: PrivatePileApplication, approved: bool, remark: str = "") -> PrivatePileApplication:
    """审核 a pending application: approve, or reject with a reason; a reviewed one answers 409."""
    if application.state is not ApplicationState.PENDING:
        raise Conflict("该申请已处理 (the application was already reviewed)")
    remark = (remark or "").strip()
    if not approved and not remark:
        raise ValidationFailed("驳回时请填写原因 (give the reason for rejecting)", "remark")
    application.state = ApplicationState.APPROVED if approved else ApplicationState.REJECTED
    application.review_remark = remark
    record("private_pile_application.review", target=application, approved=approved, remark=remark)
    db.session.commit()
    return application
