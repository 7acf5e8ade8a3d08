"""Fixtures of the system-management tests: a signed-in browser-like client with CSRF handling."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE


class SessionClient:
    """A test client that signs in with a cookie session and sends the CSRF token like the admin pages."""

    def __init__(self, app):
        self.client = app.test_client()
        self.token = None

    def fetch_csrf(self) -> str:
        """Get a CSRF token bound to this client's session (as the sign-in page does)."""
        response = self.client.get("/api/v1/auth/csrf")
        self.token = response.json["csrf_token"]
        return self.token

    def sign_in(self, phone=ADMIN_PHONE, password=ADMIN_PASSWORD, **extra):
        self.fetch_csrf()
        return self.post("/api/v1/auth/session", json={"phone": phone, "password": password, **extra})

    def _headers(self, kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token and "X-CSRFToken" not in headers:
            headers["X-CSRFToken"] = self.token
        return headers

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, headers=self._headers(kwargs), **kwargs)

    def put(self, url, **kwargs):
        return self.client.put(url, headers=self._headers(kwargs), **kwargs)

    def delete(self, url, **kwargs):
        return self.client.delete(url, headers=self._headers(kwargs), **kwargs)


@pytest.fixture
def tenant(make_provider, auth_headers):
    """A factory: (provider, its top department, headers of its owner account)."""
    from chargehub.extensions import db
    from chargehub.tenancy.services.org import create_top_department

    def factory(name="服务商A"):
        provider, user = make_provider(name)
        top = create_top_department(provider)
        db.session.commit()
        return provider, top, auth_headers(user)

    return factory


@pytest.fixture
def session_client(app):
    """``session_client()`` -> a new :class:`SessionClient` of the current app."""
    return lambda: SessionClient(app)


class Tenant(dict):
    """Ids of one tenant's rows, by path-parameter name, plus its owners' auth headers."""


