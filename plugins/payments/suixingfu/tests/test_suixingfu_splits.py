"""Splits (ledger) against the fake Tianque: launch, query, return; the assumed paths and notify."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chargehub.contracts.payments import (
    CreateSplit,
    CreateSplitReturn,
    PaymentProviderError,
    SplitAccount,
    SplitReceiver,
    SplitStatus,
)
from suixingfu_helpers import make_provider, order

ACCOUNTS = [("399000000000001", "场地方", "0.3"), ("399000000000002", "运维方", "0.2")]


@pytest.fixture
def split_provider(sandbox, receiver):
    provider = make_provider(sandbox, station=sandbox.split_station_settings(ACCOUNTS))
    receiver.provider = provider
    created = provider.execute_create_payment(order(amount="100.00", split=True, notify_url=receiver.url))
    sandbox.pay("CH20260101000001")
    provider.vendor_trade_no = created.vendor_trade_no
    return provider


def split(provider, no: str = "SP1", notify_url: str = "") -> CreateSplit:
    """A split of the 100 yuan test order: 30 + 20 yuan."""
    return CreateSplit(out_split_no=no, out_trade_no="CH20260101000001", vendor_trade_no=provider.vendor_trade_no,
                       receivers=(SplitReceiver("399000000000001", "场地方", Decimal("30.00")),
                                  SplitReceiver("399000000000002", "运维方", Decimal("20.00"))),
                       notify_url=notify_url or "http://127.0.0.1:9/none")


def test_split_settings_and_payment_flag(sandbox, split_provider):
    assert split_provider.split_supported()
    assert split_provider.split_accounts() == (
        SplitAccount("399000000000001", "场地方", Decimal("0.3")), SplitAccount("399000000000002", "运维方", Decimal("0.2")))
    assert split_provider.merchant_no() == sandbox.mno
    req = sandbox.received[0]["req_data"]
    assert (req["ledgerAccountFlag"], req["ledgerAccountEffectTime"]) == ("00", "30")
    split_provider.execute_add_split_receiver(split_provider.split_accounts()[0])  # no vendor call needed
    assert len(sandbox.received) == 1
    with pytest.raises(PaymentProviderError):
        split_provider.execute_add_split_receiver(SplitAccount("o-openid", "个人", Decimal("0.1"), "personal"))


def test_split_query_and_return(sandbox, split_provider):
    result = split_provider.execute_split(split(split_provider))
    assert (result.out_split_no, result.status) == ("SP1", SplitStatus.SUCCESS) and result.vendor_split_no
    call = sandbox.received[-1]
    assert call["path"] == "/query/ledger/launchLedger"
    assert call["req_data"]["ledgerRule"] == [{"mno": "399000000000001", "allotValue": "30.00"},
                                              {"mno": "399000000000002", "allotValue": "20.00"}]
    assert (call["req_data"]["uuid"], call["req_data"]["notifyAddress"]) == (
        split_provider.vendor_trade_no, "http://127.0.0.1:9/none")
    queried = split_provider.execute_query_split("SP1", split_provider.vendor_trade_no)
    assert (queried.status, queried.vendor_split_no) == (SplitStatus.SUCCESS, result.vendor_split_no)

    back = split_provider.execute_split_return(CreateSplitReturn(
        out_return_no="RT1", out_split_no="SP1", vendor_split_no=result.vendor_split_no,
        account="399000000000001", amount=Decimal("30.00")))
    assert back.status is SplitStatus.SUCCESS and back.out_return_no == "RT1"
    assert split_provider.execute_query_split_return("RT1", "SP1").status is SplitStatus.SUCCESS
    (record,) = sandbox.splits("CH20260101000001")
    assert record["state"] == "SUCCESS" and len(record["receivers"]) == 2
    assert [(r["out_return_no"], r["account"], r["amount"]) for r in record["returns"]] == [
        ("RT1", "399000000000001", Decimal("30.00"))]
    with pytest.raises(PaymentProviderError) as info:  # the share is already back
        split_provider.execute_split_return(CreateSplitReturn("RT2", "SP1", "", "399000000000001", Decimal("0.01")))
    assert info.value.code == "2013" and not info.value.retryable


def test_processing_split_finishes_with_a_notification(sandbox, receiver, split_provider):
    sandbox.faults["auto_split"] = False
    result = split_provider.execute_split(split(split_provider, notify_url=receiver.url))
    assert result.status is SplitStatus.PROCESSING
    assert split_provider.execute_query_split("SP1", "").status is SplitStatus.PROCESSING
    (reply,) = sandbox.finish_split("SP1")
    assert reply.status == 200
    note = receiver.parsed[-1]
    assert note.split is not None and note.payment is None and note.refund is None
    assert (note.split.out_split_no, note.split.status) == ("SP1", SplitStatus.SUCCESS)
    assert split_provider.execute_query_split("SP1", "").status is SplitStatus.SUCCESS


def test_over_split_and_split_without_the_flag_are_refused(sandbox, receiver, split_provider):
    too_much = CreateSplit("SP9", "CH20260101000001", split_provider.vendor_trade_no,
                           (SplitReceiver("399000000000001", "场地方", Decimal("100.01")),), "http://127.0.0.1:9/n")
    with pytest.raises(PaymentProviderError) as info:
        split_provider.execute_split(too_much)
    assert info.value.code == "2013"
    split_provider.execute_create_payment(order("NOSPLIT1", amount="10.00"))
    sandbox.pay("NOSPLIT1")
    with pytest.raises(PaymentProviderError) as info:
        split_provider.execute_split(CreateSplit("SP8", "NOSPLIT1", "", (
            SplitReceiver("399000000000001", "场地方", Decimal("1.00")),), "http://127.0.0.1:9/n"))
    assert info.value.code == "2012" and not info.value.retryable


def test_ledger_paths_are_settings(sandbox):
    provider = make_provider(sandbox, station=sandbox.split_station_settings(ACCOUNTS),
                             ledger_query_path="/query/ledger/elsewhere")
    with pytest.raises(PaymentProviderError) as info:
        provider.execute_query_split("SP1", "")
    assert info.value.code == "HTTP404" and not info.value.retryable
