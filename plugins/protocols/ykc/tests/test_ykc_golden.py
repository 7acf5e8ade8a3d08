"""Every golden frame of ``specs/ykc-protocol.md`` §9.1–§9.3 decodes to the documented values."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest
from ykc_helpers import frame_of, message_of

from chargehub_ykc.codec import messages as M
from chargehub_ykc.codec.frame import crc16_modbus, encode_frame
from chargehub_ykc.codec.messages import decode, encode

P1 = "55031412782305"
P2 = "32010200000001"
JC = "20231212000010"
T0 = datetime(2020, 3, 16, 17, 14, 47)
ZERO_PERIOD = (D("0.0000"), D("0.0000"), D("0.0000"))


def period(price: str, energy: str = "0", loss: str = "0", amount: str = "0") -> M.Period:
    """A record period from decimal strings at the record's precision."""
    return M.Period(D(price).quantize(D("0.00001")), D(energy).quantize(D("0.0001")),
                    D(loss).quantize(D("0.0001")), D(amount).quantize(D("0.0001")))


# (hex, crc order, seq hex, expected message)
GOLDEN_91 = [
    ("68 0C 00 00 00 02 55 03 14 12 78 23 05 00 DA 4C", "le", "0000", M.LoginReply(P1, 0)),
    ("68 0E CE 04 00 06 55 03 14 12 78 23 05 00 00 00 8E 2F", "le", "ce04", M.BillingModelVerifyReply(P1, "0000", 0)),
    ("68 2A 00 04 00 32 32 01 02 00 00 00 01 01 20 18 06 12 19 59 57 85 32 01 02 00 00 00 01 01 00 00 00 00 00 00"
     " 00 00 00 00 00 00 00 01 E8 29", "le", "0004",
     M.StartAuthorization("32010200000001012018061219595785", P2, 1, "0000000000000000", D("0.00"), 0, 1)),
    ("68 62 00 26 00 94 55 03 14 12 78 23 05 01 0F 00 31 31 34 2E 35 35 2E 31 31 34 2E 31 37 34 00 00 15 00 73 72"
     " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 73 72 31 32 33 00 00 00 00 00 00 00 00 00 00 00 41 43 2D 37 4B 57"
     " 2F 32 30 31 38 30 31 33 31 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 3C 7A 2C", "le", "0026",
     M.Upgrade(P1, 1, 15, "114.55.114.174", 21, "sr", "sr123", "AC-7KW/20180131", 2, 60)),
    ("68 22 00 00 00 01 10 00 10 01 00 00 01 01 01 0F 31 2E 31 30 2E 32 33 00 01 00 00 00 00 00 00 00 00 00 00 04"
     " D1 AA", "le", "0000", M.Login("10001001000001", 1, 1, 0x0F, "1.10.23", 1, "0" * 20, 4)),
    ("68 0B 02 27 00 09 10 00 10 01 00 00 01 6D B8", "le", "0227", M.BillingModelRequest("10001001000001")),
    ("68 22 00 19 00 01 20 23 12 12 00 00 10 01 01 10 47 56 2E 39 35 72 31 33 00 89 86 04 D1 17 22 D0 34 86 06 02"
     " 87 4E", "le", "0019", M.Login(JC, 1, 1, 0x10, "GV.95r13", 0, "898604D11722D0348606", 2)),
    ("68 0C 00 19 00 02 20 23 12 12 00 00 10 00 A1 55", "le", "0019", M.LoginReply(JC, 0)),
    ("68 12 01 00 00 56 20 23 12 12 00 00 10 30 75 0F 11 12 0C 18 04 7D", "le", "0100",
     M.ClockSync(JC, datetime(2024, 12, 18, 17, 15, 30))),
    ("68 12 01 00 00 55 20 23 12 12 00 00 10 E0 2E 0C 0C 15 08 19 AB 37", "le", "0100",
     M.ClockSyncReply(JC, datetime(2025, 8, 21, 12, 12, 12))),
    ("68 0D 25 D3 00 03 20 23 12 12 00 00 10 01 00 D1 AC", "be", "25d3", M.Heartbeat(JC, 1, 0)),
    ("68 0D 71 AD 00 05 20 23 12 12 00 00 10 00 00 22 2B", "be", "71ad", M.BillingModelVerify(JC, "0000")),
    ("68 0E AD 71 00 06 20 23 12 12 00 00 10 00 00 00 9E 1A", "le", "ad71", M.BillingModelVerifyReply(JC, "0000", 0)),
    ("68 0B 00 07 00 09 20 23 12 12 00 00 10 72 ED", "be", "0007", M.BillingModelRequest(JC)),
    ("68 40 BB BD 00 13 20 23 12 12 00 00 10 00 00 00 00 10 05 71 36 00 20 23 12 12 00 00 10 01 03 00 01 94 0E F4"
     " 03 54 00 00 00 00 00 00 00 00 4E 55 10 00 20 00 C0 57 01 00 00 00 00 00 60 6C 01 00 00 00 4C 56", "le", "bbbd",
     M.RealtimeData("20231212000010000000001005713600", JC, 1, 3, 0, 1, D("373.2"), D("101.2"), 34, "0" * 16, 78, 35,
                    16, 32, D("8.8000"), D("0.0000"), D("9.3280"), 0)),
    ("68 30 6C 40 00 23 20 23 12 12 00 00 10 01 25 08 27 23 03 54 04 67 20 23 12 12 00 00 10 01 A6 13 48 17 02 8D"
     " 12 12 14 58 01 53 11 00 92 12 32 14 00 00 B2 D8", "le", "6c40",
     M.BmsDemand("20231212000010012508272303540467", JC, 1, D("503.0"), D("196.0"), 2, D("474.9"), D("113.8"),
                 D("3.44"), 0, 83, 17, D("475.4"), D("117.0"), 0)),
    ("68 1E 00 02 00 33 00 00 00 00 00 00 12 34 56 78 90 12 34 56 78 90 20 23 12 12 00 00 10 01 01 00 41 1D", "be",
     "0002", M.RemoteStartReply("00000000000012345678901234567890", JC, 1, 1, 0)),
    ("68 30 01 00 00 34 00 00 00 00 00 00 12 34 56 78 90 12 34 56 78 90 20 23 12 12 00 00 10 01 56 78 90 12 34 56"
     " 78 90 56 78 90 12 34 56 78 90 10 27 00 00 5F D9", "le", "0100",
     M.RemoteStart("00000000000012345678901234567890", JC, 1, "5678901234567890", "5678901234567890", D("100.00"))),
    ("68 A2 00 46 00 3B 20 23 12 12 00 00 10 32 32 39 00 00 00 00 00 00 20 23 12 12 00 00 10 01 B0 36 04 11 6D 0C"
     " 17 A0 8C 09 11 6D 0C 17 F0 49 02 00 00 00 00 00 00 00 00 00 00 00 00 00 D0 FB 01 00 00 00 00 00 00 00 00 00"
     " 00 00 00 00 B0 AD 01 00 00 00 00 00 00 00 00 00 00 00 00 00 90 5F 01 00 72 06 00 00 72 06 00 00 78 05 00 00"
     " 00 00 00 00 00 00 00 00 00 00 72 06 00 00 72 06 00 00 78 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
     " 00 00 00 01 A0 8C 09 11 6D 0C 17 40 00 00 00 00 00 00 00 00 03 E0", "be", "0046",
     M.TransactionRecord("20231212000010323239000000000000", JC, 1, datetime(2023, 12, 13, 17, 4, 14),
                         datetime(2023, 12, 13, 17, 9, 36),
                         (period("1.5"), period("1.3"), period("1.1"), period("0.9", "0.165", "0.165", "0.14")),
                         D("0.0000"), D("0.0000"), D("0.1650"), D("0.1650"), D("0.1400"), "", 1,
                         datetime(2023, 12, 13, 17, 9, 36), 0x40, "0" * 16)),
    ("68 15 46 00 00 40 20 23 12 12 00 00 10 32 32 39 00 00 00 00 00 00 00 9D 7B", "le", "4600",
     M.TransactionRecordAck("20231212000010323239000000000000", 0)),
    ("68 24 00 17 00 1B 32 01 02 00 00 00 00 11 15 11 16 15 55 35 02 06 20 23 12 12 00 00 10 01 00 00 00 00 00 00"
     " 00 00 79 00", "be", "0017", M.BmsError("32010200000000111511161555350206", JC, 1, 0, 0)),
    ("68 20 00 18 00 1D 20 23 12 12 00 00 01 01 11 51 11 61 55 53 50 26 20 23 12 12 00 00 10 01 00 00 00 00 5A 23",
     "be", "0018", M.BmsAbort("20231212000001011151116155535026", JC, 1, 0, 0, 0)),
    ("68 14 00 01 00 61 20 23 12 12 00 00 10 01 00 00 00 00 00 00 00 00 3D 6D", "le", "0001",
     M.LockStatus(JC, 1, 0, 0, 0, 0, bytes(4))),
    ("68 0C 00 11 00 91 20 23 12 12 00 00 10 01 F2 03", "le", "0011", M.RebootReply(JC, 1)),
    ("68 0C 03 00 00 93 20 23 12 12 00 00 10 00 7E 9B", "le", "0300", M.UpgradeReply(JC, 0)),
    ("68 0D 19 00 00 43 20 23 12 12 00 00 10 01 00 38 83", "le", "1900", M.OfflineCardSyncReply(JC, 1, 0)),
    ("68 0D 19 00 00 43 20 23 12 12 00 00 10 00 01 F8 D3", "le", "1900", M.OfflineCardSyncReply(JC, 0, 1)),
    ("68 38 19 00 00 47 20 23 12 12 00 00 10 10 00 00 00 00 12 34 56 01 10 00 00 00 00 12 34 57 01 10 00 00 00 00"
     " 12 34 58 01 10 00 00 00 00 12 34 59 01 10 00 00 00 00 12 34 60 01 9A 7C", "le", "1900",
     M.OfflineCardQueryReply(JC, tuple(M.CardQueryResult(f"10000000001234{n}", 1) for n in (56, 57, 58, 59, 60)))),
    ("68 0C 19 00 00 51 20 23 12 12 00 00 10 01 2F D9", "le", "1900", M.WorkParamsReply(JC, 1)),
    ("68 5E 00 06 00 F0 36 10 00 95 12 40 32 01 51 68 74 74 70 73 3A 2F 2F 63 68 61 72 67 69 6E 67 2E 66 7A 63 73"
     " 6E 79 2E 63 6F 6D 2F 63 6F 64 65 2F 67 75 6E 44 65 74 61 69 6C 3F 6F 72 67 4E 6F 3D 4D 41 33 38 36 31 37 59"
     " 38 26 69 64 3D 31 38 36 30 26 63 61 72 53 63 6F 70 65 3D 31 26 6E 6F 3D D8 C9", "le", "0006",
     M.QrPrefixSet("36100095124032", 1,
                   "https://charging.fzcsny.com/code/gunDetail?orgNo=MA38617Y8&id=1860&carScope=1&no=")),
    ("68 CD 80 01 00 3D 55 03 14 12 78 23 05 01 20 18 06 19 10 26 23 92 20 23 12 12 00 00 10 01 98 B7 0E 11 10 03"
     " 14 98 B7 0E 11 10 03 14 01 00 00 00 00 00 8B 77 8B EC 24 1E 05 E4 E7 E1 84 03 A6 F2 8C 05 ED F6 B1 8D 5A FA"
     " 8D A7 3B E8 FD 60 55 10 CE F3 86 0C 00 00 00 D0 FB 01 00 00 00 00 00 00 00 00 00 00 00 00 00 D0 FB 01 00 00"
     " 00 00 00 00 00 00 00 00 00 00 00 D0 FB 01 00 00 00 00 00 00 00 00 00 00 00 00 00 D0 FB 01 00 00 00 00 00 00"
     " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
     " 00 00 00 00 00 00 00 00 00 00 02 98 B7 0E 11 10 03 14 00 00 00 00 00 D1 4B 0A 54 0A 90", "le", "8001",
     M.TransactionRecordV17("55031412782305012018061910262392", JC, 1, T0, T0, "010000000000",
                            "8B778BEC241E05E4E7E18403A6F28C05EDF6B18D5AFA8DA73BE8FD605510CEF3860C", 0, 0,
                            (period("1.3"),) * 4, D("0.0000"), D("0.0000"), D("0.0000"), D("0.0000"), D("0.0000"),
                            "", 2, T0, 0, "00000000D14B0A54")),
]

