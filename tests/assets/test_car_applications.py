"""私桩申请: the public form (CSRF token in the form, validation), the operators' list, review and QR code."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.smoke


@pytest.fixture
def form_client(app, car_world):
    """A browser-like client of the public form (its own cookie session)."""
    return app.test_client()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _apply(form_client, station, **fields):
    url = f"/h5/private-pile/{station['public_token']}"
    page = form_client.get(url)
    assert page.status_code == 200 and station["name"] in page.get_data(as_text=True)
    body = {"csrf_token": _token(page.get_data(as_text=True)), "applicant": "张三", "phone": "13912345678",
            "plate": "鄂A12345", **fields}
    return form_client.post(url, data=body)


def test_form_submits_application_listed_for_operators(car_world, form_client):
    a = car_world["A"]
    answer = _apply(form_client, a["station"], address="光谷一路 1 号")
    assert answer.status_code == 200 and "提交成功" in answer.get_data(as_text=True)
    page = car_world.call("GET", f"/car-stations/{a['station']['id']}/applications", a["headers"])
    assert page["total"] == 1
    item = page["items"][0]
    assert (item["applicant"], item["phone"], item["plate"], item["state"]) == ("张三", "13912345678", "鄂A12345", "pending")
    assert car_world.call("GET", f"/car-stations/{car_world['B']['station']['id']}/applications",
                          car_world["B"]["headers"])["total"] == 0


@pytest.mark.parametrize("fields,message", [
    ({"applicant": ""}, "请填写姓名"),
    ({"phone": "12345"}, "请输入 11 位手机号"),
    ({"phone": ""}, "请填写手机号"),
])
def test_form_validation(car_world, form_client, fields, message):
    answer = _apply(form_client, car_world["A"]["station"], **fields)
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert car_world.call("GET", f"/car-stations/{car_world['A']['station']['id']}/applications")["total"] == 0


def test_form_without_csrf_token_or_for_unknown_station_is_refused(car_world, form_client):
    station = car_world["A"]["station"]
    url = f"/h5/private-pile/{station['public_token']}"
    form_client.get(url)
    refused = form_client.post(url, data={"applicant": "张三", "phone": "13912345678"})
    assert refused.status_code == 400
    assert form_client.get("/h5/private-pile/no-such-token").status_code == 404
    car_world.call("POST", f"/car-stations/{station['id']}/disable")
    assert form_client.get(url).status_code == 404
    assert car_world.call("GET", f"/car-stations/{station['id']}/applications")["total"] == 0


def test_review_application(car_world, form_client):
    a = car_world["A"]
    _apply(form_client, a["station"])
    item = car_world.call("GET", f"/car-stations/{a['station']['id']}/applications", a["headers"])["items"][0]
    url = f"/car-stations/{a['station']['id']}/applications/{item['id']}/review"
    assert "remark" in car_world.call("POST", url, a["headers"], 422, json={"approved": False})["errors"]["json"]
    car_world.call("POST", f"/car-stations/{car_world['B']['station']['id']}/applications/{item['id']}/review",
                   car_world["B"]["headers"], 404, json={"approved": True})
    other = car_world.call("POST", "/car-stations", a["headers"], 201, json={"property_id": a["property_id"], "name": "另站"})
    car_world.call("POST", f"/car-stations/{other['id']}/applications/{item['id']}/review", a["headers"], 404,
                   json={"approved": True})
    reviewed = car_world.call("POST", url, a["headers"], json={"approved": True, "remark": "同意"})
    assert reviewed["state"] == "approved" and reviewed["review_remark"] == "同意"
    assert "已处理" in car_world.call("POST", url, a["headers"], 409, json={"approved": False, "remark": "x"})["message"]
    pending = car_world.call("GET", f"/car-stations/{a['station']['id']}/applications", a["headers"],
                             query_string={"state": "pending"})
    assert pending["total"] == 0


def test_application_qrcode_is_a_png_of_the_form_url(car_world, form_client):
    a = car_world["A"]
    response = car_world["client"].get(f"/api/v1/admin/car-stations/{a['station']['id']}/application-qrcode.png",
                                       headers=a["headers"])
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG") and "attachment" in response.headers["Content-Disposition"]
    assert car_world["client"].get(f"/api/v1/admin/car-stations/{a['station']['id']}/application-qrcode.png",
                                   headers=car_world["B"]["headers"]).status_code == 404
