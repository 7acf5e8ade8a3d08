"""Splits (分账) through the assumed share-merchant API against the sandbox."""
from __future__ import annotations

from decimal import Decimal

import pytest
from leshua_helpers import build_provider, order_no, paid_payment

from chargehub.contracts.payments import (
    CreateSplit,
    CreateSplitReturn,
    PaymentProviderError,
    SplitAccount,
    SplitReceiver,
    SplitStatus,
)

ACCOUNTS = [("1000000001", "分账方甲", "0.3"), ("1000000002", "分账方乙", "0.2")]


@pytest.fixture
def split_provider(sandbox, receiver):
    provider = build_provider(sandbox.tenant_settings(), sandbox.split_station_settings(ACCOUNTS))
    receiver.provider = provider
    return provider


def split_request(receiver, number: str, leshua_id: str, account: str, amount: str) -> CreateSplit:
    """One share of ``number`` for ``account``."""
    return CreateSplit(out_split_no=order_no("S"), out_trade_no=number, vendor_trade_no=leshua_id,
                       receivers=(SplitReceiver(account, "分账方", Decimal(amount)),), notify_url=receiver.url)


def test_split_configuration(split_provider, provider):
    assert split_provider.split_supported() and not provider.split_supported()
    assert split_provider.split_accounts() == (SplitAccount("1000000001", "分账方甲", Decimal("0.3")),
                                               SplitAccount("1000000002", "分账方乙", Decimal("0.2")))
    assert provider.split_accounts() == ()
    assert split_provider.merchant_no() == provider.merchant_no() and len(provider.merchant_no()) == 10


def test_bind_split_query_cancel(split_provider, sandbox, receiver):
    number = paid_payment(split_provider, sandbox, receiver, "100.00", split=True)
    leshua_id = sandbox.payment(number)["leshua_order_id"]
    account = split_provider.split_accounts()[0]
    split_provider.execute_add_split_receiver(account)
    split_provider.execute_add_split_receiver(account)  # idempotent
    assert sandbox.received[-1]["path"] == "/api/share-merchant/bind"
    assert sandbox.ledger.bound == {"1000000001": "分账方甲"}

    request = split_request(receiver, number, leshua_id, account.account, "30.00")
    result = split_provider.execute_split(request)
    assert (result.out_split_no, result.status) == (request.out_split_no, SplitStatus.SUCCESS)
    assert result.vendor_split_no.startswith("LSS")
    sent = sandbox.received[-1]
    assert sent["path"] == "/api/share-merchant/multi-apply" and sent["finish"] == "1"
    (split,) = sandbox.splits(number)
    assert split["state"] == "success" and split["receivers"][0]["amount"] == Decimal("30.00")

    queried = split_provider.execute_query_split(request.out_split_no, leshua_id)
    assert (queried.status, queried.vendor_split_no) == (SplitStatus.SUCCESS, result.vendor_split_no)

    back = CreateSplitReturn(out_return_no=order_no("B"), out_split_no=request.out_split_no,
                             vendor_split_no=result.vendor_split_no, account=account.account, amount=Decimal("10.00"))
    returned = split_provider.execute_split_return(back)
    assert (returned.out_return_no, returned.status) == (back.out_return_no, SplitStatus.SUCCESS)
    assert returned.vendor_return_no.startswith("LSC")
    assert split_provider.execute_query_split_return(back.out_return_no, request.out_split_no).status is SplitStatus.SUCCESS
    (split,) = sandbox.splits(number)
    assert [(r["out_return_no"], r["amount"], r["state"]) for r in split["returns"]] == [
        (back.out_return_no, Decimal("10.00"), "success")]

    too_much = CreateSplitReturn(out_return_no=order_no("B"), out_split_no=request.out_split_no,
                                 vendor_split_no=result.vendor_split_no, account=account.account,
                                 amount=Decimal("20.01"))
    with pytest.raises(PaymentProviderError) as err:
        split_provider.execute_split_return(too_much)
    assert (err.value.code, err.value.retryable) == ("CANCEL_AMOUNT_EXCEED", False)


def test_split_needs_bound_receiver_and_royalty(split_provider, provider, sandbox, receiver):
    number = paid_payment(split_provider, sandbox, receiver, "10.00", split=True)
    leshua_id = sandbox.payment(number)["leshua_order_id"]
    with pytest.raises(PaymentProviderError) as err:
        split_provider.execute_split(split_request(receiver, number, leshua_id, "1000000002", "2.00"))
    assert (err.value.code, err.value.retryable) == ("SHARE_MERCHANT_NOT_BOUND", False)

    plain = paid_payment(provider, sandbox, receiver, "10.00", split=False)
    split_provider.execute_add_split_receiver(split_provider.split_accounts()[1])
    with pytest.raises(PaymentProviderError) as err:
        split_provider.execute_split(split_request(receiver, plain, "", "1000000002", "2.00"))
    assert err.value.code == "ROYALTY_NOT_OPEN"


def test_split_processing_then_notified(split_provider, sandbox, receiver):
    sandbox.faults["auto_split"] = False
    number = paid_payment(split_provider, sandbox, receiver, "10.00", split=True)
    leshua_id = sandbox.payment(number)["leshua_order_id"]
    split_provider.execute_add_split_receiver(split_provider.split_accounts()[1])
    request = split_request(receiver, number, leshua_id, "1000000002", "2.00")
    assert split_provider.execute_split(request).status is SplitStatus.PROCESSING
    assert split_provider.execute_query_split(request.out_split_no, leshua_id).status is SplitStatus.PROCESSING

    (reply,) = sandbox.finish_split(request.out_split_no)
    assert reply.body == b"000000"
    (notification,) = [n for n in receiver.parsed if n.split is not None]
    assert (notification.split.out_split_no, notification.split.status) == (request.out_split_no, SplitStatus.SUCCESS)
    assert notification.payment is None and notification.refund is None
