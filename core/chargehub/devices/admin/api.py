"""Device admin API: 实时状态 of piles and guns, 上下线记录 and 桩交易记录 (``docs/api/devices.md``).

One blueprint under ``/api/v1/admin`` next to the asset blueprints (``/piles/<pile_id>/status`` lives
beside the pile API without touching it). Pile, gun and record ids in URLs are checked against the
caller's scope before the view runs (404). The two searches are also export kinds, asked for through
``POST /api/v1/admin/qrcodes/exports`` like every export.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.api.listing import paginate
from chargehub.assets.car_models import Gun, Pile
from chargehub.devices.admin import status
from chargehub.devices.admin.online_records import annotate_online_records, online_record_conditions
from chargehub.devices.admin.pile_records import annotate_pile_records, pile_record_conditions
from chargehub.devices.admin.schemas import (
    GunStatusSchema,
    OnlineRecordArgs,
    OnlineRecordPage,
    PileRecordArgs,
    PileRecordDetailSchema,
    PileRecordPage,
    PileStatusSchema,
)
from chargehub.devices.models import DeviceOnlineRecord, PileTransactionRecord
from chargehub.exports.kinds import register_kind
from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404, register_path_param, scoped

blp = Blueprint("device_admin", __name__, url_prefix="/api/v1/admin",
                description="设备实时状态、上下线记录与桩交易记录")
SECURITY = [{"bearer": []}]

register_path_param("pile_record_id", PileTransactionRecord)
register_kind("device_online_record", "chargehub.devices.admin.exports:ONLINE_RECORDS")
register_kind("pile_transaction_record", "chargehub.devices.admin.exports:PILE_RECORDS")

ONLINE_SORTABLE = {"occurred_at": DeviceOnlineRecord.occurred_at, "device_name": DeviceOnlineRecord.device_name,
                   "device_code": DeviceOnlineRecord.device_code, "factory_id": DeviceOnlineRecord.factory_id,
                   "device_kind": DeviceOnlineRecord.device_kind, "state": DeviceOnlineRecord.state}
PILE_RECORD_SORTABLE = {"received_at": PileTransactionRecord.received_at,
                        "ended_at": PileTransactionRecord.ended_at, "started_at": PileTransactionRecord.started_at,
                        "trade_no": PileTransactionRecord.trade_no, "amount": PileTransactionRecord.amount,
                        "energy_kwh": PileTransactionRecord.energy_kwh, "pile_code": Pile.code}


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
