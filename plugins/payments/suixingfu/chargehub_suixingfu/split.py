"""Splits (分账 / ledger) through Tianque: mixed into :class:`~chargehub_suixingfu.provider.SuixingfuProvider`.

What is documented (spec §3.5, one source, low confidence): a payment made with
``ledgerAccountFlag=00`` may be split later by ``/query/ledger/launchLedger`` with ``ordNo``, ``uuid``,
``mno``, a ``ledgerRule`` list of ``{mno, allotValue}`` and ``notifyAddress``. Everything else here —
the query, return (cancel) and return-query paths, their fields, the ``ledgerSts`` status field and
the ledger notification — is **our assumption** until Tianque's ledger documentation is obtained; the
paths are settings (``ledger_*_path``) so they can be corrected without a release.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from chargehub.contracts.payments import (
    CreateSplit,
    CreateSplitReturn,
    PaymentProviderError,
    SplitAccount,
    SplitResult,
    SplitReturnResult,
    SplitStatus,
)

from chargehub_suixingfu.amounts import to_yuan
from chargehub_suixingfu.schemas import LEDGER_PATHS


def ledger_status(value: Any) -> SplitStatus:
    """A ledger state (``SUCCESS`` / ``PROCESSING`` / ``FAIL``, tolerant of variants) → :class:`SplitStatus`."""
    text = str(value or "").upper()
    if "SUC" in text:
        return SplitStatus.SUCCESS
    if "FAIL" in text:
        return SplitStatus.FAILED
    return SplitStatus.PROCESSING


class LedgerMixin:
    """The split members of the provider. Expects ``settings``, ``_call``, ``_mno`` and ``_refused``."""

    settings: Mapping[str, Any]

    def _ledger_path(self, name: str) -> str:
        return str(self.settings.get(name) or LEDGER_PATHS[name])

    def _ledger_reply(self, path: str, req: Mapping[str, Any], what: str):
        reply = self._call(path, req)  # type: ignore[attr-defined]
        if reply.biz_code not in ("0000", "2002"):
            raise self._refused(reply, what)  # type: ignore[attr-defined]
        data = reply.resp_data
        status = SplitStatus.PROCESSING if reply.biz_code == "2002" else ledger_status(data.get("ledgerSts"))
        return data, status

    def split_supported(self) -> bool:
        """Splitting is on for the station and at least one receiver is configured."""
        return bool(self.settings.get("split_enabled")) and bool(self.split_accounts())

    def split_accounts(self) -> tuple[SplitAccount, ...]:
        """The station's receivers (their Tianque ``mno``) and ratios; empty when splitting is off."""
        if not self.settings.get("split_enabled"):
            return ()
        return tuple(
            SplitAccount(account=str(a["account"]), name=str(a.get("name", "")), ratio=Decimal(str(a["ratio"])))
            for a in self.settings.get("split_accounts") or ()
        )

    def execute_add_split_receiver(self, account: SplitAccount) -> None:
        """No API call: Tianque ledger receivers are sub-merchants bound to the payer merchant in Tianque's
        portal (the binding API is undocumented). Refuses only a malformed account."""
        if not account.account.isalnum():
            raise PaymentProviderError(f"分账账号 {account.account!r} 不是随行付商户编号 (not a Tianque mno)",
                                       code="ACCOUNT")

    def execute_split(self, request: CreateSplit) -> SplitResult:
        """``launchLedger``: ``ordNo`` = our split number, ``uuid`` = the payment's Tianque uuid."""
        if not request.receivers:
            raise PaymentProviderError("分账接收方为空 (no receivers)", code="RECEIVERS")
        req = {
            "mno": self._mno(),  # type: ignore[attr-defined]
            "ordNo": request.out_split_no,
            "origOrderNo": request.out_trade_no,
            "uuid": request.vendor_trade_no,
            "ledgerRule": [{"mno": r.account, "allotValue": to_yuan(r.amount)} for r in request.receivers],
            "notifyAddress": request.notify_url,
        }
        data, status = self._ledger_reply(self._ledger_path("ledger_launch_path"), req, "分账")
        return SplitResult(request.out_split_no, status, vendor_split_no=str(data.get("uuid", "")),
                           message=str(data.get("bizMsg", "")), raw=dict(data))

    def execute_query_split(self, out_split_no: str, vendor_trade_no: str) -> SplitResult:
        """Query a split by our split number (path and fields assumed, see module docstring)."""
        req = {"mno": self._mno(), "ordNo": out_split_no, "uuid": vendor_trade_no}  # type: ignore[attr-defined]
        data, status = self._ledger_reply(self._ledger_path("ledger_query_path"), req, "分账查询")
        return SplitResult(out_split_no, status, vendor_split_no=str(data.get("uuid", "")),
                           message=str(data.get("bizMsg", "")), raw=dict(data))

    def execute_split_return(self, request: CreateSplitReturn) -> SplitReturnResult:
        """Take a receiver's share back (cancel ledger; path and fields assumed)."""
        req = {
            "mno": self._mno(),  # type: ignore[attr-defined]
            "ordNo": request.out_return_no,
            "origOrdNo": request.out_split_no,
            "origUuid": request.vendor_split_no,
            "ledgerRule": [{"mno": request.account, "allotValue": to_yuan(request.amount)}],
            "cancelReason": request.description,
        }
        data, status = self._ledger_reply(self._ledger_path("ledger_return_path"), req, "分账回退")
        return SplitReturnResult(request.out_return_no, status, vendor_return_no=str(data.get("uuid", "")),
                                 message=str(data.get("bizMsg", "")), raw=dict(data))

    def execute_query_split_return(self, out_return_no: str, out_split_no: str) -> SplitReturnResult:
        """Query a split return by our return number (path and fields assumed)."""
        req = {"mno": self._mno(), "ordNo": out_return_no, "origOrdNo": out_split_no}  # type: ignore[attr-defined]
        data, status = self._ledger_reply(self._ledger_path("ledger_return_query_path"), req, "分账回退查询")
        return SplitReturnResult(out_return_no, status, vendor_return_no=str(data.get("uuid", "")),
                                 message=str(data.get("bizMsg", "")), raw=dict(data))
