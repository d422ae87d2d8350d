"""In-app notifications, what each user turned off, the (listing, organisation) pairs already
told about a new listing, and saved searches with their daily digest.

A notification stores a kind and its parameters, not text: `labels.notification_text` renders
it in the reader's language when the page is shown. Its link is a page name of
`marketplace/links.py` with its values, which the web layer turns into a path."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models._types import utcnow

CHANNELS = ("in_app", "email")


class Notification(db.Model):
    """Something a user is told in the app; unread while `read_at` is empty."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link_name: Mapped[str | None] = mapped_column(String(40))
    link_args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class NotificationOptOut(db.Model):
    """A kind of notification a user turned off on one channel; without a row it is on."""

    __tablename__ = "notification_opt_outs"
    __table_args__ = (UniqueConstraint("user_id", "kind", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))


class NotificationDigest(db.Model):
    """A user chose a daily digest instead of a mail each time for one kind (today only
    `realisation_submitted`); without a row the kind is mailed immediately. The digest job
    claims a day with one conditional update on `sent_on`, and tells of what came in after
    `sent_until` (or after the choice was made: earlier ones were mailed immediately)."""

    __tablename__ = "notification_digests"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_until: Mapped[datetime | None]
    sent_on: Mapped[date | None]


class MatchNotice(db.Model):
    """An organisation was told about a new listing that matches it: at most once per pair, which
    the unique constraint holds even when two runs of the job race."""

    __tablename__ = "match_notices"
    __table_args__ = (UniqueConstraint("listing_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedSearch(db.Model):
    """A search of `/zoeken` a user keeps: its words and filters (facet → values). The daily
    digest tells of hits published after `digested_until`, once a day (`digested_on`)."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    query: Mapped[str] = mapped_column(String(200), default="")
    filters: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    digested_until: Mapped[datetime] = mapped_column(default=utcnow)
    digested_on: Mapped[date | None]
