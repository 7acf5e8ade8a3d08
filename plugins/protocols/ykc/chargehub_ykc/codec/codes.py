"""YKC code tables in words, ``"中文 (English)"`` (``specs/ykc-protocol.md`` §8 and §5).

Lookups never fail: an unknown code gets a text that names it (``"未定义的停止原因 0x9A (undefined stop
reason)"``), so operators always see the raw value.
"""
from __future__ import annotations

from typing import Mapping

__all__ = [
    "STOP_REASONS", "HARDWARE_FAULTS", "START_FAILURES", "STOP_FAILURES", "AUTH_FAILURES", "TRADE_FLAGS",
    "GUN_STATES", "LOCK_STATES", "LOCK_ALARMS", "BALANCE_UPDATE_RESULTS", "OFFLINE_SYNC_FAILURES",
    "UPGRADE_STATUS", "BMS_ERROR_FIELDS", "BMS_ABORT_FIELDS", "CHARGER_ABORT_FIELDS",
    "BMS_STATUS_FIELDS", "stop_reason_text", "stop_reason_kind", "fault_list", "start_failure_text",
    "stop_failure_text", "auth_failure_text", "trade_flag_name", "bit_fields", "bit_field_words", "field_label",
    "lookup", "TIMEOUT_VALUES", "YES_NO_VALUES", "HIGH_LOW_VALUES", "FAULT_VALUES", "PERMIT_VALUES",
]

_STARTS = "充电启动失败：{} (start failed: {})"
_ABNORMAL = "充电异常中止：{} ({})"

