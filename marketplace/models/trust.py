"""Reports of listings by users, for the platform admin's queue (docs/architecture.md
"Notifications")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._types import utcnow
from marketplace.models.accounts import User
from marketplace.models.market import Listing

REPORT_STATES = ("open", "dismissed", "listing_closed")


class ListingReport(db.Model):
    """A user's report that a listing is wrong (spam, misleading, not social): open until the
    admin dismisses it or closes the listing. One open report per user and listing, held by a
    partial unique index so a double submit cannot make two."""

    __tablename__ = "listing_reports"
    __table_args__ = (
        Index(
            "uq_listing_reports_open",
            "listing_id",
            "reporter_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
        Index("ix_listing_reports_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    listing: Mapped[Listing] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
