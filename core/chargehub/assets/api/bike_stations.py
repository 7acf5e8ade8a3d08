"""单车电站 (3.3.1): list, add, edit, audit, enable / disable, invoice and payment configuration."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.actions import add_state_routes
from chargehub.api.audit_fields import annotate_actor_names
from chargehub.api.listing import contains, equals, paginate
from chargehub.assets.api.bike_schemas import (
    BikeStationArgs,
    BikeStationDetailSchema,
    BikeStationPage,
    BikeStationSchema,
    BikeStationUpdateSchema,
)
from chargehub.assets.api.config_schemas import (
    InvoiceConfigResultSchema,
    InvoiceConfigSchema,
    PaymentConfigSchema,
    PaymentSettingsSchema,
)
from chargehub.assets.bike_models import BikeStation
from chargehub.assets.services import bike_stations, stations_config
from chargehub.tenancy.api.tenant_schemas import AuditSchema
from chargehub.tenancy.auth import current_user, require
from chargehub.tenancy.models import StationKind
from chargehub.tenancy.scope import get_or_404, scoped

blp = Blueprint("bike_stations", __name__, url_prefix="/api/v1/admin/bike-stations", description="单车电站")
SECURITY = [{"bearer": []}]
SORTABLE = {"created_at": BikeStation.created_at, "name": BikeStation.name}
KIND = StationKind.BIKE


def _one(station_id: int) -> BikeStation:
    return bike_stations.annotate_bike_stations(annotate_actor_names([get_or_404(BikeStation, station_id)]))[0]


def _detail(station_id: int) -> BikeStation:
    station = _one(station_id)
    station.history = bike_stations.bike_station_history(station)
    return station


def _invoice(station: BikeStation) -> dict:
    config = stations_config.get_invoice_config(KIND, station)
    if config is not None:
        annotate_actor_names([config])
    return {"configured": config is not None, "config": config}


@blp.route("")
class BikeStations(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(BikeStationArgs, location="query")
    @blp.response(200, BikeStationPage)
    @require("bike.station:list")
    def get(self, args):
        """Search stations (name, audit state, state); items carry area / device / socket totals."""
        page = paginate(BikeStation, scoped(sa.select(BikeStation), BikeStation), args, SORTABLE, "-created_at", [
            contains(BikeStation.name, args["name"]),
            equals(BikeStation.audit_state, args["audit_state"]),
            equals(BikeStation.enabled, args["enabled"]),
        ])
        bike_stations.annotate_bike_stations(annotate_actor_names(page["items"]))
        return page

    @blp.doc(security=SECURITY)
    @blp.arguments(BikeStationSchema)
    @blp.response(201, BikeStationSchema)
    @require("bike.station:add")
    def post(self, data):
        """Add a station under a property (with its default area); it waits for audit."""
        return _one(bike_stations.create_bike_station(data, current_user()).id)


@blp.route("/<int:bike_station_id>")
class BikeStationItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, BikeStationDetailSchema)
    @require("bike.station:detail")
    def get(self, bike_station_id):
        """详细: every field, the area / device / socket totals and the 审核 / 修改 history."""
        return _detail(bike_station_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(BikeStationUpdateSchema)
    @blp.response(200, BikeStationSchema)
    @require("bike.station:edit")
    def put(self, data, bike_station_id):
        """修改: name, short name, service phone, operation type, hours, power limit, address."""
        bike_stations.update_bike_station(get_or_404(BikeStation, bike_station_id), data)
        return _one(bike_station_id)


@blp.route("/<int:bike_station_id>/audit")
class BikeStationAudit(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(AuditSchema)
    @blp.response(200, BikeStationSchema)
    @require("bike.station:audit")
    def post(self, data, bike_station_id):
        """审核: approve, or reject with a reason."""
        bike_stations.audit_bike_station(get_or_404(BikeStation, bike_station_id), data["approved"], data["remark"])
        return _one(bike_station_id)


@blp.route("/<int:bike_station_id>/invoice-config")
class BikeStationInvoice(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, InvoiceConfigResultSchema)
    @require("bike.station:configure")
    def get(self, bike_station_id):
        """发票配置 of the station (``configured`` false until saved: its orders cannot be invoiced)."""
        return _invoice(get_or_404(BikeStation, bike_station_id))

    @blp.doc(security=SECURITY)
    @blp.arguments(InvoiceConfigSchema)
    @blp.response(200, InvoiceConfigResultSchema)
    @require("bike.station:configure")
    def put(self, data, bike_station_id):
        """Save the 发票配置 (every field required)."""
        station = get_or_404(BikeStation, bike_station_id)
        stations_config.save_invoice_config(KIND, station, data)
        return _invoice(station)


@blp.route("/<int:bike_station_id>/payment-config")
class BikeStationPayments(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PaymentConfigSchema(many=True))
    @require("bike.station:configure")
    def get(self, bike_station_id):
        """支付配置: the payment plugins this station may use, with their station settings."""
        return stations_config.payment_config(KIND, get_or_404(BikeStation, bike_station_id))


@blp.route("/<int:bike_station_id>/payment-config/<plugin>")
class BikeStationPayment(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(PaymentSettingsSchema)
    @blp.response(200, PaymentConfigSchema)
    @require("bike.station:configure")
    def put(self, data, bike_station_id, plugin):
        """Switch a payment plugin on / off for the station and store its station settings."""
        return stations_config.save_payment_config(KIND, get_or_404(BikeStation, bike_station_id), plugin,
                                                   data.get("enabled"), data.get("settings"))


add_state_routes(blp, "/<int:bike_station_id>", model=BikeStation, param="bike_station_id",
                 permission="bike.station:state", apply=bike_stations.set_bike_station_enabled, load=_one,
                 schema=BikeStationSchema, label="电站")
