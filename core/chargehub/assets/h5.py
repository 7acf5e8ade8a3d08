"""私桩申请 (3.2.1 item 7): the public form a driver opens by scanning a station's application QR code.

``GET /h5/private-pile/<public_token>`` shows the form; ``POST`` validates it (name, 11-digit mobile
number; plate, address and remark optional) and stores a pending application for the operators to
review. No sign-in: the station's unguessable ``public_token`` is the only key, and the form carries
a CSRF token (Flask-WTF) bound to the visitor's session.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from chargehub.assets.services import car_stations

bp = Blueprint("h5_private_pile", __name__, url_prefix="/h5/private-pile", template_folder="templates")
PATH = "/h5/private-pile/"


def form_path(public_token: str) -> str:
    """The path of a station's public application form (QR codes put the public base URL in front)."""
    return f"{PATH}{public_token}"


class ApplicationForm(FlaskForm):
    """The fields a driver fills in; messages in Chinese first, English in parentheses."""

    applicant = StringField("姓名", validators=[
        DataRequired("请填写姓名 (enter your name)"), Length(max=50, message="姓名最多 50 个字符 (at most 50 characters)")])
    phone = StringField("手机号", validators=[
        DataRequired("请填写手机号 (enter your mobile number)"),
        Regexp(r"^1\d{10}$", message="请输入 11 位手机号 (an 11-digit mobile number)")])
    plate = StringField("车牌号", validators=[Optional(), Length(max=20, message="车牌号最多 20 个字符 (at most 20 characters)")])
    address = StringField("安装地址", validators=[
        Optional(), Length(max=200, message="地址最多 200 个字符 (at most 200 characters)")])
    remark = TextAreaField("备注", validators=[Optional(), Length(max=500, message="备注最多 500 个字符 (at most 500 characters)")])


@bp.route("/<public_token>", methods=["GET", "POST"], endpoint="form")
def application_form(public_token: str):
    """Show the form, or store a valid submission and thank the driver (400 with messages when invalid)."""
    station = car_stations.station_by_token(public_token)
    if station is None:
        abort(404)
    form = ApplicationForm()
    if form.validate_on_submit():
        car_stations.submit_application(station, {name: form.data[name] for name in
                                                  ("applicant", "phone", "plate", "address", "remark")})
        return render_template("h5/private_pile.html", station=station, form=None, submitted=True)
    status = 400 if form.is_submitted() else 200
    return render_template("h5/private_pile.html", station=station, form=form, submitted=False), status
