"""Session: online → login, refusals, resumed logins, reconnects, offline, foreign devices."""
from __future__ import annotations

from datetime import datetime, timezone

from bike_mqtt_helpers import (
    DEVICE_TS, HEARTBEAT, NOW, NOW_TS, ONLINE, RECORD, SETTINGS, SN, decoded, envelope, logged_in, new_session, raw,
)

from chargehub.contracts.devices import DeviceCommand, LoginDecision, ProtocolError

from chargehub_bike_mqtt import codec
from chargehub_bike_mqtt.session import MAX_QUEUED


def test_online_asks_core_with_the_device_description():
    session = new_session()
    out = session.receive(ONLINE)
    assert out.login.device_id == SN and out.login.resumed is False
    assert out.login.data == {"firmware": "2.1.0", "model": "BK-10", "socket_count": 10,
                              "iccid": "89860012345678901234", "rssi": -67, "boot": "power_on"}
    assert (out.replies, out.events, out.errors, out.device_id, session.device_id) == ([], [], [], None, None)


def test_accepted_login_sends_welcome_then_time_and_a_login_event():
    session, out = logged_in()
    assert (out.device_id, session.device_id, session.logged_in, out.close, out.errors) == (SN, SN, True, False, [])
    welcome, time_ = decoded(out.replies)
    assert (welcome.type, welcome.id, welcome.dev, welcome.ts) == ("welcome", "p1", SN, NOW_TS)
    assert dict(welcome.body) == {"accepted": True, "reason": None, "heartbeat_s": 60, "tz": "Asia/Shanghai"}
    assert (time_.type, dict(time_.body)) == ("time", {"now": NOW_TS, "tz": "Asia/Shanghai"})
    (event,) = out.events
    assert (event.type, event.device_id, event.durable) == ("login", SN, False)
    assert event.data["firmware"] == "2.1.0" and event.data["socket_count"] == 10
    assert event.occurred_at == datetime.fromtimestamp(DEVICE_TS, timezone.utc)
    assert out.acks == [] and out.command_results == []


def test_login_uses_the_operators_zone_and_reports_an_unknown_one():
    session, out = logged_in({"timezone": "Europe/Berlin"})
    assert [m["tz"] for m in decoded(out.replies)] == ["Europe/Berlin", "Europe/Berlin"]
    assert session.timezone_name == "Europe/Berlin"
    session, out = logged_in({"timezone": "Nowhere/Land"})
    assert [m["tz"] for m in decoded(out.replies)] == ["Asia/Shanghai", "Asia/Shanghai"]
    assert "unknown time zone 'Nowhere/Land'" in str(out.errors[0])


def test_qr_prefix_in_the_settings_pushes_nothing_by_itself():
    _, out = logged_in(dict(SETTINGS, qr_prefix="https://q.example/b?no="))
    assert [m.type for m in decoded(out.replies)] == ["welcome", "time"]


def test_refused_login_answers_welcome_false_and_closes():
    session = new_session()
    session.receive(ONLINE)
    out = session.login_decided(LoginDecision.refuse(SN, "设备已停用 (device disabled)"))
    (welcome,) = decoded(out.replies)
    assert dict(welcome.body) == {"accepted": False, "reason": "设备已停用 (device disabled)", "heartbeat_s": None,
                                  "tz": None}
    assert (out.close, out.close_reason, out.device_id, session.logged_in) == (
        True, "登录被拒绝 (login refused)", None, False)
    assert out.events == []


def test_a_refused_device_is_ignored_until_its_next_online():
    session = new_session()
    session.receive(ONLINE)
    session.login_decided(LoginDecision.refuse(SN, "unknown"))
    out = session.receive(HEARTBEAT)
    assert out.login is None and out.events == []
    assert "refused; ignored until its next online" in str(out.errors[0])
    again = session.receive(ONLINE)
    assert again.login is not None and again.login.resumed is False


def test_any_other_message_first_resumes_the_login_and_is_handled_after_it():
    session = new_session()
    out = session.receive(RECORD)
    assert out.login.device_id == SN and out.login.resumed is True and dict(out.login.data) == {}
    assert (out.events, out.acks, out.replies) == ([], [], [])
    decided = session.login_decided(LoginDecision.accept(SN, SETTINGS))
    assert decided.device_id == SN and session.logged_in
    assert decided.replies == []  # no welcome, no time for a device that did not announce itself
    assert [e.type for e in decided.events] == ["transaction_record"]  # and no login event
    (ack,) = decoded(decided.acks)
    assert (ack.type, ack.re) == ("ack", "rec-7")


def test_messages_while_the_login_is_decided_wait_in_order():
    session = new_session()
    assert session.receive(HEARTBEAT).login.resumed is True
    waiting = session.receive(codec.encode_fault("f1", SN, DEVICE_TS, socket=1, fault_bits=1))
    assert (waiting.login, waiting.events, waiting.errors) == (None, [], [])
    decided = session.login_decided(LoginDecision.accept(SN, SETTINGS))
    assert [e.type for e in decided.events] == ["heartbeat", "fault"]


