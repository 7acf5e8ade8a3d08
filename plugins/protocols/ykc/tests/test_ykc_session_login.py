"""Session: login, pushes after login, frames before login, heartbeats, billing-model requests."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ykc_helpers import PILE, SETTINGS, be_crc, decoded, logged_in, login_frame, new_session, replies

from chargehub.contracts.devices import LoginDecision, ProtocolError

from chargehub_ykc.codec import messages as M
from chargehub_ykc.codec.messages import encode

HEARTBEAT = encode(M.Heartbeat(PILE, 2, 0x01), seq=b"\xab\xcd")


def test_login_request_carries_the_pile_and_its_description():
    session = new_session()
    out = session.receive(login_frame())
    assert out.login.device_id == PILE
    assert out.login.data == {"pile_type": "dc", "gun_count": 2, "protocol_version": "1.6", "firmware": "V4.1.50",
                              "network": "lan", "iccid": None, "carrier": "other"}
    assert (out.replies, out.events, out.errors, session.device_id) == ([], [], [], None)


def test_accepted_login_replies_then_pushes_clock_model_and_qr_prefix_in_order():
    session, out = logged_in()
    assert (out.device_id, session.device_id, out.close, out.errors) == (PILE, PILE, False, [])
    frames = [m for blob in out.replies for m in decoded(blob)]
    assert [m.CODE for m in frames] == [0x02, 0x56, 0x58, 0xF0]
    assert out.replies[0][2:4] == b"\x00\x07"  # the login's seq bytes echoed
    assert frames[0] == M.LoginReply(PILE, 0x00)
    assert frames[1] == M.ClockSync(PILE, datetime(2024, 1, 2, 11, 4, 5, 678000))  # Shanghai wall clock
    model = frames[2]
    assert (model.model_code, model.loss_ratio, model.slots[0], model.slots[47]) == ("0008", 0, 3, 0)
    assert [p.electricity_price for p in model.prices] == [Decimal("2.00000"), Decimal("3.00000"),
                                                           Decimal("4.00000"), Decimal("5.00000")]
    assert out.replies[2][6 + 7:6 + 9] == b"\x00\x08"  # model code "0008" as two BCD bytes
    assert frames[3] == M.QrPrefixSet(PILE, 0x01, "https://q.example/c?no=")
    seqs = [blob[2:4] for blob in out.replies[1:]]
    assert seqs == [b"\x00\x00", b"\x01\x00", b"\x02\x00"]  # the platform's own counter
    assert [(e.type, e.device_id, e.durable) for e in out.events] == [("login", PILE, False)]


def test_login_without_billing_or_qr_prefix_pushes_only_the_clock():
    session, out = logged_in({"timezone": "UTC", "billing": None})
    assert [m.CODE for m in replies(out)] == [0x02, 0x56]
    assert replies(out)[1].time == datetime(2024, 1, 2, 3, 4, 5, 678000)
    assert session.tariff is None


def test_unusable_billing_settings_are_reported_and_not_pushed():
    bad = dict(SETTINGS, billing={"model_code": "12", "ykc": {}})
    _, out = logged_in(bad)
    assert [m.CODE for m in replies(out)] == [0x02, 0x56, 0xF0]
    assert "model_code" in str(out.errors[0])


def test_refused_login_answers_failure_and_closes():
    session = new_session()
    session.receive(login_frame(seq=b"\x00\x03") + HEARTBEAT)
    out = session.login_decided(LoginDecision.refuse(PILE, "unknown pile"))
    assert out.close and out.device_id is None and session.device_id is None
    assert out.replies == [encode(M.LoginReply(PILE, 0x01), seq=b"\x00\x03")]
    assert out.events == []


def test_frames_before_login_are_errors_without_any_reply():
    session = new_session()
    record = encode(M.TransactionRecordAck("1" * 32, 0))  # any frame other than a login
    out = session.receive(HEARTBEAT + record)
    assert out.replies == out.acks == out.events == []
    assert len(out.errors) == 2 and all(isinstance(e, ProtocolError) for e in out.errors)
    assert "before login" in str(out.errors[0]) and out.errors[0].frame == HEARTBEAT


def test_frames_behind_the_login_wait_for_the_decision_and_keep_their_order():
    session = new_session()
    out = session.receive(login_frame() + HEARTBEAT)
    assert out.login is not None and out.replies == []
    assert session.receive(HEARTBEAT).replies == []  # still waiting for core
    decided = session.login_decided(LoginDecision.accept(PILE, SETTINGS))
    codes = [m.CODE for m in replies(decided)]
    assert codes == [0x02, 0x56, 0x58, 0xF0, 0x04, 0x04]
    assert [e.type for e in decided.events] == ["login", "heartbeat", "heartbeat"]


def test_heartbeat_reply_echoes_the_seq_bytes_for_either_crc_order():
    session, _ = logged_in()
    for raw in (HEARTBEAT, be_crc(HEARTBEAT.hex())):
        out = session.receive(raw)
        assert out.replies == [encode(M.HeartbeatReply(PILE, 2, 0x00), seq=b"\xab\xcd")]
        assert out.replies[0][2:4] == b"\xab\xcd"
        assert [(e.type, dict(e.data)) for e in out.events] == [("heartbeat", {"gun": 2, "fault": True})]


def test_a_frame_of_another_pile_is_an_error():
    session, _ = logged_in()
    out = session.receive(encode(M.Heartbeat("32010200000001", 1, 0)))
    assert out.replies == [] and out.events == []
    assert "not the logged-in" in str(out.errors[0])


def test_a_second_login_of_the_same_pile_is_decided_again_another_pile_is_refused():
    session, _ = logged_in()
    assert session.receive(login_frame(pile="32010200000001")).login is None
    out = session.receive(login_frame(seq=b"\x00\x08"))
    assert out.login.device_id == PILE
    again = session.login_decided(LoginDecision.accept(PILE, SETTINGS))
    assert [m.CODE for m in replies(again)] == [0x02, 0x56, 0x58, 0xF0]


def test_model_verify_matches_the_pushed_model_code():
    session, _ = logged_in()
    out = session.receive(encode(M.BillingModelVerify(PILE, "0008"), seq=b"\x05\x00"))
    assert out.replies == [encode(M.BillingModelVerifyReply(PILE, "0008", 0x00), seq=b"\x05\x00")]
    assert [(e.type, dict(e.data)) for e in out.events] == [("tariff_applied", {"model_code": "0008"})]
    out = session.receive(encode(M.BillingModelVerify(PILE, "0000"), seq=b"\x06\x00"))
    assert out.replies == [encode(M.BillingModelVerifyReply(PILE, "0000", 0x01), seq=b"\x06\x00")]
    assert out.events == []


def test_model_request_is_answered_with_the_current_model_or_not_at_all():
    session, _ = logged_in()
    out = session.receive(encode(M.BillingModelRequest(PILE), seq=b"\x02\x27"))
    (reply,) = replies(out)
    assert isinstance(reply, M.BillingModelReply) and reply.model_code == "0008"
    assert out.replies[0][2:4] == b"\x02\x27"
    session, _ = logged_in(dict(SETTINGS, billing=None))
    out = session.receive(encode(M.BillingModelRequest(PILE)))
    assert out.replies == out.errors == out.events == []
    out = session.receive(encode(M.BillingModelVerify(PILE, "0008")))
    assert replies(out) == [M.BillingModelVerifyReply(PILE, "0008", 0x01)]


def test_login_push_replies_produce_events_but_no_command_results():
    session, _ = logged_in()
    out = session.receive(encode(M.BillingModelSetReply(PILE, 0x01)) + encode(M.QrPrefixReply(PILE, 0x01))
                          + encode(M.ClockSyncReply(PILE, datetime(2024, 1, 2, 11, 4, 6))))
    assert out.command_results == [] and out.errors == []
    assert [(e.type, dict(e.data)) for e in out.events] == [("tariff_applied", {"model_code": "0008"})]


def test_platform_direction_frames_from_a_pile_are_errors():
    session, _ = logged_in()
    out = session.receive(encode(M.RemoteStop(PILE, 1)))
    assert out.replies == [] and "not sent by piles" in str(out.errors[0])
