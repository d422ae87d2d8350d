"""What the network admin does on a member's behalf from the dashboard: comp (free until a
date), pause, resume and cancel (docs/domain.md "Membership states"). Each is one
`membership_status.apply`: a conditional update (two admins at once, or a double click, move it
once), an audit row and the member's mail, committed together.

Choices where the rules are silent:
- A comp runs from today up to and including its end date, which lies after today and at most
  five years ahead; comping an active member again moves the end date.
- Pausing is the admin's suspension: the member keeps its invoices and is `suspended` until the
  admin resumes it (or it pays an open invoice, as any suspended member may).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from marketplace.domain import membership as rules
from marketplace.extensions import db
from marketplace.models import Invoice, Membership, User
from marketplace.services import (
    dunning,
    invoices,
    membership_status,
    memberships,
    network_dashboard,
)
from marketplace.services.errors import Conflict, NotFound, ServiceError

REASON_MAX = 1000
COMP_MAX_DAYS = 5 * 366


@dataclass(frozen=True)
class MemberView:
    """A member's page for its network's admin: the membership, its invoices (newest first),
    and the actions allowed from its state."""

    membership: Membership
    invoices: list[Invoice]
    actions: tuple[str, ...]
    last_reminder_on: date | None = None

    @property
    def can_remind(self) -> bool:
        return any(i.status == "open" and i.credit_of_id is None for i in self.invoices)

    @property
    def open_cents(self) -> int:
        return sum(i.total_cents - i.paid_amount_cents for i in self.invoices if i.status == "open")


def member_of(slug: str, membership_id: int, by: User) -> Membership:
    """A membership of the network `slug`, for that network's admin; NotFound for anyone else
    and for another network's membership (as if it did not exist)."""
    network = memberships.network_for_admin(slug, by)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.network_id != network.id:
        raise NotFound()
    return membership


def view(slug: str, membership_id: int, by: User) -> MemberView:
    """A member's page for the admin of the network `slug` (NotFound for anyone else)."""
    membership = member_of(slug, membership_id, by)
    found = invoices.of_membership(membership)
    last = network_dashboard.last_reminder_days([membership.id]).get(membership.id)
    return MemberView(membership, found, rules.admin_actions(membership.status), last)


def remind(slug: str, membership_id: int, by: User) -> Membership:
    """Remind the member of its oldest open invoice by hand (services/dunning.py). Commits."""
    membership = member_of(slug, membership_id, by)
    dunning.remind(membership, by)
    return membership


def comp(slug: str, membership_id: int, until: date | None, by: User, today: date) -> Membership:
    """Make the membership free up to and including `until` (and active). Commits."""
    membership = member_of(slug, membership_id, by)
    if until is None or not today < until <= today + timedelta(days=COMP_MAX_DAYS):
        msg = _("Choose a last free day after today and at most five years ahead.")
        raise ServiceError(msg, {"until": msg})
    return _move(membership, "comp", by, values={"comped_until": until})


def pause(slug: str, membership_id: int, reason: str | None, by: User) -> Membership:
    """Suspend the membership by the admin's decision, with the reason the member is told."""
    return _move(member_of(slug, membership_id, by), "pause", by, reason=reason)


def resume(slug: str, membership_id: int, by: User) -> Membership:
    """Let a paused or suspended member back in without a payment. Commits."""
    return _move(member_of(slug, membership_id, by), "resume", by)


def cancel(slug: str, membership_id: int, reason: str | None, by: User) -> Membership:
    """End the membership, with the reason the member is told. Commits."""
    return _move(member_of(slug, membership_id, by), "cancel", by, reason=reason)


def _move(
    membership: Membership,
    action: str,
    by: User,
    *,
    reason: str | None = None,
    values: dict | None = None,
) -> Membership:
    reason = (reason or "").strip()[:REASON_MAX] or None
    moved = membership_status.apply(
        membership, action, by=by, source="dashboard", reason=reason, values=values
    )
    if not moved:
        db.session.rollback()
        raise Conflict(
            _("This membership changed in the meantime; check its status and try again."),
            code="membership_changed",
        )
    db.session.commit()
    return membership
