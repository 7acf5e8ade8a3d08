"""订单管理 → 汽车订单 (manual 3.4.1) and 单车订单 (manual 3.4.2), in the one list-page pattern.

Each page has the manual's search fields (订单创建时间 starts at the last 7 days, as the API's default),
its columns (money in 元, energy in 度, durations in 时分秒), the 合计 本页总和 / 总计 搜索条件下总和 rows
(:class:`~chargehub_webui.pagespec.Totals`), 导出 (an export job, ``assets.js``'s dialog with progress),
and two handlers of ``orders.js``: 详细 (the order in sections: 订单信息, 支付明细, 计费规则与计费明细,
退费明细, 分账, 开票明细, 状态记录 and the 待核对 figures) and 结束 (a confirmation; the e-bike one takes an
optional number of minutes), shown only on rows whose state allows it; and 退费 / 分账 of completed orders
(:func:`chargehub_webui.pages.payments.order_actions`, handlers in ``payments.js``).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from chargehub_webui.pages import register
from chargehub_webui.pages.assets import QRCODES_API, same, stations
from chargehub_webui.pages.common import choices
from chargehub_webui.pages.payments import PAYMENT_STATES, REFUND_KINDS, REFUND_STATES, SPLIT_STATES, order_actions
from chargehub_webui.pagespec import Action, Column, Options, PageSpec, SearchField, Totals

SCRIPTS = ("webui/assets.js", "webui/orders.js", "webui/payments.js")  # assets.js: the export dialog
YUAN, KWH, WATT, MINUTES = _l("元"), _l("度"), "W", _l("分钟")
HMS = {"h": _l("小时"), "m": _l("分"), "s": _l("秒")}

CAR_STATES = {"starting": _l("启动中"), "charging": _l("充电中"), "stopping": _l("结束中"), "completed": _l("订单完成"),
              "failed": _l("订单异常"), "suspended": _l("订单挂起")}
BIKE_STATES = {"starting": _l("启动中"), "charging": _l("充电中"), "completed": _l("订单结束"), "failed": _l("订单异常"), "suspended": _l("订单挂起")}
#: States from which 结束 settles an order (manual 3.4.1 §5, 3.4.2 §6; the API answers 409 otherwise).
CAR_END_STATES = ("starting", "charging", "stopping", "suspended", "failed")
BIKE_END_STATES = ("charging", "suspended", "failed")
START_METHODS = {"app": _l("小程序"), "card": _l("刷卡"), "vin": _l("即插即充"), "admin": _l("后台启动")}
ORDER_TYPES = {"normal": _l("普通订单"), "reservation": _l("预约订单"), "collective": _l("集体户订单")}
PAY_METHODS = {"free": _l("免费测试"), "balance": _l("余额"), "wechat": _l("微信支付"), "leshua": _l("乐刷"),
               "suixingfu": _l("随行付"), "online": _l("在线支付"), "card": _l("电卡")}
PAY_STATES = {"unpaid": _l("待支付"), "paid": _l("已支付"), "partially_refunded": _l("部分退款"), "refunded": _l("已退款")}
INVOICE_STATES = {"none": _l("未开票"), "invoicing": _l("开票中"), "invoiced": _l("已开票")}
SETTLED_BY = {"device": _l("设备上报"), "operator": _l("后台结束"), "system": _l("系统")}
ACTORS = {"driver": _l("用户"), "user": _l("操作员"), "device": _l("设备"), "system": _l("系统")}
REVIEW = {"pending": _l("待核对")}
YES_NO = Options(choices=(("true", _l("是")), ("false", _l("否"))))
SUMMED = ("prepaid", "duration_s", "energy_kwh", "electricity_fee", "service_fee", "amount")


def _money(key: str, label, **kwargs) -> Column:
    return Column(key, label, suffix=YUAN, **kwargs)


def _records(key: str, title, columns: dict, blank="") -> Column:
    return Column(key, title, format="records", labels=columns, blank=blank)


def _export(menu: str, kind: str, *names: str) -> Action:
    """导出 (toolbar): the orders the current search finds, as an .xlsx export job of ``kind``."""
    return Action("custom", _l("导出"), f"{menu}:export", url=QRCODES_API + "/exports", handler="qrcode_export",
                  toolbar=True, params={"kind": kind, "filters": same(*names, "created_from", "created_to")})


def _detail_action(menu: str, states: dict, sections: tuple) -> Action:
    return Action("custom", _l("详细"), f"{menu}:detail", url="{api}/{id}", handler="order_detail", params={
        "title": _l("订单详情"), "sections": sections, "figures": _l("设备上报数据"),
        "enums": {"from_state": states, "to_state": states, "actor": ACTORS, "pay_method": PAY_METHODS,
                  "pay_state": PAY_STATES},
        # the words of one record list's fields (their ``state`` differ)
        "column_enums": {"payments": {"state": PAYMENT_STATES},
                         "refunds": {"state": REFUND_STATES, "kind": REFUND_KINDS}, "splits": {"state": SPLIT_STATES}}})


def _end_action(menu: str, states: tuple[str, ...], confirm, **minutes) -> Action:
    return Action("custom", _l("结束"), f"{menu}:edit", url="{api}/{id}/end", handler="order_end", danger=True,
                  when={"state": states}, params={"confirm": confirm, **minutes})


# -- the detail: columns shared by both sides, and each side's sections -------------------------------

PAYMENTS = _records("payments", _l("支付明细"), {
    "out_trade_no": _l("支付单号"), "pay_method": _l("支付方式"), "state": _l("支付状态"),
    "prepaid": _l("预付金额（元）"), "amount": _l("消费金额（元）"), "refunded": _l("已退金额（元）"), "at": _l("发起时间"),
    "paid_at": _l("支付时间")})
BILL_LINES = _records("bill_lines", _l("计费明细"), {
    "label": _l("计费项"), "energy_kwh": _l("电量（度）"), "electricity_price": _l("电费单价（元）"),
    "service_price": _l("服务费单价（元）"), "electricity_fee": _l("电费（元）"), "service_fee": _l("服务费（元）"),
    "amount": _l("金额（元）")}, _l("暂无计费明细"))
REFUNDS = _records("refunds", _l("退费记录"), {
    "out_refund_no": _l("退款单号"), "kind": _l("退费类型"), "amount": _l("退费金额（元）"),
    "state": _l("退费状态"), "reason": _l("退款原因"), "operator_name": _l("操作者"), "created_at": _l("申请时间"),
    "refunded_at": _l("退款时间")}, _l("暂无退费记录"))
SPLITS = _records("splits", _l("分账记录"), {
    "out_split_no": _l("分账单号"), "lead_merchant": _l("主导商户"), "receiver_name": _l("分账商户"),
    "amount": _l("分账金额（元）"), "state": _l("分账状态"), "message": _l("分账结果"), "operator_name": _l("操作人"),
    "created_at": _l("分账时间")}, _l("暂无分账记录"))
INVOICES = _records("invoices", _l("开票记录"), {
    "title": _l("发票抬头"), "amount": _l("开票金额（元）"), "state": _l("状态"), "created_at": _l("时间")},
    _l("暂无开票记录"))
TRANSITIONS = _records("transitions", _l("状态记录"), {
    "at": _l("时间"), "from_state": _l("原状态"), "to_state": _l("新状态"), "cause": _l("原因"), "actor": _l("操作方"),
    "actor_name": _l("操作人")})


def _detail(states: dict, *side: Column) -> tuple[Column, ...]:
    return (
        Column("station_name", _l("电站")), Column("area_name", _l("区域")), *side,
        Column("order_type", _l("订单类型"), format="enum", labels=ORDER_TYPES),
        Column("start_method", _l("启动方式"), format="enum", labels=START_METHODS),
        Column("trade_no", _l("订单编号")), Column("phone", _l("用户手机号")), Column("card_no", _l("充电卡号")),
        Column("duration_s", _l("充电时长"), format="hms", labels=HMS), Column("energy_kwh", _l("充电电量"), suffix=KWH),
        Column("power_w", _l("充电功率"), suffix=WATT), Column("max_power_w", _l("最大功率"), suffix=WATT),
        _money("prepaid", _l("预付金额")), _money("electricity_fee", _l("电费")), _money("service_fee", _l("服务费")),
        _money("amount", _l("订单费用")), Column("state", _l("订单状态"), format="enum", labels=states),
        Column("end_reason", _l("结束描述")), Column("created_at", _l("创建时间"), format="datetime"),
        Column("started_at", _l("开始时间"), format="datetime"), Column("ended_at", _l("结束时间"), format="datetime"),
        Column("settled_by", _l("结算依据"), format="enum", labels=SETTLED_BY),
        Column("ended_by_name", _l("结束操作人")),
        PAYMENTS, Column("pay_state", _l("支付状态"), format="enum", labels=PAY_STATES),
        Column("rule_name", _l("计费规则")), Column("rule_text", _l("规则说明")), BILL_LINES,
        _money("refunded", _l("已退金额")), REFUNDS, SPLITS,
        Column("invoice_state", _l("开票状态"), format="enum", labels=INVOICE_STATES), INVOICES,
        TRANSITIONS, Column("review", _l("核对状态"), format="enum", labels=REVIEW),
        Column("device_figures", _l("设备上报数据")),
    )


def _sections(*side: str) -> tuple:
    """``(key, title, detail column keys)`` of the detail's sections."""
    return (
        ("info", _l("订单信息"), ("station_name", "area_name", *side, "order_type", "start_method", "trade_no", "phone",
                               "card_no", "duration_s", "energy_kwh", "power_w", "max_power_w", "prepaid",
                               "electricity_fee", "service_fee", "amount", "state", "end_reason", "created_at",
                               "started_at", "ended_at", "settled_by", "ended_by_name")),
        ("payments", _l("支付明细"), ("pay_state", "payments")),
        ("bill", _l("计费规则与计费明细"), ("rule_name", "rule_text", "bill_lines")),
        ("refunds", _l("退费明细"), ("refunded", "refunds")),
        ("splits", _l("分账"), ("splits",)),
        ("invoices", _l("开票明细"), ("invoice_state", "invoices")),
        ("transitions", _l("状态记录"), ("transitions",)),
        ("review", _l("待核对"), ("review", "device_figures")),
    )


