"""开放中心 list pages: failed plugin listener calls, for review (DESIGN §3: each failure is visible)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from chargehub_webui.pages import register
from chargehub_webui.pagespec import Action, Column, Options, PageSpec, SearchField

PLUGIN_FAILURE_PAGE = PageSpec(
    menu="open.plugin_failure", path="open/plugin-failures", title=_l("插件调用失败"),
    api="/api/v1/admin/plugin-failures", default_sort="-created_at", page_size=20,
    columns=(
        Column("created_at", _l("时间"), sortable=True, format="datetime"),
        Column("plugin", _l("插件")),
        Column("hook", _l("事件")),
        Column("tenant_id", _l("服务商编号")),
        Column("attempt", _l("第几次")),
        Column("final", _l("已放弃重试"), format="bool"),
        Column("error", _l("错误")),
    ),
    search=(
        SearchField("plugin", _l("插件")),
        SearchField("hook", _l("事件")),
        SearchField("final", _l("已放弃重试"), "select", Options(choices=(("true", _l("是")), ("false", _l("否"))))),
        SearchField("created", _l("时间"), "daterange"),
    ),
    actions=(Action("detail", _l("详细"), "open.plugin_failure:list"),),
    detail=(
        Column("plugin", _l("插件")),
        Column("hook", _l("事件")),
        Column("job_id", _l("任务编号")),
        Column("attempt", _l("第几次")),
        Column("error", _l("错误")),
        Column("traceback", _l("调用栈")),
    ),
)

register(PLUGIN_FAILURE_PAGE)