def test_too_many_waiting_messages_are_refused():
    session = new_session()
    session.receive(HEARTBEAT)
    for _ in range(MAX_QUEUED):
        assert session.receive(HEARTBEAT).errors == []
    out = session.receive(HEARTBEAT)
    assert "too many messages" in str(out.errors[0])


def test_a_resumed_login_that_is_refused_closes_without_handling_the_message():
    session = new_session()
    session.receive(RECORD)
    out = session.login_decided(LoginDecision.refuse(SN, "unknown device"))
    assert out.close and out.events == [] and out.acks == []
    assert decoded(out.replies)[0]["accepted"] is False


def test_a_login_the_gateway_resumes_by_itself_sends_nothing():
    session = new_session()
    out = session.login_decided(LoginDecision.accept(SN, {"timezone": "UTC"}))
    assert (out.device_id, out.replies, out.events, out.errors) == (SN, [], [], [])
    assert session.logged_in and session.sn == SN and session.timezone_name == "UTC"
    payload = session.encode_command(DeviceCommand(SN, "reboot", {}, "r1"))
    reply = session.receive(codec.encode_reply("reboot", "x", SN, DEVICE_TS, re="r1", ok=True))
    assert codec.decode(payload).dev == SN and reply.command_results[0][1].ok
    refused = new_session().login_decided(LoginDecision.refuse(SN, "unknown"))
    assert (refused.close, refused.close_reason, refused.replies) == (True, "登录被拒绝 (login refused)", [])


def test_online_again_is_a_fresh_login():
    session, _ = logged_in()
    out = session.receive(codec.encode_online("on2", SN, DEVICE_TS + 5, fw="2.2.0", model="BK-10", sockets=10,
                                              boot="reconnect"))
    assert out.login.resumed is False and out.login.data["boot"] == "reconnect"
    decided = session.login_decided(LoginDecision.accept(SN, SETTINGS))
    assert [m.type for m in decoded(decided.replies)] == ["welcome", "time"]
    assert [e.type for e in decided.events] == ["login"]


def test_offline_closes_with_the_reason_and_stops_there():
    session, _ = logged_in()
    out = session.receive(codec.lwt_payload(SN))
    assert (out.close, out.close_reason) == (True, "设备离线 (offline: lwt)")
    assert (out.events, out.replies, out.errors) == ([], [], [])
    assert session.logged_in is False
    out = session.receive(codec.encode_offline("o2", SN, DEVICE_TS, reason="reboot"))
    assert out.login.resumed is True  # heard again after the will: core decides once more
    closed = session.login_decided(LoginDecision.accept(SN, SETTINGS))
    assert closed.close_reason == "设备离线 (offline: reboot)"


def test_messages_of_another_device_are_refused_and_not_acted_on():
    session, _ = logged_in()
    foreign = codec.encode_record("r9", "BK0002", DEVICE_TS, socket=1, order="X", started_at=1, ended_at=2,
                                  energy_wh=1, elapsed_s=1, max_power_w=1, reason="full")
    out = session.receive(foreign)
    assert (out.events, out.acks, out.login) == ([], [], None)
    (error,) = out.errors
    assert isinstance(error, ProtocolError) and "device 'BK0002' on the session of 'BK0001'" in str(error)
    assert error.frame == foreign
    assert "BK0002" in str(session.receive(codec.encode_online("o", "BK0002", 1, fw="1", model="m",
                                                               sockets=2)).errors[0])


def test_a_session_bound_to_its_topic_refuses_other_devices_before_login():
    session = new_session(sn=SN)
    out = session.receive(codec.encode_online("o", "BK0002", 1, fw="1", model="m", sockets=2))
    assert out.login is None and "BK0002" in str(out.errors[0])
    assert session.receive(ONLINE).login.device_id == SN


def test_invalid_and_platform_messages_are_protocol_errors_never_exceptions():
    session, _ = logged_in()
    for payload, words in [(b"not json", "not JSON"), (raw(envelope("heartbeat", temp_c=12.5)), "temp_c"),
                           (codec.encode_welcome("w", SN, 1, accepted=True), "sent by the platform"),
                           (codec.encode_ack("a", SN, 1, re="x"), "sent by the platform")]:
        out = session.receive(payload)
        (error,) = out.errors
        assert words in str(error) and error.frame == payload
        assert (out.events, out.replies, out.acks, out.close) == ([], [], [], False)


def test_invalid_message_before_login_asks_nothing():
    session = new_session()
    out = session.receive(raw(envelope("meter", sockets=[{"no": 1}])))
    assert out.login is None and "sockets[0].order" in str(out.errors[0])


def test_a_decision_without_a_pending_login_on_another_device_is_ignored():
    session, _ = logged_in()
    out = session.login_decided(LoginDecision.accept("BK0002", {}))
    assert out.device_id is None and "BK0002" in str(out.errors[0])
    assert session.device_id == SN


def test_time_request_is_answered_with_the_time():
    session, _ = logged_in({"timezone": "UTC"})
    out = session.receive(codec.encode_time_req("t1", SN, 0))
    (time_,) = decoded(out.replies)
    assert (time_.type, time_["now"], time_["tz"], time_.dev) == ("time", NOW_TS, "UTC", SN)
    assert NOW == datetime.fromtimestamp(time_["now"], timezone.utc)
