"""Renewals of memberships paid by manual invoice, and the member's choices for its next period
(docs/domain.md "Dunning and renewals").

- The next period's invoice is issued PAYMENT_TERM_DAYS before that period starts, so it is due
  on the renewal date itself and the dunning sweep reminds 14 days before it, as the rules ask.
  It bills the plan in force then: `next_plan_id` when the member changed plan, else its plan.
- A period ends at its last day; the next morning the membership's period moves on (and the
  chosen plan takes over), or, when the member cancelled at the period's end, it is cancelled.
- Once: never two invoices for one period (a unique index on the invoices in force per
  membership and period start: a run that loses a race rolls its invoice and number back), and
  each period moves with a conditional UPDATE on the period it moves from.
- Stripe-billed memberships are renewed by Stripe (and their periods moved by its webhooks); a
  member's cancel at period end is passed on to the subscription at once. Comped ones are not
  invoiced for a period that starts while the comp lasts; a pending or suspended membership gets
  no renewal invoice until it pays (a suspended member that pays later gets it the next morning).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.domain import invoicing
from marketplace.domain.invoicing import Period
from marketplace.extensions import db
from marketplace.models import Invoice, Membership, Organisation, Plan, User
from marketplace.services import (
    audit,
    invoices,
    membership_status,
    notify,
    organisations,
    stripe_billing,
)
from marketplace.services.errors import Conflict, NotFound, ServiceError

log = logging.getLogger(__name__)

SOURCE = "renewal"
LEAD_DAYS = invoicing.PAYMENT_TERM_DAYS
RENEWING = ("active", "past_due")
RUNNING = ("active", "past_due", "suspended")
_IN_FORCE = ("open", "paid")


def run(today: date) -> dict[str, int]:
    """The daily job: move the periods that ended, then issue the invoices that are due.
    Returns how many of each. Commits per membership (one network's missing IBAN does not
    hold up the others)."""
    moved = start_periods(today)
    issued = issue_due(today)
    return {"periods": moved, "invoices": issued}


def next_period(membership: Membership) -> Period:
    """The period after the membership's current one, by the billing rule of its plan."""
    return invoicing.next_period(
        membership.plan.billing_rule,
        membership.joined_on or membership.current_period_start,
        Period(membership.current_period_start, membership.current_period_end),
    )


def _in_force_after(period_end) -> object:
    """An invoice in force of the membership for a period after `period_end`."""
    return exists().where(
        Invoice.membership_id == Membership.id,
        Invoice.credit_of_id.is_(None),
        Invoice.status.in_(_IN_FORCE),
        Invoice.period_start > period_end,
    )


def issue_due(today: date) -> int:
    """Issue the next period's invoice of every renewing membership whose next period starts
    within LEAD_DAYS and has none yet (one query finds them)."""
    due = db.session.scalars(
        select(Membership.id).where(
            Membership.status.in_(RENEWING),
            Membership.cancel_at_period_end.is_(False),
            Membership.stripe_subscription_id.is_(None),
            Membership.current_period_end.is_not(None),
            Membership.current_period_end < today + timedelta(days=LEAD_DAYS),
            or_(
                Membership.comped_until.is_(None),
                Membership.comped_until <= Membership.current_period_end,
            ),
            ~_in_force_after(Membership.current_period_end),
        )
    ).all()
    db.session.commit()
    return sum(_issue_one(membership_id, today) for membership_id in due)


def _issue_one(membership_id: int, today: date) -> int:
    """The next period's invoice of one membership, in a transaction of its own; 0 when
    another run issued it first or the network cannot invoice (logged)."""
    membership = db.session.get(Membership, membership_id)
    try:
        invoice = issue_next(membership, today, by=None)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another run issued it: its number is given back with ours
        return 0
    except ServiceError as exc:
        db.session.rollback()
        log.warning("no renewal invoice for membership %s: %s", membership_id, exc.message)
        return 0
    return 1 if invoice is not None else 0


def issue_next(membership: Membership, today: date, by: User | None) -> Invoice | None:
    """Add the next period's invoice for the plan in force then, in the caller's transaction;
    None when that plan costs nothing for the period."""
    period = next_period(membership)
    plan = membership.next_plan or membership.plan
    if invoicing.period_fee_cents(plan.billing_rule, plan.yearly_fee_cents, period) <= 0:
        return None
    invoice = invoices.add_membership_invoice(membership, period, today, by, plan=plan)
    audit.record(
        "membership.renewal_invoiced",
        membership,
        after={"invoice": invoice.number, "period_start": period.start.isoformat()},
        actor=by,
    )
    return invoice


