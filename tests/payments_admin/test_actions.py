"""退费 of an order (through refunds.refund_order: the rule, the balance ledger, the 退费管理 list), 分账撤销 and
重新分账 (their state rules), the buttons' permissions, audit entries and tenant isolation."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.charging.models import BikeOrder, CarOrder, OrderState
from chargehub.extensions import db
from chargehub.members.balance import account, hold, top_up
from chargehub.members.models import Driver
from chargehub.payments.service import balance_payment
from chargehub.tenancy.audit_log import AuditLog
from chargehub.tenancy.models import UserType
from tests.orders_admin.conftest import all_days, make_user
from tests.payments_admin.conftest import PAYMENTS, REFUNDS, SPLITS

pytestmark = pytest.mark.smoke
CAR, BIKE = "/api/v1/admin/car-orders", "/api/v1/admin/bike-orders"


@pytest.fixture
def balance_order(records):
    """A completed car order of A paid from a driver's balance (held at its start, like a balance start)."""
    a = records["A"]
    spec = next(s for s in a["car"][24:] if s["state"] is OrderState.COMPLETED and s["amount"] > 0)
    driver = Driver(phone="13600009999")
    db.session.add(driver)
    db.session.flush()
    order = db.session.get(CarOrder, spec["id"])
    top_up(driver.id, order.provider_id, Decimal("100.00"), "测试充值", commit=False)
    hold(driver.id, order.provider_id, order.prepaid, order.trade_no)
    order.driver_id, order.phone = driver.id, driver.phone
    balance_payment(order)
    db.session.commit()
    return order, driver


def balance(driver, provider_id) -> Decimal:
    db.session.expire_all()
    return account(driver.id, provider_id).balance


def test_balance_refund_credits_the_balance_and_is_listed(records, balance_order):
    a, client = records["A"], records["client"]
    order, driver = balance_order
    url = f"{CAR}/{order.id}/refund"
    quote = client.get(url, headers=a["headers"]).json
    assert quote == {"maximum": str(order.prepaid), "prepaid": str(order.prepaid), "refunded": "0.00",
                     "amount": str(order.amount), "allowed": True, "reason_if_not": ""}
    before = balance(driver, order.provider_id)
    done = client.post(url, headers=a["headers"], json={"amount": "5.00", "reason": "桩故障补偿"})
    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.json
    assert body["refund"]["state"] == "success" and body["refund"]["amount"] == "5.00"
    assert body["refund"]["kind_label"] == "人工退费" and body["refund"]["operator_name"] == a["owner"].name
    assert body["maximum"] == str(order.prepaid - Decimal("5.00")) and body["refunded"] == "5.00"
    assert balance(driver, order.provider_id) == before + Decimal("5.00")
    listed = client.get(REFUNDS, headers=a["headers"], query_string={"trade_no": order.trade_no}).json["items"]
    assert [(r["kind"], r["state_label"], r["amount"], r["phone"], r["reason"]) for r in listed] == [
        ("manual", "退款成功", "5.00", driver.phone, "桩故障补偿")]
    payments = client.get(PAYMENTS, headers=a["headers"], query_string={"trade_no": order.trade_no, **all_days()}).json
    assert [(p["plugin_label"], p["state_label"]) for p in payments["items"]] == [("余额", "已支付")]
    entry = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "order.refund")).scalar_one()
    assert entry.success and entry.target_id == order.id and entry.detail["amount"] == "5.00"


def test_refund_validation(records, balance_order):
    a, client = records["A"], records["client"]
    order, _ = balance_order
    url = f"{CAR}/{order.id}/refund"
    over = str(order.prepaid + Decimal("0.01"))
    refused = client.post(url, headers=a["headers"], json={"amount": over, "reason": "多退"})
    assert refused.status_code == 422 and "amount" in refused.json["errors"]["json"]
    blank = client.post(url, headers=a["headers"], json={"amount": "1.00", "reason": "  "})
    assert blank.status_code == 422 and "reason" in blank.json["errors"]["json"]
    assert client.post(url, headers=a["headers"], json={"amount": "1.00"}).status_code == 422
    for amount in ("1.234", "-1", "0", "abc", 1.5):
        bad = client.post(url, headers=a["headers"], json={"amount": amount, "reason": "x"})
        assert bad.status_code == 422, amount
    charging = next(s for s in a["car"] if s["state"] is OrderState.CHARGING)
    quote = client.get(f"{CAR}/{charging['id']}/refund", headers=a["headers"]).json
    assert quote["allowed"] is False and "订单完成" in quote["reason_if_not"]
    conflict = client.post(f"{CAR}/{charging['id']}/refund", headers=a["headers"],
                           json={"amount": "1.00", "reason": "x"})
    assert conflict.status_code == 409 and "订单完成" in conflict.json["message"]
    bike = next(s for s in a["bike"] if s["state"] is not OrderState.COMPLETED)
    assert client.post(f"{BIKE}/{bike['id']}/refund", headers=a["headers"],
                       json={"amount": "1.00", "reason": "x"}).status_code == 409
    zero = db.session.get(BikeOrder, next(s for s in a["bike"] if s["state"] is OrderState.COMPLETED)["id"])
    zero.amount = Decimal("0.00")
    db.session.commit()
    assert client.get(f"{BIKE}/{zero.id}/refund", headers=a["headers"]).json["allowed"] is False
    assert client.get(url, headers=a["headers"]).json["refunded"] == "0.00"  # nothing of the refusals stuck
    failed = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "order.refund")).scalars().all()
    assert failed and not any(e.success for e in failed)


