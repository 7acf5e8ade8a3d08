"""Core's commands → bike_mqtt messages (yuan → fen, kWh → Wh at the edge) and the refused ones."""
from __future__ import annotations

import pytest
from bike_mqtt_helpers import NOW_TS, SN, logged_in

from chargehub.contracts.devices import CommandNotSupported, DeviceCommand

from chargehub_bike_mqtt import codec
from chargehub_bike_mqtt.commands import COMMAND_TYPES, build_command, encode_command


def sent(name, params, correlation_id="cmd1"):
    session, _ = logged_in()
    payload = session.encode_command(DeviceCommand(SN, name, params, correlation_id))
    return codec.decode(payload)


def test_start_by_amount_converts_yuan_to_fen_half_up():
    msg = sent("start", {"socket": 2, "trade_no": "ORD1", "mode": "amount", "amount": "3.005",
                         "price_per_hour": "1.20", "price_per_kwh": "0.8", "max_power_w": 800})
    assert (msg.type, msg.id, msg.dev, msg.ts) == ("start", "cmd1", SN, NOW_TS)
    assert dict(msg.body) == {"socket": 2, "order": "ORD1", "mode": "amount", "limits": {"fen": 301},
                              "price": {"fen_per_hour": 120, "fen_per_kwh": 80}, "max_power_w": 800,
                              "stop_when_full": None, "full_current_ma": None, "full_minutes": None}


def test_start_by_duration_energy_and_full_settings():
    msg = sent("start", {"socket": 1, "trade_no": "ORD2", "mode": "duration", "duration_minutes": 120,
                         "energy_kwh": "1.2345", "stop_when_full": True, "full_current_ma": 300, "full_minutes": 20})
    assert msg["limits"] == {"seconds": 7200, "wh": 1235}
    assert (msg["stop_when_full"], msg["full_current_ma"], msg["full_minutes"], msg["price"]) == (True, 300, 20, None)
    assert sent("start", {"socket": 1, "trade_no": "O", "mode": "duration", "duration_s": 90})["limits"] == {
        "seconds": 90}


def test_start_until_full_asks_the_device_to_stop_when_full():
    msg = sent("start", {"socket": 12, "trade_no": "ORD3", "mode": "full"})
    assert (msg["mode"], msg["limits"], msg["stop_when_full"]) == ("full", None, True)


def test_start_accepts_cores_gun_for_the_socket():
    assert sent("start", {"gun": 4, "trade_no": "O", "mode": "full"})["socket"] == 4


@pytest.mark.parametrize("params, words", [
    ({"trade_no": "O", "mode": "full"}, "缺少参数 socket (missing parameter socket)"),
    ({"socket": 13, "trade_no": "O", "mode": "full"}, "参数 socket 无效 (invalid parameter socket)"),
    ({"socket": 0, "trade_no": "O", "mode": "full"}, "1..12"),
    ({"socket": True, "trade_no": "O", "mode": "full"}, "invalid parameter socket"),
    ({"socket": 1, "mode": "full"}, "missing parameter trade_no"),
    ({"socket": 1, "trade_no": "O" * 33, "mode": "full"}, "invalid parameter trade_no"),
    ({"socket": 1, "trade_no": "O"}, "missing parameter mode"),
    ({"socket": 1, "trade_no": "O", "mode": "turbo"}, "invalid parameter mode"),
    ({"socket": 1, "trade_no": "O", "mode": "amount", "amount": "5"},
     "按金额充电需要单价 (amount needs price_per_hour or price_per_kwh)"),
    ({"socket": 1, "trade_no": "O", "mode": "amount", "price_per_hour": "1"}, "missing parameter amount"),
    ({"socket": 1, "trade_no": "O", "mode": "duration"}, "missing parameter duration_s"),
    ({"socket": 1, "trade_no": "O", "mode": "energy"}, "missing parameter energy_kwh"),
    ({"socket": 1, "trade_no": "O", "mode": "energy", "energy_kwh": 1.5}, "decimal string"),
    ({"socket": 1, "trade_no": "O", "mode": "energy", "energy_kwh": "0"}, "outside 1..1000000"),
    ({"socket": 1, "trade_no": "O", "mode": "energy", "energy_kwh": "lots"}, "not a number"),
    ({"socket": 1, "trade_no": "O", "mode": "amount", "amount": "-1", "price_per_hour": "1"}, "≥ 0"),
    ({"socket": 1, "trade_no": "O", "mode": "duration", "duration_s": 60, "duration_minutes": 2}, "disagrees"),
    ({"socket": 1, "trade_no": "O", "mode": "duration", "duration_s": 1.5}, "invalid parameter duration_s"),
    ({"socket": 1, "trade_no": "O", "mode": "full", "stop_when_full": "yes"}, "invalid parameter stop_when_full"),
    ({"socket": 1, "trade_no": "O", "mode": "full", "max_power_w": 0}, "invalid parameter max_power_w"),
])
def test_bad_start_params_are_refused_in_chinese_and_english(params, words):
    session, _ = logged_in()
    with pytest.raises(CommandNotSupported) as caught:
        session.encode_command(DeviceCommand(SN, "start", params))
    assert words in str(caught.value)


