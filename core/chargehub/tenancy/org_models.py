"""Organisation (系统管理): roles (角色), departments (部门) and posts (岗位)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chargehub.db import AuditMixin, JSONType, UTCDateTime
from chargehub.extensions import db
from chargehub.tenancy.models import UserType, _enum, user_role


class Role(AuditMixin, db.Model):
    """角色: a named set of menu and button permissions for users of one type.

    System roles have no provider; provider roles belong to a provider; property roles to a property;
    collective roles to a collective account. A disabled role grants nothing and cannot be assigned;
    a role that users hold cannot be deleted.
    """

    __tablename__ = "role"
    __scope__ = {"provider": "provider_id", "property": "property_id", "collective": "collective_id"}
    __table_args__ = (sa.UniqueConstraint("provider_id", "property_id", "collective_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_type: Mapped[UserType] = mapped_column(_enum(UserType))
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"),
                                                    index=True, nullable=True)
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"),
                                                    index=True, nullable=True)
    collective_id: Mapped[int | None] = mapped_column(sa.ForeignKey("collective_account.id", ondelete="RESTRICT"),
                                                      index=True, nullable=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    permissions: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    remark: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)

    users = relationship("User", secondary=user_role, lazy="selectin", back_populates="roles")


class Department(AuditMixin, db.Model):
    """部门: a tree per provider or property. The top department is created with its owner.

    ``path`` is the ``/``-separated ids from the top down to this department (``/3/7/12/``), so a
    subtree is one ``LIKE`` query. Deleted departments stay (soft delete) and can no longer be linked.
    """

    __tablename__ = "department"
    __scope__ = {"provider": "provider_id", "property": "property_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"),
                                                    index=True, nullable=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id", ondelete="RESTRICT"),
                                                  index=True, nullable=True)
    path: Mapped[str] = mapped_column(sa.String(500), default="", index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    order_num: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    leader: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    phone: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    email: Mapped[str] = mapped_column(sa.String(120), default="", nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def linkable(self) -> bool:
        """Whether users and posts may be linked to it (enabled and not deleted)."""
        return self.enabled and self.deleted_at is None


class Post(AuditMixin, db.Model):
    """岗位: a position inside a department; a disabled or deleted post cannot be linked to users."""

    __tablename__ = "post"
    __scope__ = {"provider": "provider_id", "property": "property_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"),
                                                    index=True, nullable=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    order_num: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def linkable(self) -> bool:
        """Whether users may be linked to it (enabled and not deleted)."""
        return self.enabled and self.deleted_at is None
