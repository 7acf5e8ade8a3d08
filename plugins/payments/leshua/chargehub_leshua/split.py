"""Leshua profit sharing (分账) through the share-merchant API — **field names are our assumption**.

What is public (specs §2.5): a payment to be split carries ``royalty=1``, and a share-merchant API family
lives on ``saas-mch.leshuazf.com`` with paths such as ``/api/share-merchant/bind``, ``multi-apply``,
``multi-query`` and ``cancel``. Its fields, signature and callbacks are not public. Until Leshua's
documentation is obtained we call the configurable paths (tenant settings ``split_*_path``) with the
gateway's trade-key MD5 form signing and read a flat JSON or XML reply with the gateway's
``resp_code`` / ``result_code`` / ``error_code`` / ``error_msg`` / ``sign`` fields. Assumed fields:

=================  ======================================================================================
call               fields we send (besides ``merchant_id``, ``nonce_str``, ``sign``)
=================  ======================================================================================
bind               ``share_merchant_id``, ``share_merchant_name``, ``share_type`` (merchant/personal)
multi-apply        ``third_order_id``, ``leshua_order_id``, ``share_order_id`` (our split number),
                   ``share_detail`` (JSON list of ``{share_merchant_id, name, amount}`` in fen),
                   ``notify_url``, ``finish`` (1 = release the rest)
multi-query        ``share_order_id``, ``leshua_order_id``
cancel             ``share_order_id``, ``leshua_share_id``, ``cancel_id`` (our return number),
                   ``share_merchant_id``, ``amount`` (fen), ``reason``
cancel query       ``cancel_id``, ``share_order_id``
=================  ======================================================================================

Replies carry ``status``: ``0`` processing, ``1`` success, ``2`` failed, plus ``leshua_share_id`` /
``leshua_cancel_id``. A split notification (same notify-key XML as payments) carries ``share_order_id``.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

from chargehub.contracts.payments import (
    CreateSplit,
    CreateSplitReturn,
    SplitAccount,
    SplitResult,
    SplitReturnResult,
    SplitStatus,
)

from chargehub_leshua.client import LeshuaClient
from chargehub_leshua.schemas import DEFAULT_SPLIT_PATHS
from chargehub_leshua.values import to_fen

#: Assumed share-merchant ``status`` codes.
SPLIT_STATUS = {"0": SplitStatus.PROCESSING, "1": SplitStatus.SUCCESS, "2": SplitStatus.FAILED}


def split_result_from(fields: Mapping[str, str]) -> SplitResult:
    """A split reply or notification as a :class:`SplitResult`."""
    return SplitResult(out_split_no=fields.get("share_order_id", ""),
                       status=SPLIT_STATUS.get(fields.get("status", ""), SplitStatus.PROCESSING),
                       vendor_split_no=fields.get("leshua_share_id", ""),
                       message=fields.get("failure_reason") or fields.get("error_msg", ""), raw=dict(fields))


class LeshuaSplits:
    """The share-merchant calls of one merchant (paths from ``settings``, defaults from specs §2.5)."""

    def __init__(self, client: LeshuaClient, merchant_id: str, settings: Mapping[str, Any]) -> None:
        self.client = client
        self.merchant_id = merchant_id
        self.paths = {name: settings.get(name) or default for name, default in DEFAULT_SPLIT_PATHS.items()}

    def _call(self, path_name: str, fields: Mapping[str, Any]) -> dict[str, str]:
        return self.client.call_split(self.paths[path_name], {"merchant_id": self.merchant_id, **fields})

    def bind(self, account: SplitAccount) -> None:
        """Bind a receiver (idempotent at Leshua: binding a bound receiver is not an error, we assume)."""
        self._call("split_bind_path", {"share_merchant_id": account.account, "share_merchant_name": account.name,
                                       "share_type": account.kind})

    def apply(self, request: CreateSplit) -> SplitResult:
        """Split a paid payment among ``request.receivers``."""
        detail = [{"share_merchant_id": r.account, "name": r.name, "amount": to_fen(r.amount)}
                  for r in request.receivers]
        reply = self._call("split_apply_path", {
            "third_order_id": request.out_trade_no, "leshua_order_id": request.vendor_trade_no,
            "share_order_id": request.out_split_no,
            "share_detail": json.dumps(detail, ensure_ascii=False, separators=(",", ":")),
            "notify_url": request.notify_url, "finish": "1" if request.finish else "0"})
        return split_result_from({"share_order_id": request.out_split_no, **reply})

    def query(self, out_split_no: str, vendor_trade_no: str) -> SplitResult:
        """Where a split stands."""
        reply = self._call("split_query_path", {"share_order_id": out_split_no, "leshua_order_id": vendor_trade_no})
        return split_result_from({"share_order_id": out_split_no, **reply})

    def cancel(self, request: CreateSplitReturn) -> SplitReturnResult:
        """Take one receiver's share back (分账撤销)."""
        reply = self._call("split_cancel_path", {
            "share_order_id": request.out_split_no, "leshua_share_id": request.vendor_split_no,
            "cancel_id": request.out_return_no, "share_merchant_id": request.account,
            "amount": to_fen(request.amount), "reason": request.description})
        return self._return_result(request.out_return_no, reply)

    def query_cancel(self, out_return_no: str, out_split_no: str) -> SplitReturnResult:
        """Where a split return stands."""
        reply = self._call("split_cancel_query_path", {"cancel_id": out_return_no, "share_order_id": out_split_no})
        return self._return_result(out_return_no, reply)

    @staticmethod
    def _return_result(out_return_no: str, reply: Mapping[str, str]) -> SplitReturnResult:
        return SplitReturnResult(out_return_no=reply.get("cancel_id") or out_return_no,
                                 status=SPLIT_STATUS.get(reply.get("status", ""), SplitStatus.PROCESSING),
                                 vendor_return_no=reply.get("leshua_cancel_id", ""),
                                 message=reply.get("failure_reason") or reply.get("error_msg", ""), raw=dict(reply))
