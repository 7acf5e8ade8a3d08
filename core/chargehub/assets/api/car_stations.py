"""汽车电站 (3.2.1): stations, their audit, invoice and payment configuration, private-pile applications."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names, annotate_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.assets.api.car_schemas import (
    ApplicationArgs,
    ApplicationPage,
    ApplicationSchema,
    CarStationArgs,
    CarStationCreateSchema,
    CarStationDetailSchema,
    CarStationPage,
    CarStationSchema,
    CarStationUpdateSchema,
    StationAuditSchema,
)
from chargehub.assets.api.config_schemas import (
    InvoiceConfigResultSchema,
    InvoiceConfigSchema,
    PaymentConfigSchema,
    PaymentSettingsSchema,
)
from chargehub.assets.car_models import CarStation, PrivatePileApplication
from chargehub.assets.h5 import form_path
from chargehub.assets.services import car_stations, stations_config
from chargehub.qrcodes import Caption, render
from chargehub.qrcodes.links import base_url
from chargehub.tenancy.auth import current_user, require
from chargehub.tenancy.models import Property, ServiceProvider, StationKind
from chargehub.tenancy.scope import NOT_FOUND, get_or_404, scoped

blp = Blueprint("car_stations", __name__, url_prefix="/api/v1/admin/car-stations", description="汽车电站")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": CarStation.created_at, "name": CarStation.name, "audit_state": CarStation.audit_state}
KIND = StationKind.CAR


def _decorate(stations: list, detail: bool = False) -> list:
    """Names, totals, configuration flags and 创建 / 修改 names of a page (a fixed number of queries)."""
    annotate_names(stations, provider_name=("provider_id", ServiceProvider), property_name=("property_id", Property))
    car_stations.annotate_totals(stations, with_spaces=detail)
    stations_config.annotate_config_flags(KIND, stations)
    return annotate_actor_names(stations)


def _one(car_station_id: int) -> CarStation:
    return _decorate([get_or_404(CarStation, car_station_id)])[0]


def _detail(car_station_id: int) -> CarStation:
    station = _decorate([get_or_404(CarStation, car_station_id)], detail=True)[0]
    station.history = car_stations.history(station)
    return station


@blp.route("")
class CarStations(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(CarStationArgs, location="query")
    @blp.response(200, CarStationPage)
    @require("car.station:list")
    def get(self, args):
        """Search stations (电站名称, 审核状态, 电站状态); items carry area / pile / gun totals."""
        page = paginate(CarStation, scoped(sa.select(CarStation), CarStation), args, SORTABLE, "-created_at", [
            contains(CarStation.name, args["name"]),
            equals(CarStation.audit_state, args["audit_state"]),
            equals(CarStation.enabled, args["enabled"]),
        ])
        _decorate(page["items"])
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(CarStationCreateSchema)
    @blp.response(201, CarStationSchema)
    @require("car.station:add")
    def post(self, data):
        """Add a station under a property (with its default area); it waits for audit."""
        return _one(car_stations.create_station(data, current_user()).id)


@blp.route("/<int:car_station_id>")
class CarStationItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, CarStationDetailSchema)
    @require("car.station:detail")
    def get(self, car_station_id):
        """详细: every field, area / space / pile / gun counts and the audit and change history."""
        return _detail(car_station_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(CarStationUpdateSchema)
    @blp.response(200, CarStationSchema)
    @require("car.station:edit")
    def put(self, data, car_station_id):
        """修改 the station's fields (its provider and property never change)."""
        car_stations.update_station(get_or_404(CarStation, car_station_id), data)
        return _one(car_station_id)


