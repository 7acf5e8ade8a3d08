"""What every vendor sandbox shares: a real HTTP server on 127.0.0.1 and notification delivery.

A sandbox (WeChat Pay, Leshua, Tianque, e-invoicing, parking relief) is a small Flask app that speaks the
vendor's wire format and signatures. :class:`SandboxServer` serves it on a free loopback port in a
thread (werkzeug's threaded server), so our clients run unchanged against it over real sockets.
:class:`Delivery` posts the sandbox's notifications to our callback URL the way vendors do — possibly
several copies, concurrently, late, out of order — and keeps every reply so tests can check what our
side acknowledged.
"""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Mapping

from datetime import datetime, timezone

from flask import Flask, Response, request
from werkzeug.serving import make_server


class SandboxServer:
    """Serve ``app`` on ``127.0.0.1:<free port>`` in a daemon thread until :meth:`close`.

    Use as a context manager or call :meth:`close`; :attr:`url` is the base URL (no trailing slash).
    """

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server = make_server(host, port, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"sandbox-{self.port}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> "SandboxServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Reply:
    """One delivery of a notification and what our side answered (``status`` 0: no connection)."""

    url: str
    status: int
    body: bytes
    at: float = field(default_factory=time.time)


class Delivery:
    """Posts notifications and remembers the replies (thread-safe)."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.replies: list[Reply] = []
        self._lock = threading.Lock()

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Reply:
        """POST ``body`` with ``headers`` to ``url`` once; return (and keep) the reply."""
        request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = Reply(url, response.status, response.read())
        except urllib.error.HTTPError as exc:
            reply = Reply(url, exc.code, exc.read())
        except OSError as exc:
            reply = Reply(url, 0, str(exc).encode())
        with self._lock:
            self.replies.append(reply)
        return reply

    def post_copies(self, url: str, body: bytes, headers: Mapping[str, str], copies: int = 1,
                    concurrent: bool = False) -> list[Reply]:
        """POST the same notification ``copies`` times, one after the other or all at once."""
        if not concurrent or copies == 1:
            return [self.post(url, body, headers) for _ in range(copies)]
        replies: list[Reply] = []
        gate = threading.Barrier(copies)

        def send() -> None:
            gate.wait()
            replies.append(self.post(url, body, headers))

        threads = [threading.Thread(target=send) for _ in range(copies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return replies


class NotificationReceiver:
    """Our side of a sandbox's notifications in a plugin's own tests, over real HTTP: the POST route
    ``url`` hands the raw body to ``provider.parse_notification`` and answers with the returned
    :class:`~chargehub.contracts.payments.Ack` (or the rejection's). ``parsed`` keeps the notifications,
    ``rejected`` the :class:`~chargehub.contracts.payments.NotificationRejected` raised."""

    def __init__(self, provider=None) -> None:
        self.provider = provider
        self.parsed: list = []
        self.rejected: list = []
        self._lock = threading.Lock()
        app = Flask("notification-receiver")
        app.add_url_rule("/notify", "notify", self._notify, methods=["POST"])
        self.server = SandboxServer(app)
        self.url = self.server.url + "/notify"

    def _notify(self) -> Response:
        from chargehub.contracts.payments import NotificationRejected  # noqa: PLC0415

        try:
            notification = self.provider.parse_notification(request.headers, request.get_data(),
                                                            now=datetime.now(timezone.utc))
        except NotificationRejected as exc:
            with self._lock:
                self.rejected.append(exc)
            ack = exc.ack
        else:
            with self._lock:
                self.parsed.append(notification)
            ack = notification.ack
        return Response(ack.body, status=ack.status, content_type=ack.content_type)

    def clear(self) -> None:
        """Forget what was received."""
        with self._lock:
            self.parsed.clear()
            self.rejected.clear()

    def close(self) -> None:
        """Stop the server."""
        self.server.close()


class PaymentSandbox:
    """The interface every payment plugin's sandbox (``chargehub_<plugin>.testing``) offers, so core's
    flow tests, the browser test and bench/payments drive any of them the same way.

    A sandbox holds throw-away keys generated when it is made, verifies our signatures exactly as the
    vendor does and signs its replies and notifications the same way. Its state (payments, refunds,
    splits) lives in memory. Control routes under ``/__sandbox__/`` change that state and post the
    notification to the ``notify_url`` our client gave; the Python methods below call those routes.

    Fault knobs (:attr:`faults`, a dict read on every request; unknown names are ignored):
    ``bad_signature`` (sign replies / notifications with the wrong key), ``stale_timestamp`` (where the
    vendor has one), ``tamper_amount`` (notifications say another amount), ``http_500`` (count of
    requests answered 500 next), ``delay_s`` (sleep before answering), ``auto_refund`` (refunds
    succeed at once and notify; default on), ``auto_split`` (splits finish at once; default on).
    """

    url: str
    faults: dict

    def tenant_settings(self) -> dict:
        """The plugin's tenant settings that point its client at this sandbox."""
        raise NotImplementedError

    def station_settings(self) -> dict:
        """Station 支付配置 values (secrets included) for this sandbox's merchant, split off."""
        raise NotImplementedError

    def split_station_settings(self, accounts: list[tuple[str, str, str]]) -> dict:
        """Like :meth:`station_settings` with splitting on: ``accounts`` is ``[(account, name, ratio)]``."""
        raise NotImplementedError

    def pay(self, out_trade_no: str, *, copies: int = 1, concurrent: bool = False) -> list[Reply]:
        """Mark the payment paid and deliver its notification ``copies`` times; the replies."""
        raise NotImplementedError

    def fail(self, out_trade_no: str) -> list[Reply]:
        """Mark the payment failed (and notify where the vendor does)."""
        raise NotImplementedError

    def payment(self, out_trade_no: str) -> dict:
        """The sandbox's record of a payment: at least ``state``, ``amount`` (Decimal yuan), ``notify_url``."""
        raise NotImplementedError

    def refunds(self, out_trade_no: str) -> list[dict]:
        """The refunds of a payment: at least ``out_refund_no``, ``amount`` (Decimal yuan), ``state``."""
        raise NotImplementedError

    def splits(self, out_trade_no: str) -> list[dict]:
        """The splits of a payment: at least ``out_split_no``, ``state``, ``receivers`` and ``returns``."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the server."""
        raise NotImplementedError
