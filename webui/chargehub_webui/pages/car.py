"""汽车管理 pages (manual 3.2.1–3.2.6): stations, areas, parking spaces, cameras, piles, guns."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from chargehub_webui.pages import register
from chargehub_webui.pages.assets import (
    ADDRESS_DETAIL,
    ADDRESS_FIELDS,
    AREA_COLUMN,
    AUDIT_COLUMN,
    HISTORY_COLUMN,
    MORE,
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
    space_command,
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
from chargehub_webui.pagespec import Action, Column, FormField, Options, PageSpec, SearchField

LOCK_TYPES = {"none": _l("无车位锁"), "ground_lock": _l("地锁（桩控）"), "camera_lock": _l("相机控制地锁")}
LOCK_STATES = {"unknown": _l("未知"), "up": _l("已关锁"), "down": _l("已开锁")}
SPEEDS = {"fast": _l("快充"), "slow": _l("慢充")}
CURRENT_TYPES = {"dc": _l("直流"), "ac": _l("交流")}
GUN_STATES = {"offline": _l("离线"), "idle": _l("空闲"), "plugged": _l("已插枪"), "charging": _l("充电中"),
              "fault": _l("故障")}
APPLICATION_STATES = {"pending": _l("待审核"), "approved": _l("已通过"), "rejected": _l("已驳回")}
SPACES = Options(source="/api/v1/admin/spaces", params={"area_id": "area_id"}, args={"page_size": 100},
                 label="{name}（{code}）")

STATION_PAGE = PageSpec(
    menu="car.station", path="car/stations", title=_l("汽车电站"), api="/api/v1/admin/car-stations",
    default_sort="-created_at", scripts=SCRIPTS,
    columns=(
        Column("name", _l("电站名称"), sortable=True),
        Column("address", _l("地址")),
        OPERATION_COLUMN,
        Column("contact", _l("电站联系人")),
        Column("area_count", _l("区域总数")),
        Column("pile_count", _l("电桩总数")),
        Column("gun_count", _l("电枪总数")),
        Column("hotline", _l("服务热线")),
        STATE_COLUMN, AUDIT_COLUMN,
    ),
    search=STATION_SEARCH,
    form=OWNER_FIELDS + (
        FormField("name", _l("电站名称"), required=True),
        FormField("operation_type", _l("运营性质"), "select", required=True, options=choices(OPERATION_TYPES),
                  default="self_operated"),
        FormField("contact", _l("电站联系人")),
        FormField("contact_phone", _l("联系人手机号"), "tel"),
        FormField("hotline", _l("服务热线"), "tel"),
        FormField("business_hours", _l("营业时间"), default="00:00-24:00"),
        FormField("max_power_kw", _l("最大功率（kW）"), "number"),
        FormField("capacity_kva", _l("容量负荷（kVA）"), "number"),
        FormField("introduction", _l("电站简介"), "textarea"),
    ) + ADDRESS_FIELDS,
    actions=station_actions("car.station") + (
        Action("custom", _l("私桩申请"), "car.station:qrcode", url="{api}/{id}", handler="private_piles", group=MORE,
               params={"states": APPLICATION_STATES, "columns": (  # [field, header] pairs, in order
                   ("applicant", _l("申请人")), ("phone", _l("手机号")), ("plate", _l("车牌号")),
                   ("address", _l("地址")), ("remark", _l("备注")), ("created_at", _l("申请时间")),
                   ("state", _l("状态")))}),
    ),
    detail=(
        Column("provider_name", _l("所属服务商")), Column("property_name", _l("所属物业")),
        Column("name", _l("电站名称")), OPERATION_COLUMN,
        Column("contact", _l("电站联系人")), Column("contact_phone", _l("联系人手机号")),
        Column("hotline", _l("服务热线")), Column("business_hours", _l("营业时间")),
        Column("max_power_kw", _l("最大功率（kW）")), Column("capacity_kva", _l("容量负荷（kVA）")),
        Column("introduction", _l("电站简介")),
    ) + ADDRESS_DETAIL + (
        Column("area_count", _l("区域总数")), Column("space_count", _l("车位总数")),
        Column("pile_count", _l("电桩总数")), Column("gun_count", _l("电枪总数")),
        STATE_COLUMN, AUDIT_COLUMN, Column("audit_remark", _l("审核意见")), HISTORY_COLUMN,
    ),
)

AREA_PAGE = PageSpec(
    menu="car.area", path="car/areas", title=_l("区域管理"), api="/api/v1/admin/car-areas",
    default_sort="-created_at",
    columns=(
        STATION_COLUMN,
        Column("code", _l("区域编号"), sortable=True),
        Column("name", _l("区域名称"), sortable=True),
        Column("phone", _l("联系电话")),
        Column("power_kw", _l("区域功率（kW）")),
        Column("is_default", _l("默认区域"), format="bool"),
        STATE_COLUMN, CREATED_COLUMN,
    ),
    search=(
        station_search("car"),
        SearchField("code", _l("区域编号")),
        SearchField("name", _l("区域名称")),
        SearchField("enabled", _l("区域状态"), "select", ENABLED_CHOICES),
    ),
    form=(
        FormField("station_id", _l("所属电站"), "select", required=True, editable=False, options=stations("car")),
        FormField("name", _l("区域名称"), required=True),
        FormField("phone", _l("联系电话"), "tel"),
        FormField("power_kw", _l("区域功率（kW）"), "number"),
    ),
    actions=crud_actions("car.area"),
    detail=(
        STATION_COLUMN, Column("code", _l("区域编号")), Column("name", _l("区域名称")), Column("phone", _l("联系电话")),
        Column("power_kw", _l("区域功率（kW）")), Column("space_count", _l("车位数量")),
        Column("pile_count", _l("电桩数量")), Column("gun_count", _l("电枪数量")), STATE_COLUMN,
    ),
)

SPACE_PAGE = PageSpec(
    menu="car.space", path="car/spaces", title=_l("车位管理"), api="/api/v1/admin/spaces",
    default_sort="code", scripts=SCRIPTS, page_size=20,
    columns=(
        STATION_COLUMN, AREA_COLUMN,
        Column("code", _l("车位编号"), sortable=True),
        Column("name", _l("车位名称"), sortable=True),
        Column("lock_type", _l("车位锁类型"), format="enum", labels=LOCK_TYPES),
        Column("lock_state", _l("地锁状态"), format="enum", labels=LOCK_STATES),
        STATE_COLUMN, CREATED_COLUMN,
    ),
    search=(
        station_search("car"), area_search("car"),
        SearchField("code", _l("车位编号")),
        SearchField("name", _l("车位名称")),
        SearchField("enabled", _l("车位状态"), "select", ENABLED_CHOICES),
        SearchField("lock_type", _l("车位锁类型"), "select", choices(LOCK_TYPES)),
    ),
    form=(
        FormField("name", _l("车位名称"), required=True, help=_l("小程序中显示的车位名称")),
        FormField("lock_type", _l("车位锁类型"), "select", required=True, options=choices(LOCK_TYPES)),
    ),
    actions=(
        Action("add", _l("添加"), "car.space:add", url="{api}", fields=(
            station_filter("car"), area_field("car"),
            FormField("count", _l("车位数量"), "number", required=True, default=1, help=_l("一次最多添加 200 个")),
            FormField("lock_type", _l("车位锁类型"), "select", required=True, options=choices(LOCK_TYPES),
                      default="none"),
            FormField("name_prefix", _l("车位名称前缀"), help=_l("如 A 区，车位依次命名为 A 区001、A 区002…")),
        )),
    ) + crud_actions("car.space", detail=False)[1:] + (
        space_command(_l("开锁"), "unlock"),
        space_command(_l("关锁"), "lock"),
    ),
)

CAMERA_PAGE = PageSpec(
    menu="car.camera", path="car/cameras", title=_l("相机管理"), api="/api/v1/admin/cameras",
    default_sort="-created_at", scripts=SCRIPTS,
    columns=(
        STATION_COLUMN, AREA_COLUMN,
        Column("code", _l("相机编号"), sortable=True),
        Column("factory_id", _l("出厂编号")),
        Column("name", _l("相机名称")),
        Column("ip", _l("相机IP")),
        Column("left_space_name", _l("左车位")),
        Column("right_space_name", _l("右车位")),
        ONLINE_COLUMN, STATE_COLUMN,
    ),
    search=(
        station_search("car"), area_search("car"),
        SearchField("code", _l("相机编号")),
        SearchField("factory_id", _l("相机出厂编号")),
        SearchField("ip", _l("相机IP")),
        SearchField("space_id", _l("车位编号"), "select",
                    Options(source="/api/v1/admin/spaces", params={"area_id": "area_id"}, args={"page_size": 100},
                            label="{code}（{name}）")),
    ),
    form=(
        station_filter("car"), area_field("car"),
        FormField("factory_id", _l("相机出厂标识"), required=True),
        FormField("ip", _l("相机IP")),
        FormField("name", _l("相机名称"), required=True),
        FormField("sim", _l("SIM卡号")),
        FormField("left_space_id", _l("左车位"), "select", options=SPACES),
        FormField("right_space_id", _l("右车位"), "select", options=SPACES),
    ),
    actions=crud_actions("car.camera") + tuple(command("car.camera", label, name) for label, name in (
        (_l("重启设备"), "reboot"), (_l("同步时钟"), "sync_clock"), (_l("手动抓拍"), "capture"),
        (_l("同步地锁状态"), "sync_lock_state"), (_l("刷新相机状态"), "refresh_state"),
        (_l("开锁"), "unlock"), (_l("关锁"), "lock"))),
    detail=(
        STATION_COLUMN, AREA_COLUMN, Column("code", _l("相机编号")), Column("factory_id", _l("出厂编号")),
        Column("name", _l("相机名称")), Column("ip", _l("相机IP")), Column("sim", _l("SIM卡号")),
        Column("left_space_name", _l("左车位")), Column("right_space_name", _l("右车位")),
        ONLINE_COLUMN, Column("last_seen_at", _l("最后在线时间"), format="datetime"), STATE_COLUMN,
    ),
)

_PILE_FIELDS = (
    FormField("name", _l("充电桩名称"), required=True),
    FormField("model", _l("设备型号")),
    FormField("version", _l("设备版本")),
    FormField("gun_count", _l("电枪数量"), "number", required=True, default=1, help=_l("1–8 把")),
    FormField("sim", _l("SIM卡号")),
    FormField("operation_type", _l("运营性质"), "select", required=True, options=choices(OPERATION_TYPES),
              default="self_operated"),
    FormField("occupancy_fee", _l("占位收费"), "bool"),
    FormField("reservation", _l("预约充电"), "bool"),
    FormField("output_current_a", _l("输出电流（A）"), "number"),
    FormField("output_power_kw", _l("输出功率（kW）"), "number"),
    FormField("output_voltage_v", _l("输出电压（V）"), "number"),
    FormField("current_type", _l("电流类型"), "select", required=True, options=choices(CURRENT_TYPES), default="dc"),
    FormField("charging_type", _l("充电类型")),
    FormField("speed", _l("充电速度"), "select", required=True, options=choices(SPEEDS), default="fast"),
    FormField("installation", _l("安装方式")),
    FormField("protection_class", _l("防护等级")),
    FormField("communication", _l("通讯方式")),
)
PILE_PAGE = PageSpec(
    menu="car.pile", path="car/piles", title=_l("充电桩管理"), api="/api/v1/admin/piles",
    default_sort="-created_at", scripts=SCRIPTS,
    columns=(
        STATION_COLUMN, AREA_COLUMN,
        Column("code", _l("充电桩编号"), sortable=True),
        Column("factory_id", _l("出厂标识")),
        Column("name", _l("充电桩名称"), sortable=True),
        Column("gun_count", _l("电枪数量")),
        Column("speed", _l("充电速度"), format="enum", labels=SPEEDS),
        Column("output_power_kw", _l("输出功率（kW）")),
        ONLINE_COLUMN, STATE_COLUMN,
    ),
    search=(
        station_search("car"), area_search("car"),
        SearchField("code", _l("充电桩编号")),
        SearchField("factory_id", _l("出厂标识")),
        SearchField("name", _l("充电桩名称")),
        SearchField("speed", _l("充电速度"), "select", choices(SPEEDS)),
        SearchField("enabled", _l("充电桩状态"), "select", ENABLED_CHOICES),
    ),
    form=(station_filter("car"), area_field("car"),
          FormField("factory_id", _l("出厂标识"), required=True, editable=False)) + _PILE_FIELDS + (
        FormField("protocol", _l("通讯协议"), editable=False, default="ykc"),
    ),
    actions=crud_actions("car.pile") + (
        qrcode_export("car.pile", "gun", {**same("station_id", "area_id", "factory_id"), "code": "pile_code"}),
        qrcodes("car.pile", "gun", source="/api/v1/admin/guns", filter_={"pile_code": "{code}"},
                label="{pile_name} · {name}"),
        Action("custom", _l("计费详情"), "car.pile:detail", url="{api}/{id}/billing", handler="billing_detail",
               params={"labels": (("station_name", _l("所属电站")), ("area_name", _l("所属区域")),
                                  ("name", _l("计费名称")), ("mode", _l("计费方式")), ("effective_at", _l("生效时间")),
                                  ("description", _l("计费规则描述")), ("periods", _l("计费规则时段")))}),
    ) + tuple(command("car.pile", label, name) for label, name in (
        (_l("重启设备"), "reboot"), (_l("同步时钟"), "sync_clock"), (_l("同步二维码"), "sync_qrcode"),
        (_l("同步计费规则"), "sync_billing"), (_l("同步热线"), "sync_hotline"), (_l("刷新状态"), "refresh_state"))),
    detail=(
        STATION_COLUMN, AREA_COLUMN, Column("code", _l("充电桩编号")), Column("factory_id", _l("出厂标识")),
    ) + tuple(Column(f.name, f.label, format="bool" if f.type == "bool" else "text") for f in _PILE_FIELDS
              if f.type != "select") + (
        OPERATION_COLUMN,
        Column("current_type", _l("电流类型"), format="enum", labels=CURRENT_TYPES),
        Column("speed", _l("充电速度"), format="enum", labels=SPEEDS),
        Column("protocol", _l("通讯协议")), ONLINE_COLUMN,
        Column("last_heartbeat_at", _l("最后心跳时间"), format="datetime"), STATE_COLUMN,
    ),
)

GUN_PAGE = PageSpec(
    menu="car.gun", path="car/guns", title=_l("电枪管理"), api="/api/v1/admin/guns",
    default_sort="pile_code", scripts=SCRIPTS, page_size=20,
    columns=(
        STATION_COLUMN, AREA_COLUMN,
        Column("pile_code", _l("电桩编号"), sortable=True),
        Column("pile_name", _l("电桩名称")),
        Column("factory_id", _l("出厂标识")),
        Column("number", _l("枪号")),
        Column("name", _l("电枪名称")),
        Column("state", _l("电枪状态"), format="enum", labels=GUN_STATES),
        STATE_COLUMN,
    ),
    search=(
        station_search("car"), area_search("car"),
        SearchField("pile_code", _l("电桩编号")),
        SearchField("factory_id", _l("出厂标识")),
        SearchField("state", _l("电枪状态"), "select", choices(GUN_STATES)),
    ),
    form=(FormField("name", _l("电枪名称"), required=True),),
    actions=crud_actions("car.gun")[1:] + (
        qrcode_export("car.gun", "gun", same("station_id", "area_id", "pile_code", "factory_id", "state")),
        qrcodes("car.gun", "gun", label="{pile_name} · {name}"),
        start_charge_action("/api/v1/admin/guns/{id}/start", "car.gun:command"),
    ),
    detail=(
        STATION_COLUMN, AREA_COLUMN, Column("pile_code", _l("电桩编号")), Column("pile_name", _l("电桩名称")),
        Column("factory_id", _l("出厂标识")), Column("number", _l("枪号")), Column("name", _l("电枪名称")),
        Column("state", _l("电枪状态"), format="enum", labels=GUN_STATES), Column("charge_url", _l("充电链接")),
        STATE_COLUMN,
    ),
)

register(STATION_PAGE, AREA_PAGE, SPACE_PAGE, CAMERA_PAGE, PILE_PAGE, GUN_PAGE)
