"""Billing rules (计费规则) and their versions, one pair of tables per side.

A rule belongs to an area (car: :class:`CarBillingRule`, e-bike: :class:`BikeBillingRule`); what it
charges lives in its **versions**: each saved change of the mode or the parameters is a new version
with the instant it takes effect (``effective_from``). The version in force at an instant is the one
with the greatest ``effective_from`` not after it (``decisions/0007-billing-versions.md``).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chargehub.assets.bike_models import BikePlaced
from chargehub.assets.car_models import CarPlaced
from chargehub.db import JSONType, UTCDateTime, utcnow
from chargehub.extensions import db


class BillingRuleColumns:
    """What car and e-bike rules share: name, mode (the newest version's), state, options.

    ``options``: car 预充值 amounts ``[{"amount": "50.00"}]``, e-bike 预估值 ``[{"minutes": 240,
    "amount": "2.00"}]`` — at most 12, shown to drivers in the mini-program.
    """

    name: Mapped[str] = mapped_column(sa.String(100))
    mode: Mapped[str] = mapped_column(sa.String(50))
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    options: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)


class RuleVersionColumns:
    """One version of a rule: its number (1, 2, ...), mode, parameters (the mode schema's dump) and
    the instant it takes effect."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    mode: Mapped[str] = mapped_column(sa.String(50))
    params: Mapped[dict] = mapped_column(JSONType)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    created_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class CarBillingRule(BillingRuleColumns, CarPlaced, db.Model):
    """计费规则（汽车）: how charging in one car area is priced (flat or time-of-use modes)."""

    __tablename__ = "car_billing_rule"
    vehicle = "car"

    versions: Mapped[list["CarBillingRuleVersion"]] = relationship(
        back_populates="rule", cascade="all, delete-orphan",
        order_by="CarBillingRuleVersion.number")


class CarBillingRuleVersion(RuleVersionColumns, db.Model):
    __tablename__ = "car_billing_rule_version"
    __table_args__ = (sa.UniqueConstraint("rule_id", "number"),)

    rule_id: Mapped[int] = mapped_column(sa.ForeignKey("car_billing_rule.id", ondelete="CASCADE"), index=True)
    rule: Mapped[CarBillingRule] = relationship(back_populates="versions")


class BikeBillingRule(BillingRuleColumns, BikePlaced, db.Model):
    """计费规则（单车）: how charging in one e-bike area is priced (duration, power, energy modes)."""

    __tablename__ = "bike_billing_rule"
    vehicle = "bike"

    versions: Mapped[list["BikeBillingRuleVersion"]] = relationship(
        back_populates="rule", cascade="all, delete-orphan",
        order_by="BikeBillingRuleVersion.number")


class BikeBillingRuleVersion(RuleVersionColumns, db.Model):
    __tablename__ = "bike_billing_rule_version"
    __table_args__ = (sa.UniqueConstraint("rule_id", "number"),)

    rule_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_billing_rule.id", ondelete="CASCADE"), index=True)
    rule: Mapped[BikeBillingRule] = relationship(back_populates="versions")
