"""Login, billing-model check and heartbeats of :class:`~chargehub_ykc.simulator.pile.SimulatedPile`
(``specs/ykc-protocol.md`` §7.1–7.2).

0x01 is resent every ``login_retry_interval`` until 0x02; a refusal (0x02 result 0x01) closes the link and
the pile tries again after ``login_retry_interval``. After 0x02 success: stored records first, then 0x05
with the held model code ("0000" at first), 0x09 (repeated) while 0x06 says mismatch, the status of
every gun, and heartbeats one gun at a time. ``missed_heartbeats`` unanswered heartbeats drop the link.
"""
from __future__ import annotations

import random
from typing import Any

from chargehub_ykc.codec.frame import Frame
from chargehub_ykc.codec.messages import (
    BillingModelRequest,
    BillingModelSetReply,
    BillingModelVerify,
    Heartbeat,
    Login,
)
from chargehub_ykc.simulator.gun import FAULT
from chargehub_ykc.simulator.metering import PileBillingModel

__all__ = ["LoginMixin"]

_MAX_PENDING_HEARTBEATS = 16


class LoginMixin:
    """Link-level part of the simulated pile (needs the pile's slots; see ``pile.py``)."""

    __slots__ = ()

    def _send_login(self) -> None:
        self._login_handle = None
        if self.state != "login":
            return
        cfg = self.config
        self._send(Login(self.code, 0x00 if cfg.pile_type == "dc" else 0x01, cfg.guns, cfg.protocol_version,
                         cfg.firmware, cfg.network_type, cfg.iccid, cfg.carrier), reply=True)
        self._login_handle = self.loop.call_later(cfg.login_retry_interval, self._send_login)

    def _on_login_reply(self, frame: Frame, msg: Any) -> None:
        if self.state != "login" or msg.pile_code != self.code:
            return
        if self._login_handle is not None:
            self._login_handle.cancel()
            self._login_handle = None
        if msg.result != 0x00:
            # Refused: the platform closes the socket; close it too and try again later.
            self.login_refusals += 1
            self.stats.login_refusals += 1
            link = self._link
            self._detach_link(reconnect=False)
            if link is not None and link.transport is not None:
                link.transport.close()
            if self._running:
                self._schedule_connect(self.config.login_retry_interval)
            return
        self.state = "online"
        self.login_count += 1
        self.stats.logins += 1
        self._upload_unsent()
        self._verify_code = self.model_code
        self._send(BillingModelVerify(self.code, self._verify_code))
        for gun in self.guns:
            self._send_status(gun)
        self._hb_handle = self.loop.call_later(
            self.config.heartbeat_interval * random.random(), self._heartbeat)

    def _on_verify_reply(self, frame: Frame, msg: Any) -> None:
        if self.billing is not None and self.model_code != self._verify_code:
            return  # a model was pushed (0x58) after the 0x05 left: the answer is about the old one
        if msg.result != 0x00 or self.billing is None:
            self._request_model()

    def _request_model(self) -> None:
        self._model_wanted = True
        if self._model_handle is not None:
            self._model_handle.cancel()
        self._model_handle = None
        if self._send(BillingModelRequest(self.code)):
            self._model_handle = self.loop.call_later(
                self.config.login_retry_interval, self._model_retry)

    def _model_retry(self) -> None:
        self._model_handle = None
        if self._model_wanted:
            self._request_model()

    def _on_billing_model(self, frame: Frame, msg: Any) -> None:
        try:
            model = PileBillingModel.from_message(msg)
        except ValueError:
            model = None
        if model is not None and msg.pile_code == self.code:
            self.billing = model  # running sessions keep the model they started with
            self._model_wanted = False
            if self._model_handle is not None:
                self._model_handle.cancel()
                self._model_handle = None
        if frame.code == 0x58:
            self._send(BillingModelSetReply(self.code, 0x01 if model is not None else 0x00), frame.seq, reply=True)

    # ------------------------------------------------------------------ heartbeat

    def _heartbeat(self) -> None:
        cfg = self.config
        self._hb_handle = self.loop.call_later(cfg.heartbeat_interval, self._heartbeat)
        if self.state != "online":
            return
        if cfg.missed_heartbeats and self._hb_unanswered >= cfg.missed_heartbeats:
            self.stats.heartbeat_timeouts += 1  # DOC16: 3 missed replies = network failure, log in again
            self.drop_connection()
            return
        gun = self.guns[self._hb_gun]
        self._hb_gun = (self._hb_gun + 1) % len(self.guns)
        seq = self._next_seq()
        if self._send(Heartbeat(self.code, gun.number, 0x01 if gun.status == FAULT else 0x00), seq):
            self.heartbeats_sent += 1
            self._hb_unanswered += 1
            pending = self._hb_pending
            pending[seq] = self.loop.time()
            if len(pending) > _MAX_PENDING_HEARTBEATS:
                del pending[next(iter(pending))]

    def _on_heartbeat_reply(self, frame: Frame, msg: Any) -> None:
        self._hb_unanswered = 0
        self.heartbeat_replies += 1
        sent = self._hb_pending.pop(frame.seq, None)
        if sent is not None:
            self.stats.heartbeat_latency.add(self.loop.time() - sent)
