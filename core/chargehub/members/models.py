"""Drivers (车主), their sign-in codes and tokens, and balance accounts with their ledger.

A driver is a person using the mini-program / H5 pages, known by phone number. Drivers are not owned by
a tenant: one driver charges at any provider's stations. Money a driver holds at a provider is a
:class:`BalanceAccount` (one per driver and provider); every change of it is a :class:`BalanceEntry`
with the balance after it, so the ledger always explains the balance.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from chargehub.db import AuditMixin, Money, UTCDateTime, utcnow
from chargehub.extensions import db
from chargehub.tenancy.models import _enum


class Gender(str, enum.Enum):
    """性别."""

    UNKNOWN = "unknown"
    MALE = "male"
    FEMALE = "female"


class Driver(AuditMixin, db.Model):
    """车主: a driver who signs in to the mini-program with a phone number and an SMS code."""

    __tablename__ = "driver"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    nickname: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    name: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    gender: Mapped[Gender] = mapped_column(_enum(Gender), default=Gender.UNKNOWN, nullable=False)
    plate: Mapped[str] = mapped_column(sa.String(16), default="", nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    verified: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SmsCode(db.Model):
    """A verification code sent to a phone (only its hash is kept), valid for a few minutes, once."""

    __tablename__ = "sms_code"
    __table_args__ = (sa.Index("ix_sms_code_phone_created", "phone", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20))
    purpose: Mapped[str] = mapped_column(sa.String(20), default="login", nullable=False)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    client_ip: Mapped[str] = mapped_column(sa.String(45), default="", nullable=False)


class DriverToken(db.Model):
    """An app sign-in (Bearer token): only the token's SHA-256 is stored; revoked on sign-out."""

    __tablename__ = "driver_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    driver_id: Mapped[int] = mapped_column(sa.ForeignKey("driver.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)


class BalanceAccount(db.Model):
    """余额账户: what one driver holds at one service provider (yuan, never negative)."""

    __tablename__ = "balance_account"
    __table_args__ = (sa.UniqueConstraint("driver_id", "provider_id"),
                      sa.CheckConstraint("balance >= 0", name="ck_balance_account_not_negative"))
    __scope__ = {"provider": "provider_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    driver_id: Mapped[int] = mapped_column(sa.ForeignKey("driver.id", ondelete="RESTRICT"), index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    balance: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


class BalanceEntryKind(str, enum.Enum):
    """What moved money in a balance account."""

    TOPUP = "topup"  # 充值
    HOLD = "hold"  # 充电预扣 (a charge's prepaid amount taken at start)
    RELEASE = "release"  # 预扣退回 (the unused part returned at settlement, or all of it on a failed start)
    ADJUST = "adjust"  # 人工调整


class BalanceEntry(db.Model):
    """One movement of a :class:`BalanceAccount` (signed amount) and the balance after it."""

    __tablename__ = "balance_entry"
    __scope__ = {"provider": "provider_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("balance_account.id", ondelete="RESTRICT"), index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[BalanceEntryKind] = mapped_column(_enum(BalanceEntryKind))
    amount: Mapped[Decimal] = Money(nullable=False)
    balance_after: Mapped[Decimal] = Money(nullable=False)
    trade_no: Mapped[str] = mapped_column(sa.String(32), default="", nullable=False, index=True)
    note: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    created_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
