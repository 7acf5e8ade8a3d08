"""Session: every command of the guide's table, its reply and its parameter checks."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest
from ykc_helpers import PILE, YKC_MODEL, FakeMonotonic, decoded, logged_in, new_session

from chargehub.contracts.devices import CommandNotSupported, CommandStatus, DeviceCommand

from chargehub_ykc.codec import messages as M
from chargehub_ykc.codec.messages import encode
from chargehub_ykc.commands import COMMANDS, HOTLINE_REFUSAL
from chargehub_ykc.pending import DEFAULT_TTL


def command(name: str, **params) -> DeviceCommand:
    """A command for the test pile."""
    return DeviceCommand(PILE, name, params)


def answer(session, cmd: DeviceCommand, reply: M.Message):
    """Send ``cmd``, feed ``reply``; return (sent messages, the result for ``cmd``, the output)."""
    sent = decoded(session.encode_command(cmd))
    out = session.receive(encode(reply))
    results = dict(out.command_results)
    return sent, results.get(cmd.correlation_id), out


def test_the_guide_commands_are_all_known():
    assert set(COMMANDS) == {"reboot", "sync_clock", "sync_qrcode", "sync_billing", "sync_hotline", "refresh_state",
                             "work_params", "lock", "start", "stop", "update_balance", "offline_cards_sync",
                             "offline_cards_clear", "offline_cards_query", "upgrade"}


def test_sync_hotline_is_not_supported():
    session, _ = logged_in()
    with pytest.raises(CommandNotSupported, match="云快充协议不支持下发服务热线") as info:
        session.encode_command(command("sync_hotline", hotline="400-000-0000"))
    assert str(info.value) == HOTLINE_REFUSAL == "云快充协议不支持下发服务热线 (YKC cannot carry a hotline)"


def test_refresh_state_reads_every_gun_and_completes_when_all_reported():
    session, _ = logged_in()
    cmd = command("refresh_state")
    blob = session.encode_command(cmd)
    assert decoded(blob) == [M.ReadRealtimeData(PILE, 1), M.ReadRealtimeData(PILE, 2)]
    idle = dict(trade_no="0" * 32, pile_code=PILE, gun_status=2, gun_homed=1, gun_plugged=0,
                output_voltage=D("0.0"), output_current=D("0.0"), cable_temperature=-50, cable_code="0" * 16, soc=0,
                battery_max_temperature=-50, charging_minutes=0, remaining_minutes=0, energy_kwh=D("0"),
                loss_energy_kwh=D("0"), amount=D("0"), fault_bits=0)
    assert session.receive(encode(M.RealtimeData(gun=2, **idle))).command_results == []
    out = session.receive(encode(M.RealtimeData(gun=1, **idle)))
    assert [(c, r.status) for c, r in out.command_results] == [(cmd.correlation_id, CommandStatus.ACCEPTED)]
    only_two = command("refresh_state", guns=[2])
    assert decoded(session.encode_command(only_two)) == [M.ReadRealtimeData(PILE, 2)]


def test_sync_billing_pushes_the_model_and_becomes_the_current_one():
    session, _ = logged_in()
    assert session.receive(encode(M.BillingModelSetReply(PILE, 0x01))).command_results == []  # the login push
    model = {"prices": [dict(p, service_price="0.5") for p in YKC_MODEL["prices"]], "slots": [1] * 48}
    cmd = command("sync_billing", rule_id=1, version_id=9, model_code="0009", ykc=model)
    sent, result, out = answer(session, cmd, M.BillingModelSetReply(PILE, 0x01))
    assert isinstance(sent[0], M.BillingModelSet) and sent[0].model_code == "0009" and sent[0].slots == (1,) * 48
    assert sent[0].prices[0] == M.RatePrice(D("2.00000"), D("0.50000"))
    assert result.ok and [(e.type, dict(e.data)) for e in out.events] == [("tariff_applied", {"model_code": "0009"})]
    verify = session.receive(encode(M.BillingModelVerify(PILE, "0009")))
    assert decoded(verify.replies[0]) == [M.BillingModelVerifyReply(PILE, "0009", 0x00)]
    (reply,) = decoded(session.receive(encode(M.BillingModelRequest(PILE))).replies[0])
    assert reply.model_code == "0009"


def test_sync_billing_failure_is_rejected_after_the_login_push_was_answered():
    session, _ = logged_in()
    cmd = command("sync_billing", model_code="0009", ykc=YKC_MODEL)
    session.encode_command(cmd)
    first = session.receive(encode(M.BillingModelSetReply(PILE, 0x01)))  # FIFO: answers the login push
    assert first.command_results == [] and first.events[0].data == {"model_code": "0008"}
    out = session.receive(encode(M.BillingModelSetReply(PILE, 0x00)))
    ((correlation, result),) = out.command_results
    assert correlation == cmd.correlation_id and result.status is CommandStatus.REJECTED
    assert out.events == []


@pytest.mark.parametrize(("cmd", "sent", "reply", "ok", "data"), [
    (command("reboot"), M.Reboot(PILE, 0x01), M.RebootReply(PILE, 0x01), True, {}),
    (command("reboot", mode="idle"), M.Reboot(PILE, 0x02), M.RebootReply(PILE, 0x00), False, {}),
    (command("work_params", enabled=True, max_power_percent=60), M.WorkParams(PILE, 0x00, 60),
     M.WorkParamsReply(PILE, 0x01), True, {}),
    (command("work_params", enabled=False), M.WorkParams(PILE, 0x01, 100), M.WorkParamsReply(PILE, 0x01), True, {}),
    (command("lock", gun=2, action="down"), M.LockCommand(PILE, 2, 0xFF), M.LockCommandReply(PILE, 2, 0x01), True,
     {}),
    (command("sync_qrcode", prefix="https://q.example/c?no="), M.QrPrefixSet(PILE, 0x01, "https://q.example/c?no="),
     M.QrPrefixReply(PILE, 0x01), True, {}),
    (command("update_balance", gun=1, balance="88.8"), M.BalanceUpdate(PILE, 1, "0" * 16, D("88.80")),
     M.BalanceUpdateReply(PILE, "0" * 16, 0x02), False, {"physical_card": "0" * 16, "result": 2}),
    (command("offline_cards_sync", cards=[{"logical_card": "1000000573", "physical_card": "D14B0A54"}]),
     M.OfflineCardSync(PILE, (M.OfflineCard("0000001000000573", "00000000D14B0A54"),)),
     M.OfflineCardSyncReply(PILE, 0x00, 0x02), False, {"reason_code": 2}),
    (command("offline_cards_clear", cards=["D14B0A54", {"physical_card": "1"}]),
     M.OfflineCardClear(PILE, ("00000000D14B0A54", "0000000000000001")),
     M.OfflineCardClearReply(PILE, (M.CardClearResult("00000000D14B0A54", 1, 0),)), True,
     {"cards": [{"physical_card": "00000000D14B0A54", "cleared": True, "reason_code": 0}]}),
    (command("offline_cards_query", cards=["D14B0A54"]), M.OfflineCardQuery(PILE, ("00000000D14B0A54",)),
     M.OfflineCardQueryReply(PILE, (M.CardQueryResult("00000000D14B0A54", 0),)), True,
     {"cards": [{"physical_card": "00000000D14B0A54", "present": False}]}),
    (command("upgrade", server="114.55.114.174", port=21, user="sr", password="sr123", path="AC-7KW/20180131",
             when="idle", timeout_minutes=60, pile_model="dc", power_kw=15),
     M.Upgrade(PILE, 1, 15, "114.55.114.174", 21, "sr", "sr123", "AC-7KW/20180131", 2, 60),
     M.UpgradeReply(PILE, 0x02), False, {"status": 2}),
])
def test_commands_and_their_replies(cmd, sent, reply, ok, data):
    session, _ = logged_in({"gun_count": 2})  # no pushes at login, so each reply answers the command
    sent_messages, result, _ = answer(session, cmd, reply)
    assert sent_messages == [sent]
    assert result is not None and result.ok is ok and dict(result.data) == data
    if not ok:
        assert result.reason and "(" in result.reason


def test_sync_clock_reports_the_device_time():
    session, _ = logged_in({"gun_count": 2})
    session.receive(encode(M.ClockSyncReply(PILE, datetime(2024, 1, 2, 11, 4, 6))))  # the login push
    cmd = command("sync_clock", timezone="Asia/Tokyo")
    sent, result, _ = answer(session, cmd, M.ClockSyncReply(PILE, datetime(2024, 1, 2, 12, 4, 6)))
    assert sent == [M.ClockSync(PILE, datetime(2024, 1, 2, 12, 4, 5, 678000))]
    assert result.ok and result.data == {"device_time": "2024-01-02T12:04:06+09:00"}


def test_platform_frames_count_their_own_seq():
    session, out = logged_in()
    frames = [session.encode_command(command("reboot")) for _ in range(3)]
    assert [f[2:4] for f in frames] == [b"\x03\x00", b"\x04\x00", b"\x05\x00"]


@pytest.mark.parametrize(("cmd", "words"), [
    (command("dance"), "不支持命令 dance"),
    (command("start", gun=1), "trade_no"),
    (command("start", gun=3, trade_no="1" * 32), "gun"),
    (command("start", gun=1, trade_no="1" * 31 + "x"), "trade_no"),
    (command("start", gun=1, trade_no="1" * 32, balance=12.5), "float"),
    (command("start", gun=1, trade_no="1" * 32, balance="-1"), "balance"),
    (command("start", gun=1, trade_no="1" * 32, physical_card="xyz"), "physical_card"),
    (command("stop", gun="1"), "gun"),
    (command("lock", gun=1, action="sideways"), "action"),
    (command("work_params", enabled="yes"), "enabled"),
    (command("work_params", enabled=True, max_power_percent=20), "max_power_percent"),
    (command("reboot", mode="later"), "mode"),
    (command("sync_clock", timezone="Mars/Base"), "timezone"),
    (command("sync_qrcode", guns=[{"number": 1, "url": "x"}]), "prefix"),
    (command("sync_qrcode", prefix="https://例子/"), "prefix"),
    (command("sync_billing", model_code="9", ykc=YKC_MODEL), "model_code"),
    (command("sync_billing", model_code="0009", ykc=dict(YKC_MODEL, slots=[4] * 48)), "slots"),
    (command("sync_billing", model_code="0009", ykc=dict(YKC_MODEL, prices=YKC_MODEL["prices"][::-1])), "order"),
    (command("refresh_state", guns=[]), "guns"),
    (command("offline_cards_sync", cards=[{"physical_card": "1"}]), "logical_card"),
    (command("offline_cards_query", cards=["1"] * 27), "cards"),
    (command("upgrade", server="h", path="p", pile_model="hybrid"), "pile_model"),
    (command("upgrade", path="p"), "server"),
])
def test_bad_params_are_refused_in_words(cmd, words):
    session, _ = logged_in()
    with pytest.raises(CommandNotSupported, match=words):
        session.encode_command(cmd)


def test_commands_before_login_are_refused():
    with pytest.raises(CommandNotSupported, match="尚未登录"):
        new_session().encode_command(command("reboot"))


def test_stale_commands_do_not_swallow_later_replies():
    clock = FakeMonotonic()
    session, _ = logged_in({"gun_count": 2}, monotonic=clock)
    lost, fresh = command("reboot"), command("reboot")
    session.encode_command(lost)
    clock.now += DEFAULT_TTL + 1
    session.encode_command(fresh)
    out = session.receive(encode(M.RebootReply(PILE, 0x01)))
    assert [c for c, _ in out.command_results] == [fresh.correlation_id]
