"""The fault bitmap of §4.2 in words and display codes."""
from __future__ import annotations

import pytest

from chargehub_bike_mqtt.faults import FAULT_NAMES, decode_faults, fault_code, fault_text


def test_0033_is_not_grounded_plus_meter_fault():
    assert fault_code(33) == "0033"
    assert decode_faults(33) == [{"bit": 0, "code": "0001", "text": "未接地 (not grounded)"},
                                 {"bit": 5, "code": "0032", "text": "电表故障 (meter fault)"}]


def test_0192_is_emergency_stop_plus_cp_error():
    assert fault_code(192) == "0192"
    assert decode_faults(192) == [{"bit": 6, "code": "0064", "text": "急停 (emergency stop)"},
                                  {"bit": 7, "code": "0128", "text": "CP 错误 (CP error)"}]


def test_0065_is_not_grounded_plus_emergency_stop():
    assert [f["text"] for f in decode_faults(65)] == ["未接地 (not grounded)", "急停 (emergency stop)"]
    assert fault_code(65) == "0065"


def test_every_documented_bit_has_its_name_and_code():
    texts = ["未接地", "继电器粘连", "过流", "输入过压", "输入欠压", "电表故障", "急停", "CP 错误", "过温", "漏电", "漏电自检"]
    assert len(FAULT_NAMES) == 11
    for bit, words in enumerate(texts):
        (fault,) = decode_faults(1 << bit)
        assert fault["bit"] == bit and fault["text"].startswith(words + " (")
        assert fault["code"] == f"{1 << bit:04d}"
    assert decode_faults(1024) == [{"bit": 10, "code": "1024", "text": "漏电自检 (leakage self-test)"}]


@pytest.mark.parametrize("bit", [11, 12, 13, 14, 15])
def test_reserved_bits_are_unknown_faults(bit):
    (fault,) = decode_faults(1 << bit)
    assert fault["text"] == f"未知故障 bit{bit} (unknown fault bit {bit})" == fault_text(bit)
    assert fault["code"] == str(1 << bit)


def test_no_bits_no_faults_and_codes_keep_four_digits():
    assert decode_faults(0) == [] and fault_code(0) == "0000"
    assert fault_code(0xFFFF) == "65535"
    assert [f["bit"] for f in decode_faults(0xFFFF)] == list(range(16))


def test_negative_bits_are_refused():
    with pytest.raises(ValueError):
        decode_faults(-1)
    with pytest.raises(ValueError):
        fault_code(-1)
