"""The pile's answers to platform commands → :class:`CommandResult` (reply frame code → converter)."""
from __future__ import annotations

from datetime import tzinfo
from typing import Callable, Mapping

from chargehub.contracts.devices import CommandResult

from chargehub_ykc.codec import codes
from chargehub_ykc.codec import messages as M

__all__ = ["REPLY_RESULTS"]

_FAILED = "设备返回失败 (the pile reported failure)"


def _success_flag(msg: M.Message, tz: tzinfo) -> CommandResult:
    """0x51 / 0x57 / 0x63 / 0x91 / 0xF1: result 0x01 success, 0x00 failure."""
    ok = msg.result == 0x01  # type: ignore[attr-defined]
    return CommandResult.accepted() if ok else CommandResult.rejected(_FAILED)


def _balance(msg: M.BalanceUpdateReply, tz: tzinfo) -> CommandResult:
    data = {"physical_card": msg.physical_card, "result": msg.result}
    if msg.result == 0x00:
        return CommandResult.accepted(data)
    return CommandResult.rejected(codes.lookup(codes.BALANCE_UPDATE_RESULTS, msg.result, "结果 (result)"), data)


def _card_sync(msg: M.OfflineCardSyncReply, tz: tzinfo) -> CommandResult:
    if msg.result == 0x01:
        return CommandResult.accepted()
    reason = codes.lookup(codes.OFFLINE_SYNC_FAILURES, msg.failure_reason, "失败原因 (failure reason)")
    return CommandResult.rejected(reason, {"reason_code": msg.failure_reason})


def _card_clear(msg: M.OfflineCardClearReply, tz: tzinfo) -> CommandResult:
    cards = [{"physical_card": r.physical_card, "cleared": r.cleared == 0x01, "reason_code": r.reason}
             for r in msg.results]
    return CommandResult.accepted({"cards": cards})


def _card_query(msg: M.OfflineCardQueryReply, tz: tzinfo) -> CommandResult:
    return CommandResult.accepted({"cards": [
        {"physical_card": r.physical_card, "present": r.present == 0x01} for r in msg.results]})


def _clock(msg: M.ClockSyncReply, tz: tzinfo) -> CommandResult:
    device_time = None if msg.device_time is None else msg.device_time.replace(tzinfo=tz).isoformat()
    return CommandResult.accepted({"device_time": device_time})


def _upgrade(msg: M.UpgradeReply, tz: tzinfo) -> CommandResult:
    if msg.status == 0x00:
        return CommandResult.accepted()
    return CommandResult.rejected(codes.lookup(codes.UPGRADE_STATUS, msg.status, "升级状态 (upgrade status)"),
                                  {"status": msg.status})


#: Reply frame code → its converter.
REPLY_RESULTS: Mapping[int, Callable[..., CommandResult]] = {
    0x41: _balance,
    0x43: _card_sync,
    0x45: _card_clear,
    0x47: _card_query,
    0x51: _success_flag,
    0x55: _clock,
    0x57: _success_flag,
    0x63: _success_flag,
    0x91: _success_flag,
    0x93: _upgrade,
    0xF1: _success_flag,
}
