"""Columns, fields and actions several system pages share (one definition each)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from chargehub_webui.pagespec import Action, Column, FormField, Options, SearchField

ENABLED_CHOICES = Options(choices=(("true", _l("启用")), ("false", _l("禁用"))))
USER_TYPES = {"system": _l("系统"), "provider": _l("服务商"), "property": _l("物业"), "collective": _l("集体户")}
AUTH_SCOPES = {"all": _l("全部电站"), "stations": _l("指定电站")}

PROVIDERS = Options(source="/api/v1/admin/options/providers")
PROPERTIES = Options(source="/api/v1/admin/options/properties", params={"provider_id": "provider_id"})
COLLECTIVES = Options(source="/api/v1/admin/options/collectives", params={"property_id": "property_id"})
DEPARTMENTS = Options(source="/api/v1/admin/options/departments",
                      params={"provider_id": "provider_id", "property_id": "property_id"})

STATE_COLUMN = Column("enabled", _l("状态"), format="state")
CREATED_COLUMN = Column("created_at", _l("创建时间"), sortable=True, format="datetime")
STATE_SEARCH = SearchField("enabled", _l("状态"), "select", ENABLED_CHOICES)
CREATED_SEARCH = SearchField("created", _l("创建时间"), "daterange")


def choices(labels: dict) -> Options:
    """Fixed choices from an ``{value: label}`` mapping."""
    return Options(choices=tuple(labels.items()))


def crud_actions(menu: str, *, delete: bool = False, state: bool = True, detail: bool = True,
                 add_result: dict | None = None) -> tuple[Action, ...]:
    """添加 / 修改 / 启用 / 禁用 / 删除 / 详细 for ``menu`` (``{api}`` and ``{api}/{id}`` URLs)."""
    actions = [
        Action("add", _l("添加"), f"{menu}:add", url="{api}", result=add_result or {}),
        Action("edit", _l("修改"), f"{menu}:edit", url="{api}/{id}"),
    ]
    if state:
        actions += [
            Action("enable", _l("启用"), f"{menu}:state", url="{api}/{id}/enable", when={"enabled": False},
                   confirm=_l("确定启用“{name}”吗？")),
            Action("disable", _l("禁用"), f"{menu}:state", url="{api}/{id}/disable", when={"enabled": True},
                   confirm=_l("确定禁用“{name}”吗？")),
        ]
    if delete:
        actions.append(Action("delete", _l("删除"), f"{menu}:delete", url="{api}/{id}", method="DELETE",
                              confirm=_l("确定删除“{name}”吗？此操作不可恢复。")))
    if detail:
        actions.append(Action("detail", _l("详细"), f"{menu}:detail", url="{api}/{id}"))
    return tuple(actions)


def text(name: str, label, **kwargs) -> FormField:
    """A text form field."""
    return FormField(name, label, **kwargs)


#: What a 启动充电 (operator's test start) answers, shown once after the start.
START_RESULT = {"trade_no": _l("订单编号"), "state_label": _l("订单状态"), "end_reason": _l("说明")}


def start_charge_action(url: str, permission: str, *, minutes: bool = False) -> Action:
    """启动充电 (后台启动, a free test order) on a gun or socket row; stopped with 结束 on the order pages."""
    fields = (FormField("prepaid", _l("预付金额（元）"), "text", required=True, default="10.00",
                        help=_l("测试订单不收费；费用达到金额时自动结束")),)
    if minutes:
        fields += (FormField("minutes", _l("充电时长（分钟）"), "number", help=_l("不填为充满自停")),)
    return Action("form", _l("启动充电"), permission, url=url, fields=fields, result=START_RESULT,
                  group=_l("设备操作"))