def test_revoke_only_a_successful_split_and_resplit_only_a_failed_one(records):
    a, client = records["A"], records["client"]
    by_state = {s["state"].value: s for s in a["splits"] if s["order"].kind == "car"}
    failed, success = by_state["failed"], by_state["success"]
    refused = client.post(f"{SPLITS}/{failed['id']}/revoke", headers=a["headers"])
    assert refused.status_code == 409 and "只有分账成功" in refused.json["message"]
    # a successful share passes the state rule; the station has no payment configuration to take it back
    unconfigured = client.post(f"{SPLITS}/{success['id']}/revoke", headers=a["headers"])
    assert unconfigured.status_code == 409 and "支付配置" in unconfigured.json["message"]
    item = client.get(SPLITS, headers=a["headers"], query_string={"out_split_no": success["out_split_no"]}).json
    assert item["items"][0]["state"] == "success"  # unchanged
    refused = client.post(f"{SPLITS}/{success['id']}/resplit", headers=a["headers"])
    assert refused.status_code == 409 and "只有分账失败" in refused.json["message"]
    unconfigured = client.post(f"{SPLITS}/{failed['id']}/resplit", headers=a["headers"])
    assert unconfigured.status_code == 409 and "未开启分账" in unconfigured.json["message"]
    entries = db.session.execute(sa.select(AuditLog.action, AuditLog.target_id, AuditLog.success).where(
        AuditLog.action.like("split.%")).order_by(AuditLog.id)).all()
    assert entries == [("split.revoke", failed["id"], False), ("split.revoke", success["id"], False),
                       ("split.resplit", success["id"], False), ("split.resplit", failed["id"], False)]
    splits = client.get(f"{CAR}/{failed['order'].id}/splits", headers=a["headers"]).json
    assert splits["trade_no"] == failed["order"].trade_no and [s["id"] for s in splits["splits"]] == [failed["id"]]


def test_buttons_need_their_permissions(records, balance_order, auth_headers):
    a, client = records["A"], records["client"]
    order, _ = balance_order
    viewer = auth_headers(make_user(a, UserType.PROVIDER, ["order.car:list", "order.car:detail", "order.bike:split",
                                                            "stats.split:list", "order.payment:list",
                                                            "order.refund:list"]))
    assert client.get(f"{CAR}/{order.id}/refund", headers=viewer).status_code == 403
    refused = client.post(f"{CAR}/{order.id}/refund", headers=viewer, json={"amount": "1.00", "reason": "x"})
    assert refused.status_code == 403
    assert client.get(f"{CAR}/{order.id}/splits", headers=viewer).status_code == 403
    car_split = next(s for s in a["splits"] if s["order"].kind == "car" and s["state"].value == "failed")
    bike_split = next(s for s in a["splits"] if s["order"].kind == "bike" and s["state"].value == "success")
    assert client.post(f"{SPLITS}/{car_split['id']}/resplit", headers=viewer).status_code == 403  # a car split
    assert client.post(f"{SPLITS}/{bike_split['id']}/resplit", headers=viewer).status_code == 409  # may, refused
    assert client.post(f"{SPLITS}/{bike_split['id']}/revoke", headers=viewer).status_code == 403
    assert client.get(f"{PAYMENTS}/{a['payments'][0]['id']}", headers=viewer).status_code == 403
    assert client.get(f"{REFUNDS}/{a['refunds'][0]['id']}", headers=viewer).status_code == 403
    nobody = auth_headers(make_user(a, UserType.PROVIDER, ["order.car:list"]))
    assert client.get(SPLITS, headers=nobody).status_code == 403
    assert client.get(PAYMENTS, headers=nobody).status_code == 403
    assert client.get(REFUNDS, headers=nobody).status_code == 403


def test_another_providers_ids_are_404(records, balance_order):
    a, b, client = records["A"], records["B"], records["client"]
    order, _ = balance_order
    h = b["headers"]
    assert client.get(f"{PAYMENTS}/{a['payments'][0]['id']}", headers=h).status_code == 404
    assert client.get(f"{REFUNDS}/{a['refunds'][0]['id']}", headers=h).status_code == 404
    assert client.post(f"{SPLITS}/{a['splits'][1]['id']}/revoke", headers=h).status_code == 404
    assert client.post(f"{SPLITS}/{a['splits'][2]['id']}/resplit", headers=h).status_code == 404
    assert client.get(f"{CAR}/{order.id}/refund", headers=h).status_code == 404
    refused = client.post(f"{CAR}/{order.id}/refund", headers=h, json={"amount": "oops"})  # 404 before validation
    assert refused.status_code == 404
    assert client.get(f"{CAR}/{order.id}/splits", headers=h).status_code == 404
    assert client.get(f"{PAYMENTS}/{b['payments'][0]['id']}", headers=h).status_code == 200
    other = next(p for p in a["payments"] if p["order"].property_id != a["property"].id)
    assert client.get(f"{PAYMENTS}/{other['id']}", headers=a["property_headers"]).status_code == 404
