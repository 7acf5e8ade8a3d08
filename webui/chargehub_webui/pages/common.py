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
