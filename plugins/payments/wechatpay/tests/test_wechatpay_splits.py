"""Profit sharing (分账) against the sandbox: receivers, split, query, notification, return, limits."""
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
from wechatpay_helpers import Receiver, build_provider, create_payment, number, wait_for

ACCOUNTS = [("1900000111", "某某充电运营有限公司", "0.2"), ("oPersonalOpenId01", "", "0.05")]


@pytest.fixture(scope="module")
def split_provider(sandbox):
    return build_provider(sandbox, sandbox.split_station_settings(ACCOUNTS))


@pytest.fixture(scope="module")
def split_receiver(split_provider):
    box = Receiver(split_provider)
    yield box
    box.server.close()


def paid_split_payment(sandbox, provider, receiver, amount="100.00"):
    out_trade_no, _ = create_payment(provider, receiver.url, amount, split=provider.split_supported())
    sandbox.pay(out_trade_no)
    return out_trade_no, sandbox.payment(out_trade_no)["transaction_id"]


def split(provider, receiver, out_trade_no, transaction_id, shares, finish=True):
    request = CreateSplit(out_split_no=number("S"), out_trade_no=out_trade_no, vendor_trade_no=transaction_id,
                          receivers=tuple(SplitReceiver(a.account, a.name, Decimal(amount), a.kind)
                                          for a, amount in shares), notify_url=receiver.url, finish=finish)
    return request, provider.execute_split(request)


def test_split_configuration_is_exposed(split_provider, provider):
    assert split_provider.split_supported() and not provider.split_supported()
    assert split_provider.merchant_no() == provider.merchant_no() != ""
    accounts = split_provider.split_accounts()
    assert accounts == (SplitAccount("1900000111", "某某充电运营有限公司", Decimal("0.2"), "merchant"),
                        SplitAccount("oPersonalOpenId01", "", Decimal("0.05"), "personal"))
    assert provider.split_accounts() == () and split_provider.split_return_before_refund is True


def test_split_query_notification_and_return(sandbox, split_provider, split_receiver):
    for account in split_provider.split_accounts():
        split_provider.execute_add_split_receiver(account)
    merchant, personal = split_provider.split_accounts()
    assert sandbox.receivers[("MERCHANT_ID", merchant.account)]["name"] == merchant.name  # decrypted by the sandbox
    out_trade_no, transaction_id = paid_split_payment(sandbox, split_provider, split_receiver)
    assert sandbox.payment(out_trade_no)["profit_sharing"] is True
    split_receiver.clear()
    request, result = split(split_provider, split_receiver, out_trade_no, transaction_id,
                            [(merchant, "20.00"), (personal, "5.00")])
    assert (result.out_split_no, result.status) == (request.out_split_no, SplitStatus.SUCCESS)
    assert result.vendor_split_no != ""
    queried = split_provider.execute_query_split(request.out_split_no, transaction_id)
    assert (queried.status, queried.vendor_split_no) == (SplitStatus.SUCCESS, result.vendor_split_no)
    notes = wait_for(lambda: len(split_receiver.parsed) >= 2 and split_receiver.parsed)
    assert notes and {(n.split.out_split_no, n.split.status) for n in notes} == {(request.out_split_no,
                                                                                 SplitStatus.SUCCESS)}
    (record,) = sandbox.splits(out_trade_no)
    assert [(r["account"], r["amount"], r["result"]) for r in record["receivers"]] == [
        (merchant.account, Decimal("20.00"), "SUCCESS"), (personal.account, Decimal("5.00"), "SUCCESS")]
    back = split_provider.execute_split_return(CreateSplitReturn(
        out_return_no=number("B"), out_split_no=request.out_split_no, vendor_split_no=result.vendor_split_no,
        account=merchant.account, amount=Decimal("20.00")))
    assert back.status is SplitStatus.SUCCESS and back.vendor_return_no != ""
    again = split_provider.execute_query_split_return(back.out_return_no, request.out_split_no)
    assert (again.status, again.vendor_return_no) == (SplitStatus.SUCCESS, back.vendor_return_no)
    assert sandbox.splits(out_trade_no)[0]["returns"] == [
        {"out_return_no": back.out_return_no, "account": merchant.account, "amount": Decimal("20.00"),
         "state": "SUCCESS"}]
    with pytest.raises(PaymentProviderError) as exc:  # nothing left to take back
        split_provider.execute_split_return(CreateSplitReturn(number("B"), request.out_split_no, "", merchant.account,
                                                              Decimal("0.01")))
    assert (exc.value.code, exc.value.retryable) == ("INVALID_REQUEST", False)