#: 停止原因 (0x3B byte 149), §8.1.
STOP_REASONS: dict[int, str] = {
    0x00: "无 (none)",
    0x40: "APP 远程停止 (completed: app remote stop)",
    0x41: "SOC 达到 100% (completed: SOC reached 100 %)",
    0x42: "充电电量满足设定条件 (completed: energy target reached)",
    0x43: "充电金额满足设定条件 (completed: amount target reached)",
    0x44: "充电时间满足设定条件 (completed: time target reached)",
    0x45: "手动停止充电 (completed: manual stop at the pile)",
    **{code: "其他方式完成充电（预留） (completed: other, reserved)" for code in range(0x46, 0x4A)},
    0x4A: _STARTS.format("充电桩控制系统故障（需要重启或自动恢复）", "pile control system fault"),
    0x4B: _STARTS.format("控制导引断开", "control pilot disconnected"),
    0x4C: _STARTS.format("断路器跳位", "circuit breaker tripped"),
    0x4D: _STARTS.format("电表通信中断", "meter communication lost"),
    0x4E: _STARTS.format("余额不足", "insufficient balance"),
    0x4F: _STARTS.format("充电模块故障", "charging module fault"),
    0x50: _STARTS.format("急停开入", "emergency stop input"),
    0x51: _STARTS.format("防雷器异常", "surge protector fault"),
    0x52: _STARTS.format("BMS 未就绪", "BMS not ready"),
    0x53: _STARTS.format("温度异常", "temperature abnormal"),
    0x54: _STARTS.format("电池反接故障", "battery reverse polarity"),
    0x55: _STARTS.format("电子锁异常", "electronic lock fault"),
    0x56: _STARTS.format("合闸失败", "contactor closing failed"),
    0x57: _STARTS.format("绝缘异常", "insulation fault"),
    0x58: "预留 (reserved)",
    0x59: _STARTS.format("接收 BMS 握手报文 BHM 超时", "BHM timeout"),
    0x5A: _STARTS.format("接收 BMS 和车辆的辨识报文 BRM 超时", "BRM timeout"),
    0x5B: _STARTS.format("接收电池充电参数报文 BCP 超时", "BCP timeout"),
    0x5C: _STARTS.format("接收 BMS 完成充电准备报文 BRO AA 超时", "BRO 0xAA timeout"),
    0x5D: _STARTS.format("接收电池充电总状态报文 BCS 超时", "BCS timeout"),
    0x5E: _STARTS.format("接收电池充电要求报文 BCL 超时", "BCL timeout"),
    0x5F: _STARTS.format("接收电池状态信息报文 BSM 超时", "BSM timeout"),
    0x60: _STARTS.format("GB2015 电池在 BHM 阶段有电压不允许充电", "GB2015, battery voltage present in BHM phase"),
    0x61: _STARTS.format("GB2015 辨识阶段在 BRO_AA 时电池实际电压与 BCP 报文电池电压差距大于 5%",
                         "GB2015, battery voltage differs from BCP by more than 5 % at BRO_AA"),
    0x62: _STARTS.format("GB2015 充电机在预充电阶段从 BRO_AA 变成 BRO_00 状态",
                         "GB2015, BRO changed from 0xAA to 0x00 during pre-charge"),
    0x63: _STARTS.format("接收主机配置报文超时", "host configuration frame timeout"),
    0x64: _STARTS.format("充电机未准备就绪（未发送 CRO AA，旧国标）", "charger not ready, CRO 0xAA not sent"),
    **{code: _STARTS.format("其他原因（预留）", "other, reserved") for code in range(0x65, 0x6A)},
    0x6A: _ABNORMAL.format("系统闭锁", "abnormal stop: system lock-out"),
    0x6B: _ABNORMAL.format("控制导引断开", "abnormal stop: control pilot disconnected"),
    0x6C: _ABNORMAL.format("断路器跳位", "abnormal stop: circuit breaker tripped"),
    0x6D: _ABNORMAL.format("电表通信中断", "abnormal stop: meter communication lost"),
    0x6E: _ABNORMAL.format("余额不足", "abnormal stop: insufficient balance"),
    0x6F: _ABNORMAL.format("交流保护动作", "abnormal stop: AC protection tripped"),
    0x70: _ABNORMAL.format("直流保护动作", "abnormal stop: DC protection tripped"),
    0x71: _ABNORMAL.format("充电模块故障", "abnormal stop: charging module fault"),
    0x72: _ABNORMAL.format("急停开入", "abnormal stop: emergency stop input"),
    0x73: _ABNORMAL.format("防雷器异常", "abnormal stop: surge protector fault"),
    0x74: _ABNORMAL.format("温度异常", "abnormal stop: temperature abnormal"),
    0x75: _ABNORMAL.format("输出异常", "abnormal stop: output abnormal"),
    0x76: _ABNORMAL.format("充电无流", "abnormal stop: no current"),
    0x77: _ABNORMAL.format("电子锁异常", "abnormal stop: electronic lock fault"),
    0x78: "预留 (reserved)",
    0x79: _ABNORMAL.format("总充电电压异常", "abnormal stop: total charging voltage abnormal"),
    0x7A: _ABNORMAL.format("总充电电流异常", "abnormal stop: total charging current abnormal"),
    0x7B: _ABNORMAL.format("单体充电电压异常", "abnormal stop: cell charging voltage abnormal"),
    0x7C: _ABNORMAL.format("电池组过温", "abnormal stop: battery pack over-temperature"),
    0x7D: _ABNORMAL.format("最高单体充电电压异常", "abnormal stop: highest cell voltage abnormal"),
    0x7E: _ABNORMAL.format("最高电池组过温", "abnormal stop: highest battery pack over-temperature"),
    0x7F: _ABNORMAL.format("BMV 单体充电电压异常", "abnormal stop: BMV cell voltage abnormal"),
    0x80: _ABNORMAL.format("BMT 电池组过温", "abnormal stop: BMT battery over-temperature"),
    0x81: _ABNORMAL.format("电池状态异常", "abnormal stop: battery status abnormal"),
    0x82: _ABNORMAL.format("车辆发报文禁止充电", "abnormal stop: vehicle message prohibits charging"),
    0x83: _ABNORMAL.format("充电桩断电", "abnormal stop: pile power loss"),
    0x84: _ABNORMAL.format("接收电池充电总状态报文 BCS 超时", "abnormal stop: BCS timeout"),
    0x85: _ABNORMAL.format("接收电池充电要求报文 BCL 超时", "abnormal stop: BCL timeout"),
    0x86: _ABNORMAL.format("接收电池状态信息报文 BSM 超时", "abnormal stop: BSM timeout"),
    0x87: _ABNORMAL.format("接收 BMS 中止充电报文 BST 超时", "abnormal stop: BST timeout"),
    0x88: _ABNORMAL.format("接收 BMS 充电统计报文 BSD 超时", "abnormal stop: BSD timeout"),
    0x89: _ABNORMAL.format("接收对侧 CCS 报文超时", "abnormal stop: peer CCS timeout"),
    **{code: _ABNORMAL.format("其他原因（预留）", "abnormal stop: other, reserved") for code in range(0x8A, 0x90)},
    0x90: "未知原因停止 (unknown reason)",
}

