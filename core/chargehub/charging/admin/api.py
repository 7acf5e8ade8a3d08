"""Order admin API: 汽车订单 (manual 3.4.1) and 单车订单 (manual 3.4.2).

Per side: the list (search, paging, sorting, ``page_totals`` = 合计 本页总和), ``/totals`` (总计 搜索条件下
总和, a separate call so the list stays fast), 详细 and 结束. 导出 is the export kinds ``car_order`` /
``bike_order``, asked for through ``POST /api/v1/admin/qrcodes/exports`` like every export. Order ids in
URLs are checked against the caller's scope before the view runs (404).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chargehub.charging.admin.conditions import BIKE, CAR, Side, list_page, search_totals
from chargehub.charging.admin.detail import order_detail
from chargehub.charging.admin.schemas import (
    BikeEndPayload,
    BikeOrderArgs,
    BikeOrderDetailSchema,
    BikeOrderFilters,
    BikeOrderPage,
    BikeSearchTotalsSchema,
    CarEndPayload,
    CarOrderArgs,
    CarOrderDetailSchema,
    CarOrderFilters,
    CarOrderPage,
    CarSearchTotalsSchema,
)
from chargehub.charging.models import BikeOrder, CarOrder
from chargehub.charging.control import end_by_operator
from chargehub.exports.kinds import register_kind
from chargehub.tenancy.auth import current_user, require
from chargehub.tenancy.scope import get_or_404, register_path_param

blp = Blueprint("order_admin", __name__, url_prefix="/api/v1/admin", description="汽车订单与单车订单")
SECURITY = [{"bearer": []}]

register_path_param("car_order_id", CarOrder)
register_path_param("bike_order_id", BikeOrder)
register_kind("car_order", "chargehub.charging.admin.exports:CAR_ORDERS")
register_kind("bike_order", "chargehub.charging.admin.exports:BIKE_ORDERS")


def _end(side: Side, model, order_id: int, minutes: int | None = None) -> dict:
    """结束: settle the order through the order service (409 when its state does not allow it)."""
    order = get_or_404(model, order_id)
    end_by_operator(order, current_user().id, minutes if side.kind == "bike" else None)
    return order_detail(get_or_404(model, order_id))


# -------------------------------------------------------------------------------------- 汽车订单


@blp.route("/car-orders")
class CarOrders(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(CarOrderArgs, location="query")
    @blp.response(200, CarOrderPage)
    @require("order.car:list")
    def get(self, args):
        """汽车订单: search by 站点名称, 订单编号, 预约订单, 电桩编号, 电桩SN, 电枪编号, 手机号, 充电卡号, 订单状态,
        启动方式, 支付状态, 开票状态 and 订单创建时间 (default: the last 7 local days); ``page_totals`` sums this page."""
        return list_page(CAR, args)


@blp.route("/car-orders/totals")
class CarOrderTotals(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(CarOrderFilters, location="query")
    @blp.response(200, CarSearchTotalsSchema)
    @require("order.car:list")
    def get(self, args):
        """总计 搜索条件下总和: count and sums of every car order the search finds (same arguments as the list)."""
        return search_totals(CAR, args)


@blp.route("/car-orders/<int:car_order_id>")
class CarOrderItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, CarOrderDetailSchema)
    @require("order.car:detail")
    def get(self, car_order_id):
        """详细: the order with 支付明细, 计费规则与计费明细, 退费明细, 开票明细 and its state transitions."""
        return order_detail(get_or_404(CarOrder, car_order_id))


@blp.route("/car-orders/<int:car_order_id>/end")
class CarOrderEnd(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(CarEndPayload)
    @blp.response(200, CarOrderDetailSchema)
    @require("order.car:edit")
    def post(self, data, car_order_id):
        """结束: settle an order that is 启动中, 充电中, 结束中, 订单挂起 or 订单异常 on the energy the pile last
        reported (409 in any other state); answers the detail."""
        return _end(CAR, CarOrder, car_order_id)


# -------------------------------------------------------------------------------------- 单车订单


@blp.route("/bike-orders")
class BikeOrders(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(BikeOrderArgs, location="query")
    @blp.response(200, BikeOrderPage)
    @require("order.bike:list")
    def get(self, args):
        """单车订单: search by 电站名称, 订单状态, 订单类型, 启动方式, 手机号, 订单编号, 设备编号, 出厂标识, 插座编号,
        支付状态, 开票状态 and 订单创建时间 (default: the last 7 local days); ``page_totals`` sums this page."""
        return list_page(BIKE, args)


@blp.route("/bike-orders/totals")
class BikeOrderTotals(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(BikeOrderFilters, location="query")
    @blp.response(200, BikeSearchTotalsSchema)
    @require("order.bike:list")
    def get(self, args):
        """总计 搜索条件下总和: count and sums of every e-bike order the search finds (same arguments as the list)."""
        return search_totals(BIKE, args)


@blp.route("/bike-orders/<int:bike_order_id>")
class BikeOrderItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, BikeOrderDetailSchema)
    @require("order.bike:detail")
    def get(self, bike_order_id):
        """详细: the order with 支付明细, 计费规则与计费明细, 退费明细, 开票明细 and its state transitions."""
        return order_detail(get_or_404(BikeOrder, bike_order_id))


@blp.route("/bike-orders/<int:bike_order_id>/end")
class BikeOrderEnd(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(BikeEndPayload)
    @blp.response(200, BikeOrderDetailSchema)
    @require("order.bike:edit")
    def post(self, data, bike_order_id):
        """结束: settle an order that is 充电中, 订单挂起 or 订单异常 on the duration the charger last reported, or on
        ``minutes`` when given (根据最后一次设备上报的充电时长或自定义时长结算; 409 in any other state)."""
        return _end(BIKE, BikeOrder, bike_order_id, data.get("minutes"))
