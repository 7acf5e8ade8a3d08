"""What the admin shows of the devices themselves: 汇总统计 → 上下线记录 (manual 3.6.6), 桩交易记录 and
单车充电记录, and the 实时状态 panel in the 详细 dialog of the pile, gun, e-bike device and socket pages
(汽车管理 3.2.5 / 3.2.6, 单车管理 3.3.3 / 3.3.4).

The record pages follow the list-page pattern; their 导出 runs as an export job (``assets.js``'s
export handler, the same dialog with progress as the QR-code export). ``devices.js`` renders a record's
详细 (rate lines with the rates in words, faults in words, the frame) and the 实时状态 panel, refreshed
every few seconds; ``bike_devices.js`` adds the e-bike device's panel (MQTT 账号 with 查看账号 / 重置密码,
刷新状态 / 重启 with the device's answer, a card per socket). The asset pages belong to :mod:`.car` and
:mod:`.bike`; this module swaps their 详细 action for one that adds the panel (:func:`_with_live_panel`),
so the asset pages need to know nothing of live device data. Strings of the scripts come with the
actions' ``params``, translated like every other label.
"""
from __future__ import annotations

from dataclasses import replace

from flask_babel import lazy_gettext as _l

import chargehub_webui.pages.bike  # noqa: F401 - the asset pages must be registered before they are extended
import chargehub_webui.pages.car  # noqa: F401
from chargehub_webui.pages import BY_PATH, PAGES, register
from chargehub_webui.pages.assets import QRCODES_API, STATION_COLUMN, same, station_search
from chargehub_webui.pages.bike import ACCOUNT_STATES, SOCKET_STATES
from chargehub_webui.pages.car import GUN_STATES
from chargehub_webui.pages.common import choices
from chargehub_webui.pagespec import Action, Column, PageSpec, SearchField

SCRIPTS = ("webui/assets.js", "webui/devices.js")  # assets.js: the export dialog
BIKE_SCRIPTS = SCRIPTS + ("webui/bike_devices.js",)

DEVICE_KINDS = {"pile": _l("充电桩"), "bike_device": _l("单车设备"), "camera": _l("相机")}
CONNECTION_STATES = {"online": _l("上线"), "offline": _l("下线"), "refused": _l("拒绝登录")}
REVIEW_STATES = {"pending": _l("待核对"), "matched": _l("已匹配")}
TRADE_FLAGS = {"app": _l("APP启动"), "card": _l("卡启动"), "offline_card": _l("离线卡启动"), "vin": _l("VIN码启动"),
               "unknown": _l("未知")}
RATES = {"sharp": _l("尖"), "peak": _l("峰"), "flat": _l("平"), "valley": _l("谷")}
#: 停止原因 of the e-bike chargers' records (bike_mqtt, docs/protocols/bike-mqtt.md §4.1).
STOP_REASONS = {"duration": _l("时长用完"), "energy": _l("电量用完"), "amount": _l("金额用完"), "full": _l("充满自停"),
                "unplugged": _l("拔出插头"), "remote": _l("远程停止"), "power_over": _l("功率超限"),
                "fault": _l("故障停止"), "power_loss": _l("设备断电")}

