"""Sign-in throttling: failed attempts are limited per account and per address.

Only *failed* attempts count (a successful sign-in never locks anyone out), and the check happens
before the password is verified, so a locked account cannot be probed. Counters live in Redis when it
is configured (shared by every web process) and in memory otherwise. Built on ``limits`` (the library
under Flask-Limiter) directly, because the account key comes from the request body and only failures
may be counted.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, current_app
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION_KEY = "chargehub.throttle"

#: At most 5 failed sign-ins per account and 20 per address within 15 minutes.
PER_ACCOUNT = RateLimitItemPerMinute(5, 15)
PER_ADDRESS = RateLimitItemPerMinute(20, 15)


@dataclass(frozen=True)
class Throttled:
    """A refused attempt: when it may be tried again."""

    retry_after_seconds: int

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after_seconds // 60))
        return f"登录失败次数过多，请 {minutes} 分钟后再试 (too many failed sign-ins; try again in {minutes} min)"


def init_app(app: Flask) -> None:
    """Create the counters' storage for ``app`` (Redis with the app's namespace, or memory)."""
    conf = app.config["CHARGEHUB"]
    if conf["REDIS_URL"]:
        storage = storage_from_string(conf["REDIS_URL"],
                                      key_prefix=f"{conf['REDIS_NAMESPACE']}:signin")
    else:
        storage = storage_from_string("memory://")
    app.extensions[EXTENSION_KEY] = MovingWindowRateLimiter(storage)


def _limiter() -> MovingWindowRateLimiter:
    return current_app.extensions[EXTENSION_KEY]


def check(account: str, address: str) -> Throttled | None:
    """``None`` when a sign-in for ``account`` from ``address`` may be attempted now."""
    limiter = _limiter()
    for item, key in ((PER_ACCOUNT, f"account:{account}"), (PER_ADDRESS, f"address:{address}")):
        if not limiter.test(item, key):
            reset_at, _remaining = limiter.get_window_stats(item, key)
            return Throttled(max(1, int(reset_at - time.time())))
    return None


def failed(account: str, address: str) -> None:
    """Count one failed attempt for the account and the address."""
    limiter = _limiter()
    limiter.hit(PER_ACCOUNT, f"account:{account}")
    limiter.hit(PER_ADDRESS, f"address:{address}")
