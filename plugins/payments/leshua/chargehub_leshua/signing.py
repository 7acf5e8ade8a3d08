"""Leshua's MD5 signature (pure functions, no I/O).

The rule (specs §2.1): sort the parameters by key in ASCII order, join them as ``k=v&…``, append
``&key=<key>``, take the MD5 and upper-case it. Requests leave out ``sign``; replies and notifications
leave out ``sign``, ``leshua`` and ``resp_code``. Whether empty values take part is not fixed by the
public facts (``include_empty``, the plugin setting ``sign_empty_values``). Signatures are compared
case-insensitively because Leshua's own samples show lower-case notify signatures.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any, Iterable, Mapping

#: Left out of the string we sign for a request.
REQUEST_EXCLUDED = frozenset({"sign"})
#: Left out of the string Leshua signs for a synchronous reply or an asynchronous notification.
REPLY_EXCLUDED = frozenset({"sign", "leshua", "resp_code"})


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def canonical_string(params: Mapping[str, Any], *, exclude: Iterable[str] = REQUEST_EXCLUDED,
                     include_empty: bool = False) -> str:
    """The ``k=v&…`` string (keys in ASCII order) that the signature covers, without the key."""
    skipped = set(exclude)
    pairs = []
    for name in sorted(params):
        if name in skipped:
            continue
        value = _text(params[name])
        if value == "" and not include_empty:
            continue
        pairs.append(f"{name}={value}")
    return "&".join(pairs)


def sign(params: Mapping[str, Any], key: str, *, exclude: Iterable[str] = REQUEST_EXCLUDED,
         include_empty: bool = False) -> str:
    """The upper-case MD5 signature of ``params`` with ``key``."""
    text = canonical_string(params, exclude=exclude, include_empty=include_empty) + f"&key={key}"
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def verify(params: Mapping[str, Any], key: str, *, exclude: Iterable[str] = REPLY_EXCLUDED,
           include_empty: bool = False) -> bool:
    """Whether ``params["sign"]`` is the signature of ``params`` with ``key`` (case-insensitive)."""
    given = _text(params.get("sign")).strip().upper()
    if not given or not key:
        return False
    expected = sign(params, key, exclude=exclude, include_empty=include_empty)
    return hmac.compare_digest(given.encode(), expected.encode())