#: 硬件故障 (0x13 bytes 58–59, bit 0 = DOC16's "Bit1"), §8.4.
HARDWARE_FAULTS: dict[int, str] = {
    0: "急停按钮动作故障 (emergency stop pressed)",
    1: "无可用整流模块 (no rectifier module available)",
    2: "出风口温度过高 (air outlet over-temperature)",
    3: "交流防雷故障 (AC surge-protection fault)",
    4: "交直流模块 DC20 通信中断 (AC/DC module DC20 communication lost)",
    5: "绝缘检测模块 FC08 通信中断 (insulation monitor FC08 communication lost)",
    6: "电度表通信中断 (meter communication lost)",
    7: "读卡器通信中断 (card reader communication lost)",
    8: "RC10 通信中断 (RC10 communication lost)",
    9: "风扇调速板故障 (fan speed board fault)",
    10: "直流熔断器故障 (DC fuse fault)",
    11: "高压接触器故障 (HV contactor fault)",
    12: "门打开 (door open)",
}

#: 0x33/0xA3 failure reasons, §8.5.
START_FAILURES: dict[int, str] = {
    0x00: "无 (none)",
    0x01: "桩编号不匹配 (pile code mismatch)",
    0x02: "枪已在充电 (gun already charging)",
    0x03: "设备故障 (device fault)",
    0x04: "设备离线 (device offline)",
    0x05: "未插枪 (gun not plugged)",
}

#: 0x35 failure reasons, §8.5.
STOP_FAILURES: dict[int, str] = {
    0x00: "无 (none)",
    0x01: "桩编号不匹配 (pile code mismatch)",
    0x02: "枪未处于充电状态 (gun not charging)",
    0x03: "其他 (other)",
}

#: 0x32/0xA2 authorisation failure reasons, §8.6.
AUTH_FAILURES: dict[int, str] = {
    0x01: "账户不存在 (account does not exist)",
    0x02: "账户冻结 (account frozen)",
    0x03: "账户余额不足 (insufficient balance)",
    0x04: "该卡存在未结账记录 (card has an unsettled record)",
    0x05: "桩停用 (pile disabled)",
    0x06: "该账户不能在此桩上充电 (account may not charge at this pile)",
    0x07: "密码错误 (wrong password)",
    0x08: "电站电容不足 (station capacity insufficient)",
    0x09: "系统中 VIN 码不存在 (VIN unknown to the system)",
    0x0A: "该桩存在未结账记录 (pile has an unsettled record)",
    0x0B: "该桩不支持刷卡 (pile does not support cards)",
}

#: 交易标识 (0x3B byte 141) → normalized name, §8.2.
TRADE_FLAGS: dict[int, str] = {0x01: "app", 0x02: "card", 0x04: "offline_card", 0x05: "vin"}

#: 0x13 gun status → normalized state, §8.3.
GUN_STATES: dict[int, str] = {0x00: "offline", 0x01: "fault", 0x02: "idle", 0x03: "charging"}

#: 0x61 lock state → normalized state.
LOCK_STATES: dict[int, str] = {0x00: "unknown", 0x55: "up", 0xFF: "down"}

