"""Typed field readers for JSON objects decoded with ``parse_float=Decimal``.

Every reader takes the object, the field name and the path of the object inside the message (for
the error text: ``sockets[1].voltage_v``) and raises :class:`MessageError` naming the field.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Mapping

__all__ = ["MessageError", "MISSING", "path_of", "integer", "number", "text", "choice", "boolean", "array",
           "obj", "dev_problem", "is_int"]


class MessageError(ValueError):
    """A payload that is not a valid message of the protocol.

    :param reason: what is wrong, in words.
    :param field: the offending field's path (``"sockets[0].no"``), ``None`` for the payload as a whole.
    """

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def path_of(path: str, name: str | int) -> str:
    """``path`` + ``name`` (``"sockets[0]"`` + ``"no"`` → ``"sockets[0].no"``; an int is an index)."""
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def is_int(value: Any) -> bool:
    """``True`` for a JSON integer (``bool`` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _get(source: Mapping[Any, Any], name: str | int, path: str, required: bool) -> Any:
    value = source.get(name, MISSING)
    if value is MISSING and required:
        raise MessageError("required field is missing", path_of(path, name))
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Decimal):
        return f"the fraction {value}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def integer(source: Mapping[Any, Any], name: str | int, path: str, low: int, high: int, *,
            required: bool = True) -> Any:
    """An integer in ``low..high`` (``MISSING`` when absent and not required; an int ``name`` is a list index)."""
    value = _get(source, name, path, required)
    if value is MISSING:
        return value
    if not is_int(value):
        raise MessageError(f"must be an integer, not {_kind(value)}", path_of(path, name))
    if not low <= value <= high:
        what = "must not be negative" if value < 0 <= low else f"must be {low}..{high}"
        raise MessageError(f"{what}, not {value}", path_of(path, name))
    return value


def number(source: Mapping[str, Any], name: str, path: str, high: int, places: int, *,
           required: bool = True) -> Any:
    """A JSON number in ``0..high`` with at most ``places`` decimals, as a ``Decimal``."""
    value = _get(source, name, path, required)
    if value is MISSING:
        return value
    if not is_int(value) and not isinstance(value, Decimal):
        raise MessageError(f"must be a number, not {_kind(value)}", path_of(path, name))
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount > high:
        what = "must not be negative" if amount < 0 else f"must be 0..{high}"
        raise MessageError(f"{what}, not {value}", path_of(path, name))
    step = Decimal(1).scaleb(-places)
    try:
        exact = amount == amount.quantize(step)
    except ArithmeticError:
        exact = False
    if not exact:
        raise MessageError(f"at most {places} decimal{'s' if places > 1 else ''} allowed, not {value}",
                           path_of(path, name))
    return amount


def text(source: Mapping[str, Any], name: str, path: str, max_len: int, *, required: bool = True,
         nullable: bool = False, min_len: int = 1) -> Any:
    """A string of ``min_len..max_len`` characters (``None`` too when ``nullable``)."""
    value = _get(source, name, path, required)
    if value is MISSING or (value is None and nullable):
        return value
    if not isinstance(value, str):
        raise MessageError(f"must be a string, not {_kind(value)}", path_of(path, name))
    if not min_len <= len(value) <= max_len:
        raise MessageError(f"must be {min_len}..{max_len} characters, not {len(value)}", path_of(path, name))
    return value


def choice(source: Mapping[str, Any], name: str, path: str, choices: Iterable[str], *,
           required: bool = True) -> Any:
    """One of ``choices``."""
    value = _get(source, name, path, required)
    if value is MISSING:
        return value
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        shown = repr(value) if isinstance(value, str) else _kind(value)
        raise MessageError(f"must be one of {', '.join(choices)}, not {shown[:80]}", path_of(path, name))
    return value


def boolean(source: Mapping[str, Any], name: str, path: str, *, required: bool = True) -> Any:
    """``true`` or ``false``."""
    value = _get(source, name, path, required)
    if value is not MISSING and not isinstance(value, bool):
        raise MessageError(f"must be true or false, not {_kind(value)}", path_of(path, name))
    return value


def array(source: Mapping[str, Any], name: str, path: str, max_len: int, *, required: bool = True,
          min_len: int = 0) -> Any:
    """A list of ``min_len..max_len`` items."""
    value = _get(source, name, path, required)
    if value is MISSING:
        return value
    if not isinstance(value, list):
        raise MessageError(f"must be a list, not {_kind(value)}", path_of(path, name))
    if not min_len <= len(value) <= max_len:
        raise MessageError(f"must hold {min_len}..{max_len} items, not {len(value)}", path_of(path, name))
    return value


def obj(value: Any, path: str) -> Mapping[str, Any]:
    """``value`` when it is a JSON object."""
    if not isinstance(value, dict):
        raise MessageError(f"must be an object, not {_kind(value)}", path)
    return value


def dev_problem(dev: Any) -> str | None:
    """Why ``dev`` is not a usable sn (``None`` when it is): 1–32 printable characters and none of the
    MQTT topic characters ``+``, ``#``, ``/`` (the sn is a topic level)."""
    if not isinstance(dev, str):
        return f"must be a string, not {_kind(dev)}"
    if not 1 <= len(dev) <= 32:
        return f"must be 1..32 characters, not {len(dev)}"
    if not dev.isprintable() or any(c in dev for c in "+#/"):
        return f"must not contain control characters, '+', '#' or '/': {dev!r}"
    return None