TRADE_92 = "55031412782305012018061910262392"
GOLDEN_92 = [
    ("68 22 00 00 00 01 55 03 14 12 78 23 05 00 02 0F 56 34 2E 31 2E 35 30 00 01 01 01 01 01 01 01 01 01 01 01 04"
     " 0F 32", M.Login(P1, 0, 2, 0x0F, "V4.1.50", 1, "01" * 10, 4)),
    ("68 0D 00 01 00 03 32 01 02 00 00 00 01 01 00 F1 1A", M.Heartbeat(P2, 1, 0)),
    ("68 0D 36 00 00 04 55 03 14 12 78 23 05 01 00 64 22", M.HeartbeatReply(P1, 1, 0)),
    ("68 0D 00 02 00 05 32 01 02 00 00 00 01 00 01 D5 51", M.BillingModelVerify(P2, "0001")),
    ("68 0B 02 00 00 09 55 03 14 12 78 23 05 A4 51", M.BillingModelRequest(P1)),
    ("68 0C 00 00 00 12 32 01 02 00 00 00 01 01 E3 1D", M.ReadRealtimeData(P2, 1)),
    ("68 40 1A 03 00 13 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 55 03 14 12 78 23 05 01 00 01 01 02 00 00"
     " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 5C 7A",
     M.RealtimeData("0" * 32, P1, 1, 0, 1, 1, D("0.2"), D("0.0"), -50, "0" * 16, 0, -50, 0, 0, D("0.0000"),
                    D("0.0000"), D("0.0000"), 0)),
    ("68 37 00 04 00 31 32 01 02 00 00 00 01 01 01 00 00 00 00 00 D1 4B 0A 54 00 00 00 00 00 00 00 00 00 00 00 00"
     " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 A4 6F",
     M.PileStartRequest(P2, 1, 1, 0, "00000000D14B0A54", "0" * 32, "")),
    ("68 1E 00 02 00 33 32 01 02 00 00 00 00 11 15 11 16 15 55 35 02 60 32 01 02 00 00 00 01 01 01 00 56 E2",
     M.RemoteStartReply("32010200000000111511161555350260", P2, 1, 1, 0)),
    ("68 30 00 7C 00 34 55 03 14 12 78 23 05 01 20 18 06 19 14 44 46 80 55 03 14 12 78 23 05 01 00 00 00 10 00 00"
     " 05 73 00 00 00 00 D1 4B 0A 54 A0 86 01 00 13 F6",
     M.RemoteStart("55031412782305012018061914444680", P1, 1, "0000001000000573", "00000000D14B0A54",
                   D("1000.00"))),
    ("68 0E 00 03 00 35 32 01 02 00 00 00 01 01 01 00 3C DE", M.RemoteStopReply(P2, 1, 1, 0)),
    ("68 0C 00 03 00 36 32 01 02 00 00 00 01 01 47 58", M.RemoteStop(P2, 1)),
    ("68 A2 80 01 00 3B 55 03 14 12 78 23 05 01 20 18 06 19 10 26 23 92 55 03 14 12 78 23 05 01 98 B7 0E 11 10 03"
     " 14 98 B7 0E 11 10 03 14 D0 FB 01 00 00 00 00 00 00 00 00 00 00 00 00 00 D0 FB 01 00 00 00 00 00 00 00 00 00"
     " 00 00 00 00 D0 FB 01 00 00 00 00 00 00 00 00 00 00 00 00 00 D0 FB 01 00 00 00 00 00 00 00 00 00 00 00 00 00"
     " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
     " 00 00 00 02 98 B7 0E 11 10 03 14 00 00 00 00 00 D1 4B 0A 54 50 55",
     M.TransactionRecord(TRADE_92, P1, 1, T0, T0, (period("1.3"),) * 4, D("0.0000"), D("0.0000"), D("0.0000"),
                         D("0.0000"), D("0.0000"), "", 2, T0, 0, "00000000D14B0A54")),
    ("68 15 00 02 00 40 55 03 14 12 78 23 05 01 20 18 06 19 10 26 23 92 00 D0 08", M.TransactionRecordAck(TRADE_92, 0)),
    ("68 12 00 DF 00 56 55 03 14 12 78 23 05 98 B7 0E 11 10 03 14 51 48", M.ClockSync(P1, T0)),
    ("68 12 A1 01 00 55 55 03 14 12 78 23 05 98 B7 0E 11 10 03 14 58 0D", M.ClockSyncReply(P1, T0)),
    ("68 0D 00 08 00 52 32 01 02 00 00 00 01 01 00 BF 82", M.WorkParams(P2, 1, 0)),
    ("68 0C 00 09 00 57 32 01 02 00 00 00 01 01 C3 12", M.BillingModelSetReply(P2, 1)),
    ("68 0C 00 11 00 92 32 01 02 00 00 00 01 01 D2 E7", M.Reboot(P2, 1)),
    ("68 0C 00 11 00 91 32 01 02 00 00 00 01 01 C6 17", M.RebootReply(P2, 1)),
]