#: 0x61 lock alarms (0x00 = none).
LOCK_ALARMS: dict[int, str] = {
    0xFF: "待机状态摆臂破坏 (swing arm damaged in standby)",
    0x55: "摆臂升降异常 (arm raise/lower fault)",
}

#: 0x41 results.
BALANCE_UPDATE_RESULTS: dict[int, str] = {
    0x00: "修改成功 (updated)",
    0x01: "设备编号错误 (pile code error)",
    0x02: "卡号错误 (card error)",
}

#: 0x43 failure reasons.
OFFLINE_SYNC_FAILURES: dict[int, str] = {
    0x01: "卡号格式错误 (bad card format)",
    0x02: "储存空间不足 (storage full)",
}

#: 0x93 status.
UPGRADE_STATUS: dict[int, str] = {
    0x00: "成功 (success)",
    0x01: "编号错误 (pile code error)",
    0x02: "程序与桩型号不符 (program does not match the pile model)",
    0x03: "下载更新文件超时 (download timeout)",
}

#: Words of a 2-bit BMS field's values 0..3, per coding.
TIMEOUT_VALUES = ("正常 (normal)", "超时 (timeout)", "不可信 (not credible)", "无效 (invalid)")
YES_NO_VALUES = ("否 (no)", "是 (yes)", "不可信 (not credible)", "无效 (invalid)")
HIGH_LOW_VALUES = ("正常 (ok)", "过高 (too high)", "过低 (too low)", "无效 (invalid)")
FAULT_VALUES = ("正常 (ok)", "异常 (fault)", "不可信 (not credible)", "无效 (invalid)")
PERMIT_VALUES = ("禁止 (prohibited)", "允许 (permitted)", "无效 (invalid)", "无效 (invalid)")

#: (key, bit offset, bit width, words, value words or ``None`` for a plain number) over a packed integer.
FieldTable = tuple[tuple[str, int, int, str, tuple[str, ...] | None], ...]

#: 0x1B ``bem_flags`` (body bytes 24–27) and ``cem_flags`` (28–31).
BMS_ERROR_FIELDS: Mapping[str, FieldTable] = {
    "bem_flags": (
        ("crm00_timeout", 0, 2, "接收充电机辨识报文(0x00)超时 (CRM 0x00 timeout)", TIMEOUT_VALUES),
        ("crmaa_timeout", 2, 2, "接收充电机辨识报文(0xAA)超时 (CRM 0xAA timeout)", TIMEOUT_VALUES),
        ("cts_cml_timeout", 8, 2, "接收充电机时间同步和最大输出能力报文超时 (CTS/CML timeout)", TIMEOUT_VALUES),
        ("cro_timeout", 10, 2, "接收充电机完成充电准备报文超时 (CRO timeout)", TIMEOUT_VALUES),
        ("ccs_timeout", 16, 2, "接收充电机充电状态报文超时 (CCS timeout)", TIMEOUT_VALUES),
        ("cst_timeout", 18, 2, "接收充电机中止充电报文超时 (CST timeout)", TIMEOUT_VALUES),
        ("csd_timeout", 24, 2, "接收充电机充电统计报文超时 (CSD timeout)", TIMEOUT_VALUES),
        ("bms_other", 26, 6, "BMS 其他 (BMS other)", None),
    ),
    "cem_flags": (
        ("brm_timeout", 0, 2, "接收 BMS 和车辆的辨识报文超时 (BRM timeout)", TIMEOUT_VALUES),
        ("bcp_timeout", 8, 2, "接收电池充电参数报文超时 (BCP timeout)", TIMEOUT_VALUES),
        ("bro_timeout", 10, 2, "接收 BMS 完成充电准备报文超时 (BRO timeout)", TIMEOUT_VALUES),
        ("bcs_timeout", 16, 2, "接收电池充电总状态报文超时 (BCS timeout)", TIMEOUT_VALUES),
        ("bcl_timeout", 18, 2, "接收电池充电要求报文超时 (BCL timeout)", TIMEOUT_VALUES),
        ("bst_timeout", 20, 2, "接收 BMS 中止充电报文超时 (BST timeout)", TIMEOUT_VALUES),
        ("bsd_timeout", 24, 2, "接收 BMS 充电统计报文超时 (BSD timeout)", TIMEOUT_VALUES),
        ("charger_other", 26, 6, "充电机其他 (charger other)", None),
    ),
}