def build_tenant(client, admin_headers, auth_headers, tag: str, phone_base: int) -> Tenant:
    """A complete tenant made through the API as the platform administrator."""
    from chargehub.assets.car_models import CarStation
    from chargehub.assets.services.car_stations import submit_application
    from chargehub.extensions import db
    from chargehub.tenancy.models import CollectiveAccount, User

    def ok(response, status=200):
        assert response.status_code == status, response.json
        return response.json

    t = Tenant()
    provider = ok(client.post("/api/v1/admin/providers", headers=admin_headers,
                              json={"name": f"{tag}服务商", "contact": "联系人", "phone": f"139{phone_base:08d}"}), 201)
    t["provider_id"] = provider["id"]
    audit = ok(client.post(f"/api/v1/admin/providers/{provider['id']}/audit", headers=admin_headers,
                           json={"approved": True}))
    t["provider_password"] = audit["initial_password"]
    owner = db.session.execute(db.select(User).where(User.phone == provider["phone"])).scalar_one()
    t["provider_headers"] = auth_headers(owner)
    created = ok(client.post("/api/v1/admin/properties", headers=t["provider_headers"],
                             json={"name": f"{tag}物业", "phone": f"139{phone_base + 1:08d}", "province": "上海"}), 201)
    t["property_id"] = created["property"]["id"]
    prop_owner = db.session.execute(db.select(User).where(User.phone == created["property"]["phone"])).scalar_one()
    t["property_headers"] = auth_headers(prop_owner)
    collective = CollectiveAccount(provider_id=t["provider_id"], property_id=t["property_id"], name=f"{tag}集体户")
    db.session.add_all([collective])
    db.session.commit()
    t.update(collective_id=collective.id)
    # car side (汽车管理): a real station through the API (audited, default area), a space, a camera, an application
    station = ok(client.post("/api/v1/admin/car-stations", headers=t["provider_headers"],
                             json={"property_id": t["property_id"], "name": f"{tag}汽车站"}), 201)
    ok(client.post(f"/api/v1/admin/car-stations/{station['id']}/audit", headers=admin_headers, json={"approved": True}))
    t["car_station_id"] = station["id"]
    t["car_area_id"] = ok(client.get("/api/v1/admin/car-areas", headers=t["provider_headers"],
                                     query_string={"station_id": station["id"]}))["items"][0]["id"]
    t["space_id"] = ok(client.post("/api/v1/admin/spaces", headers=t["provider_headers"],
                                   json={"area_id": t["car_area_id"], "count": 1}), 201)[0]["id"]
    t["camera_id"] = ok(client.post("/api/v1/admin/cameras", headers=t["provider_headers"],
                                    json={"area_id": t["car_area_id"], "factory_id": f"{tag}-CAM-1", "name": f"{tag}相机",
                                          "left_space_id": t["space_id"]}), 201)["id"]
    t["application_id"] = submit_application(db.session.get(CarStation, station["id"]),
                                             {"applicant": f"{tag}申请人", "phone": "13900000000"}).id
    tree = ok(client.get("/api/v1/admin/departments", headers=t["provider_headers"]))["items"]
    top = next(node for node in tree if node["property_id"] is None)
    dept = ok(client.post("/api/v1/admin/departments", headers=t["provider_headers"],
                          json={"parent_id": top["id"], "name": f"{tag}运营部", "order_num": 1}), 201)
    t["department_id"] = dept["id"]
    post = ok(client.post("/api/v1/admin/posts", headers=t["provider_headers"],
                          json={"department_id": dept["id"], "name": f"{tag}运维", "order_num": 1}), 201)
    t["post_id"] = post["id"]
    role = ok(client.post("/api/v1/admin/roles", headers=t["provider_headers"],
                          json={"user_type": "provider", "name": f"{tag}运营", "permissions": ["home:list", "system.user:list"]}), 201)
    t["role_id"] = role["id"]
    user = ok(client.post("/api/v1/admin/users", headers=t["provider_headers"],
                          json={"user_type": "provider", "name": f"{tag}员工", "phone": f"139{phone_base + 2:08d}",
                                "password": "staff-pass-1", "department_id": dept["id"], "post_id": post["id"],
                                "role_ids": [role["id"]]}), 201)
    t["user_id"] = user["id"]
    # e-bike side (单车管理): a station through the API (audited, default area), a device and its first socket
    bike = ok(client.post("/api/v1/admin/bike-stations", headers=t["provider_headers"],
                          json={"property_id": t["property_id"], "name": f"{tag}单车站"}), 201)
    ok(client.post(f"/api/v1/admin/bike-stations/{bike['id']}/audit", headers=admin_headers, json={"approved": True}))
    t["bike_station_id"] = bike["id"]
    t["bike_area_id"] = ok(client.get("/api/v1/admin/bike-areas", headers=t["provider_headers"],
                                      query_string={"station_id": bike["id"]}))["items"][0]["id"]
    device = ok(client.post("/api/v1/admin/devices", headers=t["provider_headers"],
                            json={"area_id": t["bike_area_id"], "factory_id": f"{tag}-DEV-1", "name": f"{tag}设备",
                                  "socket_count": 2}), 201)
    t["device_id"] = device["id"]
    t["socket_id"] = ok(client.get("/api/v1/admin/sockets", headers=t["provider_headers"],
                                   query_string={"device_code": device["code"]}))["items"][0]["id"]
    # a pile (YKC: 14-digit factory id) with one gun under the car area
    pile = ok(client.post("/api/v1/admin/piles", headers=t["provider_headers"],
                          json={"area_id": t["car_area_id"], "factory_id": f"{phone_base:014d}", "name": f"{tag}充电桩",
                                "gun_count": 1}), 201)
    t["pile_id"] = pile["id"]
    t["gun_id"] = pile["guns"][0]["id"]
    # what the gateway writes about that pile: a 上下线记录, live gun figures and a transaction record
    from chargehub.devices.models import ConnectionState, DeviceKind, DeviceOnlineRecord, GunLive, PileTransactionRecord

    owner = {"provider_id": t["provider_id"], "property_id": t["property_id"]}
    record = PileTransactionRecord(station_id=t["car_station_id"], pile_id=pile["id"], gun_id=t["gun_id"], gun_number=1,
                                   trade_no=f"{phone_base:014d}{phone_base:018d}", stop_reason=f"{tag}停止", **owner)
    db.session.add_all([record, GunLive(gun_id=t["gun_id"], pile_id=pile["id"], faults=[{"code": 1, "text": f"{tag}故障"}]),
                        DeviceOnlineRecord(car_station_id=t["car_station_id"], device_kind=DeviceKind.PILE,
                                           device_ref=pile["id"], device_name=pile["name"], device_code=pile["code"],
                                           factory_id=pile["factory_id"], state=ConnectionState.ONLINE, **owner)])
    db.session.commit()
    t["pile_record_id"] = record.id
    # what the gateway writes about the e-bike device: liveness, faults, a socket's live figures, a charge record
    from chargehub.assets.bike_models import BikeDevice
    from chargehub.devices.bike_models import BikeChargeRecord, SocketLive

    bike_device = db.session.get(BikeDevice, t["device_id"])
    bike_device.online, bike_device.firmware = True, f"{tag}固件"
    bike_device.fault_bits, bike_device.faults = 1, [{"bit": 0, "code": "0001", "text": f"{tag}未接地"}]
    bike_record = BikeChargeRecord(station_id=t["bike_station_id"], device_id=t["device_id"], socket_id=t["socket_id"],
                                   socket_number=1, trade_no=f"{tag}{phone_base:018d}", stop_reason=f"{tag}充满",
                                   **owner)
    db.session.add_all([bike_record, SocketLive(socket_id=t["socket_id"], device_id=t["device_id"],
                                                trade_no=f"{phone_base:020d}", faults=[{"bit": 2, "text": f"{tag}过流"}])])
    db.session.commit()
    t["bike_record_id"] = bike_record.id
    from chargehub.exports import ExportFile

    export = ExportFile(provider_id=t["provider_id"], user_id=t["user_id"], kind="gun", filters={})
    db.session.add(export)
    db.session.commit()
    t["export_id"] = export.id
    # charging orders (汽车订单 / 单车订单) at the pile's gun and the device's socket
    from chargehub.charging.models import BikeOrder, CarOrder, OrderState, PayMethod

    order = {**owner, "pay_method": PayMethod.BALANCE, "state": OrderState.CHARGING, "phone": f"139{phone_base + 3:08d}"}
    car_order = CarOrder(station_id=t["car_station_id"], area_id=t["car_area_id"], pile_id=pile["id"], gun_id=t["gun_id"],
                         gun_number=1, trade_no=f"{phone_base:016d}{1:016d}", station_name=f"{tag}汽车站",
                         device_code=pile["code"], **order)
    bike_order = BikeOrder(station_id=t["bike_station_id"], area_id=t["bike_area_id"], device_id=t["device_id"],
                           socket_id=t["socket_id"], socket_number=1, trade_no=f"{phone_base:016d}{2:016d}",
                           station_name=f"{tag}单车站", device_code=device["code"], **order)
    db.session.add_all([car_order, bike_order])
    db.session.commit()
    t.update(car_order_id=car_order.id, bike_order_id=bike_order.id)
    # the car order's payment (支付订单), a refund (退费) and a split share (分账记录)
    from chargehub.payments.models import Payment, PaymentState, Refund, RefundKind, RefundState, Split, SplitState
    from chargehub.payments.service import record_columns

    columns = record_columns(car_order)
    payment = Payment(out_trade_no=f"P{phone_base:024d}", plugin="wechatpay", amount=Decimal("10.00"),
                      state=PaymentState.PAID, **columns)
    db.session.add(payment)
    db.session.flush()
    refund = Refund(out_refund_no=f"R{phone_base:024d}", payment_id=payment.id, plugin="wechatpay", kind=RefundKind.MANUAL,
                    state=RefundState.SUCCESS, amount=Decimal("1.00"), reason=f"{tag}退费", **columns)
    split = Split(out_split_no=f"S{phone_base:024d}", payment_id=payment.id, plugin="wechatpay", amount=Decimal("1.00"),
                  state=SplitState.SUCCESS, lead_merchant="1900000001", receiver_account="1900000002",
                  ratio=Decimal("0.1000"), base_amount=Decimal("10.00"), **columns)
    db.session.add_all([refund, split])
    db.session.commit()
    t.update(payment_id=payment.id, refund_id=refund.id, split_id=split.id)
    # billing rules (计费规则) of the car and the e-bike area
    for side, mode, params in (("car", "car_flat", {"electricity_price": "1.00000", "service_price": "0.80000"}),
                               ("bike", "bike_duration", {"unit_minutes": 60, "unit_price": "1.00000",
                                                          "auto_stop_minutes": 480})):
        rule = ok(client.post(f"/api/v1/admin/{side}/billing-rules", headers=t["provider_headers"],
                              json={"station_id": t[f"{side}_station_id"], "area_id": t[f"{side}_area_id"],
                                    "name": f"{tag}计费", "mode": mode, "params": params}), 201)
        t[f"{side}_billing_rule_id"] = rule["id"]
    return t


@pytest.fixture
def app(make_app):
    """The app of the system tests, with the standard billing modes (a PLATFORM plugin, as in production),
    so the isolation world can hold billing rules."""
    import chargehub_billing_standard.plugin as billing_standard

    application = make_app(plugins=[billing_standard])
    with application.app_context():
        yield application


@pytest.fixture
def world(app, admin_token, auth_headers):
    """Two complete tenants, A and B, built through the API: ``world["A"]``, ``world["B"]``."""
    client = app.test_client()
    return {"A": build_tenant(client, admin_token, auth_headers, "甲", 10000000),
            "B": build_tenant(client, admin_token, auth_headers, "乙", 20000000),
            "client": client}