#: Strings of the 实时状态 panel (devices.js).
LIVE_STRINGS = {
    "title": _l("实时状态"), "refresh": _l("刷新"), "loading": _l("加载中…"), "online": _l("在线"),
    "offline": _l("离线"), "online_state": _l("在线状态"), "last_heartbeat": _l("最后心跳时间"),
    "online_changed": _l("上下线时间"), "firmware": _l("固件版本"), "billing_model": _l("计费模型编号"),
    "gun_state": _l("电枪状态"), "voltage": _l("输出电压"), "current": _l("输出电流"), "power": _l("输出功率"),
    "soc": _l("SOC"), "energy": _l("已充电量"), "amount": _l("已充金额"), "charging_minutes": _l("已充时长"),
    "remaining_minutes": _l("剩余时间"), "cable_temp": _l("枪线温度"), "battery_temp": _l("电池最高温度"),
    "trade_no": _l("交易流水号"), "plugged": _l("插枪状态"), "plugged_yes": _l("已插枪"), "plugged_no": _l("未插枪"),
    "faults": _l("当前故障"), "no_faults": _l("无故障"), "lock": _l("地锁"), "lock_up": _l("已关锁"),
    "lock_down": _l("已开锁"), "lock_unknown": _l("未知"), "occupied": _l("车位有车"), "vacant": _l("车位空闲"),
    "battery": _l("电量 {n}%"), "last_start": _l("最近启动"), "last_stop": _l("最近停止"),
    "accepted": _l("成功"), "rejected": _l("失败"), "updated_at": _l("数据更新时间"),
    "no_live": _l("暂无实时数据（设备尚未上报）"), "minutes": _l("{n} 分钟"), "yuan": _l("{n} 元"),
    "fault_code": _l("故障代码 {code}"), "auto_refresh": _l("每 {n} 秒自动刷新"), "gun_states": GUN_STATES,
}
#: More strings of the e-bike panels (bike_devices.js).
BIKE_LIVE_STRINGS = {
    **LIVE_STRINGS, "socket_no": _l("{n} 号插座"), "socket_states": SOCKET_STATES, "voltage": _l("电压"),
    "current": _l("电流"), "power": _l("功率"), "elapsed": _l("已充时长"), "trade_no": _l("订单号"),
    "device": _l("所属设备"), "device_faults": _l("设备故障"), "account": _l("MQTT 账号"),
    "account_state": _l("账号状态"), "account_states": ACCOUNT_STATES, "account_synced": _l("同步时间"),
    "account_error": _l("同步错误"), "view_account": _l("查看账号"), "hide_account": _l("隐藏账号"),
    "reset_password": _l("重置密码"), "reset_confirm": _l("重置后设备须使用新密码连接。确定重置设备“{name}”的 MQTT 密码吗？"),
    "reset_done": _l("密码已重置"), "broker": _l("服务器地址"), "broker_unset": _l("未配置（见 CHARGEHUB_MQTT_URL）"),
    "client_id": _l("Client ID"), "username": _l("用户名"), "password": _l("密码"), "password_unset": _l("尚未签发"),
    "refresh_state": _l("刷新状态"), "reboot": _l("重启"), "reboot_confirm": _l("确定重启设备“{name}”吗？"),
    "sending": _l("指令发送中…"),
}


def export_action(menu: str, kind: str, filters: dict[str, str]) -> Action:
    """导出 (toolbar): the rows the current search finds, as an .xlsx export job of ``kind``."""
    return Action("custom", _l("导出"), f"{menu}:export", url=QRCODES_API + "/exports", handler="qrcode_export",
                  toolbar=True, params={"kind": kind, "filters": filters})


ONLINE_PAGE = PageSpec(
    menu="stats.online", path="stats/online-records", title=_l("上下线记录"), api="/api/v1/admin/device-online-records",
    default_sort="-occurred_at", scripts=SCRIPTS, page_size=20,
    columns=(
        Column("device_name", _l("设备名称"), sortable=True),
        Column("device_code", _l("设备编号"), sortable=True),
        Column("factory_id", _l("设备sn号"), sortable=True),
        Column("device_kind", _l("设备类型"), format="enum", labels=DEVICE_KINDS),
        STATION_COLUMN,
        Column("state", _l("连接状态"), format="enum", labels=CONNECTION_STATES),
        Column("reason", _l("原因")),
        Column("protocol", _l("协议")),
        Column("peer", _l("地址")),
        Column("occurred_at", _l("记录时间"), sortable=True, format="datetime"),
    ),
    search=(
        SearchField("device_name", _l("设备名称")),
        SearchField("device_code", _l("设备编号")),
        SearchField("factory_id", _l("设备sn号")),
        SearchField("device_kind", _l("设备类型"), "select", choices(DEVICE_KINDS)),
        SearchField("state", _l("连接状态"), "select", choices(CONNECTION_STATES)),
        SearchField("occurred", _l("记录时间"), "daterange"),
    ),
    actions=(export_action("stats.online", "device_online_record",
                           same("device_name", "device_code", "factory_id", "device_kind", "state", "occurred_from",
                                "occurred_to")),),
)

_PERIODS = Column("periods", _l("分时段明细"), format="records",
                  labels={"rate": _l("费率"), "unit_price": _l("单价（元/度）"), "energy_kwh": _l("电量（kWh）"),
                          "amount": _l("金额（元）")})
