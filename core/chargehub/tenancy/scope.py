"""Data scope (数据权限): the one scoping helper every query of tenant-owned rows goes through.

- system users see everything;
- provider users see rows of their provider and its sub-merchants;
- property users see rows of their property (a model with no property column shows them nothing);
- collective users see rows of their collective account (likewise);
- users with ``auth_scope = stations`` additionally see only the stations bound to them, on every
  model that has a station column.

Models say which columns carry the tenant with a ``__scope__`` mapping, keys ``provider``,
``property``, ``collective``, ``car_station``, ``bike_station`` (see :func:`scope_columns`); a model
with both station columns (rows of either side) passes when one of them is a bound station. A row
outside the scope answers 404 — exactly like a row that does not exist — so ids cannot be probed.

Path parameters: every ``<int:…>`` parameter of an admin URL must be registered here with the model
it names (:func:`register_path_param`); a URL value preprocessor then answers 404 for a foreign id
*before* the view runs or its payload is validated, so a foreign id never leaks through a 422.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, request
from flask_smorest import abort

from chargehub.extensions import db
from chargehub.tenancy.models import AuthScope, ServiceProvider, StationKind, User, UserStation, UserType

NOT_FOUND = "记录不存在或无权访问 (not found)"


@dataclass(frozen=True)
class Scope:
    """What one user may see. ``None`` for a level means "not limited at that level"."""

    user_type: UserType
    provider_ids: frozenset[int] | None
    property_id: int | None = None
    collective_id: int | None = None
    car_station_ids: frozenset[int] | None = None
    bike_station_ids: frozenset[int] | None = None

    @property
    def unlimited(self) -> bool:
        return self.user_type is UserType.SYSTEM and self.car_station_ids is None and self.bike_station_ids is None


def scope_of(user: User) -> Scope:
    """Compute the :class:`Scope` of ``user`` (two small queries at most)."""
    car = bike = None
    if user.auth_scope is AuthScope.STATIONS:
        rows = db.session.execute(sa.select(UserStation.kind, UserStation.station_id).where(UserStation.user_id == user.id))
        bound = rows.all()
        car = frozenset(sid for kind, sid in bound if kind is StationKind.CAR)
        bike = frozenset(sid for kind, sid in bound if kind is StationKind.BIKE)
    if user.user_type is UserType.SYSTEM:
        return Scope(UserType.SYSTEM, None, car_station_ids=car, bike_station_ids=bike)
    provider_ids = frozenset({user.provider_id}) if user.provider_id else frozenset()
    if user.user_type is UserType.PROVIDER and user.provider_id:
        children = db.session.execute(sa.select(ServiceProvider.id).where(ServiceProvider.parent_id == user.provider_id))
        provider_ids = provider_ids | {r[0] for r in children}
    return Scope(user.user_type, provider_ids, user.property_id, user.collective_id, car, bike)


def current_scope() -> Scope:
    """The scope of the signed-in user of this request (computed once per request)."""
    scope = g.get("_scope")
    if scope is None:
        from chargehub.tenancy.auth import current_user  # noqa: PLC0415 - auth imports this module

        scope = g._scope = scope_of(current_user())
    return scope


def scope_columns(model) -> dict[str, Any]:
    """The model's ``__scope__`` mapping: level -> column attribute name."""
    columns = getattr(model, "__scope__", None)
    if columns is None:
        raise TypeError(f"{model.__name__} has no __scope__: it cannot be queried through the scope helper")
    return {level: getattr(model, attr) for level, attr in columns.items()}


def condition(model, scope: Scope | None = None) -> sa.ColumnElement[bool]:
    """The WHERE condition limiting ``model`` rows to ``scope`` (default: the current user's)."""
    scope = scope or current_scope()
    cols = scope_columns(model)
    parts: list[sa.ColumnElement[bool]] = []
    if scope.user_type is not UserType.SYSTEM:
        if "provider" not in cols:
            return sa.false()
        parts.append(cols["provider"].in_(scope.provider_ids or {-1}))
        if scope.user_type is UserType.PROPERTY:
            parts.append(cols["property"] == scope.property_id if "property" in cols else sa.false())
        elif scope.user_type is UserType.COLLECTIVE:
            parts.append(cols["collective"] == scope.collective_id if "collective" in cols else sa.false())
    stations = [cols[level].in_(ids or {-1})
                for level, ids in (("car_station", scope.car_station_ids), ("bike_station", scope.bike_station_ids))
                if ids is not None and level in cols]
    if len(stations) == 2:  # a row of either side (e.g. an online record): one of its stations is bound
        parts.append(sa.or_(*stations))
    else:
        parts.extend(stations)
    return sa.and_(sa.true(), *parts)


def scoped(statement: sa.Select, model) -> sa.Select:
    """Add the current user's scope condition for ``model`` to ``statement``."""
    return statement.where(condition(model))


def get_or_404(model, ident: int):
    """The ``model`` row ``ident`` if the current user may see it; else abort with 404."""
    row = db.session.execute(scoped(sa.select(model).where(model.id == ident), model)).scalar_one_or_none()
    if row is None:
        abort(404, message=NOT_FOUND)
    return row


# ----------------------------------------------------------------------------------------- path params

_PATH_PARAMS: dict[str, Any] = {}


def register_path_param(name: str, model) -> None:
    """Declare that URL parameter ``name`` (e.g. ``"role_id"``) names a row of ``model``."""
    scope_columns(model)  # fail early for models without __scope__
    _PATH_PARAMS[name] = model


def path_params() -> dict[str, Any]:
    """Registered path parameters (for the tenant-isolation suite)."""
    return dict(_PATH_PARAMS)


SCOPED_PREFIXES = ("/api/v1/admin/", "/admin/")


def _register_core_params() -> None:
    from chargehub.assets import bike_models as bike  # noqa: PLC0415
    from chargehub.assets import car_models as car  # noqa: PLC0415
    from chargehub.tenancy.models import CollectiveAccount, Property  # noqa: PLC0415
    from chargehub.tenancy.org_models import Department, Post, Role  # noqa: PLC0415

    for name, model in (("provider_id", ServiceProvider), ("property_id", Property), ("user_id", User),
                        ("collective_id", CollectiveAccount), ("role_id", Role), ("department_id", Department),
                        ("post_id", Post), ("car_station_id", car.CarStation), ("car_area_id", car.CarArea),
                        ("space_id", car.ParkingSpace), ("camera_id", car.Camera), ("pile_id", car.Pile),
                        ("gun_id", car.Gun), ("application_id", car.PrivatePileApplication),
                        ("bike_station_id", bike.BikeStation), ("bike_area_id", bike.BikeArea),
                        ("device_id", bike.BikeDevice), ("socket_id", bike.Socket)):
        register_path_param(name, model)


def init_app(app: Flask) -> None:
    """Check every registered id in admin URLs against the caller's scope before the view runs."""
    _register_core_params()

    @app.url_value_preprocessor
    def _check_path_ids(endpoint, values) -> None:
        if not values or not request.path.startswith(SCOPED_PREFIXES):
            return
        names = [n for n in values if n in _PATH_PARAMS and isinstance(values[n], int)]
        if not names:
            return
        from chargehub.tenancy.auth import authenticate_request  # noqa: PLC0415

        authenticate_request()
        for name in names:
            get_or_404(_PATH_PARAMS[name], values[name])
