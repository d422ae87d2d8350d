"""Notifications: in the app (the list at /meldingen with its unread count) and by e-mail
through the outbox, each kind turned off per user and channel (docs/architecture.md
"Notifications").

`notify` is the one way anything of the marketplace is told to a user or to an organisation's
members: it skips the users who turned the kind off on a channel, writes the in-app rows and
queues the mails in the caller's transaction, which the caller commits. A notification keeps its
kind, parameters and link name, not text: `labels.notification_text` renders it in the reader's
language. A mail is worded by its sender (`subject`, `body`) or from the notification itself,
and always ends with the link."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace import i18n, labels, links
from marketplace.extensions import db
from marketplace.models import (
    Notification,
    NotificationDigest,
    NotificationOptOut,
    Organisation,
    OrganisationMember,
    User,
)
from marketplace.models._types import utcnow
from marketplace.models.notifications import CHANNELS
from marketplace.services import mail, pages
from marketplace.services.errors import NotFound, ServiceError
from marketplace.services.pages import CountedPagination

# Every kind a user can turn off, in the order the settings page lists them.
KINDS = (
    "listing_match",
    "saved_search",
    "proposal_received",
    "proposal_message",
    "proposal_revision",
    "proposal_accepted",
    "proposal_declined",
    "proposal_withdrawn",
    "deal_update",
    "listing_expiry",
    "realisation_submitted",
    "realisation_decided",
)
# Kinds a user may have mailed once a day instead of each time (`NotificationDigest`); the
# in-app notification is written at once either way. `services/realisation_notices.py` sends
# the digest.
DIGEST_KINDS = ("realisation_submitted",)
MAIL_MODES = ("immediate", "daily")
PER_PAGE = 20
# Words of a mail: plain text, or a lazy translation (flask_babel.lazy_gettext) that is worded
# when the mail is written.
Text = str | LazyString


@dataclass(frozen=True)
class Link:
    """A page by its name in `marketplace/links.py` and its values."""

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)


def notify(
    to: User | Organisation | int,
    kind: str,
    params: Mapping[str, Any],
    link: Link | None = None,
    subject: Text | None = None,
    body: Sequence[Text] = (),
) -> int:
    """Tell a user, or every member of an organisation (an `Organisation` or its id), about
    `kind` with `params`: an in-app notification and an e-mail, each unless the user turned
    that channel of the kind off; a user who chose a daily digest of the kind (`DIGEST_KINDS`)
    gets it in the digest instead of a mail now. The mail's subject is `subject` and its text
    the paragraphs of `body`, else the notification's own words (`labels.notification_text`);
    the link ends it. Each mail is worded in its recipient's language (lazy texts, `_l`, are
    translated then). Returns how many users were told on some channel."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    users = [to] if isinstance(to, User) else _members(to if isinstance(to, int) else to.id)
    if not users:
        return 0
    off = _opted_out({u.id for u in users}, kind)
    daily = _daily({u.id for u in users}, kind) if kind in DIGEST_KINDS else set()
    worded: dict[str, tuple[str, str]] = {}  # the mail in each recipient's language, once
    told = 0
    for user in users:
        in_app = (user.id, "in_app") not in off
        by_mail = (user.id, "email") not in off and user.id not in daily
        if in_app:
            db.session.add(
                Notification(
                    user_id=user.id,
                    kind=kind,
                    params=dict(params),
                    link_name=link.name if link else None,
                    link_args=dict(link.args) if link else {},
                )
            )
        if by_mail:
            language = i18n.language_of(user.locale)
            if language not in worded:
                with force_locale(language):
                    worded[language] = _mail_for(kind, params, link, subject, body)
            mail.send(user.email, *worded[language])
        told += in_app or by_mail
    return told


def _members(org_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(OrganisationMember, OrganisationMember.user_id == User.id)
            .where(OrganisationMember.organisation_id == org_id)
            .order_by(OrganisationMember.id)
        )
    )


def _opted_out(user_ids: set[int], kind: str) -> set[tuple[int, str]]:
    rows = db.session.execute(
        select(NotificationOptOut.user_id, NotificationOptOut.channel).where(
            NotificationOptOut.user_id.in_(user_ids), NotificationOptOut.kind == kind
        )
    )
    return {(user_id, channel) for user_id, channel in rows}


def mail_off(user_id: int, kind: str) -> bool:
    """Whether the user turned mail of `kind` off: a digest sent outside `notify` asks here,
    so the opt-out has one reader."""
    return (user_id, "email") in _opted_out({user_id}, kind)


