"""Tenants and accounts (系统管理): service providers, properties, collective accounts, users, tokens.

The tenant chain is platform -> service provider (服务商, the tenant; sub-merchants belong to a
provider) -> property (集团物业, owns stations) -> collective account (集体户, belongs to a property).
Every account is a :class:`User` of one :class:`UserType`; the service provider's and the property's
login accounts (``is_owner``) are created with them and hold every permission of their type.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chargehub.db import AuditMixin, UTCDateTime
from chargehub.extensions import db


class AuditState(str, enum.Enum):
    """审核状态."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def _enum(enum_cls):
    return sa.Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class MerchantType(str, enum.Enum):
    """商户类型: a service provider, or a sub-merchant (子商户) that belongs to one."""

    PROVIDER = "provider"
    SUB_MERCHANT = "sub_merchant"


class ServiceProvider(AuditMixin, db.Model):
    """服务商: the tenant. Plugins are switched on per service provider; every tenant-owned row carries it.

    The phone is the provider's login account: unique and never changed. Approval (审核通过) creates
    that account and the provider's top department; a disabled provider keeps its login but cannot add
    properties, users, roles, departments or posts.
    """

    __tablename__ = "service_provider"
    __scope__ = {"provider": "id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    contact: Mapped[str] = mapped_column(sa.String(50), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    email: Mapped[str] = mapped_column(sa.String(120), default="")
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    audit_state: Mapped[AuditState] = mapped_column(_enum(AuditState), default=AuditState.PENDING, nullable=False)
    merchant_type: Mapped[MerchantType] = mapped_column(_enum(MerchantType), default=MerchantType.PROVIDER,
                                                        nullable=False)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"),
                                                  index=True, nullable=True)
    audit_remark: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    audited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    audited_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class Property(AuditMixin, db.Model):
    """集团物业: owns stations; belongs to a service provider. Its phone is its login account."""

    __tablename__ = "property"
    __scope__ = {"provider": "provider_id", "property": "id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    contact: Mapped[str] = mapped_column(sa.String(50), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    email: Mapped[str] = mapped_column(sa.String(120), default="")
    province: Mapped[str] = mapped_column(sa.String(50), default="")
    city: Mapped[str] = mapped_column(sa.String(50), default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)


class CollectiveAccount(AuditMixin, db.Model):
    """集体户: a group account of a property (company fleets, residents' committees).

    The member-center module adds balances and members; system management needs it as the owner of
    collective users and roles.
    """

    __tablename__ = "collective_account"
    __scope__ = {"provider": "provider_id", "property": "property_id", "collective": "id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    contact: Mapped[str] = mapped_column(sa.String(50), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)


class UserType(str, enum.Enum):
    """用户类型."""

    SYSTEM = "system"
    PROVIDER = "provider"
    PROPERTY = "property"
    COLLECTIVE = "collective"


class AuthScope(str, enum.Enum):
    """授权类型: whether a user sees all stations of its tenant or only the stations bound to it."""

    ALL = "all"
    STATIONS = "stations"


user_role = sa.Table(
    "user_role", db.metadata,
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role_id", sa.ForeignKey("role.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class User(AuditMixin, db.Model):
    """用户: signs in with phone + password.

    Data scope: system users see every tenant; provider users their provider's (and its
    sub-merchants') rows; property users their property's; collective users their collective's. With
    ``auth_scope = stations`` the user sees only the stations bound to it (:class:`UserStation`).
    ``is_owner`` marks the login account created with a provider or property (or by
    ``chargehub create-admin``): it holds every permission its type allows and cannot be deleted.
    """

    __tablename__ = "user_account"
    __scope__ = {"provider": "provider_id", "property": "property_id", "collective": "collective_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    email: Mapped[str] = mapped_column(sa.String(120), default="", nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    user_type: Mapped[UserType] = mapped_column(_enum(UserType))
    provider_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True, nullable=True)
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"),
                                                    index=True, nullable=True)
    collective_id: Mapped[int | None] = mapped_column(sa.ForeignKey("collective_account.id", ondelete="RESTRICT"),
                                                      index=True, nullable=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id", ondelete="SET NULL"),
                                                      index=True, nullable=True)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id", ondelete="SET NULL"), nullable=True)
    auth_scope: Mapped[AuthScope] = mapped_column(_enum(AuthScope), default=AuthScope.ALL, nullable=False)
    is_owner: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Bumped when the password changes or the user is disabled: sessions carrying an older value end.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    roles = relationship("Role", secondary=user_role, lazy="selectin", back_populates="users")

    @property
    def is_system(self) -> bool:
        return self.user_type is UserType.SYSTEM

    # Flask-Login's user interface. The session id carries the session version (see auth.py).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.enabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class StationKind(str, enum.Enum):
    """Car (汽车) or e-bike (单车) station."""

    CAR = "car"
    BIKE = "bike"


class UserStation(db.Model):
    """绑定电站: a station a user with ``auth_scope = stations`` may see."""

    __tablename__ = "user_station"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[StationKind] = mapped_column(_enum(StationKind), primary_key=True)
    station_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)


class ApiToken(AuditMixin, db.Model):
    """An API token for programmatic access; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
