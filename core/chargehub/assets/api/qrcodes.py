"""二维码与导出 API: a gun's or socket's QR code as a PNG, and QR-code exports of a list search.

Gun, socket and export ids in the URL are checked against the caller's scope before the view runs
(404); an export is visible and downloadable only by the user who asked for it.
"""
from __future__ import annotations

import io

import marshmallow as ma
from flask import send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from chargehub.assets.bike_models import Socket
from chargehub.assets.car_models import Gun
from chargehub.exports import ExportFile, ExportState, file_path, get_source, kind_names, start_export
from chargehub.qrcodes import TEMPLATES, charge_url, render
from chargehub.qrcodes.sources import gun_caption, socket_caption
from chargehub.tenancy.auth import current_user, has_permission, require
from chargehub.tenancy.scope import NOT_FOUND, get_or_404, register_path_param

blp = Blueprint("qrcodes", __name__, url_prefix="/api/v1/admin/qrcodes", description="二维码与导出")
SECURITY = [{"bearer": []}]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

register_path_param("export_id", ExportFile)


class TemplateArgs(ma.Schema):
    """``?template=``: which of the manual's three QR templates."""

    class Meta:
        unknown = ma.EXCLUDE

    template = ma.fields.String(load_default="plain", validate=ma.validate.OneOf(TEMPLATES),
                                metadata={"description": "plain 仅二维码 / labeled 带文字 / card 打印卡片"})


def _known_kind(kind: str) -> None:
    if kind not in kind_names():
        raise ma.ValidationError(f"导出类型无效，可选: {', '.join(kind_names())} (unknown export kind)")


class ExportPayload(ma.Schema):
    """What to export: a kind and the search args of its list page."""

    kind = ma.fields.String(required=True, validate=_known_kind, metadata={"description": "gun 电枪 / socket 插座"})
    filters = ma.fields.Dict(load_default=dict, metadata={"description": "与列表页相同的搜索条件"})


class ExportSchema(ma.Schema):
    """An export's state; ``download_url`` once it is done."""

    export_id = ma.fields.Integer(attribute="id")
    job_id = ma.fields.String()
    kind = ma.fields.String()
    filters = ma.fields.Dict()
    state = ma.fields.Function(lambda e: e.state.value)
    progress = ma.fields.Float()
    rows = ma.fields.Integer()
    filename = ma.fields.String()
    error = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    finished_at = ma.fields.DateTime(allow_none=True)
    download_url = ma.fields.Method("_download_url", allow_none=True)

    def _download_url(self, export: ExportFile) -> str | None:
        if export.state is not ExportState.DONE:
            return None
        return url_for("qrcodes.ExportDownload", export_id=export.id)


def _png(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype="image/png", as_attachment=True, download_name=name,
                     max_age=0)


@blp.route("/guns/<int:gun_id>.png")
class GunQrCode(MethodView):
    @blp.doc(security=SECURITY, responses={200: {"description": "PNG", "content": {"image/png": {}}}})
    @blp.arguments(TemplateArgs, location="query")
    @require("car.gun:qrcode")
    def get(self, args, gun_id):
        """The gun's QR code (its stable charging URL) as a PNG download in the chosen template."""
        gun = get_or_404(Gun, gun_id)
        caption = gun_caption(gun)
        return _png(render(charge_url("gun", gun.qr_token), args["template"], caption),
                    f"gun-{caption.code}-{args['template']}.png")


@blp.route("/sockets/<int:socket_id>.png")
class SocketQrCode(MethodView):
    @blp.doc(security=SECURITY, responses={200: {"description": "PNG", "content": {"image/png": {}}}})
    @blp.arguments(TemplateArgs, location="query")
    @require("bike.socket:qrcode")
    def get(self, args, socket_id):
        """The socket's QR code (its stable charging URL) as a PNG download in the chosen template."""
        socket = get_or_404(Socket, socket_id)
        caption = socket_caption(socket)
        return _png(render(charge_url("socket", socket.qr_token), args["template"], caption),
                    f"socket-{caption.code}-{args['template']}.png")


@blp.route("/exports")
class Exports(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(ExportPayload)
    @blp.response(202, ExportSchema)
    @require()
    def post(self, data):
        """Export the QR codes of a gun or socket search to .xlsx, as a job; poll the returned export."""
        source = get_source(data["kind"])
        if not has_permission(source.permission):
            abort(403, message=f"无权限执行此操作 (missing permission {source.permission})")
        return start_export(data["kind"], data["filters"], current_user())


def _own_export(export_id: int) -> ExportFile:
    export = get_or_404(ExportFile, export_id)
    if export.user_id != current_user().id:
        abort(404, message=NOT_FOUND)
    return export


@blp.route("/exports/<int:export_id>")
class ExportItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, ExportSchema)
    @require()
    def get(self, export_id):
        """State, progress (0–1), rows written and, when done, the download URL of one's own export."""
        return _own_export(export_id)


@blp.route("/exports/<int:export_id>/download")
class ExportDownload(MethodView):
    @blp.doc(security=SECURITY, responses={200: {"description": ".xlsx", "content": {XLSX: {}}}})
    @require()
    def get(self, export_id):
        """The finished .xlsx (only for the user who asked for it)."""
        export = _own_export(export_id)
        if export.state is not ExportState.DONE:
            abort(409, message=f"导出尚未完成（当前状态 {export.state.value}），请稍后再下载 (export not finished)")
        path = file_path(export)
        if path is None or not path.exists():
            abort(404, message="导出文件已不存在，请重新导出 (the file is gone; export again)")
        return send_file(path, mimetype=XLSX, as_attachment=True, download_name=export.filename, max_age=0)
