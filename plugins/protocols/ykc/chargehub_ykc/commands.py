"""Core's device commands → YKC frames (``docs/devices/protocol_plugins.md`` §4).

Each builder validates its params and returns a :class:`Planned` frame plus what the reply will look
like; anything invalid raises :class:`CommandNotSupported` with words the operator reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chargehub.contracts.devices import CommandNotSupported, DeviceCommand

from chargehub_ykc.codec import messages as M
from chargehub_ykc.codec.frame import CodecError
from chargehub_ykc.tariff import Tariff, parse_billing

__all__ = ["CommandContext", "Planned", "build_command", "COMMANDS", "HOTLINE_REFUSAL", "local_now", "zone"]

HOTLINE_REFUSAL = "云快充协议不支持下发服务热线 (YKC cannot carry a hotline)"
_CENT = Decimal("0.01")
_MAX_BALANCE = Decimal(0xFFFFFFFF).scaleb(-2)
_MAX_QR_PREFIX = 200
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(slots=True)
class CommandContext:
    """What the builders need from the session: the pile, its guns, the zone, a seq counter and a clock."""

    pile_code: str
    gun_count: int
    tz: tzinfo
    next_seq: Callable[[], bytes]
    now: Callable[[], datetime]


@dataclass(slots=True)
class Planned:
    """A command ready to write: ``frame``, the ``reply_code`` (and ``gun``) that answers it, ``extra``
    details the session keeps until then, and ``guns`` for ``refresh_state``."""

    frame: bytes
    reply_code: int | None
    gun: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    guns: frozenset[int] = frozenset()
    tariff: Tariff | None = None


def _bad(param: str, why: str) -> CommandNotSupported:
    return CommandNotSupported(f"参数 {param} 无效 (invalid parameter {param}): {why}")


def zone(name: Any) -> ZoneInfo:
    """The IANA zone ``name``; raises ``ValueError`` for an unknown one."""
    if not isinstance(name, str) or not name or len(name) > 64:
        raise ValueError(f"unknown time zone {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {name!r}") from None


def local_now(now: datetime, tz: tzinfo) -> datetime:
    """``now`` (aware) as naive local wall-clock time in ``tz``, to the millisecond."""
    local = now.astimezone(tz).replace(tzinfo=None)
    return local.replace(microsecond=local.microsecond // 1000 * 1000)


def _int(params: Mapping[str, Any], name: str, low: int, high: int, default: int | None = None) -> int:
    value = params.get(name, default)
    if value is None:
        raise _bad(name, "required")
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(name, f"must be an integer {low}..{high}, not {value!r}")
    return value


def _gun(ctx: CommandContext, params: Mapping[str, Any]) -> int:
    return _int(params, "gun", 1, ctx.gun_count if ctx.gun_count > 0 else 99)


def _choice(params: Mapping[str, Any], name: str, choices: Mapping[str, int], default: str | None = None) -> int:
    value = params.get(name, default)
    if value not in choices:
        raise _bad(name, f"must be one of {', '.join(choices)}, not {value!r}")
    return choices[value]


def _digits(params: Mapping[str, Any], name: str, size: int, default: str | None = None, exact: bool = False) -> str:
    value = params.get(name, default)
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > size \
            or (exact and len(value) != size):
        raise _bad(name, f"must be {'exactly' if exact else 'at most'} {size} digits, not {value!r}")
    return value.rjust(size, "0")


def _card(value: Any, name: str = "physical_card") -> str:
    if not isinstance(value, str) or len(value) > 16 or not _HEX.issuperset(value):
        raise _bad(name, f"must be at most 16 hex digits, not {value!r}")
    return value.rjust(16, "0").upper()


def _yuan(params: Mapping[str, Any], name: str) -> Decimal:
    value = params.get(name, "0")
    if isinstance(value, (float, bool)):
        raise _bad(name, "yuan as a decimal string, never a float")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or not 0 <= amount <= _MAX_BALANCE:
        raise _bad(name, f"must be 0..{_MAX_BALANCE} yuan, not {value!r}")
    return amount.quantize(_CENT, ROUND_DOWN)


def _text(params: Mapping[str, Any], name: str, size: int, default: str | None = None) -> str:
    value = params.get(name, default)
    if not isinstance(value, str) or not value.isascii() or len(value) > size or "\x00" in value:
        raise _bad(name, f"must be ASCII text of at most {size} characters, not {value!r}")
    return value


def _frame(message: M.Message, ctx: CommandContext) -> bytes:
    return M.encode(message, seq=ctx.next_seq())


def _reboot(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    control = _choice(params, "mode", {"now": 0x01, "idle": 0x02}, "now")
    return Planned(_frame(M.Reboot(ctx.pile_code, control), ctx), 0x91)


def _sync_clock(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    tz, extra = ctx.tz, {}
    if params.get("timezone") is not None:
        try:
            tz = zone(params["timezone"])
        except ValueError as exc:
            raise _bad("timezone", str(exc)) from None
        extra["timezone"] = str(params["timezone"])
    return Planned(_frame(M.ClockSync(ctx.pile_code, local_now(ctx.now(), tz)), ctx), 0x55, extra=extra)


def _sync_qrcode(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    prefix = _text(params, "prefix", _MAX_QR_PREFIX)
    if not prefix:
        raise _bad("prefix", "required (YKC piles take one URL prefix and append pile code and gun)")
    return Planned(_frame(M.QrPrefixSet(ctx.pile_code, 0x01, prefix), ctx), 0xF1)


def _sync_billing(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    try:
        tariff = parse_billing(params)
    except ValueError as exc:
        raise _bad("ykc", str(exc)) from None
    frame = _frame(tariff.message(ctx.pile_code, M.BillingModelSet), ctx)
    return Planned(frame, 0x57, extra={"model_code": tariff.model_code}, tariff=tariff)


def _sync_hotline(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    raise CommandNotSupported(HOTLINE_REFUSAL)


def _refresh_state(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    guns = params.get("guns")
    if guns is None:
        guns = list(range(1, ctx.gun_count + 1))
    if not isinstance(guns, (list, tuple)) or not guns:
        raise _bad("guns", "a non-empty list of gun numbers")
    numbers = [_gun(ctx, {"gun": gun}) for gun in guns]
    frame = b"".join(_frame(M.ReadRealtimeData(ctx.pile_code, gun), ctx) for gun in dict.fromkeys(numbers))
    return Planned(frame, None, guns=frozenset(numbers))


def _work_params(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    enabled = params.get("enabled")
    if not isinstance(enabled, bool):
        raise _bad("enabled", f"must be true or false, not {enabled!r}")
    percent = _int(params, "max_power_percent", 30, 100, 100)
    return Planned(_frame(M.WorkParams(ctx.pile_code, 0x00 if enabled else 0x01, percent), ctx), 0x51)


def _lock(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    gun = _gun(ctx, params)
    action = _choice(params, "action", {"up": 0x55, "down": 0xFF})
    return Planned(_frame(M.LockCommand(ctx.pile_code, gun, action), ctx), 0x63, gun)


def _start(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    gun = _gun(ctx, params)
    trade_no = _digits(params, "trade_no", 32, exact=True)
    message = M.RemoteStart(trade_no, ctx.pile_code, gun, _digits(params, "logical_card", 16, "0"),
                            _card(params.get("physical_card", "0")), _yuan(params, "balance"))
    return Planned(_frame(message, ctx), 0x33, gun, {"trade_no": trade_no})


def _stop(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    gun = _gun(ctx, params)
    return Planned(_frame(M.RemoteStop(ctx.pile_code, gun), ctx), 0x35, gun)


def _update_balance(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    gun = _gun(ctx, params)
    message = M.BalanceUpdate(ctx.pile_code, gun, _card(params.get("physical_card", "0")), _yuan(params, "balance"))
    return Planned(_frame(message, ctx), 0x41)


def _card_list(params: Mapping[str, Any], limit: int) -> list[Any]:
    cards = params.get("cards")
    if not isinstance(cards, (list, tuple)) or not 1 <= len(cards) <= limit:
        raise _bad("cards", f"a list of 1..{limit} cards")
    return list(cards)


def _physical(item: Any) -> str:
    return _card(item.get("physical_card") if isinstance(item, Mapping) else item)


def _offline_sync(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    cards = []
    for item in _card_list(params, M.MAX_SYNC_CARDS):
        if not isinstance(item, Mapping):
            raise _bad("cards", "each card is {logical_card, physical_card}")
        cards.append(M.OfflineCard(_digits(item, "logical_card", 16), _physical(item)))
    return Planned(_frame(M.OfflineCardSync(ctx.pile_code, tuple(cards)), ctx), 0x43)


def _offline_clear(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    cards = tuple(_physical(item) for item in _card_list(params, M.MAX_CLEAR_CARDS))
    return Planned(_frame(M.OfflineCardClear(ctx.pile_code, cards), ctx), 0x45)


def _offline_query(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    cards = tuple(_physical(item) for item in _card_list(params, M.MAX_QUERY_CARDS))
    return Planned(_frame(M.OfflineCardQuery(ctx.pile_code, cards), ctx), 0x47)


def _upgrade(ctx: CommandContext, params: Mapping[str, Any]) -> Planned:
    model = params.get("pile_model", "dc")
    model = {"dc": 0x01, "ac": 0x02, 1: 0x01, 2: 0x02}.get(model) if isinstance(model, (str, int)) else None
    if model is None:
        raise _bad("pile_model", "dc or ac")
    message = M.Upgrade(
        ctx.pile_code, model, _int(params, "power_kw", 0, 0xFFFF, 0), _text(params, "server", 16),
        _int(params, "port", 0, 0xFFFF, 21), _text(params, "user", 16, ""), _text(params, "password", 16, ""),
        _text(params, "path", 32), _choice(params, "when", {"now": 0x01, "idle": 0x02}, "idle"),
        _int(params, "timeout_minutes", 0, 255, 60))
    return Planned(_frame(message, ctx), 0x93)


#: Command name → builder.
COMMANDS: Mapping[str, Callable[[CommandContext, Mapping[str, Any]], Planned]] = {
    "reboot": _reboot,
    "sync_clock": _sync_clock,
    "sync_qrcode": _sync_qrcode,
    "sync_billing": _sync_billing,
    "sync_hotline": _sync_hotline,
    "refresh_state": _refresh_state,
    "work_params": _work_params,
    "lock": _lock,
    "start": _start,
    "stop": _stop,
    "update_balance": _update_balance,
    "offline_cards_sync": _offline_sync,
    "offline_cards_clear": _offline_clear,
    "offline_cards_query": _offline_query,
    "upgrade": _upgrade,
}


def build_command(ctx: CommandContext, command: DeviceCommand) -> Planned:
    """The :class:`Planned` frame of ``command``.

    :raises CommandNotSupported: unknown command, invalid params, or a command YKC cannot express.
    """
    builder = COMMANDS.get(command.name)
    if builder is None:
        raise CommandNotSupported(f"云快充协议不支持命令 {command.name} (YKC has no command {command.name!r})")
    params = command.params if isinstance(command.params, Mapping) else {}
    try:
        return builder(ctx, params)
    except CommandNotSupported:
        raise
    except (CodecError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CommandNotSupported(f"命令 {command.name} 的参数无效 (invalid parameters for {command.name}): {exc}") \
            from None
