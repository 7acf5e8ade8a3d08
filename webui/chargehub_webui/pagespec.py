"""The one list-page pattern: a page is *declared* here as data and rendered by ``listpage.js``.

A module (系统管理, 汽车管理, ...) adds pages by declaring :class:`PageSpec` objects and registering
them with :func:`chargehub_webui.pages.register`; the webui serves each at ``/admin/<path>`` behind
its menu's ``<menu>:list`` permission and shows it in the sidebar. No page needs its own template or
JavaScript unless it uses a ``custom`` action (then it names a JS handler, see ``PageSpec.scripts``).

The spec is serialised to JSON (:meth:`PageSpec.to_json`) and the browser does the rest:

- **search form** from :attr:`PageSpec.search` (:class:`SearchField`) with 搜索 / 重置; the values are
  sent as query arguments of the list API together with ``page``, ``page_size`` and ``sort``;
- **table** from :attr:`PageSpec.columns` (:class:`Column`): sortable headers send ``sort=<key>`` or
  ``sort=-<key>``; the API answers ``{"items", "total", "page", "page_size"}`` (or ``{"items"}`` of
  tree nodes with ``children`` when :attr:`PageSpec.tree`);
- **actions** (:class:`Action`), each shown only when the user holds its ``permission`` and, for row
  actions, when the row matches ``when``;
- **form dialogs** from :attr:`PageSpec.form` (:class:`FormField`) for ``add`` / ``edit`` and from
  ``Action.fields`` for ``form`` actions; a 422 answer's ``errors.json.<field>`` messages appear under
  their fields, any other error's ``message`` at the top of the dialog;
- **detail dialog** from :attr:`PageSpec.detail` plus 创建时间 / 创建人 / 修改时间 / 修改人;
- **totals rows** (optional, :class:`Totals`): two rows under the table — 合计 本页总和 from the list
  answer's ``page_totals`` and 总计 搜索条件下总和 from ``Totals.api`` called with the same search
  arguments (no paging) — each sum under its column, in the column's format.

URLs may hold ``{field}`` placeholders filled from the row (``"{api}/{id}/enable"``; ``{api}`` is
:attr:`PageSpec.api`). Labels are lazy gettext strings: Chinese source, English from the catalog.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from flask_babel import lazy_gettext as _l

ColumnFormat = Literal["text", "enum", "bool", "datetime", "date", "list", "state", "records", "flag", "duration",
                       "hms"]
FieldType = Literal["text", "password", "email", "tel", "number", "textarea", "select", "multiselect",
                    "bool", "date", "permissions"]
ActionKind = Literal["add", "edit", "enable", "disable", "delete", "detail", "form", "custom", "export"]


def _text(value: Any) -> Any:
    """Resolve lazy strings (and containers of them) for JSON."""
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_text(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


@dataclass(frozen=True)
class Options:
    """Where a select's choices come from: a fixed list or an options API.

    :param choices: ``((value, label), ...)`` fixed choices (enum values and their labels).
    :param source: options URL answering ``[{"value", "label"}]`` (``/api/v1/admin/options/...``).
    :param params: query arguments taken from other fields of the same form: ``{"provider_id":
        "provider_id"}`` sends the form's ``provider_id`` value; the choices reload when it changes.
    :param args: fixed query arguments (``{"kind": "car"}``; ``{"page_size": 100}`` for a list API).
    :param value_key: / :param label: when ``source`` is a list API answering ``{"items"}`` instead of
        ``[{"value", "label"}]``: the item field used as value and a ``{field}`` template for the label
        (``"{code} {name}"``).
    """

    choices: tuple[tuple[Any, Any], ...] = ()
    source: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    args: dict[str, Any] = field(default_factory=dict)
    value_key: str = "id"
    label: str = "{name}"

    def to_json(self) -> dict:
        return {"choices": [{"value": v, "label": _text(lbl)} for v, lbl in self.choices],
                "source": self.source, "params": dict(self.params), "args": dict(self.args),
                "value_key": self.value_key, "label": self.label}


@dataclass(frozen=True)
class Column:
    """A table column.

    :param key: the item's field; ``format="enum"`` shows ``labels[value]``; ``"bool"`` 是/否;
        ``"state"`` the enabled tag (启用/禁用); ``"datetime"`` local time; ``"list"`` joins a list
        (of strings or of ``{"name"}`` objects); ``"records"`` (detail dialogs) a small table of a list
        of objects whose columns are ``labels`` (``{field: header}``, in this order); ``"flag"`` a red
        marker tag reading ``labels[value]`` (or the column's label) when the value is true, nothing
        otherwise (故障); ``"duration"`` seconds as ``H:MM:SS``; ``"hms"`` seconds as 时分秒 (``8分55秒``,
        zero parts left out) with the unit words of ``labels`` ``{"h", "m", "s"}`` (default 小时 / 分 / 秒).
    :param blank: text shown for an empty value (``"未开启"``).
    :param suffix: unit written after a ``text`` value (``"元"``, ``"度"``).
    """

    key: str
    label: Any
    sortable: bool = False
    format: ColumnFormat = "text"
    labels: dict[str, Any] = field(default_factory=dict)
    blank: Any = ""
    suffix: Any = ""

    def to_json(self) -> dict:
        labels = _text(self.labels)
        if self.format == "records":  # ordered columns (the page's JSON has its keys sorted)
            labels = [[k, v] for k, v in labels.items()]
        return {"key": self.key, "label": _text(self.label), "sortable": self.sortable,
                "format": self.format, "labels": labels, "blank": _text(self.blank), "suffix": _text(self.suffix)}


@dataclass(frozen=True)
class SearchField:
    """A search input: ``text``, ``select`` (with :class:`Options`) or ``daterange``.

    A ``daterange`` sends ``<name>_from`` / ``<name>_to`` (``YYYY-MM-DD``) unless ``params`` names them;
    with ``default_days`` it starts filled with the last that many local dates, today included (重置
    fills it in again) — say so when the API applies the same default to an empty range.
    """

    name: str
    label: Any
    type: Literal["text", "select", "daterange"] = "text"
    options: Options | None = None
    params: tuple[str, str] | None = None
    default_days: int | None = None

    def to_json(self) -> dict:
        params = self.params or (f"{self.name}_from", f"{self.name}_to")
        return {"name": self.name, "label": _text(self.label), "type": self.type,
                "options": self.options.to_json() if self.options else None,
                "params": list(params) if self.type == "daterange" else None, "default_days": self.default_days}


@dataclass(frozen=True)
class FormField:
    """A field of an add / edit / form-action dialog.

    :param editable: also shown (and sent) by the edit dialog; others show on add only.
    :param show_if: ``{"user_type": ["provider", "property"]}``: shown and sent only while another
        field of the form has one of these values.
    :param default: initial value on add.
    :param submit: sent with the form; ``False`` for a helper field that only narrows another select's
        choices (an area select's 电站).
    """

    name: str
    label: Any
    type: FieldType = "text"
    required: bool = False
    editable: bool = True
    options: Options | None = None
    show_if: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default: Any = None
    help: Any = ""
    submit: bool = True

    def to_json(self) -> dict:
        return {"name": self.name, "label": _text(self.label), "type": self.type, "required": self.required,
                "editable": self.editable, "options": self.options.to_json() if self.options else None,
                "show_if": {k: list(v) for k, v in self.show_if.items()}, "default": self.default,
                "help": _text(self.help), "submit": self.submit}


@dataclass(frozen=True)
class Action:
    """A button: in the toolbar (``add``, ``export``, toolbar ``custom``) or on each row.

    :param kind: ``add`` (form of :attr:`PageSpec.form`, or of ``fields`` when given → POST ``url``), ``edit`` (GET ``url`` → form → PUT ``url``),
        ``enable`` / ``disable`` / ``delete`` (confirm → POST / POST / DELETE ``url``), ``detail``
        (GET ``url`` → detail dialog), ``form`` (dialog of ``fields`` → ``method`` ``url``; with
        ``load`` the dialog starts from GET ``url``'s answer — ``True``: the answer itself, a string: that
        key of it (``"config"``); empty or 404 means "nothing saved yet"),
        ``custom`` (the JS handler ``handler`` registered with ``ListPage.handlers``), ``export``
        (download ``url`` with the current search arguments).
    :param permission: the permission code needed to see the button (``"system.user:add"``).
    :param when: row condition, ``{"enabled": False}`` / ``{"audit_state": ["pending"]}``.
    :param result: fields of the answer to show once in a dialog afterwards (an initial password:
        ``{"initial_password": "初始密码"}``).
    :param params: arguments handed to a ``custom`` handler as ``action.params`` (``{"kind": "gun"}``).
    :param group: row actions with the same ``group`` label share one dropdown in the row (``设备操作``)
        instead of each taking a button of its own.
    """

    kind: ActionKind
    label: Any
    permission: str
    url: str = ""
    method: str = "POST"
    fields: tuple[FormField, ...] = ()
    when: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    handler: str = ""
    toolbar: bool = False
    confirm: Any = ""
    danger: bool = False
    load: bool | str = False
    params: dict[str, Any] = field(default_factory=dict)
    group: Any = ""

    def to_json(self) -> dict:
        return {"kind": self.kind, "label": _text(self.label), "permission": self.permission, "url": self.url,
                "method": self.method, "fields": [f.to_json() for f in self.fields], "load": self.load,
                "params": _text(self.params), "group": _text(self.group),
                "when": {k: list(v) if isinstance(v, tuple) else v for k, v in self.when.items()},
                "result": _text(self.result), "handler": self.handler,
                "toolbar": self.toolbar or self.kind in ("add", "export"), "confirm": _text(self.confirm),
                "danger": self.danger or self.kind == "delete"}


@dataclass(frozen=True)
class Totals:
    """The two totals rows under a list (合计 本页总和 and 总计 搜索条件下总和).

    :param columns: keys of the summed columns; each sum shows under its column in that column's
        format. The first column of the page must not be one of them: the row's label goes there
        (spanning every column before the first summed one).
    :param api: the totals URL (``"{api}/totals"``), called with the search arguments only; it answers
        ``{<column key>: sum, ...}``. The page's own sums come from the list answer's ``page_totals``.
    :param page_label: / :param total_label: the rows' labels.
    """

    columns: tuple[str, ...]
    api: str = "{api}/totals"
    page_label: Any = _l("合计：本页总和")
    total_label: Any = _l("总计：搜索条件下总和")

    def to_json(self) -> dict:
        return {"columns": list(self.columns), "api": self.api, "page_label": _text(self.page_label),
                "total_label": _text(self.total_label)}


@dataclass(frozen=True)
class PageSpec:
    """One admin list page.

    :param menu: the menu code of :mod:`chargehub.tenancy.permissions` (``"system.user"``); the page
        needs ``<menu>:list`` and appears under that menu in the sidebar.
    :param path: URL under ``/admin/`` (``"system/users"``).
    :param api: the list API (``/api/v1/admin/users``); item URLs default to ``{api}/{id}``.
    :param tree: the API answers tree nodes with ``children`` (no paging; 展开/折叠 buttons).
    :param scripts: extra static JS files (``webui/roles.js``) that register custom action handlers.
    :param default_sort: initial ``sort`` argument (``"-created_at"``).
    :param totals: the 合计 / 总计 rows under the table (:class:`Totals`; not for tree pages).
    """

    menu: str
    path: str
    title: Any
    api: str
    columns: tuple[Column, ...]
    search: tuple[SearchField, ...] = ()
    actions: tuple[Action, ...] = ()
    form: tuple[FormField, ...] = ()
    detail: tuple[Column, ...] = ()
    tree: bool = False
    scripts: tuple[str, ...] = ()
    default_sort: str = ""
    page_size: int = 10
    totals: Totals | None = None

    def __post_init__(self) -> None:
        if self.totals is not None:
            keys = [c.key for c in self.columns]
            unknown = set(self.totals.columns) - set(keys)
            if unknown or self.tree or keys[0] in self.totals.columns:
                raise ValueError(f"page {self.path}: totals need list columns other than the first "
                                 f"(unknown: {sorted(unknown)})")

    def to_json(self) -> dict:
        """The JSON the page template hands to ``listpage.js``."""
        return {"menu": self.menu, "title": _text(self.title), "api": self.api,
                "columns": [c.to_json() for c in self.columns], "search": [s.to_json() for s in self.search],
                "actions": [a.to_json() for a in self.actions], "form": [f.to_json() for f in self.form],
                "detail": [c.to_json() for c in self.detail], "tree": self.tree,
                "default_sort": self.default_sort, "page_size": self.page_size,
                "totals": self.totals.to_json() if self.totals else None}
