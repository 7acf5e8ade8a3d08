"""退费 and 分账 of one order (manual 3.4.1 §4, 3.4.2 §4–5), under ``/car-orders`` and ``/bike-orders``.

- ``GET …/<id>/refund``: what may be returned now (最大退费金额 = 预付金额 − 已退费金额) and whether 退费 is
  allowed (订单完成 with an amount above zero), with the reason when not;
- ``POST …/<id>/refund`` ``{amount: "12.30", reason}``: :func:`chargehub.payments.refunds.refund_order`
  (409 when the order does not allow it, 422 for a bad amount, one above the maximum or no reason);
- ``GET …/<id>/splits``: the order's split shares, for 分账 (a failed one is sent again with
  ``POST /api/v1/admin/splits/<split_id>/resplit``).

Each side needs its menu's button (``order.car:refund``, ``order.bike:split``, ...); order ids are
checked against the caller's scope before the view runs (404).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.charging.models import BikeOrder, CarOrder, OrderState, PayMethod
from chargehub.members.balance import money
from chargehub.payments.admin.api import SECURITY, audited
from chargehub.payments.admin.order_rows import OrderRefundRowSchema, refund_rows, split_rows
from chargehub.payments.admin.schemas import OrderSplitsSchema, RefundPayload, RefundQuoteSchema
from chargehub.payments.refunds import refund_order
from chargehub.tenancy.auth import current_user, require
from chargehub.tenancy.scope import get_or_404

blp = Blueprint("payment_order_actions", __name__, url_prefix="/api/v1/admin", description="订单退费与分账")
ZERO = Decimal("0.00")


class RefundResultSchema(RefundQuoteSchema):
    """退费 done: the refund (none for an order whose money is only counted, e.g. a card's) and what is left."""

    refund = ma.fields.Nested(OrderRefundRowSchema, allow_none=True, metadata={"label": "退费记录"})


def quote(order) -> dict[str, Any]:
    """What 退费 may return of ``order`` now, and whether it is allowed (with the reason when not)."""
    maximum = max(ZERO, (order.prepaid - order.refunded).quantize(ZERO))
    reason = ""
    if order.state is not OrderState.COMPLETED or order.amount <= 0:
        reason = "只有「订单完成」且订单总费用大于 0 的订单才能退费 (only completed orders with an amount)"
    elif order.pay_method is PayMethod.FREE:
        reason = "免费测试订单没有收款，无需退费 (a free test order took no money)"
    elif maximum <= 0:
        reason = "该订单已无可退金额 (nothing left to refund)"
    return {"maximum": maximum, "prepaid": order.prepaid, "refunded": order.refunded, "amount": order.amount,
            "allowed": not reason, "reason_if_not": reason}


def _refund(kind: str, model, order_id: int, data: dict) -> dict[str, Any]:
    order = get_or_404(model, order_id)
    amount = money(data["amount"], field="amount")
    refund = audited("order.refund", order,
                     lambda: refund_order(kind, order_id, amount, data["reason"], current_user()),
                     trade_no=order.trade_no, amount=str(amount), reason=data["reason"][:200])
    order = get_or_404(model, order_id)
    done = next((row for row in refund_rows(order) if refund is not None and row["id"] == refund.id), None)
    return {**quote(order), "refund": done}


def _splits(model, order_id: int) -> dict[str, Any]:
    order = get_or_404(model, order_id)
    return {"trade_no": order.trade_no, "splits": split_rows(order)}


def _routes(kind: str, model, path: str, param: str) -> None:
    """Register ``…/refund`` (GET, POST) and ``…/splits`` (GET) for one side."""
    menu = f"order.{kind}"

    class Refund(MethodView):
        @blp.doc(security=SECURITY)
        @blp.response(200, RefundQuoteSchema)
        @require(f"{menu}:refund")
        def get(self, **ids):
            """退费: 最大退费金额 (预付金额 − 已退费金额) and whether the order allows 退费 now."""
            return quote(get_or_404(model, ids[param]))

        @blp.doc(security=SECURITY)
        @blp.arguments(RefundPayload)
        @blp.response(200, RefundResultSchema)
        @require(f"{menu}:refund")
        def post(self, data, **ids):
            """退费: return ``amount`` (≤ 最大退费金额) of a completed order to where it came from, with a reason."""
            return _refund(kind, model, ids[param], data)

    class OrderSplits(MethodView):
        @blp.doc(security=SECURITY)
        @blp.response(200, OrderSplitsSchema)
        @require(f"{menu}:split")
        def get(self, **ids):
            """分账: the order's split shares (a failed one is sent again through ``/splits/<id>/resplit``)."""
            return _splits(model, ids[param])

    Refund.__name__, OrderSplits.__name__ = f"{kind.title()}OrderRefund", f"{kind.title()}OrderSplits"
    blp.route(f"/{path}/<int:{param}>/refund", endpoint=f"{kind}_order_refund")(Refund)
    blp.route(f"/{path}/<int:{param}>/splits", endpoint=f"{kind}_order_splits")(OrderSplits)


_routes("car", CarOrder, "car-orders", "car_order_id")
_routes("bike", BikeOrder, "bike-orders", "bike_order_id")
