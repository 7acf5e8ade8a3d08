"""计费规则 pages of 汽车管理 (manual 3.2.7) and 单车管理 (manual 3.3.5).

The list, search, 启用 / 禁用 / 删除 follow the list-page pattern. The rule form is a custom action
(``billing.js``): its parameter fields are generated from the chosen billing mode's JSON schema
(``GET /api/v1/admin/billing-modes?vehicle=``) by ``billing_editors.js``, with row editors for arrays
(TOU periods, power tiers). 计费测试, 预充值 (car) / 预估值 (bike) and 详细 (with the version history) are
custom actions of the same script. The scripts' strings come with the 添加 action's ``params``
(translated here, like every other label of the page).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from chargehub_webui.pages import register
from chargehub_webui.pages.assets import area_search, areas, station_search, stations
from chargehub_webui.pages.common import ENABLED_CHOICES, crud_actions
from chargehub_webui.pagespec import Action, Column, Options, PageSpec, SearchField

SCRIPTS = ("webui/billing_editors.js", "webui/billing.js")
MODES_API = "/api/v1/admin/billing-modes"

#: Strings of billing.js and billing_editors.js (field labels by parameter name, TOU rates, dialogs).
STRINGS = {
    # the rule form
    "station": _l("所属电站"), "area": _l("所属区域"), "name": _l("计费名称"), "params": _l("计费参数"),
    "effective_add": _l("生效时间：添加后立即生效；以后的修改于当日24:00生效"),
    "effective_edit": _l("修改将于当日24:00生效，当日已启动的订单按启动时生效的规则计费"),
    "pending": _l("待生效（{at}）"), "pending_short": _l("待生效"), "add_row": _l("添加一行"),
    "add_period": _l("添加时段"), "remove": _l("删除"), "rate": _l("费率"),
    "periods_help": _l("时段以30分钟为单位，须完整覆盖00:00–24:00"),
    "no_modes": _l("暂无可用的计费方式，请先在插件管理中启用计费插件"), "trial": _l("试算"),
    "trial_help": _l("按当前填写的参数试算，不保存"), "mode_required": _l("请先选择计费方式"),
    # labels of the standard modes' parameters (a plugin's own parameters bring their label in the schema)
    "fields": {
        "electricity_price": _l("电费单价（元/度）"), "service_price": _l("服务费单价（元/度）"),
        "prices": _l("各费率单价"), "periods": _l("计费时段"), "unit_minutes": _l("计费单位（分钟）"),
        "unit_price": _l("单价（元）"), "tiers": _l("功率档位"), "up_to_w": _l("功率上限（W）"),
        "hourly_service_price": _l("服务费（元/小时）"), "auto_stop_minutes": _l("自停阈值（分钟）"),
        "auto_stop_amount": _l("自停金额（元）"), "free_minutes": _l("免费时长（分钟）"),
        "start": _l("开始时间"), "end": _l("结束时间"), "rate": _l("费率"),
        "minutes": _l("时长（分钟）"), "amount": _l("金额（元）"),
    },
    "rates": {"sharp": _l("尖"), "peak": _l("峰"), "flat": _l("平"), "valley": _l("谷")},
    # 计费测试
    "energy_kwh": _l("充电电量（kWh）"), "started_at": _l("开始充电时间"), "duration_minutes": _l("充电时长（分钟）"),
    "power_w": _l("充电功率（W）"), "calculate": _l("计算"), "bill": _l("计费结果"), "version": _l("规则版本"),
    "total": _l("总费用（元）"), "electricity_fee": _l("电费（元）"), "service_fee": _l("服务费（元）"),
    "energy": _l("电量（kWh）"), "free": _l("免费时长内结束，不计费"), "stop_reason": _l("停止原因"),
    "line": _l("计费项"), "seconds": _l("时长"), "units": _l("计费单位数"),
    "electricity_price": _l("电费单价"), "service_price": _l("服务费单价"), "amount": _l("金额（元）"),
    "test_help_car": _l("输入充电电量，自动计算总费用；不填开始时间则从当前时间开始"),
    "test_help_bike": _l("输入充电时长，按规则区间计算费用"),
    # 预充值 / 预估值
    "options_help_car": _l("小程序端汽车充电的预充值金额，最多12条"),
    "options_help_bike": _l("小程序端单车充电的预估值（时长与金额），最多12条"),
    "minutes_short": _l("{n} 分钟"), "hours": _l("{h} 小时"), "hours_minutes": _l("{h} 小时 {m} 分钟"),
}

#: The detail's version history (newest first); billing.js names each version's creator.
VERSIONS_COLUMN = Column("versions", _l("版本记录"), format="records",
                         labels={"number": _l("版本"), "effective_from": _l("生效时间"), "description": _l("计费规则描述"),
                                 "created_by_name": _l("创建人"), "created_at": _l("创建时间")})


def _page(vehicle: str, *, mode_label, options_label, options_columns: tuple, test_help) -> PageSpec:
    """The 计费规则 page of ``vehicle`` (``car`` / ``bike``); ``options_columns``: ``((field, header), ...)``
    of a 预充值 / 预估值 option, in order."""
    menu = f"{vehicle}.rule"
    params = {"vehicle": vehicle, "modes": MODES_API, "mode_label": mode_label,
              "stations": stations(vehicle).to_json(), "areas": areas(vehicle, enabled_only=True).to_json()}
    # the script's strings travel once, with 添加 (billing.js reads them from the page's full action list)
    form = Action("custom", _l("添加"), f"{menu}:add", url="{api}", handler="billing_form", toolbar=True,
                  params={**params, "strings": STRINGS})
    return PageSpec(
        menu=menu, path=f"{vehicle}/billing-rules", title=_l("计费规则"),
        api=f"/api/v1/admin/{vehicle}/billing-rules", default_sort="-updated_at", scripts=SCRIPTS,
        columns=(
            Column("station_name", _l("电站")),
            Column("area_name", _l("区域")),
            Column("name", _l("计费名称"), sortable=True),
            Column("mode_name", mode_label),
            Column("enabled", _l("计费状态"), format="state"),
            Column("effective_from", _l("生效时间"), sortable=True, format="datetime"),
            Column("description", _l("描述")),
            Column("updated_at", _l("更新时间"), sortable=True, format="datetime"),
            Column("updated_by_name", _l("更新人")),
        ),
        search=(
            station_search(vehicle), area_search(vehicle),
            SearchField("name", _l("计费名称")),
            # choices filled by billing.js from the billing modes the app has (plugins add modes)
            SearchField("mode", mode_label, "select", Options(choices=())),
            SearchField("enabled", _l("计费状态"), "select", ENABLED_CHOICES),
        ),
        actions=(
            form,
            Action("custom", _l("修改"), f"{menu}:edit", url="{api}/{id}", handler="billing_form", params=params),
        ) + crud_actions(menu, delete=True, detail=False)[2:] + (
            Action("custom", _l("详细"), f"{menu}:detail", url="{api}/{id}", handler="billing_detail"),
            Action("custom", _l("计费测试"), f"{menu}:test", url="{api}/{id}/test", handler="billing_test",
                   params={"vehicle": vehicle, "help": test_help}),
            Action("custom", options_label, f"{menu}:options", url="{api}/{id}/options", handler="billing_options",
                   params={"vehicle": vehicle, "columns": options_columns,
                           "help": STRINGS[f"options_help_{vehicle}"]}),
        ),
        detail=(
            Column("station_name", _l("所属电站")), Column("area_name", _l("所属区域")),
            Column("name", _l("计费名称")), Column("mode_name", mode_label),
            Column("enabled", _l("计费状态"), format="state"),
            Column("effective_from", _l("生效时间"), format="datetime"),
            Column("pending_from", _l("待生效时间"), format="datetime", blank=_l("无")),
            Column("description", _l("计费规则描述")),
            Column("options", options_label, format="records", labels=dict(options_columns), blank=_l("未设置")),
            VERSIONS_COLUMN,
        ),
    )


CAR_PAGE = _page("car", mode_label=_l("计费方式"), options_label=_l("预充值"),
                 options_columns=(("amount", _l("预充值金额（元）")),), test_help=STRINGS["test_help_car"])
BIKE_PAGE = _page("bike", mode_label=_l("计费类型"), options_label=_l("预估值"),
                  options_columns=(("minutes", _l("充电时长（分钟）")), ("amount", _l("预估金额（元）"))),
                  test_help=STRINGS["test_help_bike"])

register(CAR_PAGE, BIKE_PAGE)
