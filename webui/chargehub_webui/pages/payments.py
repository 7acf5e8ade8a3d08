"""订单管理 → 支付订单 (manual 3.4.3) and 退费管理 (3.4.6), 汇总统计 → 分账记录 (3.6.1), in the one list-page
pattern, plus the 退费 and 分账 row actions the order pages (:mod:`.orders`) take from here.

支付订单 and 退费管理: the manual's search fields (发起 / 申请时间 start at the last 7 days, as the API's
default), 导出 (an export job, ``assets.js``'s dialog with progress) and 详细 (支付订单's with 第三方回调: the
vendor's last answer and every stored callback). 分账记录: its search and 分账撤销 on successful shares.
The 电站 select lists the stations of the chosen 订单类型 (car stations when none is chosen), and the API
reads the station on that side. ``payments.js`` holds the custom handlers: 退费 (the order's 最大退费金额,
an amount and a reason), 分账 (the order's shares, each failed one sent again) and 分账撤销 (a confirmation).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from chargehub_webui.pages import register
from chargehub_webui.pages.assets import QRCODES_API, same
from chargehub_webui.pages.common import choices
from chargehub_webui.pagespec import Action, Column, Options, PageSpec, SearchField

SCRIPTS = ("webui/assets.js", "webui/payments.js")  # assets.js: the export dialog
YUAN = _l("元")
ORDER_KINDS = {"car": _l("汽车订单"), "bike": _l("单车订单")}
PLUGINS = {"wechatpay": _l("微信支付"), "leshua": _l("乐刷"), "suixingfu": _l("随行付"), "balance": _l("余额")}
PAYMENT_STATES = {"pending": _l("待支付"), "paid": _l("已支付"), "failed": _l("支付失败"), "closed": _l("已关闭")}
REFUND_KINDS = {"settlement": _l("结算退回"), "start_failed": _l("启动失败退回"), "late_payment": _l("支付晚到退回"),
                "manual": _l("人工退费")}
REFUND_STATES = {"processing": _l("退款中"), "success": _l("退款成功"), "failed": _l("退款失败"), "abnormal": _l("退款异常")}
SPLIT_STATES = {"processing": _l("分账中"), "success": _l("分账成功"), "failed": _l("分账失败"), "revoking": _l("撤销中"),
                "revoked": _l("已撤销")}
#: The 电站 select: stations of the chosen 订单类型 (the options API lists car stations without one).
STATIONS = Options(source="/api/v1/admin/options/stations", params={"kind": "order_kind"})
CALLBACKS = Column("notifications", _l("回调记录"), format="records", blank=_l("暂无回调记录"), labels={
    "received_at": _l("接收时间"), "kind": _l("类型"), "state_label": _l("处理状态"), "reason": _l("原因"),
    "body": _l("回调内容")})


def _money(key: str, label, **kwargs) -> Column:
    return Column(key, label, suffix=YUAN, **kwargs)


def _export(menu: str, kind: str, *names: str) -> Action:
    """导出 (toolbar): the records the current search finds, as an .xlsx export job of ``kind``."""
    return Action("custom", _l("导出"), f"{menu}:export", url=QRCODES_API + "/exports", handler="qrcode_export",
                  toolbar=True, params={"kind": kind, "filters": same(*names, "order_kind", "station_id")})


# -- 支付订单 --------------------------------------------------------------------------------------

PAYMENT_PAGE = PageSpec(
    menu="order.payment", path="orders/payments", title=_l("支付订单"), api="/api/v1/admin/payments",
    default_sort="-created_at", scripts=SCRIPTS, page_size=10,
    columns=(
        Column("trade_no", _l("订单编号")),
        Column("order_kind", _l("订单类型"), format="enum", labels=ORDER_KINDS),
        Column("station_name", _l("电站")),
        _money("amount", _l("支付金额"), sortable=True),
        Column("phone", _l("手机号")),
        Column("plugin", _l("支付类型"), format="enum", labels=PLUGINS),
        Column("created_at", _l("发起时间"), sortable=True, format="datetime"),
        Column("paid_at", _l("支付时间"), sortable=True, format="datetime"),
        Column("state", _l("支付状态"), format="enum", labels=PAYMENT_STATES),
    ),
    search=(
        SearchField("order_kind", _l("订单类型"), "select", choices(ORDER_KINDS)),
        SearchField("station_id", _l("站点名称"), "select", STATIONS),
        SearchField("plugin", _l("支付类型"), "select", choices(PLUGINS)),
        SearchField("state", _l("支付状态"), "select", choices(PAYMENT_STATES)),
        SearchField("trade_no", _l("订单编号")),
        SearchField("phone", _l("手机号")),
        SearchField("created", _l("发起时间"), "daterange", default_days=7),
        SearchField("paid", _l("支付时间"), "daterange"),
    ),
    actions=(
        Action("detail", _l("详细"), "order.payment:detail", url="{api}/{id}"),
        _export("order.payment", "payment", "plugin", "state", "trade_no", "phone", "created_from", "created_to",
                "paid_from", "paid_to"),
    ),
    detail=(
        Column("station_name", _l("所属电站")), Column("area_name", _l("区域")), Column("device_code", _l("设备")),
        Column("order_kind", _l("订单类型"), format="enum", labels=ORDER_KINDS), Column("trade_no", _l("订单号")),
        Column("out_trade_no", _l("支付单号")), Column("plugin", _l("支付渠道"), format="enum", labels=PLUGINS),
        _money("amount", _l("支付金额")), Column("duration_s", _l("消费时长"), format="duration"),
        Column("phone", _l("用户手机号")), Column("paid_at", _l("支付时间"), format="datetime"),
        Column("state", _l("支付状态"), format="enum", labels=PAYMENT_STATES),
        Column("vendor_trade_no", _l("第三方支付单号")), _money("refunded", _l("已退金额")),
        Column("message", _l("结果说明")), Column("raw", _l("第三方回调")), CALLBACKS,
    ),
)

# -- 退费管理 --------------------------------------------------------------------------------------

REFUND_PAGE = PageSpec(
    menu="order.refund", path="orders/refunds", title=_l("退费管理"), api="/api/v1/admin/refunds",
    default_sort="-created_at", scripts=SCRIPTS, page_size=10,
    columns=(
        Column("trade_no", _l("订单编号")),
        Column("phone", _l("收款人")),
        _money("order_amount", _l("订单费用")),
        _money("paid_amount", _l("支付金额")),
        _money("amount", _l("退费金额"), sortable=True),
        Column("kind", _l("退费类型"), format="enum", labels=REFUND_KINDS),
        Column("operator_name", _l("操作者")),
        Column("created_at", _l("申请时间"), sortable=True, format="datetime"),
        Column("state", _l("退费状态"), format="enum", labels=REFUND_STATES),
        Column("refunded_at", _l("退费时间"), sortable=True, format="datetime"),
        Column("vendor_refund_no", _l("第三方退款单号")),
    ),
    search=(
        SearchField("order_kind", _l("订单类型"), "select", choices(ORDER_KINDS)),
        SearchField("station_id", _l("站点名称"), "select", STATIONS),
        SearchField("kind", _l("退费类型"), "select", choices(REFUND_KINDS)),
        SearchField("state", _l("退费状态"), "select", choices(REFUND_STATES)),
        SearchField("phone", _l("收款人")),
        SearchField("trade_no", _l("订单编号")),
        SearchField("created", _l("申请时间"), "daterange", default_days=7),
        SearchField("refunded", _l("退款时间"), "daterange"),
    ),
    actions=(
        Action("detail", _l("详细"), "order.refund:detail", url="{api}/{id}"),
        _export("order.refund", "refund", "kind", "state", "phone", "trade_no", "created_from", "created_to",
                "refunded_from", "refunded_to"),
    ),
    detail=(
        Column("station_name", _l("电站")), Column("area_name", _l("区域")), Column("trade_no", _l("订单编号")),
        Column("out_trade_no", _l("支付编号")), _money("order_amount", _l("订单总额")),
        _money("paid_amount", _l("支付总额")), _money("amount", _l("退费金额")),
        Column("kind", _l("退款类型"), format="enum", labels=REFUND_KINDS), Column("operator_name", _l("操作者")),
        Column("refunded_at", _l("退款时间"), format="datetime"), Column("reason", _l("退款原因")),
        Column("state", _l("退款状态"), format="enum", labels=REFUND_STATES), Column("message", _l("退款结果")),
        Column("out_refund_no", _l("退款单号")), Column("vendor_refund_no", _l("第三方退款单号")),
        Column("phone", _l("收款人")),
    ),
)

# -- 分账记录 --------------------------------------------------------------------------------------

SPLIT_PAGE = PageSpec(
    menu="stats.split", path="stats/splits", title=_l("分账记录"), api="/api/v1/admin/splits",
    default_sort="-created_at", scripts=SCRIPTS, page_size=10,
    columns=(
        Column("trade_no", _l("订单编号")),
        Column("order_kind", _l("订单类型"), format="enum", labels=ORDER_KINDS),
        Column("station_name", _l("电站名称")),
        Column("lead_merchant", _l("主导商户")),
        Column("receiver_account", _l("分账商户")),
        Column("receiver_name", _l("分账商户名称")),
        _money("amount", _l("分账金额"), sortable=True),
        Column("out_split_no", _l("分账单号")),
        Column("state", _l("分账状态"), format="enum", labels=SPLIT_STATES),
        Column("operator_name", _l("操作人")),
        Column("message", _l("分账结果")),
        Column("created_at", _l("分账时间"), sortable=True, format="datetime"),
    ),
    search=(
        SearchField("trade_no", _l("订单编号")),
        SearchField("order_kind", _l("订单类型"), "select", choices(ORDER_KINDS)),
        SearchField("station_id", _l("电站名称"), "select", STATIONS),
        SearchField("lead_merchant", _l("主导商户")),
        SearchField("receiver_account", _l("分账商户")),
        SearchField("out_split_no", _l("分账单号")),
        SearchField("operator_name", _l("操作人")),
        SearchField("state", _l("分账状态"), "select", choices(SPLIT_STATES)),
    ),
    actions=(
        Action("custom", _l("分账撤销"), "stats.split:revoke", url="{api}/{id}/revoke", handler="split_revoke",
               danger=True, when={"state": "success"},
               params={"confirm": _l("确定撤销分账“{out_split_no}”（{amount}元）吗？分账金额将退回主导商户。")}),
    ),
)


# -- the order pages' 退费 and 分账 -------------------------------------------------------------------


def order_actions(menu: str) -> tuple[Action, ...]:
    """退费 (订单完成 only; the dialog shows 最大退费金额 and refuses an order without money to return) and
    分账 (the order's shares: each failed one can be sent again) for the order page of ``menu``."""
    return (
        Action("custom", _l("退费"), f"{menu}:refund", url="{api}/{id}/refund", handler="order_refund",
               when={"state": "completed"}, params={
                   "maximum": _l("最大退费金额（元）"), "prepaid": _l("预付金额（元）"), "refunded": _l("已退费金额（元）"),
                   "amount": _l("退费金额（元）"), "amount_help": _l("不能超过最大退费金额，最多两位小数"),
                   "reason": _l("退费原因"), "help": _l("最大退费金额 = 预付金额 − 已退费金额")}),
        Action("custom", _l("分账"), f"{menu}:split", url="{api}/{id}/splits", handler="order_split",
               when={"state": "completed"}, params={
                   "resplit": "/api/v1/admin/splits/{id}/resplit", "again": _l("重新分账"),
                   "none": _l("该订单没有分账失败的记录"), "states": SPLIT_STATES,
                   "columns": {"out_split_no": _l("分账单号"), "receiver_name": _l("分账商户"), "amount": _l("分账金额（元）"),
                               "state": _l("分账状态"), "message": _l("分账结果")}}),
    )


register(PAYMENT_PAGE, REFUND_PAGE, SPLIT_PAGE)
