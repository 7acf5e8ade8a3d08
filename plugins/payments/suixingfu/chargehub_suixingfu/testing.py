"""``SuixingfuSandbox``: an offline fake of Tianque (随行付 天阙) for tests, the browser test and benches.

Usage::

    with SuixingfuSandbox() as sandbox:
        settings = merge_settings(sandbox.tenant_settings(), sandbox.station_settings())
        provider = SuixingfuProvider(settings)
        created = provider.execute_create_payment(...)
        replies = sandbox.pay(out_trade_no)          # posts the signed notify to notify_url

Knobs (:attr:`faults`, read on every request): ``bad_signature``, ``tamper_amount``, ``http_500`` (count),
``delay_s``, ``auto_refund`` (default on), ``auto_split`` (default on), and the unconfirmed variants
``sign_algorithm`` (``SHA1`` / ``SHA256``), ``timestamp_format``, ``req_data_as`` (``string`` /
``object``) and ``sub_appid_field``; :meth:`tenant_settings` follows the variant knobs so the client
matches. ``stale_timestamp`` is accepted and ignored (Tianque's notify carries no timestamp).
"""
from __future__ import annotations

import base64
import copy
import json
import secrets
import threading
from typing import Any

import requests

from chargehub.testing.sandbox import Delivery, PaymentSandbox, Reply, SandboxServer

from chargehub_suixingfu.sandbox_app import BizError, TianqueState, now_text
from chargehub_suixingfu.sandbox_routes import Handlers, build_app
from chargehub_suixingfu.signing import generate_key_pair

DEFAULT_FAULTS = {
    "bad_signature": False,
    "stale_timestamp": False,
    "tamper_amount": False,
    "http_500": 0,
    "delay_s": 0.0,
    "auto_refund": True,
    "auto_split": True,
    "sign_algorithm": "SHA1",
    "timestamp_format": "%Y%m%d%H%M%S",
    "req_data_as": "string",
    "sub_appid_field": "subAppid",
}


def acknowledged(reply: Reply) -> bool:
    """Tianque's rule: only HTTP 200 with ``{"code":"success"}`` acknowledges a notification."""
    if reply.status != 200:
        return False
    try:
        return json.loads(reply.body.decode("utf-8")).get("code") == "success"
    except (ValueError, AttributeError):
        return False


