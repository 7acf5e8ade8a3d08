"""The balance ledger: what a driver holds at a service provider, and every movement of it.

One :class:`~chargehub.members.models.BalanceAccount` per driver and provider (created on first use);
each change writes a :class:`~chargehub.members.models.BalanceEntry` with the signed amount and the
balance after it, so the entries always explain the balance. Amounts are ``Decimal`` yuan with at most
two decimals (floats are refused).

:func:`hold` and :func:`release` run inside the caller's transaction (starting or settling an order) and
never commit; :func:`top_up` commits unless told not to. The account row is locked (``SELECT … FOR
UPDATE`` on PostgreSQL, the database write lock on SQLite) before it changes, so concurrent holds queue
up and the balance never goes below zero (the table's ``CHECK (balance >= 0)`` is the last guard).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from chargehub.db import locking, utcnow
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.members.models import BalanceAccount, BalanceEntry, BalanceEntryKind
from chargehub.tenancy.models import ServiceProvider

CENT = Decimal("0.01")
#: The largest single top-up (yuan).
MAX_TOP_UP = Decimal("100000.00")


def money(value: object, *, allow_zero: bool = False, field: str = "amount") -> Decimal:
    """``value`` as a 2-decimal ``Decimal`` > 0 (≥ 0 with ``allow_zero``); 422 on ``field`` otherwise.

    Accepts ``Decimal``, ``int`` and decimal strings; refuses floats, booleans and more than 2 decimals.
    """
    if isinstance(value, (float, bool)) or not isinstance(value, (Decimal, int, str)):
        raise ValidationFailed("金额须为最多两位小数的数字 (amount must be a decimal, not a float)", field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed("金额格式不正确 (invalid amount)", field) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise ValidationFailed("金额最多两位小数 (at most 2 decimals)", field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed("金额须大于 0 (amount must be greater than 0)", field)
    return amount.quantize(CENT)


def account(driver_id: int, provider_id: int, *, lock: bool = False) -> BalanceAccount:
    """The driver's account at the provider, created (balance 0) when missing.

    :param lock: lock the row until the transaction ends (``SELECT … FOR UPDATE``) and re-read it, so the
        balance seen is the one that will be changed (:func:`~chargehub.db.locking`, also on SQLite).
    """
    match = (BalanceAccount.driver_id == driver_id, BalanceAccount.provider_id == provider_id)
    statement = sa.select(BalanceAccount).where(*match)
    if lock:
        statement = locking(db.session, statement)
    row = db.session.execute(statement).scalar_one_or_none()
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            db.session.add(BalanceAccount(driver_id=driver_id, provider_id=provider_id, balance=Decimal("0.00")))
    except IntegrityError:  # created concurrently: use that one
        pass
    return db.session.execute(statement).scalar_one()


def _entry(row: BalanceAccount, kind: BalanceEntryKind, amount: Decimal, *, trade_no: str = "", note: str = "",
           user_id: int | None = None) -> BalanceEntry:
    row.balance = (row.balance + amount).quantize(CENT)
    row.updated_at = utcnow()
    entry = BalanceEntry(account_id=row.id, provider_id=row.provider_id, kind=kind, amount=amount,
                         balance_after=row.balance, trade_no=trade_no[:32], note=(note or "")[:200], created_by=user_id)
    db.session.add(entry)
    db.session.flush()
    return entry


def top_up(driver_id: int, provider_id: int, amount: object, note: str = "", user_id: int | None = None, *,
           commit: bool = True) -> BalanceEntry:
    """充值: add ``amount`` to the driver's balance at the provider (commits unless ``commit=False``).

    :param user_id: the operator who did it (``None``: the driver or a script).
    :raises ValidationFailed: bad amount, above :data:`MAX_TOP_UP`, or an unknown provider.
    """
    amount = money(amount)
    if amount > MAX_TOP_UP:
        raise ValidationFailed(f"单次充值不能超过 {MAX_TOP_UP} 元 (at most {MAX_TOP_UP} at once)", "amount")
    if db.session.get(ServiceProvider, provider_id) is None:
        raise ValidationFailed("服务商不存在 (no such service provider)", "provider_id")
    entry = _entry(account(driver_id, provider_id, lock=True), BalanceEntryKind.TOPUP, amount, note=note,
                   user_id=user_id)
    if commit:
        db.session.commit()
    return entry


def hold(driver_id: int, provider_id: int, amount: object, trade_no: str) -> BalanceEntry:
    """充电预扣: take ``amount`` for order ``trade_no`` (no commit: the caller's transaction commits).

    :raises Conflict: the balance is short ("余额不足，当前余额 X 元"); nothing changes.
    """
    amount = money(amount)
    row = account(driver_id, provider_id, lock=True)
    if row.balance < amount:
        raise Conflict(f"余额不足，当前余额 {row.balance:.2f} 元 (insufficient balance)")
    return _entry(row, BalanceEntryKind.HOLD, -amount, trade_no=trade_no, note="充电预扣")


def release(driver_id: int, provider_id: int, amount: object, trade_no: str, note: str = "") -> BalanceEntry | None:
    """预扣退回: return ``amount`` of what order ``trade_no`` held (no commit). An amount of 0 writes nothing."""
    amount = money(amount, allow_zero=True)
    if amount == 0:
        return None
    return _entry(account(driver_id, provider_id, lock=True), BalanceEntryKind.RELEASE, amount, trade_no=trade_no,
                  note=note or "预扣退回")


def balances_of(driver_id: int) -> list[dict]:
    """The driver's accounts, each ``{provider_id, provider_name, balance, updated_at}``, by provider name."""
    rows = db.session.execute(
        sa.select(BalanceAccount, ServiceProvider.name)
        .join(ServiceProvider, ServiceProvider.id == BalanceAccount.provider_id)
        .where(BalanceAccount.driver_id == driver_id).order_by(ServiceProvider.name, ServiceProvider.id)).all()
    return [{"provider_id": row.provider_id, "provider_name": name, "balance": row.balance,
             "updated_at": row.updated_at} for row, name in rows]


def entries_of(driver_id: int, provider_id: int, limit: int = 50) -> list[BalanceEntry]:
    """The newest ledger entries of the driver's account at the provider (none when there is no account)."""
    return list(db.session.execute(
        sa.select(BalanceEntry).join(BalanceAccount, BalanceAccount.id == BalanceEntry.account_id)
        .where(BalanceAccount.driver_id == driver_id, BalanceAccount.provider_id == provider_id)
        .order_by(BalanceEntry.id.desc()).limit(limit)).scalars())
