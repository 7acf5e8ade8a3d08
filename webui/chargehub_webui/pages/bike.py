"""单车管理 pages (manual 3.3.1–3.3.4): e-bike stations, areas, devices, sockets.

The device list shows 在线状态 and a fault marker (the device or one of its sockets reports a fault), the
socket list each socket's state and live figures; their 详细 dialogs get the 实时状态 panel (firmware,
faults in words, MQTT 账号, each socket's figures) from :mod:`.devices`.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from chargehub_webui.pages import register
from chargehub_webui.pages.assets import (
    ADDRESS_DETAIL,
    ADDRESS_FIELDS,
    AREA_COLUMN,
    AUDIT_COLUMN,
    HISTORY_COLUMN,
    ONLINE_CHOICES,
    ONLINE_COLUMN,
    OPERATION_COLUMN,
    OPERATION_TYPES,
    OWNER_FIELDS,
    SCRIPTS,
    STATION_COLUMN,
    STATION_SEARCH,
    area_field,
    area_search,
    command,
    qrcode_export,
    qrcodes,
    same,
    station_actions,
    station_filter,
    station_search,
    stations,
)
from chargehub_webui.pages.common import (
    CREATED_COLUMN,
    ENABLED_CHOICES,
    STATE_COLUMN,
    choices,
    crud_actions,
    start_charge_action,
)
from chargehub_webui.pagespec import Action, Column, FormField, PageSpec, SearchField

SOCKET_STATES = {"idle": _l("空闲中"), "plugged": _l("已插入"), "charging": _l("充电中"), "fault": _l("故障"),
                 "offline": _l("离线")}
ACCOUNT_STATES = {"pending": _l("待同步"), "active": _l("已生效"), "disabled": _l("已停用"), "failed": _l("同步失败"),
                  "unmanaged": _l("未托管")}
FAULT_COLUMN = Column("has_fault", _l("故障"), format="flag", labels={True: _l("故障")})
POWER_LIMIT = Column("power_limit_w", _l("功率限制（W）"), blank=_l("未开启"))

STATION_PAGE = PageSpec(
    menu="bike.station", path="bike/stations", title=_l("单车电站"), api="/api/v1/admin/bike-stations",
    default_sort="-created_at", scripts=SCRIPTS,
    columns=(
        Column("name", _l("电站名称"), sortable=True),
        Column("short_name", _l("电站简称")),
        OPERATION_COLUMN, POWER_LIMIT,
        Column("area_count", _l("总区域数量")),
        Column("device_count", _l("总设备数量")),
        Column("socket_count", _l("总插座数量")),
        Column("service_phone", _l("服务电话")),
        Column("enabled", _l("电站状态"), format="state"), AUDIT_COLUMN,
    ),
    search=STATION_SEARCH,
    form=OWNER_FIELDS + (
        FormField("name", _l("电站名称"), required=True),
        FormField("short_name", _l("电站简称")),
        FormField("service_phone", _l("服务电话"), "tel"),
        FormField("operation_type", _l("运营性质"), "select", required=True, options=choices(OPERATION_TYPES),
                  default="self_operated"),
        FormField("business_hours", _l("营业时间"), default="00:00-24:00"),
        FormField("power_limit_w", _l("功率限制（W）"), "number", help=_l("留空表示不限制")),
    ) + ADDRESS_FIELDS,
    actions=station_actions("bike.station"),
    detail=(
        Column("provider_name", _l("所属服务商")), Column("property_name", _l("所属物业")),
        Column("name", _l("电站名称")), Column("short_name", _l("电站简称")), OPERATION_COLUMN,
        Column("service_phone", _l("服务电话")), Column("business_hours", _l("营业时间")), POWER_LIMIT,
    ) + ADDRESS_DETAIL + (
        Column("area_count", _l("总区域数量")), Column("device_count", _l("总设备数量")),
        Column("socket_count", _l("总插座数量")),
        STATE_COLUMN, AUDIT_COLUMN, Column("audit_remark", _l("审核意见")), HISTORY_COLUMN,
    ),
)

AREA_PAGE = PageSpec(
    menu="bike.area", path="bike/areas", title=_l("区域管理"), api="/api/v1/admin/bike-areas",
    default_sort="-created_at",
    columns=(
        STATION_COLUMN,
        Column("code", _l("区域编号"), sortable=True),
        Column("name", _l("区域名称"), sortable=True),
        Column("phone", _l("电话")),
        Column("is_default", _l("默认区域"), format="bool"),
        Column("device_count", _l("设备数量")),
        STATE_COLUMN, CREATED_COLUMN,
    ),
    search=(
        station_search("bike"),
        SearchField("name", _l("区域名称")),
        SearchField("code", _l("区域编号")),
        SearchField("enabled", _l("区域状态"), "select", ENABLED_CHOICES),
    ),
    form=(
        FormField("station_id", _l("所属电站"), "select", required=True, editable=False, options=stations("bike")),
        FormField("name", _l("区域名称"), required=True),
        FormField("phone", _l("电话"), "tel"),
    ),
    actions=crud_actions("bike.area", delete=True),
    detail=(
        STATION_COLUMN, Column("code", _l("区域编号")), Column("name", _l("区域名称")), Column("phone", _l("电话")),
        Column("device_count", _l("设备数量")), Column("socket_count", _l("插座数量")), STATE_COLUMN,
    ),
)

_DEVICE_FIELDS = (
    FormField("name", _l("设备名称"), required=True),
    FormField("device_type", _l("设备类型")),
    FormField("position", _l("位置信息")),
    FormField("rated_power_w", _l("额定功率（W）"), "number"),
    FormField("rated_voltage_v", _l("额定电压（V）"), "number"),
    FormField("rated_current_a", _l("额定电流（A）"), "number"),
    FormField("current_upper_a", _l("电流上限（A）"), "number"),
    FormField("current_lower_a", _l("电流下限（A）"), "number", help=_l("不大于电流上限")),
)
DEVICE_PAGE = PageSpec(
    menu="bike.device", path="bike/devices", title=_l("设备管理"), api="/api/v1/admin/devices",
    default_sort="-created_at", scripts=SCRIPTS,
    columns=(
        STATION_COLUMN, AREA_COLUMN,
        Column("code", _l("设备编号"), sortable=True),
        Column("factory_id", _l("出厂标识")),
        Column("name", _l("设备名称"), sortable=True),
        Column("device_type", _l("设备类型")),
        Column("socket_count", _l("插座数量")),
        ONLINE_COLUMN, FAULT_COLUMN, Column("enabled", _l("系统状态"), format="state"),
    ),
    search=(
        station_search("bike"), area_search("bike"),
        SearchField("code", _l("设备编号")),
        SearchField("factory_id", _l("出厂标识")),
        SearchField("name", _l("设备名称")),
        SearchField("enabled", _l("系统状态"), "select", ENABLED_CHOICES),
        SearchField("online", _l("在线状态"), "select", ONLINE_CHOICES),
    ),
    form=(station_filter("bike"), area_field("bike"),
          FormField("factory_id", _l("出厂标识"), required=True, editable=False)) + _DEVICE_FIELDS + (
        FormField("socket_count", _l("插座数量"), "number", required=True, editable=False, default=10,
                  help=_l("2–12 个，添加后不可修改")),
        FormField("produced_on", _l("生产日期"), "date"),
        FormField("deployed_on", _l("投放日期"), "date", help=_l("不早于生产日期")),
        FormField("protocol", _l("通讯协议"), editable=False, default="bike_mqtt"),
    ),
    actions=crud_actions("bike.device", delete=True) + (
        qrcode_export("bike.device", "socket", {**same("station_id", "area_id", "factory_id"), "code": "device_code",
                                                "name": "device_name"}),
        qrcodes("bike.device", "socket", source="/api/v1/admin/sockets", filter_={"device_code": "{code}"},
                label="{device_code} · {number}"),
        command("bike.device", _l("刷新状态"), "refresh_state"),
        command("bike.device", _l("重启"), "reboot"),
    ),
    detail=(
        STATION_COLUMN, AREA_COLUMN, Column("code", _l("设备编号")), Column("factory_id", _l("出厂标识")),
    ) + tuple(Column(f.name, f.label) for f in _DEVICE_FIELDS) + (
        Column("socket_count", _l("插座数量")), Column("produced_on", _l("生产日期"), format="date"),
        Column("deployed_on", _l("投放日期"), format="date"), Column("protocol", _l("通讯协议")), ONLINE_COLUMN,
        Column("last_heartbeat_at", _l("最后心跳时间"), format="datetime"), STATE_COLUMN,
    ),
)

SOCKET_PAGE = PageSpec(
    menu="bike.socket", path="bike/sockets", title=_l("插座管理"), api="/api/v1/admin/sockets",
    default_sort="device_code", scripts=SCRIPTS, page_size=20,
    columns=(
        STATION_COLUMN, AREA_COLUMN,
        Column("device_code", _l("设备编号"), sortable=True),
        Column("factory_id", _l("出厂标识")),
        Column("device_name", _l("设备名称")),
        Column("number", _l("插座号")),
        Column("state", _l("插座状态"), format="enum", labels=SOCKET_STATES),
        # live figures (null until the charger reports; the 详细 dialog shows them all, refreshed)
        Column("voltage_v", _l("电压（V）")),
        Column("current_a", _l("电流（A）")),
        Column("power_w", _l("功率（W）")),
        Column("energy_kwh", _l("已充电量（kWh）")),
        Column("elapsed_s", _l("已充时长"), format="duration"),
        Column("faults", _l("当前故障"), format="list"),
        Column("enabled", _l("系统状态"), format="state"),
    ),
    search=(
        station_search("bike"), area_search("bike"),
        SearchField("device_code", _l("设备编号")),
        SearchField("factory_id", _l("出厂标识")),
        SearchField("device_name", _l("设备名称")),
        SearchField("state", _l("插座状态"), "select", choices(SOCKET_STATES)),
        SearchField("enabled", _l("系统状态"), "select", ENABLED_CHOICES),
    ),
    # switching a socket needs its device's 启用/禁用 (the menu bike.socket has no state button)
    actions=(
        Action("enable", _l("启用"), "bike.socket:state", url="{api}/{id}/enable", when={"enabled": False},
               confirm=_l("确定启用设备“{device_name}”的 {number} 号插座吗？")),
        Action("disable", _l("禁用"), "bike.socket:state", url="{api}/{id}/disable", when={"enabled": True},
               confirm=_l("确定禁用设备“{device_name}”的 {number} 号插座吗？")),
        Action("detail", _l("详细"), "bike.socket:detail", url="{api}/{id}"),
        qrcode_export("bike.socket", "socket", same("station_id", "area_id", "device_code", "factory_id",
                                                    "device_name", "state", "enabled")),
        qrcodes("bike.socket", "socket", label="{device_code} · {number}"),
        start_charge_action("/api/v1/admin/bike-sockets/{id}/start", "bike.socket:command", minutes=True),
    ),
    detail=(
        STATION_COLUMN, AREA_COLUMN, Column("device_code", _l("设备编号")), Column("factory_id", _l("出厂标识")),
        Column("device_name", _l("设备名称")), Column("number", _l("插座号")),
        Column("state", _l("插座状态"), format="enum", labels=SOCKET_STATES), Column("charge_url", _l("充电链接")),
        STATE_COLUMN,
    ),
)

register(STATION_PAGE, AREA_PAGE, DEVICE_PAGE, SOCKET_PAGE)