# -- 汽车订单 --------------------------------------------------------------------------------------

CAR_PAGE = PageSpec(
    menu="order.car", path="orders/car", title=_l("汽车订单"), api="/api/v1/admin/car-orders",
    default_sort="-created_at", scripts=SCRIPTS, page_size=10,
    columns=(
        Column("trade_no", _l("订单编号")),
        Column("station_name", _l("电站名称")),
        Column("phone_or_card", _l("手机号/卡号")),
        Column("device_code", _l("电桩编号")),
        Column("gun_number", _l("枪编号")),
        _money("prepaid", _l("预付金额"), sortable=True),
        Column("duration_s", _l("充电时长"), sortable=True, format="hms", labels=HMS),
        Column("energy_kwh", _l("充电电量"), sortable=True, suffix=KWH),
        _money("electricity_fee", _l("电费")),
        _money("service_fee", _l("服务费")),
        _money("amount", _l("订单总费用"), sortable=True),
        Column("start_method", _l("启动方式"), format="enum", labels=START_METHODS),
        Column("state", _l("订单状态"), format="enum", labels=CAR_STATES),
        Column("pay_state", _l("支付状态"), format="enum", labels=PAY_STATES),
        Column("invoice_state", _l("开票状态"), format="enum", labels=INVOICE_STATES),
        Column("created_at", _l("订单创建时间"), sortable=True, format="datetime"),
    ),
    search=(
        SearchField("station_id", _l("站点名称"), "select", stations("car")),
        SearchField("trade_no", _l("订单编号")),
        SearchField("reservation", _l("预约订单"), "select", YES_NO),
        SearchField("device_code", _l("电桩编号")),
        SearchField("factory_id", _l("电桩SN")),
        SearchField("gun_number", _l("电枪编号")),
        SearchField("phone", _l("手机号")),
        SearchField("card_no", _l("充电卡号")),
        SearchField("state", _l("订单状态"), "select", choices(CAR_STATES)),
        SearchField("start_method", _l("启动方式"), "select", choices(START_METHODS)),
        SearchField("pay_state", _l("支付状态"), "select", choices(PAY_STATES)),
        SearchField("invoice_state", _l("开票状态"), "select", choices(INVOICE_STATES)),
        SearchField("created", _l("订单创建时间"), "daterange", default_days=7),
    ),
    totals=Totals(columns=SUMMED),
    actions=(
        _detail_action("order.car", CAR_STATES, _sections("device_code", "factory_id", "gun_number", "plate")),
        *order_actions("order.car"),
        _end_action("order.car", CAR_END_STATES,
                    _l("确定结束订单“{trade_no}”吗？将根据最后一次设备上报的电量结算费用。")),
        _export("order.car", "car_order", "station_id", "trade_no", "reservation", "device_code", "factory_id",
                "gun_number", "phone", "card_no", "state", "start_method", "pay_state", "invoice_state"),
    ),
    detail=_detail(CAR_STATES, Column("device_code", _l("电桩编号")), Column("factory_id", _l("出厂标识")),
                   Column("gun_number", _l("枪编号")), Column("plate", _l("车牌号码"))),
)

