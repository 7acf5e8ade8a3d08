"""What the 汽车管理 and 单车管理 pages share: stations' form and actions (审核, 发票配置, 支付配置),
station / area selects, device actions, QR codes and the QR export (custom handlers in ``assets.js``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from chargehub_webui.pages.common import ENABLED_CHOICES, PROPERTIES, PROVIDERS, choices, crud_actions
from chargehub_webui.pages.system import AUDIT_STATES
from chargehub_webui.pagespec import Action, Column, FormField, Options, SearchField

SCRIPTS = ("webui/assets.js",)
DEVICE_ACTIONS = _l("设备操作")  # the row dropdown of device actions
MORE = _l("更多")
QRCODES_API = "/api/v1/admin/qrcodes"

OPERATION_TYPES = {"self_operated": _l("自营"), "self_use": _l("自用"), "public": _l("对外开放"),
                   "partner": _l("合作运营")}
ONLINE = {True: _l("在线"), False: _l("离线")}
ONLINE_CHOICES = Options(choices=(("true", _l("在线")), ("false", _l("离线"))))

STATION_COLUMN = Column("station_name", _l("所属电站"))
AREA_COLUMN = Column("area_name", _l("所属区域"))
ONLINE_COLUMN = Column("online", _l("在线状态"), format="enum", labels=ONLINE)
AUDIT_COLUMN = Column("audit_state", _l("审核状态"), format="enum", labels=AUDIT_STATES)
OPERATION_COLUMN = Column("operation_type", _l("运营性质"), format="enum", labels=OPERATION_TYPES)
HISTORY_COLUMN = Column("history", _l("审核与修改记录"), format="records",
                        labels={"at": _l("时间"), "actor_name": _l("操作人"), "action_label": _l("操作"),
                                "detail": _l("详情")})


def stations(kind: str) -> Options:
    """The caller's car (``kind="car"``) or e-bike stations."""
    return Options(source="/api/v1/admin/options/stations", args={"kind": kind})


def areas(kind: str, *, enabled_only: bool = False) -> Options:
    """Areas (of the chosen 电站 when there is one), from the area list API."""
    args = {"page_size": 100, "enabled": "true"} if enabled_only else {"page_size": 100}
    return Options(source=f"/api/v1/admin/{kind}-areas", params={"station_id": "station_id"}, args=args,
                   label="{name}（{code}）")


def station_search(kind: str) -> SearchField:
    return SearchField("station_id", _l("电站名称"), "select", stations(kind))


def area_search(kind: str) -> SearchField:
    return SearchField("area_id", _l("区域名称"), "select", areas(kind))


def station_filter(kind: str) -> FormField:
    """An add dialog's 所属电站: narrows the 区域 choices, not sent (the area says the station)."""
    return FormField("station_id", _l("所属电站"), "select", required=True, editable=False, options=stations(kind),
                     submit=False)


def area_field(kind: str) -> FormField:
    return FormField("area_id", _l("所属区域"), "select", required=True, editable=False,
                     options=areas(kind, enabled_only=True))


# -- stations --------------------------------------------------------------------------------------

STATION_SEARCH = (
    SearchField("name", _l("电站名称")),
    SearchField("audit_state", _l("审核状态"), "select", choices(AUDIT_STATES)),
    SearchField("enabled", _l("电站状态"), "select", ENABLED_CHOICES),
)
OWNER_FIELDS = (
    FormField("provider_id", _l("所属服务商"), "select", required=True, editable=False, options=PROVIDERS),
    FormField("property_id", _l("所属物业"), "select", required=True, editable=False, options=PROPERTIES),
)
ADDRESS_FIELDS = (
    FormField("province", _l("省份")),
    FormField("city", _l("城市")),
    FormField("district", _l("区县")),
    FormField("address", _l("详细地址")),
    FormField("longitude", _l("经度"), "number"),
    FormField("latitude", _l("纬度"), "number"),
)
ADDRESS_DETAIL = (Column("province", _l("省份")), Column("city", _l("城市")), Column("district", _l("区县")),
                  Column("address", _l("详细地址")), Column("longitude", _l("经度")), Column("latitude", _l("纬度")))
