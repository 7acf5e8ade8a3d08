"""Code tables in words."""
from __future__ import annotations

from chargehub_ykc.codec import codes


def test_stop_reasons_in_words():
    assert codes.stop_reason_text(0x40) == "APP 远程停止 (completed: app remote stop)"
    assert "余额不足" in codes.stop_reason_text(0x4E) and "start failed" in codes.stop_reason_text(0x4E)
    assert codes.stop_reason_text(0x72) == "充电异常中止：急停开入 (abnormal stop: emergency stop input)"
    assert codes.stop_reason_text(0x9A) == "未定义的停止原因 0x9A (undefined stop reason)"
    assert all(0x40 <= code <= 0x90 or code == 0 for code in codes.STOP_REASONS)
    assert len(codes.STOP_REASONS) == 0x90 - 0x40 + 2
    assert [codes.stop_reason_kind(c) for c in (0x45, 0x4A, 0x6A, 0x90)] == [
        "completed", "start_failed", "abnormal", "unknown"]


def test_fault_bits_named():
    assert codes.fault_list(0) == []
    assert codes.fault_list(0b1_0000_0000_0001) == [
        {"code": "ykc.hw.0", "text": "急停按钮动作故障 (emergency stop pressed)"},
        {"code": "ykc.hw.12", "text": "门打开 (door open)"}]
    assert codes.fault_list(1 << 14)[0]["text"] == "未定义故障位 14 (undefined fault bit 14)"


def test_reply_reasons_and_flags():
    assert codes.start_failure_text(0x05) == "未插枪 (gun not plugged)"
    assert codes.stop_failure_text(0x02) == "枪未处于充电状态 (gun not charging)"
    assert codes.auth_failure_text(0x0B) == "该桩不支持刷卡 (pile does not support cards)"
    assert [codes.trade_flag_name(c) for c in (1, 2, 4, 5, 3)] == ["app", "card", "offline_card", "vin", "unknown"]
    assert codes.GUN_STATES[3] == "charging" and codes.LOCK_STATES[0x55] == "up"


def test_bms_bit_fields():
    bem = 0b01 << 2 | 0b10 << 24 | 0b000011 << 26
    words = codes.bit_field_words(codes.BMS_ERROR_FIELDS["bem_flags"], bem)
    assert words["crmaa_timeout"] == "超时 (timeout)" and words["csd_timeout"] == "不可信 (not credible)"
    assert words["bms_other"] == 3 and words["crm00_timeout"] == "正常 (normal)"
    status = codes.bit_field_words(codes.BMS_STATUS_FIELDS["status_flags"], 0b01 << 12 | 0b10)
    assert status["charging_permitted"] == "允许 (permitted)" and status["cell_voltage"] == "过低 (too low)"
    assert codes.bit_fields(codes.BMS_ABORT_FIELDS["fault_reason"], 0b01 << 14) == {
        **{key: 0 for key, *_ in codes.BMS_ABORT_FIELDS["fault_reason"]}, "other": 1}
    assert codes.field_label(codes.CHARGER_ABORT_FIELDS["fault_reason"], "emergency_stop") == \
        "充电机急停 (charger emergency stop)"
