"""QR PNG downloads through the admin API: templates, attachment, scope and permissions."""
from __future__ import annotations

import pytest

from chargehub.assets.bike_models import Socket
from chargehub.assets.car_models import Gun
from chargehub.extensions import db
from chargehub.tenancy.models import User, UserType
from chargehub.tenancy.passwords import hash_password
from tests.qrcodes.conftest import PUBLIC_URL, decode_png

pytestmark = pytest.mark.smoke

BASE = "/api/v1/admin/qrcodes"


@pytest.mark.parametrize("template", ["plain", "labeled", "card"])
def test_gun_png_download_decodes_to_its_charge_url(qr_world, template):
    a = qr_world["A"]
    gun = db.session.get(Gun, a["gun_ids"][1])
    response = qr_world["client"].get(f"{BASE}/guns/{gun.id}.png", headers=a["headers"],
                                      query_string={"template": template})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"AP0001-02-{template}.png" in disposition
    assert decode_png(response.data) == f"{PUBLIC_URL}/h5/charge/g/{gun.qr_token}"


def test_socket_png_download_decodes_to_its_charge_url(qr_world):
    a = qr_world["A"]
    socket = db.session.get(Socket, a["socket_ids"][0])
    response = qr_world["client"].get(f"{BASE}/sockets/{socket.id}.png?template=card", headers=a["headers"])
    assert response.status_code == 200
    assert decode_png(response.data) == f"{PUBLIC_URL}/h5/charge/s/{socket.qr_token}"


def test_default_template_is_plain_and_bad_template_is_422(qr_world):
    a, client = qr_world["A"], qr_world["client"]
    plain = client.get(f"{BASE}/guns/{a['gun_ids'][0]}.png", headers=a["headers"])
    assert plain.status_code == 200 and "-plain.png" in plain.headers["Content-Disposition"]
    bad = client.get(f"{BASE}/guns/{a['gun_ids'][0]}.png?template=poster", headers=a["headers"])
    assert bad.status_code == 422
    assert "template" in bad.json["errors"]["query"]


def test_foreign_gun_and_socket_ids_answer_404(qr_world):
    a, b, client = qr_world["A"], qr_world["B"], qr_world["client"]
    assert client.get(f"{BASE}/guns/{a['gun_ids'][0]}.png", headers=b["headers"]).status_code == 404
    assert client.get(f"{BASE}/sockets/{a['socket_ids'][0]}.png", headers=b["headers"]).status_code == 404
    assert client.get(f"{BASE}/guns/999999.png", headers=a["headers"]).status_code == 404


def test_qrcode_permission_is_required(qr_world, auth_headers):
    a = qr_world["A"]
    clerk = User(phone="13912340000", name="无权限员工", password_hash=hash_password("clerk-pass-123"),
                 user_type=UserType.PROVIDER, provider_id=a["provider"].id)
    db.session.add(clerk)
    db.session.commit()
    headers = auth_headers(clerk)
    client = qr_world["client"]
    assert client.get(f"{BASE}/guns/{a['gun_ids'][0]}.png", headers=headers).status_code == 403
    assert client.get(f"{BASE}/sockets/{a['socket_ids'][0]}.png", headers=headers).status_code == 403
    refused = client.post(f"{BASE}/exports", headers=headers, json={"kind": "gun"})
    assert refused.status_code == 403 and "car.gun:qrcode" in refused.json["message"]
    assert client.get(f"{BASE}/guns/{a['gun_ids'][0]}.png").status_code == 401
