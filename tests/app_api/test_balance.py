"""The balance ledger: top-ups, holds and releases with their entries, concurrency, the API and the CLI."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.cli import cli
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.members import balance
from chargehub.members.models import BalanceAccount, BalanceEntry, BalanceEntryKind, Driver
from tests.app_api.conftest import new_phone


@pytest.fixture
def driver(app):
    row = Driver(phone=new_phone())
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def provider(make_provider):
    return make_provider("余额服务商")[0]


def ledger(driver_id: int, provider_id: int) -> list[tuple[str, Decimal, Decimal, str]]:
    return [(e.kind.value, e.amount, e.balance_after, e.trade_no)
            for e in reversed(balance.entries_of(driver_id, provider_id))]


@pytest.mark.smoke
def test_top_up_hold_release_write_the_ledger(driver, provider):
    entry = balance.top_up(driver.id, provider.id, Decimal("50.00"), note="测试充值", user_id=7)
    assert (entry.kind, entry.amount, entry.balance_after, entry.created_by) == (
        BalanceEntryKind.TOPUP, Decimal("50.00"), Decimal("50.00"), 7)
    balance.hold(driver.id, provider.id, Decimal("30.00"), "T0001")
    assert balance.release(driver.id, provider.id, Decimal("12.34"), "T0001", "结算退回").note == "结算退回"
    assert balance.release(driver.id, provider.id, Decimal("0"), "T0001", "nothing") is None
    db.session.commit()
    assert ledger(driver.id, provider.id) == [
        ("topup", Decimal("50.00"), Decimal("50.00"), ""),
        ("hold", Decimal("-30.00"), Decimal("20.00"), "T0001"),
        ("release", Decimal("12.34"), Decimal("32.34"), "T0001"),
    ]
    account = balance.account(driver.id, provider.id)
    assert account.balance == Decimal("32.34")
    total = db.session.execute(sa.select(sa.func.sum(BalanceEntry.amount))).scalar_one()
    assert Decimal(str(total)).quantize(Decimal("0.01")) == account.balance  # the entries explain the balance


def test_hold_refuses_a_short_balance_and_changes_nothing(driver, provider):
    balance.top_up(driver.id, provider.id, "5")
    with pytest.raises(Conflict) as refused:
        balance.hold(driver.id, provider.id, Decimal("5.01"), "T0002")
    assert str(refused.value) == "余额不足，当前余额 5.00 元 (insufficient balance)"
    db.session.commit()
    assert balance.account(driver.id, provider.id).balance == Decimal("5.00")
    assert [e[0] for e in ledger(driver.id, provider.id)] == ["topup"]
    balance.hold(driver.id, provider.id, Decimal("5.00"), "T0003")  # exactly the balance: allowed, ends at 0
    db.session.commit()
    assert balance.account(driver.id, provider.id).balance == Decimal("0.00")


def test_hold_and_release_leave_the_commit_to_the_caller(driver, provider):
    balance.top_up(driver.id, provider.id, Decimal("20.00"))
    balance.hold(driver.id, provider.id, Decimal("8.00"), "T0004")
    db.session.rollback()
    assert balance.account(driver.id, provider.id).balance == Decimal("20.00")
    balance.top_up(driver.id, provider.id, Decimal("1.00"), commit=False)
    db.session.rollback()
    assert balance.account(driver.id, provider.id).balance == Decimal("20.00")
    assert len(ledger(driver.id, provider.id)) == 1


@pytest.mark.parametrize("amount", [1.5, "abc", "1.234", "0", "-1", Decimal("NaN"), True, None])
def test_amounts_must_be_positive_decimals_with_two_places(driver, provider, amount):
    with pytest.raises(ValidationFailed) as refused:
        balance.top_up(driver.id, provider.id, amount)
    assert "amount" in refused.value.messages
    with pytest.raises(ValidationFailed):
        balance.hold(driver.id, provider.id, amount, "T0005")


def test_top_up_limits_and_unknown_provider(driver, provider):
    with pytest.raises(ValidationFailed) as too_much:
        balance.top_up(driver.id, provider.id, "100000.01")
    assert "单次充值不能超过" in str(too_much.value)
    with pytest.raises(ValidationFailed) as unknown:
        balance.top_up(driver.id, provider.id + 1000, "1")
    assert "provider_id" in unknown.value.messages
    with pytest.raises(ValidationFailed):
        balance.release(driver.id, provider.id, "-1", "T0006")


def test_account_is_created_once(driver, provider):
    first = balance.account(driver.id, provider.id)
    again = balance.account(driver.id, provider.id, lock=True)
    db.session.commit()
    assert first.id == again.id and first.balance == Decimal("0.00")
    assert db.session.execute(sa.select(sa.func.count(BalanceAccount.id))).scalar_one() == 1


@pytest.mark.smoke
def test_concurrent_holds_never_overdraw(app, driver, provider):
    """10 threads, each with its own app context and session, hold 30 yuan from 100: exactly 3 succeed."""
    balance.top_up(driver.id, provider.id, Decimal("100.00"))
    driver_id, provider_id = driver.id, provider.id
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                balance.hold(driver_id, provider_id, Decimal("30.00"), f"T1{index:03d}")
                db.session.commit()
                outcome = "held"
            except Conflict:
                db.session.rollback()
                outcome = "short"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["held"] * 3 + ["short"] * 7
    db.session.expire_all()
    assert balance.account(driver_id, provider_id).balance == Decimal("10.00")
    entries = ledger(driver_id, provider_id)
    assert [e[2] for e in entries] == [Decimal("100.00"), Decimal("70.00"), Decimal("40.00"), Decimal("10.00")]


def test_balances_api(client, sign_in, make_provider):
    headers = sign_in("15900000001")
    driver = db.session.execute(sa.select(Driver).where(Driver.phone == "15900000001")).scalar_one()
    a, _ = make_provider("B服务商")
    b, _ = make_provider("A服务商")
    assert client.get("/api/v1/app/me/balances", headers=headers).json == {"items": []}
    balance.top_up(driver.id, a.id, "50.00")
    balance.top_up(driver.id, b.id, "8.5")
    balance.hold(driver.id, b.id, "3.00", "T2001")
    db.session.commit()
    items = client.get("/api/v1/app/me/balances", headers=headers).json["items"]
    assert [(i["provider_id"], i["provider_name"], i["balance"]) for i in items] == [
        (b.id, "A服务商", "5.50"), (a.id, "B服务商", "50.00")]
    entries = client.get(f"/api/v1/app/me/balances/{b.id}/entries", headers=headers).json["items"]
    assert [(e["kind"], e["amount"], e["balance_after"], e["trade_no"]) for e in entries] == [
        ("hold", "-3.00", "5.50", "T2001"), ("topup", "8.50", "8.50", "")]
    other = sign_in()
    assert client.get(f"/api/v1/app/me/balances/{b.id}/entries", headers=other).json == {"items": []}
    assert client.get("/api/v1/app/me/balances", headers=other).json == {"items": []}
    assert client.get("/api/v1/app/me/balances").status_code == 401


def test_cli_topup_creates_the_driver(app, provider):
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["drivers", "topup", "--phone", "13712345678", "--provider-id", str(provider.id),
                                 "--amount", "50.00"])
    assert result.exit_code == 0, result.output
    assert "driver created: 13712345678" in result.output and "balance 50.00" in result.output
    again = runner.invoke(cli, ["drivers", "topup", "--phone", "13712345678", "--provider-id", str(provider.id),
                                "--amount", "0.5"])
    assert again.exit_code == 0 and "driver created" not in again.output and "balance 50.50" in again.output
    driver = db.session.execute(sa.select(Driver).where(Driver.phone == "13712345678")).scalar_one()
    assert balance.account(driver.id, provider.id).balance == Decimal("50.50")
    bad = runner.invoke(cli, ["drivers", "topup", "--phone", "13712345678", "--provider-id", str(provider.id),
                              "--amount", "1.234"])
    assert bad.exit_code != 0 and "两位小数" in bad.output
    bad_phone = runner.invoke(cli, ["drivers", "topup", "--phone", "123", "--provider-id", str(provider.id),
                                    "--amount", "1"])
    assert bad_phone.exit_code != 0 and "手机号" in bad_phone.output
    assert db.session.execute(sa.select(sa.func.count(Driver.id))).scalar_one() == 1
