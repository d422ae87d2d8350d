"""Report files made by a job: a PDF or Excel file a member asked for, kept a day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._types import utcnow
from marketplace.models.accounts import Organisation


class ReportFile(db.Model):
    """A report asked for by `requested_by` for `organisation`: only that organisation's members
    may see and download it. `progress` is a percentage the job moves as it goes; `path` is
    the file under REPORT_DIR once `state` is "done"; the cleanup deletes row and file a day
    after `created_at`."""

    __tablename__ = "report_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(String(200))
    path: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
