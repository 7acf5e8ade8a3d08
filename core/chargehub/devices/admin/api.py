"""Device admin API: 实时状态 of piles, guns, e-bike devices and sockets, the e-bike devices' MQTT 账号,
上下线记录, 桩交易记录 and 单车充电记录 (``docs/api/devices.md``).

One blueprint under ``/api/v1/admin`` next to the asset blueprints (``/piles/<pile_id>/status`` lives
beside the pile API without touching it). Device and record ids in URLs are checked against the
caller's scope before the view runs (404). The three searches are also export kinds, asked for through
``POST /api/v1/admin/qrcodes/exports`` like every export.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.listing import paginate
from chargehub.assets.bike_models import BikeDevice, Socket
from chargehub.assets.car_models import Gun, Pile
from chargehub.devices import accounts
from chargehub.devices.admin import bike_status, status
from chargehub.devices.admin.bike_records import annotate_bike_records, bike_record_conditions
from chargehub.devices.admin.online_records import annotate_online_records, online_record_conditions
from chargehub.devices.admin.pile_records import annotate_pile_records, pile_record_conditions
from chargehub.devices.admin.schemas import (
    BikeDeviceStatusSchema,
    BikeRecordArgs,
    BikeRecordDetailSchema,
    BikeRecordPage,
    BikeSocketStatusSchema,
    GunStatusSchema,
    MqttAccountSchema,
    OnlineRecordArgs,
    OnlineRecordPage,
    PileRecordArgs,
    PileRecordDetailSchema,
    PileRecordPage,
    PileStatusSchema,
)
from chargehub.devices.bike_models import BikeChargeRecord
from chargehub.devices.models import DeviceOnlineRecord, PileTransactionRecord
from chargehub.exports.kinds import register_kind
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, register_path_param, scoped

blp = Blueprint("device_admin", __name__, url_prefix="/api/v1/admin",
                description="设备实时状态、MQTT 账号、上下线记录、桩交易记录与单车充电记录")
SECURITY = [{"bearer": []}]

register_path_param("pile_record_id", PileTransactionRecord)
register_path_param("bike_record_id", BikeChargeRecord)
register_kind("device_online_record", "chargehub.devices.admin.exports:ONLINE_RECORDS")
register_kind("pile_transaction_record", "chargehub.devices.admin.exports:PILE_RECORDS")
register_kind("bike_charge_record", "chargehub.devices.admin.exports:BIKE_RECORDS")

ONLINE_SORTABLE = {"occurred_at": DeviceOnlineRecord.occurred_at, "device_name": DeviceOnlineRecord.device_name,
                   "device_code": DeviceOnlineRecord.device_code, "factory_id": DeviceOnlineRecord.factory_id,
                   "device_kind": DeviceOnlineRecord.device_kind, "state": DeviceOnlineRecord.state}
PILE_RECORD_SORTABLE = {"received_at": PileTransactionRecord.received_at,
                        "ended_at": PileTransactionRecord.ended_at, "started_at": PileTransactionRecord.started_at,
                        "trade_no": PileTransactionRecord.trade_no, "amount": PileTransactionRecord.amount,
                        "energy_kwh": PileTransactionRecord.energy_kwh, "pile_code": Pile.code}
BIKE_RECORD_SORTABLE = {"received_at": BikeChargeRecord.received_at, "ended_at": BikeChargeRecord.ended_at,
                        "started_at": BikeChargeRecord.started_at, "trade_no": BikeChargeRecord.trade_no,
                        "energy_kwh": BikeChargeRecord.energy_kwh, "elapsed_s": BikeChargeRecord.elapsed_s,
                        "device_code": BikeDevice.code}


@blp.route("/piles/<int:pile_id>/status")
class PileStatus(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PileStatusSchema)
    @require("car.pile:detail")
    def get(self, pile_id):
        """实时状态 of a pile: online, last heartbeat, firmware, billing model and each gun's live figures."""
        return status.pile_status(get_or_404(Pile, pile_id))


@blp.route("/guns/<int:gun_id>/live")
class GunLiveStatus(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, GunStatusSchema)
    @require("car.gun:detail")
    def get(self, gun_id):
        """实时状态 of a gun: its live figures, faults in words, lock, last start / stop, and its pile's liveness."""
        return status.gun_status(get_or_404(Gun, gun_id))


