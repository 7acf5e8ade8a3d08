"""Payments admin API: 支付订单 (manual 3.4.3), 退费管理 (3.4.6) and 分账记录 (3.6.1).

Lists (search, paging, sorting) and 详细 of payments and refunds; the 分账记录 list with 分账撤销 (a
successful share taken back) and 重新分账 (a failed share sent again, the order pages' 分账). 导出 is the
export kinds ``payment`` / ``refund``, asked for through ``POST /api/v1/admin/qrcodes/exports`` like every
export. Record ids in URLs are checked against the caller's scope before the view runs (404).
"""
from __future__ import annotations

from typing import Any, Callable

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from chargehub.errors import ChargeHubError
from chargehub.exports.kinds import register_kind
from chargehub.extensions import db
from chargehub.payments.admin.conditions import PAYMENTS, REFUNDS, SPLITS
from chargehub.payments.admin.detail import payment_detail, refund_detail
from chargehub.payments.admin.schemas import (
    PaymentArgs,
    PaymentDetailSchema,
    PaymentPage,
    RefundArgs,
    RefundDetailSchema,
    RefundPage,
    SplitArgs,
    SplitItemSchema,
    SplitPage,
)
from chargehub.payments.models import Payment, Refund, Split
from chargehub.payments.splits import resplit, revoke_split
from chargehub.tenancy import audit_log
from chargehub.tenancy.auth import current_user, has_permission, require
from chargehub.tenancy.scope import get_or_404, register_path_param

blp = Blueprint("payment_admin", __name__, url_prefix="/api/v1/admin", description="支付订单、退费管理与分账记录")
SECURITY = [{"bearer": []}]

register_path_param("payment_id", Payment)
register_path_param("refund_id", Refund)
register_path_param("split_id", Split)
register_kind("payment", "chargehub.payments.admin.exports:PAYMENT_EXPORT")
register_kind("refund", "chargehub.payments.admin.exports:REFUND_EXPORT")


def audited(action: str, target, run: Callable[[], Any], **detail: Any) -> Any:
    """Run the service call ``run`` and write the audit entry of ``action`` on ``target``: committed after a
    success, or after rolling back whatever a refused call left in the session (then the error is raised)."""
    try:
        result = run()
    except ChargeHubError as exc:
        db.session.rollback()
        audit_log.record(action, target=target, success=False, error=str(exc), **detail)
        db.session.commit()
        raise
    audit_log.record(action, target=target, **detail)
    db.session.commit()
    return result


# -------------------------------------------------------------------------------------- 支付订单


@blp.route("/payments")
class Payments(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(PaymentArgs, location="query")
    @blp.response(200, PaymentPage)
    @require("order.payment:list")
    def get(self, args):
        """支付订单: search by 电站, 订单类型, 支付类型, 支付状态, 订单编号 (order or payment number), 手机号,
        发起时间 and 支付时间 (default: 发起时间 in the last 7 local days)."""
        return PAYMENTS.page(args)


@blp.route("/payments/<int:payment_id>")
class PaymentItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PaymentDetailSchema)
    @require("order.payment:detail")
    def get(self, payment_id):
        """详细: 所属电站, 区域, 设备, 订单类型, 订单号, 支付渠道, 支付金额, 消费时长, 手机号, 支付时间 and 第三方回调
        (the vendor's last answer and every stored notification about the payment)."""
        return payment_detail(get_or_404(Payment, payment_id))


# -------------------------------------------------------------------------------------- 退费管理


@blp.route("/refunds")
class Refunds(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(RefundArgs, location="query")
    @blp.response(200, RefundPage)
    @require("order.refund:list")
    def get(self, args):
        """退费管理: search by 电站, 退费类型, 退费状态, 收款人, 订单编号, 申请时间 and 退款时间 (default: 申请时间 in
        the last 7 local days)."""
        return REFUNDS.page(args)


@blp.route("/refunds/<int:refund_id>")
class RefundItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, RefundDetailSchema)
    @require("order.refund:detail")
    def get(self, refund_id):
        """详细: 电站, 区域, 订单编号, 支付编号, 订单总额, 支付总额, 退款类型, 操作者, 退款时间, 退款原因, 退款状态,
        退款结果, 退款单号 and 收款人."""
        return refund_detail(get_or_404(Refund, refund_id))


# -------------------------------------------------------------------------------------- 分账记录


@blp.route("/splits")
class Splits(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(SplitArgs, location="query")
    @blp.response(200, SplitPage)
    @require("stats.split:list")
    def get(self, args):
        """分账记录: search by 订单编号, 电站, 主导商户, 分账商户, 分账单号, 操作人, 订单类型 and 分账状态."""
        return SPLITS.page(args)


@blp.route("/splits/<int:split_id>/revoke")
class SplitRevoke(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, SplitItemSchema)
    @require("stats.split:revoke")
    def post(self, split_id):
        """分账撤销: take a successful share back to the lead merchant (409 for a share in any other state);
        answers the share afterwards (撤销中 until the vendor confirms, then 已撤销)."""
        split = get_or_404(Split, split_id)
        return audited("split.revoke", split, lambda: revoke_split(split_id, current_user()),
                       out_split_no=split.out_split_no, amount=str(split.amount))


@blp.route("/splits/<int:split_id>/resplit")
class SplitResend(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, SplitItemSchema)
    @require()
    def post(self, split_id):
        """分账 (the order pages' manual re-split): send a failed share again under a new split number (409 for a
        share in any other state). Needs ``order.car:split`` or ``order.bike:split`` by the share's order."""
        split = get_or_404(Split, split_id)
        permission = f"order.{split.order_kind}:split"
        if not has_permission(permission):
            abort(403, message=f"无权限执行此操作 (missing permission {permission})")
        return audited("split.resplit", split, lambda: resplit(split_id, current_user()),
                       trade_no=split.trade_no, amount=str(split.amount))