SLOTS_93 = (3,) * 16 + (2,) * 16 + (1,) * 8 + (0,) * 8
PRICES_93 = tuple(M.RatePrice(D(e).quantize(D("0.00001")), D("0.40000")) for e in ("2", "3", "4", "5"))
MODEL_BODY_93 = ("55 03 14 12 78 23 05 01 00 40 0D 03 00 40 9C 00 00 E0 93 04 00 40 9C 00 00 80 1A 06 00 40 9C 00 00"
                 " 20 A1 07 00 40 9C 00 00 00" + " 03" * 16 + " 02" * 16 + " 01" * 8 + " 00" * 8)
GOLDEN_93 = [
    ("68 5E 02 00 00 0A " + MODEL_BODY_93 + " 46 3D", M.BillingModelReply(P1, "0100", PRICES_93, 0, SLOTS_93)),
    ("68 5E 00 25 00 58 " + MODEL_BODY_93 + " 03 CE", M.BillingModelSet(P1, "0100", PRICES_93, 0, SLOTS_93)),
    ("68 0C 00 25 00 57 55 03 14 12 78 23 05 01 62 D3", M.BillingModelSetReply(P1, 1)),
]


@pytest.mark.parametrize(("hex_text", "order", "seq", "expected"), GOLDEN_91,
                         ids=[f"91-{i + 1}-{v[3].__class__.__name__}" for i, v in enumerate(GOLDEN_91)])