# -- 单车订单 --------------------------------------------------------------------------------------

BIKE_PAGE = PageSpec(
    menu="order.bike", path="orders/bike", title=_l("单车订单"), api="/api/v1/admin/bike-orders",
    default_sort="-created_at", scripts=SCRIPTS, page_size=10,
    columns=(
        Column("trade_no", _l("订单编号")),
        Column("station_name", _l("所属电站")),
        Column("phone", _l("手机号")),
        Column("device_code", _l("设备编号")),
        Column("socket_number", _l("插座编号")),
        _money("prepaid", _l("预充金额"), sortable=True),
        Column("preset_minutes", _l("预充时长"), suffix=MINUTES),
        _money("amount", _l("订单总额"), sortable=True),
        Column("duration_s", _l("充电时长"), sortable=True, format="hms", labels=HMS),
        Column("start_method", _l("启动方式"), format="enum", labels=START_METHODS),
        Column("state", _l("订单状态"), format="enum", labels=BIKE_STATES),
        Column("pay_state", _l("支付状态"), format="enum", labels=PAY_STATES),
        Column("invoice_state", _l("开票状态"), format="enum", labels=INVOICE_STATES),
        Column("created_at", _l("创建时间"), sortable=True, format="datetime"),
    ),
    search=(
        SearchField("station_id", _l("电站名称"), "select", stations("bike")),
        SearchField("state", _l("订单状态"), "select", choices(BIKE_STATES)),
        SearchField("order_type", _l("订单类型"), "select", choices(ORDER_TYPES)),
        SearchField("start_method", _l("启动方式"), "select", choices(START_METHODS)),
        SearchField("phone", _l("手机号")),
        SearchField("trade_no", _l("订单编号")),
        SearchField("device_code", _l("设备编号")),
        SearchField("factory_id", _l("出厂标识")),
        SearchField("socket_number", _l("插座编号")),
        SearchField("pay_state", _l("支付状态"), "select", choices(PAY_STATES)),
        SearchField("invoice_state", _l("开票状态"), "select", choices(INVOICE_STATES)),
        SearchField("created", _l("订单创建时间"), "daterange", default_days=7),
    ),
    totals=Totals(columns=("prepaid", "preset_minutes", "amount", "duration_s")),
    actions=(
        _detail_action("order.bike", BIKE_STATES,
                       _sections("device_code", "factory_id", "socket_number", "preset_minutes", "charge_mode")),
        *order_actions("order.bike"),
        _end_action("order.bike", BIKE_END_STATES,
                    _l("确定结束订单“{trade_no}”吗？将根据最后一次设备上报的充电时长结算费用，也可填写自定义时长。"),
                    minutes=True, minutes_label=_l("自定义时长（分钟）"),
                    minutes_help=_l("1–2880 分钟；不填则按设备最后一次上报的充电时长结算")),
        _export("order.bike", "bike_order", "station_id", "state", "order_type", "start_method", "phone", "trade_no",
                "device_code", "factory_id", "socket_number", "pay_state", "invoice_state"),
    ),
    detail=_detail(BIKE_STATES, Column("device_code", _l("设备编号")), Column("factory_id", _l("出厂标识")),
                   Column("socket_number", _l("插座编号")), Column("preset_minutes", _l("预充时长"), suffix=MINUTES),
                   Column("charge_mode", _l("充电方式"))),
)

register(CAR_PAGE, BIKE_PAGE)