class SuixingfuSandbox(PaymentSandbox):
    """A fake Tianque on a loopback port, with fresh keys, an orgId and a merchant (mno).

    :param faults: initial knob values (see the module docstring), e.g. ``sign_algorithm="SHA256"``.
    :attr org_private_key / org_public_key: our (the institution's) key pair, PEM.
    :attr tianque_private_key / tianque_public_key: "Tianque's" key pair, PEM.
    :attr received: every verified API call: ``{"path", "envelope", "req_data", "body"}``.
    :attr notifications: every notification: ``{"kind", "key", "url", "body", "replies", "acked"}``.
    """

    def __init__(self, **faults: Any) -> None:
        self.faults = {**DEFAULT_FAULTS, **faults}
        self.org_private_key, self.org_public_key = generate_key_pair()
        self.tianque_private_key, self.tianque_public_key = generate_key_pair()
        wrong_private, _ = generate_key_pair()
        self.org_id = "ORG" + "".join(secrets.choice("0123456789") for _ in range(9))
        self.mno = "399" + "".join(secrets.choice("0123456789") for _ in range(12))
        self.sub_appid = "wx" + secrets.token_hex(8)
        keys = {"org_public": self.org_public_key, "tianque_private": self.tianque_private_key,
                "wrong_private": wrong_private}
        self.state = TianqueState(self.faults, keys, self.org_id, self.mno, self.sub_appid)
        self.delivery = Delivery(timeout=10.0)
        self._threads: list[threading.Thread] = []
        handlers = Handlers(self.state, self._deliver_later)
        control = {"pay": self._control_pay, "fail": self._control_fail, "refund": self._control_refund,
                   "split": self._control_split, "redeliver": self._control_redeliver}
        self.server = SandboxServer(build_app(self.state, handlers, control))
        self.url = self.server.url

    # ------------------------------------------------------------------ settings

    def tenant_settings(self) -> dict:
        """Tenant settings pointing the client at this sandbox, with its keys and variant knobs."""
        return {
            "base_url": self.url,
            "org_id": self.org_id,
            "org_private_key": self.org_private_key,
            "tianque_public_key": self.tianque_public_key,
            "sign_algorithm": self.faults["sign_algorithm"],
            "timestamp_format": self.faults["timestamp_format"],
            "req_data_as": self.faults["req_data_as"],
            "sub_appid_field": self.faults["sub_appid_field"],
            "timeout_s": 5.0,
        }

    def station_settings(self) -> dict:
        """The station's 支付配置 for this sandbox's merchant, splitting off (keys included as overrides)."""
        return {
            "mno": self.mno,
            "sub_appid": self.sub_appid,
            "split_enabled": False,
            "split_accounts": [],
            "ledger_effect_days": 30,
            "org_id": self.org_id,
            "org_private_key": self.org_private_key,
            "tianque_public_key": self.tianque_public_key,
        }

    def split_station_settings(self, accounts: list[tuple[str, str, str]]) -> dict:
        """Like :meth:`station_settings` with splitting on: ``accounts`` is ``[(mno, name, ratio)]``."""
        return {**self.station_settings(), "split_enabled": True,
                "split_accounts": [{"account": a, "name": n, "ratio": str(r)} for a, n, r in accounts]}

    # ------------------------------------------------------------------ driving it (over HTTP)

    def _control(self, name: str, payload: dict) -> list[Reply]:
        response = requests.post(f"{self.url}/__sandbox__/{name}", json=payload, timeout=60)
        if response.status_code != 200:
            raise KeyError(response.json().get("error", response.text))
        return [Reply(r["url"], r["status"], base64.b64decode(r["body"]), r["at"])
                for r in response.json()["replies"]]

    def pay(self, out_trade_no: str, *, copies: int = 1, concurrent: bool = False) -> list[Reply]:
        """Mark the payment SUCCESS and post its notify ``copies`` times; our side's replies."""
        return self._control("pay", {"ordNo": out_trade_no, "copies": copies, "concurrent": concurrent})

    def fail(self, out_trade_no: str) -> list[Reply]:
        """Mark the payment FAIL and post its notify (bizCode != 0000)."""
        return self._control("fail", {"ordNo": out_trade_no})

    def finish_refund(self, out_refund_no: str, *, success: bool = True) -> list[Reply]:
        """Finish a REFUNDING refund (``auto_refund`` off) and post the refund notify."""
        return self._control("refund", {"ordNo": out_refund_no, "success": success})

    def finish_split(self, out_split_no: str, *, success: bool = True) -> list[Reply]:
        """Finish a PROCESSING split (``auto_split`` off) and post the ledger notify."""
        return self._control("split", {"ordNo": out_split_no, "success": success})

    def redeliver(self) -> list[Reply]:
        """Post every notification not yet acknowledged once more (Tianque's retry, schedule unknown)."""
        return self._control("redeliver", {})

    def drain(self, timeout: float = 10.0) -> None:
        """Wait for background deliveries (``auto_refund`` notifies) to finish."""
        for thread in list(self._threads):
            thread.join(timeout)

    # ------------------------------------------------------------------ records

    def payment(self, out_trade_no: str) -> dict:
        """The payment record: ``state`` (Tianque tranSts), ``amount`` (Decimal), ``notify_url``, ``uuid``..."""
        with self.state.lock:
            return copy.deepcopy(self.state.payments[out_trade_no])

    def refunds(self, out_trade_no: str) -> list[dict]:
        """The payment's refunds: ``out_refund_no``, ``amount``, ``state`` (REFUNDING / REFUNDSUC / REFUNDFAIL)."""
        with self.state.lock:
            return [copy.deepcopy(r) for r in self.state.refund_records.values() if r["out_trade_no"] == out_trade_no]

    def splits(self, out_trade_no: str) -> list[dict]:
        """The payment's splits: ``out_split_no``, ``state``, ``receivers`` and ``returns``."""
        with self.state.lock:
            return [copy.deepcopy(s) for s in self.state.split_records.values() if s["out_trade_no"] == out_trade_no]

    @property
    def received(self) -> list[dict]:
        """Every verified API call (copies)."""
        with self.state.lock:
            return copy.deepcopy(self.state.received)

    @property
    def notifications(self) -> list[dict]:
        """Every notification and its delivery replies."""
        with self.state.lock:
            return [dict(n, replies=list(n["replies"])) for n in self.state.notifications]

    def close(self) -> None:
        """Wait for pending deliveries and stop the server."""
        self.drain()
        self.server.close()

    def __enter__(self) -> "SuixingfuSandbox":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ control routes (server side)

    def _deliver(self, kind: str, key: str, url: str, body: bytes, copies: int = 1,
                 concurrent: bool = False) -> list[Reply]:
        item = self.state.record_notification(kind, key, url, body)
        if not url:
            return []
        replies = self.delivery.post_copies(url, body, {"Content-Type": "application/json;charset=utf-8"},
                                            copies=copies, concurrent=concurrent)
        with self.state.lock:
            item["replies"].extend(replies)
            item["acked"] = item["acked"] or any(acknowledged(r) for r in replies)
        return replies

    def _deliver_later(self, job: dict) -> None:
        def run() -> None:
            with self.state.lock:
                ref = self.state.refund_records[job["key"]]
                body, url = self.state.refund_notify(ref), ref["notify_url"]
            self._deliver("refund", job["key"], url, body)

        thread = threading.Thread(target=run, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _control_pay(self, body: dict) -> list[Reply]:
        with self.state.lock:
            pay = self.state.payments.get(body.get("ordNo", ""))
            if pay is None:
                raise BizError("2011", "no such payment")
            if pay["state"] == "PAYING":
                pay.update(state="SUCCESS", paid_at=now_text(), transaction_id="42" + secrets.token_hex(12))
            notify = self.state.payment_notify(pay)
        return self._deliver("payment", pay["ordNo"], pay["notify_url"], notify,
                             int(body.get("copies") or 1), bool(body.get("concurrent")))

    def _control_fail(self, body: dict) -> list[Reply]:
        with self.state.lock:
            pay = self.state.payments.get(body.get("ordNo", ""))
            if pay is None:
                raise BizError("2011", "no such payment")
            if pay["state"] == "PAYING":
                pay["state"] = "FAIL"
            notify = self.state.payment_notify(pay)
        return self._deliver("payment", pay["ordNo"], pay["notify_url"], notify)

    def _control_refund(self, body: dict) -> list[Reply]:
        with self.state.lock:
            ref = self.state.refund_records.get(body.get("ordNo", ""))
            if ref is None:
                raise BizError("2011", "no such refund")
            if ref["state"] == "REFUNDING":
                ref.update(state="REFUNDSUC" if body.get("success", True) else "REFUNDFAIL", finished_at=now_text())
            notify = self.state.refund_notify(ref)
        return self._deliver("refund", ref["out_refund_no"], ref["notify_url"], notify)

    def _control_split(self, body: dict) -> list[Reply]:
        with self.state.lock:
            split = self.state.split_records.get(body.get("ordNo", ""))
            if split is None:
                raise BizError("2011", "no such split")
            if split["state"] == "PROCESSING":
                split["state"] = "SUCCESS" if body.get("success", True) else "FAIL"
            notify = self.state.split_notify(split)
        return self._deliver("split", split["out_split_no"], split["notify_url"], notify)

    def _control_redeliver(self, body: dict) -> list[Reply]:
        replies: list[Reply] = []
        for item in [n for n in self.notifications if not n["acked"] and n["url"]]:
            got = self.delivery.post_copies(item["url"], item["body"], {"Content-Type": "application/json"})
            with self.state.lock:
                for stored in self.state.notifications:
                    if stored["body"] is item["body"]:
                        stored["replies"].extend(got)
                        stored["acked"] = any(acknowledged(r) for r in got)
            replies.extend(got)
        return replies
