"""The export file (导出文件): one .xlsx asked for by one user, written by a job."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from chargehub.db import JSONType, UTCDateTime, utcnow
from chargehub.extensions import db
from chargehub.tenancy.models import _enum


class ExportState(str, enum.Enum):
    """导出状态."""

    QUEUED = "queued"  # 排队中
    RUNNING = "running"  # 生成中
    DONE = "done"  # 已完成
    FAILED = "failed"  # 失败


class ExportFile(db.Model):
    """导出文件: an export of one search (``kind`` + ``filters``) for one user.

    The tenant columns are the requesting user's (platform users have none); on top of the scope, only
    the user who asked may see or download it. ``path`` is relative to the instance folder.
    """

    __tablename__ = "export_file"
    __scope__ = {"provider": "provider_id", "property": "property_id", "collective": "collective_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="CASCADE"),
                                                    index=True, nullable=True)
    property_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    collective_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    filters: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    state: Mapped[ExportState] = mapped_column(_enum(ExportState), default=ExportState.QUEUED, nullable=False)
    progress: Mapped[float] = mapped_column(sa.Float, default=0.0, nullable=False)
    rows: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    job_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    filename: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    path: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