@blp.route("/<int:car_station_id>/audit")
class CarStationAudit(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(StationAuditSchema)
    @blp.response(200, CarStationSchema)
    @require("car.station:audit")
    def post(self, data, car_station_id):
        """审核: approve, or reject with a reason (``remark`` required then)."""
        car_stations.audit_station(get_or_404(CarStation, car_station_id), data["approved"], data["remark"])
        return _one(car_station_id)


@blp.route("/<int:car_station_id>/invoice-config")
class CarStationInvoice(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, InvoiceConfigResultSchema)
    @require("car.station:configure")
    def get(self, car_station_id):
        """发票配置 of the station (``configured: false`` until saved; its orders cannot be invoiced then)."""
        config = stations_config.get_invoice_config(KIND, get_or_404(CarStation, car_station_id))
        return {"configured": config is not None,
                "config": annotate_actor_names([config])[0] if config is not None else None}

    @blp.doc(security=SECURITY)
    @blp.arguments(InvoiceConfigSchema)
    @blp.response(200, InvoiceConfigResultSchema)
    @require("car.station:configure")
    def put(self, data, car_station_id):
        """Save the 发票配置: every field required, 纳税人识别号 15–20 letters/digits, rates 0–1 (2–4 decimals)."""
        config = stations_config.save_invoice_config(KIND, get_or_404(CarStation, car_station_id), data)
        return {"configured": True, "config": annotate_actor_names([config])[0]}


@blp.route("/<int:car_station_id>/payment-config")
class CarStationPayments(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PaymentConfigSchema(many=True))
    @require("car.station:configure")
    def get(self, car_station_id):
        """支付配置: the payment plugins on for the provider that have station settings (secrets: set/unset)."""
        return stations_config.payment_config(KIND, get_or_404(CarStation, car_station_id))


@blp.route("/<int:car_station_id>/payment-config/<plugin>")
class CarStationPayment(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(PaymentSettingsSchema)
    @blp.response(200, PaymentConfigSchema)
    @require("car.station:configure")
    def put(self, data, car_station_id, plugin):
        """Switch a payment plugin on/off for the station and/or save its station settings."""
        return stations_config.save_payment_config(KIND, get_or_404(CarStation, car_station_id), plugin,
                                                   data["enabled"], data["settings"])


@blp.route("/<int:car_station_id>/applications")
class CarStationApplications(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(ApplicationArgs, location="query")
    @blp.response(200, ApplicationPage)
    @require("car.station:detail")
    def get(self, args, car_station_id):
        """私桩申请 of the station, newest first (search by state)."""
        station = get_or_404(CarStation, car_station_id)
        stmt = scoped(sa.select(PrivatePileApplication), PrivatePileApplication)
        page = paginate(PrivatePileApplication, stmt, args, {"created_at": PrivatePileApplication.created_at},
                        "-created_at", [PrivatePileApplication.station_id == station.id,
                                        equals(PrivatePileApplication.state, args["state"])])
        annotate_actor_names(page["items"])
        return page


@blp.route("/<int:car_station_id>/applications/<int:application_id>/review")
class CarStationApplicationReview(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(StationAuditSchema)
    @blp.response(200, ApplicationSchema)
    @require("car.station:audit")
    def post(self, data, car_station_id, application_id):
        """审核 a private-pile application: approve, or reject with a reason."""
        application = get_or_404(PrivatePileApplication, application_id)
        if application.station_id != car_station_id:
            abort(404, message=NOT_FOUND)
        car_stations.review_application(application, data["approved"], data["remark"])
        return annotate_actor_names([application])[0]


@blp.route("/<int:car_station_id>/application-qrcode.png")
@blp.doc(security=SECURITY)
@require("car.station:qrcode")
def application_qrcode(car_station_id):
    """The QR code (PNG) of the station's public private-pile application form."""
    station = get_or_404(CarStation, car_station_id)
    png = render(f"{base_url()}{form_path(station.public_token)}", "labeled", Caption(station=station.name, label="私桩申请", hotline=station.hotline))
    return Response(png, mimetype="image/png", headers={
        "Content-Disposition": f'attachment; filename="private-pile-{station.id}.png"'})


add_state_routes(blp, "/<int:car_station_id>", model=CarStation, param="car_station_id",
                 permission="car.station:state", apply=car_stations.set_station_enabled, load=_one,
                 schema=CarStationSchema, label="汽车电站")