PILE_RECORD_PAGE = PageSpec(
    menu="stats.pile_record", path="stats/pile-records", title=_l("桩交易记录"),
    api="/api/v1/admin/pile-transaction-records", default_sort="-received_at", scripts=SCRIPTS, page_size=20,
    columns=(
        Column("trade_no", _l("交易流水号"), sortable=True),
        Column("station_name", _l("电站")),
        Column("pile_code", _l("充电桩编号"), sortable=True),
        Column("gun_number", _l("枪号")),
        Column("started_at", _l("开始时间"), sortable=True, format="datetime"),
        Column("ended_at", _l("结束时间"), sortable=True, format="datetime"),
        Column("energy_kwh", _l("充电电量（kWh）"), sortable=True),
        Column("amount", _l("消费金额（元）"), sortable=True),
        Column("trade_flag", _l("交易标识"), format="enum", labels=TRADE_FLAGS),
        Column("stop_reason", _l("停止原因")),
        Column("review_state", _l("核对状态"), format="enum", labels=REVIEW_STATES),
        Column("received_at", _l("接收时间"), sortable=True, format="datetime"),
    ),
    search=(
        station_search("car"),
        SearchField("pile_code", _l("充电桩编号")),
        SearchField("factory_id", _l("出厂标识")),
        SearchField("trade_no", _l("交易流水号")),
        SearchField("review_state", _l("核对状态"), "select", choices(REVIEW_STATES)),
        SearchField("stop_reason_code", _l("停止原因代码")),
        SearchField("ended", _l("结束时间"), "daterange"),
    ),
    actions=(
        Action("custom", _l("详细"), "stats.pile_record:detail", url="{api}/{id}", handler="record_detail",
               params={"rates": RATES, "title": _l("交易记录详情")}),
        export_action("stats.pile_record", "pile_transaction_record",
                      same("station_id", "pile_code", "factory_id", "trade_no", "review_state", "stop_reason_code",
                           "ended_from", "ended_to")),
    ),
    detail=(
        Column("trade_no", _l("交易流水号")), Column("station_name", _l("电站")),
        Column("pile_code", _l("充电桩编号")), Column("pile_name", _l("充电桩名称")),
        Column("factory_id", _l("出厂标识")), Column("gun_number", _l("枪号")),
        Column("started_at", _l("开始时间"), format="datetime"), Column("ended_at", _l("结束时间"), format="datetime"),
        Column("traded_at", _l("交易时间"), format="datetime"), Column("energy_kwh", _l("充电电量（kWh）")),
        Column("amount", _l("消费金额（元）")), Column("meter_start_kwh", _l("电表起值（kWh）")),
        Column("meter_end_kwh", _l("电表止值（kWh）")), Column("trade_flag", _l("交易标识"), format="enum", labels=TRADE_FLAGS),
        Column("vin", _l("VIN")), Column("card", _l("物理卡号")),
        Column("stop_reason_code", _l("停止原因代码")), Column("stop_reason", _l("停止原因")),
        Column("review_state", _l("核对状态"), format="enum", labels=REVIEW_STATES),
        Column("duplicates", _l("重复上传次数")), Column("received_at", _l("接收时间"), format="datetime"),
        Column("last_received_at", _l("最后接收时间"), format="datetime"),
        _PERIODS, Column("frame", _l("原始报文")),
    ),
)


