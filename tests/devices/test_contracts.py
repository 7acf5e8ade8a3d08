"""Contract values, the wire format and the line protocol's session (pure, no sockets)."""
from __future__ import annotations

import pytest

from chargehub.contracts.devices import (
    CommandNotSupported,
    CommandResult,
    CommandStatus,
    DeviceCommand,
    DeviceProtocol,
    DeviceSession,
    LoginDecision,
    LoginRequest,
)
from chargehub.devices.gateway.listen import listen_addresses, parse_listen

from .lineproto import LineProtocol, LineSession


def test_command_round_trips_through_json():
    command = DeviceCommand("pile-1", "start", {"gun": 1, "amount": "12.50"})
    again = DeviceCommand.from_json(command.to_json())
    assert again == command
    assert len(command.correlation_id) == 32
    assert DeviceCommand("pile-1", "stop").correlation_id != DeviceCommand("pile-1", "stop").correlation_id


@pytest.mark.parametrize("result", [
    CommandResult.accepted({"balance": "3.00"}),
    CommandResult.rejected("gun in use"),
    CommandResult.timeout(),
    CommandResult.offline(),
])
def test_result_round_trips_through_json(result):
    again = CommandResult.from_json(result.to_json())
    assert again == result
    assert again.status is result.status
    assert again.ok is (result.status is CommandStatus.ACCEPTED)


def test_status_values_are_strings():
    assert [s.value for s in CommandStatus] == ["accepted", "rejected", "timeout", "offline"]
    assert CommandStatus("timeout") is CommandStatus.TIMEOUT


def test_base_classes_require_implementations():
    with pytest.raises(NotImplementedError):
        DeviceSession("1.2.3.4:5").receive(b"x")
    with pytest.raises(NotImplementedError):
        DeviceSession("1.2.3.4:5").encode_command(DeviceCommand("d", "stop"))
    with pytest.raises(NotImplementedError):
        DeviceProtocol().create_session("1.2.3.4:5")
    assert DeviceProtocol.kind == "device_protocols"
    assert LineProtocol().kind == "device_protocols" and LineProtocol.transport == "tcp"


def test_session_handles_byte_by_byte_and_concatenated_input():
    session = LineSession("127.0.0.1:1")
    outputs = [session.receive(bytes([b])) for b in b"HELLO dev-1\nPI"]
    assert [o.login.device_id for o in outputs if o.login] == ["dev-1"]
    assert session.login_decided(LoginDecision.accept("dev-1")).device_id == "dev-1"
    out = session.receive(b'NG\nACK c1\nNAK c2 no power\nEVT status {"gun":2}\n')
    assert out.replies == [b"PONG\n"]
    assert out.command_results == [("c1", CommandResult.accepted()), ("c2", CommandResult.rejected("no power"))]
    assert [(e.type, dict(e.data)) for e in out.events] == [("heartbeat", {}), ("status", {"gun": 2})]
    assert out.errors == []


def test_session_reports_bad_frames_and_continues():
    session = LineSession("127.0.0.1:1")
    out = session.receive(b"ACK early\n\xff\xfe\nHELLO dev-2\nEVT x [1]\nWHAT\n" + b"z" * 2000)
    assert out.login == LoginRequest("dev-2", {"peer": "127.0.0.1:1"}) and out.device_id is None
    assert [str(e) for e in out.errors] == ["device has not identified itself", "not ASCII"]
    assert out.errors[1].frame == b"\xff\xfe"
    # decoding stopped at the login frame; the rest follows once core accepted it
    out = session.login_decided(LoginDecision.accept("dev-2"))
    assert out.device_id == "dev-2" and out.replies == [b"WELCOME\n"]
    assert [str(e) for e in out.errors] == ["EVT data is not a JSON object", "unknown line", "line too long"]
    assert session.receive(b"PING\n").replies == [b"PONG\n"]


def test_refused_login_closes():
    session = LineSession("127.0.0.1:1")
    assert session.receive(b"HELLO dev-3\nPING\n").login.device_id == "dev-3"
    out = session.login_decided(LoginDecision.refuse("dev-3", "unknown device"))
    assert (out.replies, out.close, out.device_id, session.device_id) == ([b"GO AWAY\n"], True, None, None)


def test_encode_command_and_unsupported_command():
    session = LineSession("127.0.0.1:1")
    command = DeviceCommand("dev-1", "start", {"gun": 1}, correlation_id="abc")
    assert session.encode_command(command) == b'CMD abc start {"gun":1}\n'
    with pytest.raises(CommandNotSupported, match="format_disk"):
        session.encode_command(DeviceCommand("dev-1", "format_disk"))


def test_parse_listen():
    protocols = [LineProtocol()]
    assert parse_listen("lineproto=127.0.0.1:0", protocols) == {"lineproto": ("127.0.0.1", 0)}
    assert parse_listen(" lineproto = [::1]:9000 , ", protocols) == {"lineproto": ("::1", 9000)}
    assert parse_listen("", protocols) == {}
    assert listen_addresses(protocols, {}) == {"lineproto": ("0.0.0.0", 18767)}
    for bad in ("lineproto", "lineproto=host", "lineproto=:1", "lineproto=h:x", "lineproto=h:70000"):
        with pytest.raises(ValueError):
            parse_listen(bad, protocols)
    with pytest.raises(ValueError, match="no enabled protocol 'ykc'"):
        parse_listen("ykc=0.0.0.0:8767", protocols)