def _daily(user_ids: set[int], kind: str) -> set[int]:
    """The users who have `kind` mailed in a daily digest."""
    return set(
        db.session.scalars(
            select(NotificationDigest.user_id).where(
                NotificationDigest.user_id.in_(user_ids), NotificationDigest.kind == kind
            )
        )
    )


def _mail_for(
    kind: str,
    params: Mapping[str, Any],
    link: Link | None,
    subject: Text | None,
    body: Sequence[Text],
) -> tuple[str, str]:
    """The mail's subject and text: the sender's words, or the notification's own with the
    params' items listed; the link last."""
    title = str(subject) if subject is not None else labels.notification_text(kind, params)
    if body:
        paragraphs = [str(part) for part in body]
    else:
        paragraphs = ["\n".join([title, *(f"- {item}" for item in params.get("items", ()))])]
    if link is not None:
        paragraphs.append(links.url(link.name, **link.args))
    return title, "\n\n".join(paragraphs)


# reading and marking -----------------------------------------------------------------------------


def page_of(user: User, page: int, per_page: int = PER_PAGE) -> CountedPagination:
    """One page of the user's notifications, newest first, with how many there are in all; 404
    for a page past the last one."""
    return pages.existing_page(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page,
        per_page,
    )


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (the navigation shows it)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; another user's answers 404, like an id that
    does not exist."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return result.rowcount


# preferences -------------------------------------------------------------------------------------


def preferences(user: User) -> dict[tuple[str, str], bool]:
    """Per (kind, channel): on (True) unless the user turned it off."""
    off = {
        (kind, channel)
        for kind, channel in db.session.execute(
            select(NotificationOptOut.kind, NotificationOptOut.channel).where(
                NotificationOptOut.user_id == user.id
            )
        )
    }
    return {(k, c): (k, c) not in off for k in KINDS for c in CHANNELS}


def set_preferences(user: User, enabled: Iterable[tuple[str, str]]) -> None:
    """Keep on exactly the (kind, channel) pairs in `enabled`, turn the others off; unknown
    pairs are ignored."""
    on = set(enabled)
    db.session.execute(delete(NotificationOptOut).where(NotificationOptOut.user_id == user.id))
    for kind in KINDS:
        for channel in CHANNELS:
            if (kind, channel) not in on:
                db.session.add(NotificationOptOut(user_id=user.id, kind=kind, channel=channel))
    db.session.commit()


def mail_mode(user: User, kind: str) -> str:
    """How the user has `kind` (one of `DIGEST_KINDS`) mailed: "immediate" (the default, no
    row) or "daily"."""
    chosen = db.session.scalar(
        select(NotificationDigest.id).where(
            NotificationDigest.user_id == user.id, NotificationDigest.kind == kind
        )
    )
    return "daily" if chosen else "immediate"


def is_officer(user: User) -> bool:
    """Whether the user is a member of an authority: only they are sent realisations, so only
    they choose how those are mailed."""
    return (
        db.session.scalar(
            select(OrganisationMember.id)
            .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
            .where(OrganisationMember.user_id == user.id, Organisation.kind == "authority")
            .limit(1)
        )
        is not None
    )


def save_settings(
    user: User, enabled: Iterable[tuple[str, str]], submitted_mail: str | None
) -> None:
    """The settings page in one go: the (kind, channel) pairs kept on, and (for an officer, else
    None) how submitted realisations are mailed. An unknown mode refuses the whole form, so
    nothing is half-saved."""
    if submitted_mail is not None and submitted_mail not in MAIL_MODES:
        msg = _("Choose immediately or once a day.")
        raise ServiceError(msg, {"mail_mode": msg}, code="invalid_mode")
    set_preferences(user, enabled)
    if submitted_mail is not None:
        set_mail_mode(user, "realisation_submitted", submitted_mail)


def set_mail_mode(user: User, kind: str, mode: str) -> None:
    """Mail `kind` immediately or in a daily digest from now on. Choosing daily again keeps the
    digest's row (and what it already told); choosing immediate removes it. Refuses an unknown
    kind or mode with a field message (`mail_mode`)."""
    if kind not in DIGEST_KINDS or mode not in MAIL_MODES:
        msg = _("Choose immediately or once a day.")
        raise ServiceError(msg, {"mail_mode": msg}, code="invalid_mode")
    chosen = db.session.scalar(
        select(NotificationDigest).where(
            NotificationDigest.user_id == user.id, NotificationDigest.kind == kind
        )
    )
    if mode == "daily" and chosen is None:
        db.session.add(NotificationDigest(user_id=user.id, kind=kind))
    elif mode == "immediate" and chosen is not None:
        db.session.delete(chosen)
    try:
        db.session.commit()
    except IntegrityError:  # the same choice saved at the same moment in another window
        db.session.rollback()
