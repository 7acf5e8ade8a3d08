"""系统管理 pages (manual 3.7): providers, properties, users, roles, departments, posts, audit log."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from chargehub_webui.pages import register
from chargehub_webui.pages.common import (
    AUTH_SCOPES,
    COLLECTIVES,
    CREATED_COLUMN,
    CREATED_SEARCH,
    DEPARTMENTS,
    ENABLED_CHOICES,
    PROPERTIES,
    PROVIDERS,
    STATE_COLUMN,
    STATE_SEARCH,
    USER_TYPES,
    choices,
    crud_actions,
)
from chargehub_webui.pagespec import Action, Column, FormField, Options, PageSpec, SearchField

MERCHANT_TYPES = {"provider": _l("服务商"), "sub_merchant": _l("子商户")}
AUDIT_STATES = {"pending": _l("待审核"), "approved": _l("审核通过"), "rejected": _l("已驳回")}
INITIAL_PASSWORD = {"initial_password": _l("初始密码")}
TENANT_TYPES = ("provider", "property", "collective")

PROVIDER_PAGE = PageSpec(
    menu="system.provider", path="system/providers", title=_l("服务商管理"), api="/api/v1/admin/providers",
    default_sort="-created_at",
    columns=(
        Column("name", _l("服务商名称"), sortable=True),
        Column("contact", _l("联系人")),
        Column("phone", _l("手机号码"), sortable=True),
        Column("email", _l("邮箱")),
        Column("merchant_type", _l("商户类型"), format="enum", labels=MERCHANT_TYPES),
        Column("audit_state", _l("审核状态"), format="enum", labels=AUDIT_STATES),
        STATE_COLUMN, CREATED_COLUMN,
    ),
    search=(
        SearchField("name", _l("服务商名称")),
        SearchField("phone", _l("手机号")),
        SearchField("merchant_type", _l("商户类型"), "select", choices(MERCHANT_TYPES)),
        STATE_SEARCH,
        SearchField("audit_state", _l("审核状态"), "select", choices(AUDIT_STATES)),
    ),
    form=(
        FormField("name", _l("商户名称"), required=True),
        FormField("contact", _l("联系人")),
        FormField("phone", _l("手机号码"), "tel", required=True, editable=False, help=_l("作为商户登录账号，唯一且不可修改")),
        FormField("email", _l("邮箱"), "email"),
        FormField("merchant_type", _l("商户类型"), "select", required=True, editable=False,
                  options=choices(MERCHANT_TYPES), default="provider"),
        FormField("parent_id", _l("所属服务商"), "select", required=True, editable=False, options=PROVIDERS,
                  show_if={"merchant_type": ("sub_merchant",)}),
    ),
    actions=crud_actions("system.provider", add_result=None) + (
        Action("form", _l("审核"), "system.provider:audit", url="{api}/{id}/audit",
               when={"audit_state": ("pending",)}, result=INITIAL_PASSWORD,
               fields=(FormField("approved", _l("审核结果"), "select", required=True, default=True,
                                 options=Options(choices=((True, _l("通过")), (False, _l("驳回"))))),
                       FormField("remark", _l("审核意见"), "textarea"))),
    ),
    detail=(
        Column("name", _l("服务商名称")), Column("contact", _l("联系人")), Column("phone", _l("手机号码")),
        Column("email", _l("邮箱")), Column("merchant_type", _l("商户类型"), format="enum", labels=MERCHANT_TYPES),
        Column("audit_state", _l("审核状态"), format="enum", labels=AUDIT_STATES),
        Column("audit_remark", _l("审核意见")), STATE_COLUMN,
    ),
)

PROPERTY_PAGE = PageSpec(
    menu="system.property", path="system/properties", title=_l("集团物业管理"), api="/api/v1/admin/properties",
    default_sort="-created_at",
    columns=(
        Column("provider_name", _l("所属服务商")),
        Column("name", _l("物业名称"), sortable=True),
        Column("contact", _l("联系人")),
        Column("phone", _l("联系电话")),
        Column("email", _l("邮箱")),
        Column("province", _l("省份")),
        Column("city", _l("城市")),
        Column("address", _l("地址")),
        STATE_COLUMN, CREATED_COLUMN,
    ),
    search=(
        SearchField("provider_id", _l("服务商"), "select", PROVIDERS),
        SearchField("name", _l("物业名称")),
        SearchField("phone", _l("手机号")),
        SearchField("enabled", _l("物业状态"), "select", ENABLED_CHOICES),
    ),
    form=(
        FormField("provider_id", _l("所属服务商"), "select", required=True, editable=False, options=PROVIDERS),
        FormField("name", _l("物业名称"), required=True),
        FormField("contact", _l("联系人")),
        FormField("phone", _l("联系电话"), "tel", required=True, editable=False, help=_l("作为物业登录账号，唯一且不可修改")),
        FormField("email", _l("邮箱"), "email"),
        FormField("province", _l("省份")),
        FormField("city", _l("城市")),
        FormField("address", _l("地址")),
    ),
    actions=crud_actions("system.property", add_result=INITIAL_PASSWORD),
    detail=(
        Column("provider_name", _l("所属服务商")), Column("name", _l("物业名称")), Column("contact", _l("联系人")),
        Column("phone", _l("联系电话")), Column("email", _l("邮箱")), Column("province", _l("省份")),
        Column("city", _l("城市")), Column("address", _l("地址")), STATE_COLUMN,
    ),
)

_USER_ROLES = Options(source="/api/v1/admin/options/roles",
                      params={"user_type": "user_type", "provider_id": "provider_id", "property_id": "property_id"})
USER_PAGE = PageSpec(
    menu="system.user", path="system/users", title=_l("用户管理"), api="/api/v1/admin/users",
    default_sort="-created_at", scripts=("webui/users.js",),
    columns=(
        Column("phone", _l("登录账号"), sortable=True),
        Column("name", _l("用户名称"), sortable=True),
        Column("user_type", _l("用户类型"), format="enum", labels=USER_TYPES),
        Column("provider_name", _l("服务商")),
        Column("property_name", _l("物业")),
        Column("department_name", _l("部门")),
        Column("post_name", _l("岗位")),
        Column("roles", _l("角色"), format="list"),
        Column("auth_scope", _l("授权类型"), format="enum", labels=AUTH_SCOPES),
        STATE_COLUMN, CREATED_COLUMN,
    ),
    search=(
        SearchField("provider_id", _l("服务商"), "select", PROVIDERS),
        SearchField("property_id", _l("物业"), "select", PROPERTIES),
        SearchField("collective_id", _l("集体户"), "select", COLLECTIVES),
        SearchField("phone", _l("登录账号")),
        SearchField("name", _l("用户名称")),
        SearchField("auth_scope", _l("授权类型"), "select", choices(AUTH_SCOPES)),
        SearchField("user_type", _l("用户类型"), "select", choices(USER_TYPES)),
        SearchField("enabled", _l("账号状态"), "select", ENABLED_CHOICES),
        CREATED_SEARCH,
    ),
    form=(
        FormField("user_type", _l("用户类型"), "select", required=True, editable=False, options=choices(USER_TYPES)),
        FormField("provider_id", _l("服务商"), "select", required=True, editable=False, options=PROVIDERS,
                  show_if={"user_type": TENANT_TYPES}),
        FormField("property_id", _l("物业"), "select", required=True, editable=False, options=PROPERTIES,
                  show_if={"user_type": ("property", "collective")}),
        FormField("collective_id", _l("集体户"), "select", required=True, editable=False, options=COLLECTIVES,
                  show_if={"user_type": ("collective",)}),
        FormField("name", _l("用户名称"), required=True),
        FormField("phone", _l("手机号码"), "tel", required=True, editable=False, help=_l("作为登录账号，唯一且不可修改")),
        FormField("email", _l("邮箱"), "email"),
        FormField("password", _l("登录密码"), "password", required=True, help=_l("修改时留空则不修改")),
        FormField("department_id", _l("归属部门"), "select", options=DEPARTMENTS),
        FormField("post_id", _l("岗位"), "select",
                  options=Options(source="/api/v1/admin/options/posts", params={"department_id": "department_id"})),
        FormField("role_ids", _l("角色"), "multiselect", options=_USER_ROLES),
        FormField("auth_scope", _l("授权类型"), "select", required=True, options=choices(AUTH_SCOPES), default="all"),
    ),
    actions=crud_actions("system.user", delete=True) + (
        Action("custom", _l("绑定电站"), "system.user:bind", handler="bind_stations"),
        Action("form", _l("重置密码"), "system.user:reset_password", url="{api}/{id}/reset-password",
               result={"password": _l("新密码")},
               fields=(FormField("password", _l("新密码"), "password", help=_l("留空则自动生成")),)),
    ),
    detail=(
        Column("phone", _l("登录账号")), Column("name", _l("用户名称")),
        Column("user_type", _l("用户类型"), format="enum", labels=USER_TYPES), Column("email", _l("邮箱")),
        Column("provider_name", _l("服务商")), Column("property_name", _l("物业")),
        Column("department_name", _l("部门")), Column("post_name", _l("岗位")),
        Column("roles", _l("角色"), format="list"),
        Column("auth_scope", _l("授权类型"), format="enum", labels=AUTH_SCOPES),
        Column("last_login_at", _l("最后登录时间"), format="datetime"), STATE_COLUMN,
    ),
)

ROLE_PAGE = PageSpec(
    menu="system.role", path="system/roles", title=_l("角色管理"), api="/api/v1/admin/roles",
    default_sort="-created_at", scripts=("webui/roles.js",),
    columns=(
        Column("name", _l("角色名称"), sortable=True),
        Column("user_type", _l("用户类型"), format="enum", labels=USER_TYPES),
        Column("provider_name", _l("服务商")),
        Column("property_name", _l("物业")),
        Column("user_count", _l("用户数")),
        Column("remark", _l("备注")),
        STATE_COLUMN, CREATED_COLUMN,
    ),
    search=(
        SearchField("provider_id", _l("服务商"), "select", PROVIDERS),
        SearchField("property_id", _l("物业"), "select", PROPERTIES),
        SearchField("collective_id", _l("集体户"), "select", COLLECTIVES),
        SearchField("name", _l("角色名称")),
        SearchField("enabled", _l("角色状态"), "select", ENABLED_CHOICES),
        SearchField("user_type", _l("授权类型"), "select", choices(USER_TYPES)),
        CREATED_SEARCH,
    ),
    form=(
        FormField("user_type", _l("用户类型"), "select", required=True, editable=False,
                  options=choices({k: v for k, v in USER_TYPES.items() if k != "collective"})),
        FormField("provider_id", _l("服务商"), "select", required=True, editable=False, options=PROVIDERS,
                  show_if={"user_type": ("provider", "property")}),
        FormField("property_id", _l("物业"), "select", required=True, editable=False, options=PROPERTIES,
                  show_if={"user_type": ("property",)}),
        FormField("name", _l("角色名称"), required=True),
        FormField("permissions", _l("菜单权限"), "permissions"),
        FormField("remark", _l("备注"), "textarea"),
    ),
    actions=crud_actions("system.role", delete=True) + (
        Action("custom", _l("分配用户"), "system.role:assign", handler="assign_users"),
    ),
    detail=(
        Column("name", _l("角色名称")), Column("user_type", _l("用户类型"), format="enum", labels=USER_TYPES),
        Column("provider_name", _l("服务商")), Column("property_name", _l("物业")),
        Column("permissions", _l("菜单权限"), format="list"), Column("remark", _l("备注")), STATE_COLUMN,
    ),
)

DEPARTMENT_PAGE = PageSpec(
    menu="system.department", path="system/departments", title=_l("部门管理"), api="/api/v1/admin/departments",
    tree=True,
    columns=(
        Column("name", _l("部门名称")),
        Column("order_num", _l("显示排序")),
        Column("leader", _l("负责人")),
        Column("phone", _l("联系电话")),
        Column("email", _l("邮箱")),
        STATE_COLUMN, CREATED_COLUMN,
    ),
    search=(
        SearchField("provider_id", _l("服务商"), "select", PROVIDERS),
        SearchField("property_id", _l("物业"), "select", PROPERTIES),
        SearchField("name", _l("部门名称")),
        SearchField("enabled", _l("部门状态"), "select", ENABLED_CHOICES),
    ),
    form=(
        FormField("parent_id", _l("上级部门"), "select", required=True, options=DEPARTMENTS),
        FormField("name", _l("部门名称"), required=True),
        FormField("order_num", _l("显示排序"), "number", default=0),
        FormField("leader", _l("负责人")),
        FormField("phone", _l("联系电话"), "tel"),
        FormField("email", _l("邮箱"), "email"),
        FormField("enabled", _l("部门状态"), "bool", default=True, help=_l("禁用的部门不能被关联")),
    ),
    actions=crud_actions("system.department", delete=True, state=False, detail=False),
)

POST_PAGE = PageSpec(
    menu="system.post", path="system/posts", title=_l("岗位管理"), api="/api/v1/admin/posts",
    default_sort="order_num",
    columns=(
        Column("name", _l("岗位名称"), sortable=True),
        Column("department_name", _l("所属部门")),
        Column("order_num", _l("显示顺序"), sortable=True),
        STATE_COLUMN, CREATED_COLUMN,
    ),
    search=(
        SearchField("department_id", _l("部门"), "select", Options(source="/api/v1/admin/options/departments")),
        SearchField("name", _l("岗位名称")),
        SearchField("enabled", _l("岗位状态"), "select", ENABLED_CHOICES),
    ),
    form=(
        FormField("department_id", _l("所属部门"), "select", required=True,
                  options=Options(source="/api/v1/admin/options/departments")),
        FormField("name", _l("岗位名称"), required=True),
        FormField("order_num", _l("显示顺序"), "number", default=0),
        FormField("enabled", _l("岗位状态"), "bool", default=True, help=_l("禁用的岗位不能被用户关联")),
    ),
    actions=crud_actions("system.post", delete=True, state=False, detail=False),
)

AUDIT_LOG_PAGE = PageSpec(
    menu="system.audit_log", path="system/audit-logs", title=_l("操作日志"), api="/api/v1/admin/audit-logs",
    default_sort="-at", page_size=20,
    columns=(
        Column("at", _l("时间"), sortable=True, format="datetime"),
        Column("actor_phone", _l("操作账号")),
        Column("action", _l("操作")),
        Column("target_type", _l("对象类型")),
        Column("target_id", _l("对象编号")),
        Column("success", _l("结果"), format="enum", labels={True: _l("成功"), False: _l("失败")}),
        Column("ip", _l("IP 地址")),
        Column("detail", _l("详情")),
    ),
    search=(
        SearchField("action", _l("操作")),
        SearchField("actor_phone", _l("操作账号")),
        SearchField("success", _l("结果"), "select", Options(choices=(("true", _l("成功")), ("false", _l("失败"))))),
        SearchField("created", _l("时间"), "daterange"),
    ),
)

register(PROVIDER_PAGE, PROPERTY_PAGE, USER_PAGE, ROLE_PAGE, DEPARTMENT_PAGE, POST_PAGE, AUDIT_LOG_PAGE)