def test_public_sources_decode_to_documented_values(hex_text, order, seq, expected):
    frame = frame_of(hex_text)
    assert frame.crc_order == order
    assert frame.seq.hex() == seq
    assert decode(frame) == expected
    if order == "le":
        assert encode(expected, seq=frame.seq) == frame.raw


@pytest.mark.parametrize(("hex_text", "expected"), GOLDEN_92 + GOLDEN_93,
                         ids=[f"92-{v[1].__class__.__name__}" for v in GOLDEN_92]
                         + [f"93-{v[1].__class__.__name__}" for v in GOLDEN_93])
def test_doc16_and_model_vectors_decode_and_encode_back(hex_text, expected):
    frame = frame_of(hex_text)
    assert frame.crc_order == "le"
    assert decode(frame) == expected
    assert encode(expected, seq=frame.seq) == frame.raw


def test_upgrade_execution_and_realtime_names_read_naturally():
    upgrade = message_of(GOLDEN_91[3][0])
    assert (upgrade.server, upgrade.port, upgrade.execution, upgrade.download_timeout_minutes) == (
        "114.55.114.174", 21, 2, 60)
    realtime = message_of(GOLDEN_91[14][0])
    assert realtime.output_voltage * realtime.output_current == D("37767.84")


@pytest.mark.parametrize(("seq", "crc"), [("0001", "BC 6A"), ("0002", "08 6A"), ("0003", "65 AA")])
def test_real_pile_login_retries_count_seq_big_endian(seq, crc):
    body = "01 10 00 10 01 00 00 01 01 01 0F 31 2E 31 30 2E 32 33 00 01 00 00 00 00 00 00 00 00 00 00 04"
    frame = frame_of(f"68 22 {seq} 00 {body} {crc}")
    assert frame.seq == bytes.fromhex(seq)
    assert decode(frame) == GOLDEN_91[4][3]