#: 0x1D ``stop_reason`` / ``fault_reason`` / ``error_reason``.
BMS_ABORT_FIELDS: Mapping[str, FieldTable] = {
    "stop_reason": (
        ("soc_target_reached", 0, 2, "达到所需求的 SOC 目标值 (SOC target reached)", YES_NO_VALUES),
        ("total_voltage_reached", 2, 2, "达到总电压的设定值 (total-voltage set point reached)", YES_NO_VALUES),
        ("cell_voltage_reached", 4, 2, "达到单体电压设定值 (cell-voltage set point reached)", YES_NO_VALUES),
        ("charger_stopped", 6, 2, "充电桩主动中止 (charger-initiated stop)", YES_NO_VALUES),
    ),
    "fault_reason": (
        ("insulation", 0, 2, "绝缘故障 (insulation fault)", YES_NO_VALUES),
        ("output_connector_over_temperature", 2, 2, "输出连接器过温 (output connector over-temperature)", YES_NO_VALUES),
        ("bms_connector_over_temperature", 4, 2, "BMS 元件、输出连接器过温 (BMS component/connector over-temperature)",
         YES_NO_VALUES),
        ("charging_connector", 6, 2, "充电连接器故障 (charging connector fault)", YES_NO_VALUES),
        ("battery_over_temperature", 8, 2, "电池组温度过高 (battery over-temperature)", YES_NO_VALUES),
        ("hv_relay", 10, 2, "高压继电器故障 (HV relay fault)", YES_NO_VALUES),
        ("detection_point_2", 12, 2, "检测点 2 电压检测故障 (detection-point-2 voltage fault)", YES_NO_VALUES),
        ("other", 14, 2, "其他故障 (other fault)", YES_NO_VALUES),
    ),
    "error_reason": (
        ("over_current", 0, 2, "电流过大 (over-current)", YES_NO_VALUES),
        ("abnormal_voltage", 2, 2, "电压异常 (abnormal voltage)", YES_NO_VALUES),
    ),
}

#: 0x21 ``stop_reason`` / ``fault_reason`` / ``error_reason``.
CHARGER_ABORT_FIELDS: Mapping[str, FieldTable] = {
    "stop_reason": (
        ("condition_reached", 0, 2, "达到充电机设定的条件中止 (charger set condition reached)", YES_NO_VALUES),
        ("manual_stop", 2, 2, "人工中止 (manual stop)", YES_NO_VALUES),
        ("abnormal_stop", 4, 2, "异常中止 (abnormal stop)", YES_NO_VALUES),
        ("bms_stopped", 6, 2, "BMS 主动中止 (BMS-initiated stop)", YES_NO_VALUES),
    ),
    "fault_reason": (
        ("charger_over_temperature", 0, 2, "充电机过温 (charger over-temperature)", YES_NO_VALUES),
        ("charging_connector", 2, 2, "充电连接器故障 (charging connector fault)", YES_NO_VALUES),
        ("internal_over_temperature", 4, 2, "充电机内部过温 (charger internal over-temperature)", YES_NO_VALUES),
        ("energy_not_deliverable", 6, 2, "所需电量不能传送 (energy cannot be delivered)", YES_NO_VALUES),
        ("emergency_stop", 8, 2, "充电机急停 (charger emergency stop)", YES_NO_VALUES),
        ("other", 10, 2, "其他故障 (other fault)", YES_NO_VALUES),
    ),
    "error_reason": (
        ("current_mismatch", 0, 2, "电流不匹配 (current mismatch)", YES_NO_VALUES),
        ("abnormal_voltage", 2, 2, "电压异常 (abnormal voltage)", YES_NO_VALUES),
    ),
}