BIKE_RECORD_PAGE = PageSpec(
    menu="stats.bike_record", path="stats/bike-records", title=_l("单车充电记录"),
    api="/api/v1/admin/bike-charge-records", default_sort="-received_at", scripts=SCRIPTS, page_size=20,
    columns=(
        Column("trade_no", _l("订单号"), sortable=True),
        Column("station_name", _l("电站")),
        Column("device_code", _l("设备编号"), sortable=True),
        Column("socket_number", _l("插座号")),
        Column("started_at", _l("开始时间"), sortable=True, format="datetime"),
        Column("ended_at", _l("结束时间"), sortable=True, format="datetime"),
        Column("energy_kwh", _l("充电电量（kWh）"), sortable=True),
        Column("elapsed_s", _l("充电时长"), sortable=True, format="duration"),
        Column("max_power_w", _l("最大功率（W）")),
        Column("stop_reason", _l("停止原因")),
        Column("faults", _l("故障"), format="list"),
        Column("review_state", _l("核对状态"), format="enum", labels=REVIEW_STATES),
        Column("received_at", _l("接收时间"), sortable=True, format="datetime"),
    ),
    search=(
        station_search("bike"),
        SearchField("device_code", _l("设备编号")),
        SearchField("factory_id", _l("出厂标识")),
        SearchField("socket_number", _l("插座号")),
        SearchField("trade_no", _l("订单号")),
        SearchField("stop_reason_code", _l("停止原因"), "select", choices(STOP_REASONS)),
        SearchField("review_state", _l("核对状态"), "select", choices(REVIEW_STATES)),
        SearchField("ended", _l("结束时间"), "daterange"),
    ),
    actions=(
        Action("custom", _l("详细"), "stats.bike_record:detail", url="{api}/{id}", handler="record_detail",
               params={"title": _l("充电记录详情"), "no_faults": _l("无故障"), "fault_code": _l("故障代码 {code}")}),
        export_action("stats.bike_record", "bike_charge_record",
                      same("station_id", "device_code", "factory_id", "socket_number", "trade_no", "stop_reason_code",
                           "review_state", "ended_from", "ended_to")),
    ),
    detail=(
        Column("trade_no", _l("订单号")), Column("station_name", _l("电站")),
        Column("device_code", _l("设备编号")), Column("device_name", _l("设备名称")),
        Column("factory_id", _l("出厂标识")), Column("socket_number", _l("插座号")),
        Column("started_at", _l("开始时间"), format="datetime"), Column("ended_at", _l("结束时间"), format="datetime"),
        Column("energy_kwh", _l("充电电量（kWh）")), Column("elapsed_s", _l("充电时长"), format="duration"),
        Column("max_power_w", _l("最大功率（W）")),
        Column("stop_reason_code", _l("停止原因代码"), format="enum", labels=STOP_REASONS),
        Column("stop_reason", _l("停止原因")), Column("fault_bits", _l("故障位")),
        Column("review_state", _l("核对状态"), format="enum", labels=REVIEW_STATES),
        Column("duplicates", _l("重复上传次数")), Column("record_id", _l("记录标识")),
        Column("received_at", _l("接收时间"), format="datetime"),
        Column("last_received_at", _l("最后接收时间"), format="datetime"),
        Column("faults", _l("故障")), Column("frame", _l("原始报文")),
    ),
)


def _with_live_panel(menu: str, live_url: str, *, render: str = "pile", strings: dict = LIVE_STRINGS,
                     scripts: tuple[str, ...] = SCRIPTS, **params) -> None:
    """Make the 详细 action of ``menu``'s page also show the 实时状态 panel read from ``live_url``, drawn by the
    ``render`` renderer of ``scripts`` (``params`` go to it too)."""
    spec = PAGES[menu]

    def swap(action: Action) -> Action:
        if action.kind != "detail":
            return action
        return Action("custom", action.label, action.permission, url=action.url, handler="detail_with_live",
                      params={"live": live_url, "strings": strings, "render": render, "interval": 5, **params})

    scripts = spec.scripts + tuple(s for s in scripts if s not in spec.scripts)
    extended = replace(spec, actions=tuple(swap(a) for a in spec.actions), scripts=scripts)
    PAGES[menu] = BY_PATH[spec.path] = extended


register(ONLINE_PAGE, PILE_RECORD_PAGE, BIKE_RECORD_PAGE)
_with_live_panel("car.pile", "/api/v1/admin/piles/{id}/status")
_with_live_panel("car.gun", "/api/v1/admin/guns/{id}/live")
_with_live_panel("bike.device", "/api/v1/admin/bike-devices/{id}/status", render="bike_device",
                 strings=BIKE_LIVE_STRINGS, scripts=BIKE_SCRIPTS,
                 account="/api/v1/admin/bike-devices/{id}/mqtt-account", account_permission="bike.device:edit",
                 commands="/api/v1/admin/devices/{id}/commands/", command_permission="bike.device:command")
_with_live_panel("bike.socket", "/api/v1/admin/bike-sockets/{id}/live", render="bike_socket",
                 strings=BIKE_LIVE_STRINGS, scripts=BIKE_SCRIPTS)
