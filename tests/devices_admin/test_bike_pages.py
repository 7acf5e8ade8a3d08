"""The e-bike device pages with the Flask test client: the 单车充电记录 menu and page behind its permission,
the device and socket pages' 实时状态 panel wiring, and every new string in English."""
from __future__ import annotations

import re

import pytest

from chargehub.tenancy.permissions import MENU_INDEX
from tests.browser.test_pages import embedded, make_user, signed_in, webui_app  # noqa: F401 - fixture

pytestmark = pytest.mark.smoke
CJK = re.compile(r"[\u4e00-\u9fff]")


def _strings(value) -> list[str]:
    """Every string in a JSON value (labels, params, nested strings)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_bike_record_menu_sits_beside_the_pile_records():
    stats = MENU_INDEX["stats"]
    codes = [child.code for child in stats.children]
    assert codes[codes.index("stats.pile_record") + 1] == "stats.bike_record"
    menu = MENU_INDEX["stats.bike_record"]
    assert (menu.label, menu.label_en, menu.buttons) == ("单车充电记录", "E-bike charge records",
                                                         ("list", "detail", "export"))


def test_bike_record_page_needs_its_permission(webui_app):  # noqa: F811
    allowed = signed_in(webui_app, make_user(webui_app, "13700000601", permissions=("stats.bike_record:list",)))
    page = allowed.get("/admin/stats/bike-records")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    spec = embedded(html, "page-spec")
    assert spec["api"] == "/api/v1/admin/bike-charge-records" and spec["title"] == "单车充电记录"
    assert [s["name"] for s in spec["search"]] == ["station_id", "device_code", "factory_id", "socket_number",
                                                  "trade_no", "stop_reason_code", "review_state", "ended"]
    assert {c["value"]: c["label"] for c in spec["search"][5]["options"]["choices"]}["full"] == "充满自停"
    assert [a["handler"] for a in spec["actions"]] == ["record_detail", "qrcode_export"]
    assert 'data-menu="stats.bike_record"' in html and "单车充电记录" in html
    refused = signed_in(webui_app, make_user(webui_app, "13700000602", permissions=("stats.pile_record:list",)))
    assert refused.get("/admin/stats/bike-records").status_code == 403


def test_device_and_socket_pages_have_the_live_panel(webui_app):  # noqa: F811
    client = signed_in(webui_app, make_user(webui_app, "13700000603", owner=True))
    device = embedded(client.get("/admin/bike/devices").get_data(as_text=True), "page-spec")
    columns = {c["key"]: c for c in device["columns"]}
    assert columns["online"]["labels"] == {"true": "在线", "false": "离线"}
    assert columns["has_fault"]["format"] == "flag" and columns["has_fault"]["labels"] == {"true": "故障"}
    detail = next(a for a in device["actions"] if a["label"] == "详细")
    assert detail["handler"] == "detail_with_live" and detail["params"]["render"] == "bike_device"
    assert detail["params"]["live"] == "/api/v1/admin/bike-devices/{id}/status"
    assert detail["params"]["account"] == "/api/v1/admin/bike-devices/{id}/mqtt-account"
    assert (detail["params"]["account_permission"], detail["params"]["command_permission"]) == (
        "bike.device:edit", "bike.device:command")
    assert detail["params"]["interval"] == 5 and detail["params"]["strings"]["view_account"] == "查看账号"
    html = client.get("/admin/bike/sockets").get_data(as_text=True)
    assert "webui/bike_devices.js" in html and "webui/devices.js" in html
    socket = embedded(html, "page-spec")
    keys = [c["key"] for c in socket["columns"]]
    assert keys[keys.index("state"):keys.index("enabled")] == ["state", "voltage_v", "current_a", "power_w",
                                                                "energy_kwh", "elapsed_s", "faults"]
    states = next(c for c in socket["columns"] if c["key"] == "state")["labels"]
    assert states == {"idle": "空闲中", "plugged": "已插入", "charging": "充电中", "fault": "故障", "offline": "离线"}
    live = next(a for a in socket["actions"] if a["label"] == "详细")["params"]
    assert (live["render"], live["live"]) == ("bike_socket", "/api/v1/admin/bike-sockets/{id}/live")
    assert client.get("/static/webui-assets/webui/bike_devices.js").status_code == 200


@pytest.mark.parametrize("path", ["bike/devices", "bike/sockets", "stats/bike-records", "stats/pile-records"])
def test_every_string_of_the_pages_is_translated(webui_app, path):  # noqa: F811
    client = signed_in(webui_app, make_user(webui_app, "13700000604", owner=True))
    html = client.get(f"/admin/{path}?lang=en").get_data(as_text=True)
    spec = embedded(html, "page-spec")
    untranslated = sorted({s for s in _strings(spec) if CJK.search(s)})
    assert untranslated == [], untranslated
    if path == "bike/devices":
        strings = next(a for a in spec["actions"] if a["handler"] == "detail_with_live")["params"]["strings"]
        assert (strings["account"], strings["reset_password"], strings["socket_no"]) == (
            "MQTT account", "Reset password", "Socket {n}")
        assert strings["socket_states"]["plugged"] == "Plugged in"
        assert strings["account_states"]["unmanaged"] == "Not managed"
    if path == "stats/bike-records":
        assert spec["title"] == "E-bike charge records" and "E-bike charge records" in html