#: 0x25 ``status_flags`` (body bytes 29–30).
BMS_STATUS_FIELDS: Mapping[str, FieldTable] = {
    "status_flags": (
        ("cell_voltage", 0, 2, "单体动力蓄电池电压 (cell voltage)", HIGH_LOW_VALUES),
        ("soc", 2, 2, "整车动力蓄电池荷电状态 (SOC)", HIGH_LOW_VALUES),
        ("over_current", 4, 2, "动力蓄电池充电过电流 (over-current)", FAULT_VALUES),
        ("over_temperature", 6, 2, "动力蓄电池温度过高 (over-temperature)", FAULT_VALUES),
        ("insulation", 8, 2, "动力蓄电池绝缘状态 (insulation)", FAULT_VALUES),
        ("output_connector", 10, 2, "动力蓄电池组输出连接器连接状态 (output connector)", FAULT_VALUES),
        ("charging_permitted", 12, 2, "充电允许 (charging permitted)", PERMIT_VALUES),
    ),
}


def lookup(table: Mapping[int, str], code: int, what: str) -> str:
    """``table[code]``, or words naming the undefined ``code`` (``what`` = ``"停止原因 (stop reason)"``)."""
    text = table.get(code)
    if text is not None:
        return text
    chinese, _, english = what.partition(" ")
    return f"未定义的{chinese} 0x{code:02X} (undefined {english.strip('()')})"


def stop_reason_text(code: int) -> str:
    """The words of a 0x3B stop reason."""
    return lookup(STOP_REASONS, code, "停止原因 (stop reason)")


def stop_reason_kind(code: int) -> str:
    """``"completed"`` (0x40–0x49), ``"start_failed"`` (0x4A–0x69), ``"abnormal"`` (0x6A–0x8F),
    ``"unknown"`` otherwise."""
    if 0x40 <= code <= 0x49:
        return "completed"
    if 0x4A <= code <= 0x69:
        return "start_failed"
    if 0x6A <= code <= 0x8F:
        return "abnormal"
    return "unknown"


def fault_list(bits: int) -> list[dict[str, str]]:
    """The hardware faults set in a 0x13 fault bitmap: ``[{"code": "ykc.hw.<bit>", "text": ...}]``."""
    faults = []
    bit = 0
    while bits >> bit:
        if bits >> bit & 1:
            text = HARDWARE_FAULTS.get(bit) or f"未定义故障位 {bit} (undefined fault bit {bit})"
            faults.append({"code": f"ykc.hw.{bit}", "text": text})
        bit += 1
    return faults


def start_failure_text(code: int) -> str:
    """The words of a 0x33 failure reason."""
    return lookup(START_FAILURES, code, "启机失败原因 (start failure reason)")


def stop_failure_text(code: int) -> str:
    """The words of a 0x35 failure reason."""
    return lookup(STOP_FAILURES, code, "停机失败原因 (stop failure reason)")


def auth_failure_text(code: int) -> str:
    """The words of a 0x32 authorisation failure reason."""
    return lookup(AUTH_FAILURES, code, "鉴权失败原因 (authorisation failure reason)")


def trade_flag_name(code: int) -> str:
    """``app`` / ``card`` / ``offline_card`` / ``vin``, or ``unknown``."""
    return TRADE_FLAGS.get(code, "unknown")


def bit_fields(table: FieldTable, value: int) -> dict[str, int]:
    """The named fields of a packed integer: ``{key: (value >> offset) & mask}``."""
    return {key: (value >> offset) & ((1 << width) - 1) for key, offset, width, _, _ in table}


def bit_field_words(table: FieldTable, value: int) -> dict[str, str | int]:
    """Every named field of a packed integer in words (``{"insulation": "是 (yes)", "bms_other": 0}``)."""
    words = {}
    for key, offset, width, _, values in table:
        field = (value >> offset) & ((1 << width) - 1)
        words[key] = values[field] if values is not None else field
    return words


def field_label(table: FieldTable, key: str) -> str:
    """The words naming field ``key`` of ``table``."""
    return next(label for name, _, _, label, _ in table if name == key)