def test_stop_with_and_without_order():
    assert dict(sent("stop", {"socket": 3, "trade_no": "ORD1"}).body) == {"socket": 3, "order": "ORD1"}
    assert dict(sent("stop", {"gun": 3}).body) == {"socket": 3, "order": None}
    with pytest.raises(CommandNotSupported, match="missing parameter socket"):
        sent("stop", {})


def test_refresh_state_all_or_some_sockets():
    assert sent("refresh_state", {})["sockets"] is None
    assert sent("refresh_state", {"sockets": [3, 1, 3]})["sockets"] == [1, 3]
    assert sent("refresh_state", {"guns": [2]})["sockets"] == [2]
    with pytest.raises(CommandNotSupported, match="invalid parameter sockets"):
        sent("refresh_state", {"sockets": [0]})


def test_work_params_carry_only_the_wire_parameters():
    msg = sent("work_params", {"max_current_ma": 10000, "socket_max_power_w": 1000, "heartbeat_s": 60})
    assert (msg.type, dict(msg.body)) == ("params", {"max_current_ma": 10000, "socket_max_power_w": 1000,
                                                     "heartbeat_s": 60})
    with pytest.raises(CommandNotSupported, match="bike_mqtt cannot carry enabled"):
        sent("work_params", {"enabled": False})
    with pytest.raises(CommandNotSupported, match="no parameter to send"):
        sent("work_params", {})
    with pytest.raises(CommandNotSupported, match="invalid parameter heartbeat_s"):
        sent("work_params", {"heartbeat_s": 5})


def test_reboot_now_by_default_or_when_idle():
    assert sent("reboot", {})["mode"] == "now"
    assert sent("reboot", {"mode": "idle"})["mode"] == "idle"
    with pytest.raises(CommandNotSupported, match="invalid parameter mode"):
        sent("reboot", {"mode": "tomorrow"})


def test_sync_qrcode_by_prefix_or_per_socket():
    assert dict(sent("sync_qrcode", {"prefix": "https://q.example/b?no="}).body) == {
        "prefix": "https://q.example/b?no=", "sockets": None}
    msg = sent("sync_qrcode", {"guns": [{"number": 1, "url": "https://q/1"}, {"number": 2, "url": "https://q/2"}]})
    assert msg["sockets"] == [{"no": 1, "url": "https://q/1"}, {"no": 2, "url": "https://q/2"}]
    with pytest.raises(CommandNotSupported, match="missing parameter prefix"):
        sent("sync_qrcode", {})
    with pytest.raises(CommandNotSupported, match="invalid parameter sockets.url"):
        sent("sync_qrcode", {"sockets": [{"number": 1}]})


def test_sync_clock_is_a_time_message_nobody_answers():
    session, _ = logged_in()
    command = DeviceCommand(SN, "sync_clock", {"timezone": "UTC"}, "clk1")
    assert session.reply_expected(command) is False
    assert session.reply_expected(DeviceCommand(SN, "reboot", {})) is True
    msg = codec.decode(session.encode_command(command))
    assert (msg.type, msg.id, dict(msg.body)) == ("time", "clk1", {"now": NOW_TS, "tz": "UTC"})
    assert codec.decode(session.encode_command(DeviceCommand(SN, "sync_clock", {})))["tz"] == "Asia/Shanghai"
    with pytest.raises(CommandNotSupported, match="unknown time zone"):
        session.encode_command(DeviceCommand(SN, "sync_clock", {"timezone": "Mars/Olympus"}))


@pytest.mark.parametrize("name", ["sync_billing", "sync_hotline", "lock", "update_balance", "upgrade", "dance"])
def test_commands_the_wire_cannot_carry_are_refused(name):
    with pytest.raises(CommandNotSupported) as caught:
        sent(name, {})
    assert str(caught.value) == f"两轮车 MQTT 协议不支持命令 {name} (bike_mqtt cannot carry {name})"


def test_a_correlation_id_that_cannot_be_a_message_id_is_refused():
    with pytest.raises(CommandNotSupported, match="correlation id 'a b' is not a valid message id"):
        sent("reboot", {}, correlation_id="a b")


def test_commands_for_another_device_are_refused():
    session, _ = logged_in()
    with pytest.raises(CommandNotSupported, match="command for device 'BK0002'"):
        session.encode_command(DeviceCommand("BK0002", "reboot", {}))


def test_the_pure_encoder_needs_no_session():
    payload = encode_command(DeviceCommand("BK9", "stop", {"socket": 1}, "c9"), now=5)
    assert payload == b'{"v":1,"type":"stop","id":"c9","dev":"BK9","ts":5,"socket":1}'
    built = build_command(DeviceCommand("BK9", "refresh_state", {}, "c10"), now=5)
    assert (built.type, dict(built.body)) == ("refresh", {"sockets": None})
    with pytest.raises(CommandNotSupported, match="invalid device sn"):
        encode_command(DeviceCommand("BK/9", "stop", {"socket": 1}), now=5)
    assert set(COMMAND_TYPES) == {"start", "stop", "refresh_state", "work_params", "reboot", "sync_qrcode",
                                  "sync_clock"}
