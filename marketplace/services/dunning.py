"""Dunning of unpaid membership invoices: the daily sweep that takes the steps of
domain/membership.py DUNNING_STEPS (a reminder 14 days before the due date; past_due with a
reminder at the due date; a second reminder 14 days after; suspended 30 days after, the network
told too), and the network admin's reminder by hand (docs/domain.md "Dunning and renewals").

Why it is written as it is:
- Set-based. A network has hundreds of members and the platform thousands; the sweep selects
  each step's due invoices with one query and takes the step for all of them with a handful of
  statements (lock, insert the steps taken, move the memberships, audit, mail), never a query
  per membership (bench/dunning.py holds it to a raw SQL pass over the same rows).
- Once. A step taken is a row of `membership_reminders`, unique per invoice and step: a second
  sweep, or one running at the same moment, inserts nothing for it (ON CONFLICT DO NOTHING) and
  mails only what it inserted itself. A move is a conditional UPDATE (`status = <before>`), as
  in membership_status.apply.
- A payment racing the sweep wins. The due invoices are locked (FOR UPDATE) and re-checked
  while open, so a payment that commits first takes the invoice out of the step, and one that
  comes later waits for the sweep and then makes the membership active again.
- Manual invoices only: a Stripe-billed membership is dunned by Stripe, whose webhooks move it.
- A comped membership is not dunned while `comped_until` has not passed; a pending one (its
  first invoice unpaid) gets the reminders but no moves: it is not a member yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Row, exists, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from marketplace import labels
from marketplace.domain import membership as rules
from marketplace.extensions import db
from marketplace.models import Invoice, Membership, MembershipReminder, Organisation, User
from marketplace.models._types import utcnow
from marketplace.services import audit, invoices, mail, notify, plans
from marketplace.services.errors import ServiceError

SOURCE = "dunning"
MANUAL = "manual"
# Rows a statement handles at once: below every driver's limit of bound parameters.
BATCH = 5000
# The action of domain/membership.py ACTIONS by which a step moves a membership.
STEP_ACTIONS = {"past_due": "fall_due", "suspended": "suspend"}
OPEN = ("pending", "active", "past_due", "suspended")
_SUSPEND_DAYS = next(s.days_after_due for s in rules.DUNNING_STEPS if s.moves_to == "suspended")


def sweep(today: date) -> dict[str, int]:
    """Take every dunning step that is due today and was not taken yet, for all networks;
    returns how many invoices each step was taken for. Commits."""
    taken = {}
    steps = rules.DUNNING_STEPS
    for index, step in enumerate(steps):
        later = steps[index + 1] if index + 1 < len(steps) else None
        taken[step.name] = 0
        while True:
            rows = _lock_due(step, later, today)
            taken[step.name] += _take(step, rows, today)
            if len(rows) < BATCH:
                break
    db.session.commit()
    return taken


def _invoice_facts():
    """An invoice with what its dunning mails and moves need: its membership and both names."""
    network = aliased(Organisation)
    member = aliased(Organisation)
    return (
        select(
            Invoice.id,
            Invoice.membership_id,
            Invoice.number,
            Invoice.total_cents,
            Invoice.due_date,
            Invoice.seller_iban,
            Invoice.payment_reference,
            Membership.status,
            Membership.organisation_id,
            Membership.network_id,
            network.name.label("network_name"),
            member.name.label("member_name"),
        )
        .join(Membership, Invoice.membership_id == Membership.id)
        .join(network, Membership.network_id == network.id)
        .join(member, Membership.organisation_id == member.id)
    )


def _due_invoices(step: rules.DunningStep, later: rules.DunningStep | None, today: date):
    """The invoices `step` is due for today: domain/membership.py `dunning_due` written as SQL
    over all invoices at once."""
    action = STEP_ACTIONS.get(step.moves_to or "")
    statuses = sorted(rules.ACTIONS[action][0]) if action else list(OPEN)
    conditions = [
        Invoice.status == "open",
        Invoice.credit_of_id.is_(None),
        Invoice.total_cents > 0,
        Invoice.due_date <= today - timedelta(days=step.days_after_due),
        Membership.status.in_(statuses),
        or_(Membership.comped_until.is_(None), Membership.comped_until < today),
        ~exists().where(
            MembershipReminder.invoice_id == Invoice.id,
            MembershipReminder.step == step.name,
            MembershipReminder.step != MANUAL,  # lets the partial unique index answer
        ),
    ]
    if step.superseded_by_later and later is not None:
        # A reminder whose next step's day has come as well is not sent any more.
        conditions.append(Invoice.due_date > today - timedelta(days=later.days_after_due))
    return _invoice_facts().where(*conditions)


def _lock_due(
    step: rules.DunningStep, later: rules.DunningStep | None, today: date
) -> Sequence[Row[Any]]:
    """A batch of invoices `step` is due for, locked until commit (FOR UPDATE, which re-checks
    them after waiting: an invoice paid meanwhile drops out)."""
    return (
        db.session.execute(
            _due_invoices(step, later, today)
            .order_by(Invoice.id)
            .limit(BATCH)
            .with_for_update(of=Invoice)
        )
        .tuples()
        .all()
    )


def _insert() -> Any:
    return pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert


def _take(step: rules.DunningStep, rows: Sequence[Row[Any]], today: date) -> int:
    """Take `step` for the locked `rows`: record it (only the rows this sweep inserts go on),
    move the memberships, audit and mail. Returns how many were taken."""
    if not rows:
        return 0
    now = utcnow()
    inserted = set(
        db.session.scalars(
            _insert()(MembershipReminder)
            .from_select(
                ["membership_id", "invoice_id", "step", "sent_at"],
                select(Invoice.membership_id, Invoice.id, literal(step.name), literal(now)).where(
                    Invoice.id.in_([r.id for r in rows])
                ),
            )
            .on_conflict_do_nothing()
            .returning(MembershipReminder.invoice_id)
        )
    )
    rows = [r for r in rows if r.id in inserted]
    action = STEP_ACTIONS.get(step.moves_to or "")
    if action:
        moved = set(
            db.session.scalars(
                update(Membership)
                .where(
                    Membership.id.in_([r.membership_id for r in rows]),
                    Membership.status.in_(rules.ACTIONS[action][0]),
                )
                .values(status=step.moves_to, updated_at=now)
                .returning(Membership.id)
                .execution_options(synchronize_session=False)
            )
        )
        rows = [r for r in rows if r.membership_id in moved]
        audit.record_many(
            f"membership.{action}",
            "Membership",
            [
                (
                    r.membership_id,
                    {"status": r.status},
                    {"status": step.moves_to, "source": SOURCE, "invoice": r.number},
                )
                for r in rows
            ],
        )
    else:
        audit.record_many(
            "membership.reminded",
            "Membership",
            [(r.membership_id, None, {"step": step.name, "invoice": r.number}) for r in rows],
        )
    _mail(step, rows)
    return len(rows)


def _mail(step: rules.DunningStep, rows: list[Row[Any]]) -> None:
    """Each row's member (and, for a suspension, its network's admins) mailed about `step`, each
    person in their language: the texts are worded once per language, not once per mail."""
    suspended = step.moves_to == "suspended"
    people = notify.recipients(
        {r.organisation_id for r in rows} | ({r.network_id for r in rows} if suspended else set())
    )
    outgoing = []
    for language in sorted({lang for found in people.values() for _email, lang in found}):
        with force_locale(language):
            word = labels.dunning_notices(step.name)
            for r in rows:
                to = [e for e, lang in people.get(r.organisation_id, ()) if lang == language]
                if to:
                    subject, body = word(_params(r))
                    outgoing += [(email, subject, body) for email in to]
                admins = [e for e, lang in people.get(r.network_id, ()) if lang == language]
                if suspended and admins:
                    subject, body = labels.membership_suspended_notice(r.member_name)
                    outgoing += [(email, subject, body) for email in admins]
    mail.send_many(outgoing)


def _params(row: Row[Any]) -> dict[str, Any]:
    return {
        "network": row.network_name,
        "number": row.number,
        "total_cents": row.total_cents,
        "due": row.due_date,
        "suspend_on": row.due_date + timedelta(days=_SUSPEND_DAYS),
        "iban": invoices.iban_text(row.seller_iban),
        "reference": row.payment_reference,
    }


def remind(membership: Membership, by: User) -> MembershipReminder:
    """The network admin reminds a member of its oldest open invoice by hand (the dashboard's
    "remind"): recorded as step "manual" (these may repeat), audited, mailed. Commits."""
    plans.require_network_admin(by, membership.network)
    row = db.session.execute(
        _invoice_facts()
        .where(
            Invoice.membership_id == membership.id,
            Invoice.status == "open",
            Invoice.credit_of_id.is_(None),
        )
        .order_by(Invoice.due_date, Invoice.id)
        .limit(1)
    ).first()
    if row is None:
        raise ServiceError(_("This member has no open invoice to remind of."), code="no_open")
    reminder = MembershipReminder(
        membership_id=membership.id, invoice_id=row.id, step=MANUAL, by_id=by.id
    )
    db.session.add(reminder)
    db.session.flush()
    audit.record(
        "membership.reminded", membership, after={"step": MANUAL, "invoice": row.number}, actor=by
    )
    notify.organisation(
        membership.organisation_id, *labels.lazily(labels.dunning_notice, MANUAL, _params(row))
    )
    db.session.commit()
    return reminder


def last_reminders(membership_ids: list[int]) -> dict[int, MembershipReminder]:
    """Each membership's latest reminder (automatic or manual), for the overdue list; one query
    (a membership has a handful of reminders a year)."""
    found: dict[int, MembershipReminder] = {}
    for reminder in db.session.scalars(
        select(MembershipReminder)
        .where(MembershipReminder.membership_id.in_(membership_ids))
        .order_by(MembershipReminder.sent_at, MembershipReminder.id)
    ):
        found[reminder.membership_id] = reminder
    return found