def test_crc_check_value_and_doc16_reply_crc():
    assert crc16_modbus(b"123456789") == 0x4B37
    assert encode_frame(0x00, b"", b"\x00\x00")[-2:] == crc16_modbus(b"\x00\x00\x00\x00").to_bytes(2, "little")
    inner = bytes.fromhex("00 00 00 02 55 03 14 12 78 23 05 00")
    assert crc16_modbus(inner) == 0x4CDA
    assert encode(M.LoginReply(P1, 0)) == bytes.fromhex("68 0C 00 00 00 02 55 03 14 12 78 23 05 00 DA 4C")


def test_spec_body_lengths():
    """§4's body column, fixed-length codes."""
    expected = {0x01: 30, 0x02: 8, 0x03: 9, 0x04: 9, 0x05: 9, 0x06: 10, 0x09: 7, 0x0A: 90, 0x12: 8, 0x13: 60,
                0x15: 73, 0x17: 45, 0x19: 39, 0x1B: 32, 0x1D: 28, 0x21: 28, 0x23: 44, 0x25: 31, 0x31: 51, 0x32: 38,
                0x33: 26, 0x34: 44, 0x35: 10, 0x36: 8, 0x3B: 158, 0x3D: 201, 0x40: 17, 0x41: 16, 0x42: 20,
                0x43: 9, 0x51: 8, 0x52: 9, 0x55: 14, 0x56: 14, 0x57: 8, 0x58: 90, 0x61: 16, 0x62: 13, 0x63: 13,
                0x91: 8, 0x92: 8, 0x93: 8, 0x94: 94, 0xA1: 58, 0xA2: 44, 0xA3: 33, 0xA4: 50, 0xF1: 8}
    variable = {0x44, 0x45, 0x46, 0x47, 0x48, 0xF0}
    assert set(M.MESSAGE_TYPES) == set(expected) | variable
    assert {code: cls.BODY_LENGTH for code, cls in M.MESSAGE_TYPES.items() if code not in variable} == expected
    assert all(M.MESSAGE_TYPES[code].BODY_LENGTH is None for code in variable)
