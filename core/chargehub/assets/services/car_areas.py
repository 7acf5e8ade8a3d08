"""区域管理 (3.2.2): areas of car stations — add, edit, enable / disable, counts.

Each station gets a default area (默认区域) when it is created. A disabled station gets no new areas;
a disabled area gets no new piles or billing rules and its piles are hidden from drivers. Car areas
are never deleted (the manual has no such action).
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from chargehub.assets.car_models import CarArea, CarStation, Gun, ParkingSpace, Pile
from chargehub.assets.services.common import ensure_accepting, next_code
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.scope import get_or_404

DEFAULT_AREA_NAME = "默认区域"
CODE_PREFIX = "A"
EDITABLE = ("name", "phone", "power_kw")
_COUNTED = {"space_count": ParkingSpace, "pile_count": Pile, "gun_count": Gun}


def create_default_area(station: CarStation) -> CarArea:
    """The default area of a new station (added to the session; the caller commits)."""
    area = CarArea(provider_id=station.provider_id, property_id=station.property_id, station_id=station.id,
                   code=next_code(CarArea, CODE_PREFIX), name=DEFAULT_AREA_NAME, phone=station.contact_phone or "",
                   is_default=True)
    db.session.add(area)
    db.session.flush()
    return area


def create_area(data: Mapping[str, Any]) -> CarArea:
    """添加: an area under an enabled station the caller may see (a foreign station answers 404)."""
    station = get_or_404(CarStation, data["station_id"])
    ensure_accepting(station, "station_id")
    area = CarArea(provider_id=station.provider_id, property_id=station.property_id, station_id=station.id,
                   code=next_code(CarArea, CODE_PREFIX), name=data["name"], phone=data.get("phone") or "",
                   power_kw=data.get("power_kw"))
    db.session.add(area)
    db.session.flush()
    record("car_area.create", target=area, station_id=station.id, name=area.name)
    db.session.commit()
    return area


def update_area(area: CarArea, data: Mapping[str, Any]) -> CarArea:
    """修改: name, phone and power; the station never changes."""
    changed = {k: data[k] for k in EDITABLE if k in data}
    for key, value in changed.items():
        setattr(area, key, value)
    record("car_area.update", target=area, fields=sorted(changed))
    db.session.commit()
    return area


def set_area_enabled(area: CarArea, enabled: bool) -> CarArea:
    """启用 / 禁用 an area."""
    area.enabled = enabled
    record("car_area.enable" if enabled else "car_area.disable", target=area)
    db.session.commit()
    return area


def annotate_counts(areas) -> list:
    """Set ``space_count``, ``pile_count`` and ``gun_count`` on ``areas`` with one query; return them."""
    areas = list(areas)
    totals: dict[int, tuple] = {}
    if areas:
        columns = [sa.select(sa.func.count(model.id)).where(model.area_id == CarArea.id)
                   .correlate(CarArea).scalar_subquery() for model in _COUNTED.values()]
        rows = db.session.execute(sa.select(CarArea.id, *columns).where(CarArea.id.in_({a.id for a in areas})))
        totals = {row[0]: tuple(row[1:]) for row in rows}
    for area in areas:
        for index, key in enumerate(_COUNTED):
            setattr(area, key, totals.get(area.id, (0,) * len(_COUNTED))[index])
    return areas