@blp.route("/bike-devices/<int:device_id>/status")
class BikeDeviceStatus(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, BikeDeviceStatusSchema)
    @require("bike.device:detail")
    def get(self, device_id):
        """实时状态 of an e-bike charger: online, firmware, faults in words, account state, its sockets' live figures."""
        return bike_status.device_status(get_or_404(BikeDevice, device_id))


@blp.route("/bike-sockets/<int:socket_id>/live")
class BikeSocketLive(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, BikeSocketStatusSchema)
    @require("bike.socket:detail")
    def get(self, socket_id):
        """实时状态 of a socket: its live figures, faults in words, last start / stop, and its device's liveness."""
        return bike_status.socket_status(get_or_404(Socket, socket_id))


@blp.route("/bike-devices/<int:device_id>/mqtt-account")
class BikeDeviceAccount(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, MqttAccountSchema)
    @require("bike.device:edit")
    def get(self, device_id):
        """查看账号: the charger's broker, client id, username and password (audited)."""
        return bike_status.mqtt_account(get_or_404(BikeDevice, device_id))


@blp.route("/bike-devices/<int:device_id>/mqtt-account/reset")
class BikeDeviceAccountReset(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, MqttAccountSchema)
    @require("bike.device:edit")
    def post(self, device_id):
        """重置密码: a new password for the charger's broker account (audited; pushed to the broker by a job)."""
        return accounts.reset_password(get_or_404(BikeDevice, device_id))


@blp.route("/device-online-records")
class OnlineRecords(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(OnlineRecordArgs, location="query")
    @blp.response(200, OnlineRecordPage)
    @require("stats.online:list")
    def get(self, args):
        """上下线记录: search by device name, code, sn (factory id), kind, connection state and record date."""
        statement = scoped(sa.select(DeviceOnlineRecord), DeviceOnlineRecord)
        page = paginate(DeviceOnlineRecord, statement, args, ONLINE_SORTABLE, "-occurred_at",
                        online_record_conditions(args))
        annotate_online_records(page["items"])
        return page


@blp.route("/pile-transaction-records")
class PileRecords(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(PileRecordArgs, location="query")
    @blp.response(200, PileRecordPage)
    @require("stats.pile_record:list")
    def get(self, args):
        """桩交易记录: search by station, pile code, factory id, trade number, review state, stop reason, end date."""
        statement = scoped(sa.select(PileTransactionRecord).join(Pile, Pile.id == PileTransactionRecord.pile_id),
                           PileTransactionRecord)
        page = paginate(PileTransactionRecord, statement, args, PILE_RECORD_SORTABLE, "-received_at",
                        pile_record_conditions(args))
        annotate_pile_records(page["items"])
        return page


@blp.route("/pile-transaction-records/<int:pile_record_id>")
class PileRecordItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PileRecordDetailSchema)
    @require("stats.pile_record:detail")
    def get(self, pile_record_id):
        """One transaction record with its rate lines (periods), meter readings and the frame in hex."""
        return annotate_pile_records([get_or_404(PileTransactionRecord, pile_record_id)])[0]


@blp.route("/bike-charge-records")
class BikeRecords(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(BikeRecordArgs, location="query")
    @blp.response(200, BikeRecordPage)
    @require("stats.bike_record:list")
    def get(self, args):
        """单车充电记录: search by station, device code, factory id, socket, order number, stop reason, review state,
        end date."""
        statement = scoped(sa.select(BikeChargeRecord).join(BikeDevice, BikeDevice.id == BikeChargeRecord.device_id),
                           BikeChargeRecord)
        page = paginate(BikeChargeRecord, statement, args, BIKE_RECORD_SORTABLE, "-received_at",
                        bike_record_conditions(args))
        annotate_bike_records(page["items"])
        return page


@blp.route("/bike-charge-records/<int:bike_record_id>")
class BikeRecordItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, BikeRecordDetailSchema)
    @require("stats.bike_record:detail")
    def get(self, bike_record_id):
        """One charge record with its faults in words and the message as received."""
        return annotate_bike_records([get_or_404(BikeChargeRecord, bike_record_id)])[0]