def test_split_above_max_ratio_is_refused(sandbox, split_provider, split_receiver):
    merchant = split_provider.split_accounts()[0]
    split_provider.execute_add_split_receiver(merchant)
    out_trade_no, transaction_id = paid_split_payment(sandbox, split_provider, split_receiver, "10.00")
    with pytest.raises(PaymentProviderError) as exc:
        split(split_provider, split_receiver, out_trade_no, transaction_id, [(merchant, "3.01")])
    assert exc.value.code == "INVALID_REQUEST" and "最大分账比例" in exc.value.message
    assert sandbox.splits(out_trade_no) == []


def test_receiver_never_added_fails_with_no_relation(sandbox, split_provider, split_receiver):
    stranger = SplitAccount("1900000999", "未添加公司", Decimal("0.1"))
    out_trade_no, transaction_id = paid_split_payment(sandbox, split_provider, split_receiver, "10.00")
    _, result = split(split_provider, split_receiver, out_trade_no, transaction_id, [(stranger, "1.00")])
    assert result.status is SplitStatus.FAILED and "NO_RELATION" in result.message


def test_processing_split_then_finished(sandbox, split_provider, split_receiver):
    merchant = split_provider.split_accounts()[0]
    split_provider.execute_add_split_receiver(merchant)
    out_trade_no, transaction_id = paid_split_payment(sandbox, split_provider, split_receiver, "50.00")
    sandbox.faults["auto_split"] = False
    request, result = split(split_provider, split_receiver, out_trade_no, transaction_id, [(merchant, "10.00")])
    assert result.status is SplitStatus.PROCESSING
    split_receiver.clear()
    (reply,) = sandbox.finish_split(request.out_split_no)
    assert reply.status == 204 and split_receiver.parsed[0].split.out_split_no == request.out_split_no
    assert split_provider.execute_query_split(request.out_split_no, transaction_id).status is SplitStatus.SUCCESS
    back = split_provider.execute_split_return(CreateSplitReturn(number("B"), request.out_split_no, "",
                                                                 merchant.account, Decimal("4.00")))
    assert back.status is SplitStatus.PROCESSING
    sandbox.finish_split_return(back.out_return_no, "FAILED")
    failed = split_provider.execute_query_split_return(back.out_return_no, request.out_split_no)
    assert failed.status is SplitStatus.FAILED and failed.message == "BALANCE_NOT_ENOUGH"


def test_no_receivers_with_finish_unfreezes(sandbox, split_provider, split_receiver):
    out_trade_no, transaction_id = paid_split_payment(sandbox, split_provider, split_receiver, "12.00")
    _, result = split(split_provider, split_receiver, out_trade_no, transaction_id, [])
    assert result.status is SplitStatus.SUCCESS
    assert sandbox.payment(out_trade_no)["unfrozen"] is True
    (record,) = sandbox.splits(out_trade_no)
    assert record["unfreeze"] and record["receivers"][0]["amount"] == Decimal("12.00")


def test_split_of_a_payment_not_created_for_splitting_is_refused(sandbox, split_provider, provider, receiver):
    out_trade_no, transaction_id = paid_split_payment(sandbox, provider, receiver, "10.00")
    with pytest.raises(PaymentProviderError) as exc:
        split(split_provider, receiver, out_trade_no, transaction_id, [(split_provider.split_accounts()[0], "1.00")])
    assert exc.value.code == "INVALID_REQUEST" and not exc.value.retryable