INVOICE_FIELDS = (
    FormField("merchant_no", _l("商户号"), required=True),
    FormField("company_name", _l("公司名称"), required=True),
    FormField("taxpayer_id", _l("纳税人识别号"), required=True),
    FormField("seller_address", _l("售方地址"), required=True),
    FormField("phone", _l("电话"), "tel", required=True),
    FormField("bank_name", _l("银行名称"), required=True),
    FormField("bank_account", _l("银行账号"), required=True),
    FormField("drawer", _l("开票人"), required=True),
    FormField("payee", _l("收款人"), required=True),
    FormField("reviewer", _l("复核人"), required=True),
    FormField("electricity_rate", _l("电费费率"), "number", required=True, help=_l("如 0.13 表示 13%")),
    FormField("electricity_rate_code", _l("电费费率编码"), required=True),
    FormField("service_rate", _l("服务费率"), "number", required=True, help=_l("如 0.06 表示 6%")),
    FormField("service_rate_code", _l("服务费率编码"), required=True),
)


def station_actions(menu: str) -> tuple[Action, ...]:
    """添加 / 修改 / 启用 / 禁用 / 详细 and 审核, 发票配置, 支付配置 of a station page."""
    return crud_actions(menu) + (
        Action("form", _l("审核"), f"{menu}:audit", url="{api}/{id}/audit", when={"audit_state": ("pending",)},
               fields=(FormField("approved", _l("审核结果"), "select", required=True, default=True,
                                 options=Options(choices=((True, _l("通过")), (False, _l("驳回"))))),
                       FormField("remark", _l("审核意见"), "textarea"))),
        Action("form", _l("发票配置"), f"{menu}:configure", url="{api}/{id}/invoice-config", method="PUT",
               load="config", fields=INVOICE_FIELDS, group=MORE),
        Action("custom", _l("支付配置"), f"{menu}:configure", url="{api}/{id}/payment-config",
               handler="payment_config", group=MORE),
    )


# -- devices and QR codes --------------------------------------------------------------------------

def command(menu: str, label, name: str) -> Action:
    """A device action: POST ``{api}/{id}/commands/<name>``, the device's answer as a message."""
    return Action("custom", label, f"{menu}:command", url="{api}/{id}/commands/" + name, handler="device_command",
                  group=DEVICE_ACTIONS)


def space_command(label, name: str) -> Action:
    """开锁 / 关锁 of a parking space (POST ``{api}/{id}/<name>``; the device is found by the API)."""
    return Action("custom", label, "car.space:command", url="{api}/{id}/" + name, handler="device_command")


def qrcodes(menu: str, kind: str, *, source: str = "", filter_: dict | None = None, label: str = "{name}") -> Action:
    """查看二维码: the three templates of the row's own code (``kind`` gun / socket), or of the guns /
    sockets ``source`` answers for ``filter_`` (``{"pile_code": "{code}"}``, filled from the row)."""
    return Action("custom", _l("查看二维码"), f"{menu}:qrcode", handler="qrcodes",
                  params={"kind": kind, "source": source, "filter": filter_ or {}, "label": label})


def qrcode_export(menu: str, kind: str, filters: dict[str, str]) -> Action:
    """二维码导出 (toolbar): an .xlsx of the QR codes (``kind`` gun / socket) the current search finds.

    :param filters: ``{search arg: export filter}``: which search arguments the export takes, and under
        which name (a pile page's ``code`` is the guns' ``pile_code``); other arguments are not sent.
    """
    return Action("custom", _l("二维码导出"), f"{menu}:qrcode", url=QRCODES_API + "/exports", handler="qrcode_export",
                  toolbar=True, params={"kind": kind, "filters": filters})


def same(*names: str) -> dict[str, str]:
    """Export filters named like the search arguments."""
    return {name: name for name in names}
