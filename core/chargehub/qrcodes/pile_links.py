"""``/h5/charge/p/<pile code><gun number>``: the QR code a pile draws itself from the pushed prefix.

Piles that print their own QR code (YKC 0xF0) append their 14-digit code and 2-digit gun number to
:func:`~chargehub.qrcodes.links.pile_qr_prefix`; this redirects to the gun's stable charging URL, so
both stickers and pile screens lead to the same page.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, abort, redirect

from chargehub.assets.car_models import Gun, Pile
from chargehub.extensions import db
from chargehub.qrcodes.links import charge_url

bp = Blueprint("h5_pile_qr", __name__, url_prefix="/h5/charge/p")
PILE_GUN = re.compile(r"^(?P<pile>\d{14})(?P<gun>\d{2})$")


@bp.route("/<code>")
def pile_gun(code: str):
    """302 to the gun's charging URL; 404 for a malformed code or an unknown pile / gun."""
    match = PILE_GUN.match(code)
    if match is None:
        abort(404)
    token = db.session.execute(sa.select(Gun.qr_token).join(Pile, Pile.id == Gun.pile_id).where(
        Pile.factory_id == match["pile"], Gun.number == int(match["gun"]))).scalar_one_or_none()
    if token is None:
        abort(404)
    return redirect(charge_url("gun", token), code=302)
