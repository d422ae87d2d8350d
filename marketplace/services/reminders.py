"""Daily reminder to contractors with an open obligation and no submission for 90 days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from marketplace.extensions import db
from marketplace.labels import plain_eur
from marketplace.models import Contract
from marketplace.models._types import utcnow
from marketplace.services import invitations, notify

QUIET_DAYS = 90


def quiet_contracts(today: date):
    """Open obligations (due, not fulfilled, still running) with no submission for 90 days and
    no reminder in the last 90 days, of contracts whose contractor sees them (a contract waiting
    for its invited contractor has nobody to remind)."""
    cutoff = datetime.combine(today - timedelta(days=QUIET_DAYS), time.min)
    last = func.coalesce(Contract.last_submission_at, Contract.created_at)
    return select(Contract).where(
        Contract.obligation_status == "due",
        Contract.status.in_(("on_track", "at_risk", "overdue")),
        Contract.start_date <= today,
        Contract.contractor_id.is_not(None),
        invitations.shown_to_contractors(),
        last < cutoff,
        or_(Contract.reminded_at.is_(None), Contract.reminded_at < cutoff),
    )


def send_reminders(today: date) -> int:
    contracts = db.session.scalars(quiet_contracts(today)).all()
    for contract in contracts:
        contract.reminded_at = utcnow()
        notify.organisation(  # worded in each member's language (lazily)
            contract.contractor_id,
            _l("Reminder: report social return for %(ref)s", ref=contract.reference),
            _l(
                "You have not reported any realisation on %(title)s for %(days)d days. "
                "Remaining obligation: %(remaining)s.",
                title=contract.title,
                days=QUIET_DAYS,
                remaining=LazyString(plain_eur, contract.remaining_cents),
            ),
        )
    db.session.commit()
    return len(contracts)