def start_periods(today: date) -> int:
    """Move every running membership whose period ended before today into its next period
    (with the plan chosen for it), or cancel it when the member cancelled at the period end."""
    ended = db.session.scalars(
        select(Membership.id).where(
            Membership.status.in_(RUNNING),
            Membership.stripe_subscription_id.is_(None),  # Stripe's webhooks move those
            Membership.current_period_end.is_not(None),
            Membership.current_period_end < today,
        )
    ).all()
    db.session.commit()
    moved = 0
    for membership_id in ended:
        membership = db.session.get(Membership, membership_id)
        if membership.cancel_at_period_end:
            moved += membership_status.apply(membership, "cancel", by=None, source=SOURCE)
        else:
            moved += _start_next(membership)
        db.session.commit()
    return moved


def _start_next(membership: Membership) -> bool:
    """One conditional UPDATE from the period that ended: a second run finds it moved."""
    period = next_period(membership)
    before = {
        "period_start": membership.current_period_start.isoformat(),
        "plan_id": membership.plan_id,
    }
    plan_id = membership.next_plan_id or membership.plan_id
    moved = db.session.execute(
        update(Membership)
        .where(
            Membership.id == membership.id,
            Membership.current_period_end == membership.current_period_end,
        )
        .values(
            current_period_start=period.start,
            current_period_end=period.end,
            plan_id=plan_id,
            next_plan_id=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return False
    db.session.refresh(membership)
    audit.record(
        "membership.period_started",
        membership,
        before=before,
        after={"period_start": period.start.isoformat(), "plan_id": plan_id},
    )
    return True


# --- the member's choices -------------------------------------------------------------------------


def get_for_member(membership_id: int, by: User) -> Membership:
    """A membership its own organisation's people may see; NotFound for anyone else."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or organisations.role_of(by, membership.organisation) is None:
        raise NotFound()
    return membership


def _for_owner(membership_id: int, by: User) -> Membership:
    membership = get_for_member(membership_id, by)
    organisations.require_role(by, membership.organisation, "owner")
    if membership.status not in RUNNING:
        raise Conflict(_("Only a running membership can be changed."), code="not_running")
    return membership


def plan_choices(membership: Membership) -> list[Plan]:
    """The plans a member may move to from its next period: the network's active plans with the
    same billing rule (a change of rule would leave a gap or an overlap between periods)."""
    return list(
        db.session.scalars(
            select(Plan)
            .where(
                Plan.network_id == membership.network_id,
                Plan.active.is_(True),
                Plan.billing_rule == membership.plan.billing_rule,
            )
            .order_by(Plan.yearly_fee_cents, Plan.name)
        )
    )


def _open_renewal(membership: Membership) -> Invoice | None:
    """The next period's invoice when it was issued already."""
    return db.session.scalar(
        select(Invoice).where(
            Invoice.membership_id == membership.id,
            Invoice.credit_of_id.is_(None),
            Invoice.status.in_(_IN_FORCE),
            Invoice.period_start > membership.current_period_end,
        )
    )


def _withdraw_renewal(membership: Membership, by: User, today: date) -> bool:
    """Cancel the next period's invoice by a credit invoice when it is open and unpaid, so it
    can be made again or not at all; Conflict when something was paid on it already. Returns
    whether there was one."""
    renewal = _open_renewal(membership)
    if renewal is None:
        return False
    if renewal.status != "open" or renewal.paid_amount_cents:
        db.session.rollback()
        raise Conflict(
            _(
                "The next period is paid already (in part); ask %(network)s to change it.",
                network=membership.network.name,
            ),
            code="renewal_paid",
        )
    invoices.add_credit_invoice(renewal, today, by)
    return True


def change_plan(membership_id: int, plan_id: int | None, by: User, today: date) -> Membership:
    """The member's owner chooses the plan of its next period (its own plan again undoes a
    change). A next-period invoice already issued is credited and issued again for the new
    plan. The network's admins are told. Commits."""
    membership = _for_owner(membership_id, by)
    plan = db.session.get(Plan, plan_id) if plan_id is not None else None
    if plan is None or plan not in plan_choices(membership):
        msg = _("Choose one of the network's plans.")
        raise ServiceError(msg, {"plan_id": msg})
    before = membership.next_plan_id
    membership.next_plan_id = None if plan.id == membership.plan_id else plan.id
    if membership.next_plan_id == before:
        return membership
    if _withdraw_renewal(membership, by, today):
        issue_next(membership, today, by)
    audit.record(
        "membership.next_plan",
        membership,
        before={"next_plan_id": before},
        after={"next_plan_id": membership.next_plan_id},
        actor=by,
    )
    notify.organisation(  # worded in each admin's language
        membership.network_id,
        _l("%(org)s changes plan", org=membership.organisation.name),
        _l(
            "%(org)s chose plan %(plan)s from its next period, which starts on %(date)s.",
            org=membership.organisation.name,
            plan=plan.name,
            date=next_period(membership).start.isoformat(),
        ),
    )
    db.session.commit()
    return membership


def cancel_at_period_end(
    membership_id: int, by: User, today: date, *, cancel: bool = True
) -> Membership:
    """The member's owner ends the membership at the end of the current period (`cancel`
    False takes that back). A next-period invoice already issued and unpaid is credited; one
    paid already refuses (the network decides). The network's admins are told. Commits."""
    membership = _for_owner(membership_id, by)
    changed = db.session.execute(
        update(Membership)
        .where(Membership.id == membership.id, Membership.cancel_at_period_end.is_(not cancel))
        .values(cancel_at_period_end=cancel)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return membership
    db.session.refresh(membership)
    if cancel:
        _withdraw_renewal(membership, by, today)
    _tell_stripe(membership)
    audit.record(
        "membership.cancel_at_period_end",
        membership,
        after={"cancel_at_period_end": cancel},
        actor=by,
    )
    org = membership.organisation.name
    end = membership.current_period_end.isoformat()
    if cancel:
        subject = _l("%(org)s cancels its membership", org=org)
        body = _l(
            "%(org)s ends its membership at the end of its period, on %(date)s.", org=org, date=end
        )
    else:
        subject = _l("%(org)s stays a member", org=org)
        body = _l("%(org)s no longer ends its membership on %(date)s.", org=org, date=end)
    notify.organisation(membership.network_id, subject, body)
    db.session.commit()  # a renewal that is due already is issued by the next morning's run
    return membership


def _tell_stripe(membership: Membership) -> None:
    """Pass the choice on to the Stripe subscription at once, so Stripe does not charge a year
    the member declined; when Stripe cannot be reached, the nightly reconcile passes it on."""
    if membership.stripe_subscription_id is None:
        return
    try:
        stripe_billing.push_cancel_at_period_end(membership)
    except Exception:  # noqa: BLE001 (Stripe unreachable: the reconcile repairs it tonight)
        log.warning("Stripe not told of membership %s's choice yet", membership.id, exc_info=True)


# --- the member's page --------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberView:
    """One membership as its member's page shows it."""

    membership: Membership
    invoices: list[Invoice]
    # The first day of the next period, while the membership renews (None when it ends).
    next_renewal: date | None
    # The oldest open invoice, shown with its payment details while the member must pay.
    open_invoice: Invoice | None
    plans: list[Plan]
    can_manage: bool


def overview(org: Organisation, by: User) -> list[MemberView]:
    """The organisation's memberships with their invoices and the plans each may move to, for
    its people (only an owner manages): a fixed number of queries however many there are."""
    role = organisations.require_role(by, org)
    found = list(
        db.session.scalars(
            select(Membership)
            .options(
                joinedload(Membership.network),
                joinedload(Membership.plan),
                joinedload(Membership.next_plan),
            )
            .where(Membership.organisation_id == org.id)
            .order_by(Membership.applied_at.desc(), Membership.id.desc())
        )
    )
    ids = [m.id for m in found]
    by_membership: dict[int, list[Invoice]] = {i: [] for i in ids}
    for invoice in db.session.scalars(
        select(Invoice)
        .where(Invoice.membership_id.in_(ids))
        .order_by(Invoice.invoice_date.desc(), Invoice.id.desc())
    ):
        by_membership[invoice.membership_id].append(invoice)
    offered: dict[tuple[int, str], list[Plan]] = {}
    for plan in db.session.scalars(
        select(Plan)
        .where(Plan.network_id.in_({m.network_id for m in found}), Plan.active.is_(True))
        .order_by(Plan.yearly_fee_cents, Plan.name)
    ):
        offered.setdefault((plan.network_id, plan.billing_rule), []).append(plan)
    views = []
    for m in found:
        running = m.status in RUNNING and m.current_period_end is not None
        unpaid = [i for i in by_membership[m.id] if i.status == "open" and i.credit_of_id is None]
        views.append(
            MemberView(
                membership=m,
                invoices=by_membership[m.id],
                next_renewal=(
                    m.current_period_end + timedelta(days=1)
                    if running and not m.cancel_at_period_end
                    else None
                ),
                open_invoice=min(unpaid, key=lambda i: (i.due_date, i.id)) if unpaid else None,
                plans=offered.get((m.network_id, m.plan.billing_rule), []),
                can_manage=role == "owner" and running,
            )
        )
    return views
