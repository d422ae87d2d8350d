"""Reported listings and the admin's queue (docs/architecture.md "Notifications").

Anyone logged in who can see a listing may report it with a reason; the report waits on the
admin's page (/beheer/) until the admin dismisses it or closes the listing, both audited. A
user has at most one open report per listing: checked here, and held by a partial unique index
when two submits race.

Choices where the rules are silent:
- Closing a listing decides every open report of it at once (state `listing_closed`); a
  listing that can no longer be closed (matched, expired, closed already) is refused with the
  listings service's message, and its reports stay open for the admin to dismiss.
- A report of one's own organisation's listing is refused: the owner can close it themselves.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Listing, ListingReport, User
from marketplace.models._types import utcnow
from marketplace.services import audit, listings
from marketplace.services.errors import Forbidden, NotFound, ServiceError

REASON_MIN, REASON_MAX = 10, 2000
QUEUE_SIZE = 100


def _already() -> ServiceError:
    msg = _("You have already reported this listing; the platform will look at it.")
    return ServiceError(msg, {"reason": msg}, code="already_reported")


def report(listing_id: int, user: User, reason: str) -> ListingReport:
    """Report a listing `user` can see (404 otherwise) for the admin to look at."""
    listing = listings.visible_listing(listing_id, user)
    if listings.is_owner(listing, user):
        raise Forbidden(_("You cannot report a listing of your own organisation."))
    reason = reason.strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        msg = _(
            "Say in %(min)d to %(max)d characters what is wrong.", min=REASON_MIN, max=REASON_MAX
        )
        raise ServiceError(msg, {"reason": msg})
    open_one = db.session.scalar(
        select(ListingReport.id).where(
            ListingReport.listing_id == listing.id,
            ListingReport.reporter_id == user.id,
            ListingReport.state == "open",
        )
    )
    if open_one is not None:
        raise _already()
    entry = ListingReport(listing_id=listing.id, reporter_id=user.id, reason=reason)
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _already() from None
    audit.record("listing.reported", entry, after={"listing_id": listing.id}, actor=user)
    db.session.commit()
    return entry


def _require_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden()


def open_reports(admin: User) -> list[ListingReport]:
    """The admin's queue: open reports, oldest first, with their listing and reporter."""
    _require_admin(admin)
    return list(
        db.session.scalars(
            select(ListingReport)
            .where(ListingReport.state == "open")
            .options(
                joinedload(ListingReport.listing).joinedload(Listing.organisation),
                joinedload(ListingReport.reporter),
            )
            .order_by(ListingReport.created_at, ListingReport.id)
            .limit(QUEUE_SIZE)
        )
    )


def _decide(report_id: int, admin: User, state: str, *, whole_listing: bool) -> ListingReport:
    """Move an open report (or all open reports of its listing) to `state`, in the caller's
    transaction; a report already decided answers 404, as one that does not exist."""
    _require_admin(admin)
    entry = db.session.get(ListingReport, report_id)
    if entry is None or entry.state != "open":
        raise NotFound()
    target = (
        ListingReport.listing_id == entry.listing_id
        if whole_listing
        else ListingReport.id == entry.id
    )
    result = db.session.execute(
        update(ListingReport)
        .where(target, ListingReport.state == "open")
        .values(state=state, decided_at=utcnow(), decided_by_id=admin.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:  # decided by another admin a moment ago
        db.session.rollback()
        raise NotFound()
    audit.record(
        f"listing_report.{state}",
        entry,
        before={"state": "open"},
        after={"state": state},
        actor=admin,
    )
    return entry


def dismiss(report_id: int, admin: User) -> ListingReport:
    """The admin finds nothing wrong: the report is closed, the listing stays."""
    entry = _decide(report_id, admin, "dismissed", whole_listing=False)
    db.session.commit()
    return entry


def close_listing(report_id: int, admin: User) -> ListingReport:
    """The admin takes the reported listing off the market: the listing is closed (audited by
    the listings service) and its open reports with it, in one transaction."""
    entry = _decide(report_id, admin, "listing_closed", whole_listing=True)
    # listings.move commits this transaction with the reports' update, or rolls all back.
    listings.move(entry.listing, admin, "close", clock.today())
    return entry
