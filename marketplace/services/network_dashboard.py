"""The network admin's dashboard: members by status, this year's revenue by month (invoiced,
paid, open, overdue), the overdue invoices with their member's last reminder, and the exports
of the members and of this year's invoices (docs/domain.md "Memberships", "Invoices").

Every figure is one grouped statement over the network's rows, whatever the number of members
(the page stays at a fixed number of statements: tests/web/test_network_dashboard.py).

Choices where the rules are silent:
- Revenue of a year counts the invoices dated in it. A cancelled invoice and its credit invoice
  (both `credited`) cancel out and neither is counted, so invoiced = paid + open (short of an
  overpayment, which counts as paid in full).
- "Paid" is what was received, partial payments of open invoices included; "open" is what is
  still to be received on open invoices; "overdue" is the part of "open" whose due date has come
  (`domain.membership.overdue_if_due_by`: from the due date itself, as the dunning does).
- The chart and its table show the invoices by the month of their invoice date.
- Stripe invoices (the `stripe_invoices` mirror) count beside the manual ones, dated by the day
  Stripe made them: open, paid and uncollectible ones (a draft is not sent, a void one is
  withdrawn). Stripe charges on that day, so one still unpaid the next day, or whose charge
  failed, or that Stripe gave up on (uncollectible), is overdue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, Text, case, extract, func, literal, select, union_all

from marketplace import clock
from marketplace.domain import membership as rules
from marketplace.extensions import db
from marketplace.labels import invoice_status_labels, membership_status_labels
from marketplace.models import (
    Invoice,
    Membership,
    MembershipReminder,
    Organisation,
    Plan,
    StripeInvoice,
    User,
)
from marketplace.services import dunning, memberships, plans, reports
from marketplace.services.errors import NotFound
from marketplace.services.reports import Column, Table

# The states the dashboard counts and the members export lists: every state but a rejected
# application, in the order of the membership's life.
MEMBER_STATUSES = ("pending", "active", "past_due", "suspended", "cancelled")
OVERDUE_PER_PAGE = 25
# Stripe invoices that count as invoiced (a draft is not sent yet, a void one is withdrawn), and
# those of them still to be paid.
STRIPE_COUNTED = ("open", "paid", "uncollectible")
STRIPE_UNPAID = ("open", "uncollectible")


@dataclass(frozen=True)
class MonthFigures:
    """The invoices of one month of the year: what was invoiced, received, and is still open
    (of which overdue), in cents; `overdue_count` is the number of overdue invoices."""

    month: int
    invoiced_cents: int = 0
    paid_cents: int = 0
    open_cents: int = 0
    overdue_cents: int = 0
    overdue_count: int = 0

    @property
    def open_not_overdue_cents(self) -> int:
        return self.open_cents - self.overdue_cents


@dataclass(frozen=True)
class Revenue:
    """A year's revenue: twelve months and their totals."""

    year: int
    months: tuple[MonthFigures, ...]

    @property
    def total(self) -> MonthFigures:
        return MonthFigures(
            0,
            *(
                sum(getattr(m, name) for m in self.months)
                for name in (
                    "invoiced_cents",
                    "paid_cents",
                    "open_cents",
                    "overdue_cents",
                    "overdue_count",
                )
            ),
        )

    @property
    def is_empty(self) -> bool:
        return not any(m.invoiced_cents or m.paid_cents for m in self.months)


@dataclass(frozen=True)
class Dashboard:
    """What the network admin's dashboard shows."""

    network: Organisation
    today: date
    members_by_status: dict[str, int]
    revenue: Revenue
    overdue: Pagination
    # The day of each overdue member's last reminder, by membership id.
    last_reminders: dict[int, date] = field(default_factory=dict)

    @property
    def has_members(self) -> bool:
        return any(self.members_by_status.values())


def dashboard(slug: str, by: User, today: date, page: int = 1) -> Dashboard:
    """The dashboard of the network `slug` for its admin (NotFound for anyone else, as for its
    other admin pages): six statements, whatever the number of members and invoices."""
    network = memberships.network_for_admin(slug, by)
    overdue = _overdue_page(network, today, page)
    return Dashboard(
        network=network,
        today=today,
        members_by_status=_members_by_status(network),
        revenue=_revenue(network, today),
        overdue=overdue,
        last_reminders=last_reminder_days([i.membership_id for i in overdue.items]),
    )


def last_reminder_days(membership_ids: list[int]) -> dict[int, date]:
    """The Dutch day of each membership's last reminder (services/dunning.py), by id; no
    statement for none."""
    if not membership_ids:
        return {}
    found = dunning.last_reminders(membership_ids)
    return {mid: reports.local_date(r.sent_at) for mid, r in found.items()}


def revenue_of(slug: str, by: User, today: date) -> Revenue:
    """This year's revenue of the network `slug`, for its admin (the chart): one statement."""
    return _revenue(memberships.network_for_admin(slug, by), today)


def _members_by_status(network: Organisation) -> dict[str, int]:
    """How many of the network's memberships are in each state (0 for none), one statement."""
    counts = dict.fromkeys(MEMBER_STATUSES, 0)
    rows = db.session.execute(
        select(Membership.status, func.count())
        .where(Membership.network_id == network.id, Membership.status.in_(MEMBER_STATUSES))
        .group_by(Membership.status)
    )
    counts.update({status: int(n) for status, n in rows})
    return counts


def _remaining():
    """What is still to be received on an invoice, counted only while it is open."""
    return case(
        (Invoice.status == "open", Invoice.total_cents - Invoice.paid_amount_cents), else_=0
    )


def _ledger(network_id: int, today: date, *, year: int | None = None):
    """One row per invoice of the network, manual and Stripe alike: its member, number, day
    (the invoice date; a Stripe invoice's creation day), due day, amounts invoiced, received,
    open and overdue, and the reason its last Stripe charge failed; only this `year`'s, when
    given. A union of two selects, so each figure is still one statement."""
    manual_overdue = (Invoice.status == "open") & (
        Invoice.due_date <= rules.overdue_if_due_by(today)
    )
    manual = select(
        Invoice.membership_id.label("membership_id"),
        Invoice.number.label("number"),
        Invoice.invoice_date.label("day"),
        Invoice.due_date.label("due"),
        Invoice.total_cents.label("invoiced"),
        Invoice.paid_amount_cents.label("paid"),
        _remaining().label("open"),
        case((manual_overdue, Invoice.total_cents - Invoice.paid_amount_cents), else_=0).label(
            "overdue"
        ),
        literal(None, Text).label("failure"),
    ).where(Invoice.network_id == network_id, Invoice.status != "credited")
    si = StripeInvoice
    unpaid = si.status.in_(STRIPE_UNPAID)
    stripe_overdue = unpaid & (
        si.failure_reason.is_not(None)
        | (si.status == "uncollectible")
        | (si.created_on <= stripe_overdue_if_created_by(today))
    )
    owed = si.amount_due_cents - si.amount_paid_cents
    stripe = (
        select(
            si.membership_id,
            si.stripe_invoice_id,
            si.created_on,
            si.created_on,
            si.amount_due_cents,
            si.amount_paid_cents,
            case((unpaid, owed), else_=0),
            case((stripe_overdue, owed), else_=0),
            si.failure_reason,
        )
        .join(Membership, Membership.id == si.membership_id)
        .where(Membership.network_id == network_id, si.status.in_(STRIPE_COUNTED))
    )
    if year is not None:
        manual = manual.where(Invoice.year == year)
        stripe = stripe.where(
            si.created_on >= date(year, 1, 1), si.created_on < date(year + 1, 1, 1)
        )
    return union_all(manual, stripe).subquery("ledger")


def stripe_overdue_if_created_by(today: date) -> date:
    """A Stripe invoice is charged on the day it is made: still unpaid the day after (or once a
    charge failed) it is overdue."""
    return today - timedelta(days=1)


def _revenue(network: Organisation, today: date) -> Revenue:
    """The network's revenue of today's year, by month of the invoice date, manual and Stripe
    invoices together (one statement)."""
    ledger = _ledger(network.id, today, year=today.year)
    month = extract("month", ledger.c.day)
    rows = db.session.execute(
        select(
            month,
            func.sum(ledger.c.invoiced),
            func.sum(ledger.c.paid),
            func.sum(ledger.c.open),
            func.sum(ledger.c.overdue),
            func.count(case((ledger.c.overdue > 0, 1))),
        ).group_by(month)
    )
    found = {int(m): MonthFigures(int(m), *(int(v or 0) for v in rest)) for m, *rest in rows}
    return Revenue(today.year, tuple(found.get(m, MonthFigures(m)) for m in range(1, 13)))


@dataclass(frozen=True)
class OverdueInvoice:
    """A row of the overdue list: a manual or Stripe invoice, its member, and what is open."""

    membership_id: int
    member: str
    membership_status: str
    number: str
    due_date: date
    open_cents: int
    failure_reason: str | None


class _RowPage(Pagination):
    """A page of plain rows whose total rides along as a window count: one statement."""

    def _query_items(self) -> list:
        query = self._query_args["select"].add_columns(func.count().over())
        rows = db.session.execute(query.limit(self.per_page).offset(self._query_offset)).all()
        self._total = int(rows[0][-1]) if rows else 0
        return [OverdueInvoice(*row[:-1]) for row in rows]

    def _query_count(self) -> int:
        return self._total


def _overdue_page(network: Organisation, today: date, page: int) -> Pagination:
    """A page of the network's overdue invoices (manual and Stripe), oldest due date first,
    with the member: one statement. NotFound for a page past the last one."""
    ledger = _ledger(network.id, today)
    query = (
        select(
            ledger.c.membership_id,
            Organisation.name,
            Membership.status,
            ledger.c.number,
            ledger.c.due,
            ledger.c.overdue,
            func.coalesce(ledger.c.failure, Membership.payment_failure_reason),
        )
        .join(Membership, Membership.id == ledger.c.membership_id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(ledger.c.overdue > 0)
        .order_by(ledger.c.due, ledger.c.number)
    )
    found = _RowPage(select=query, page=page, per_page=OVERDUE_PER_PAGE, error_out=False)
    if page > 1 and not found.items:
        raise NotFound(_("Page not found"))
    return found


# --- exports ---------------------------------------------------------------------------------


def _open_by_membership() -> Select:
    """Per membership, what is still to be received on its open invoices."""
    return (
        select(
            Invoice.membership_id.label("membership_id"),
            func.sum(Invoice.total_cents - Invoice.paid_amount_cents).label("open_cents"),
        )
        .where(Invoice.status == "open")
        .group_by(Invoice.membership_id)
    )


def members_table(network: Organisation, by: User, today: date) -> Table:
    """The network's members (every state but rejected applications) with their plan, state,
    join date, current period and what is open, by name: one streamed statement."""
    plans.require_network_admin(by, network)
    columns = [
        Column(_("Organisation"), width=32),
        Column(_("KvK number"), width=11),
        Column(_("Plan"), width=20),
        Column(_("Status"), width=16),
        Column(_("Joined on"), "date", 12),
        Column(_("Period from"), "date", 12),
        Column(_("Period until"), "date", 12),
        Column(_("Open amount"), "eur", 15),
        Column(_("Last reminder"), "date", 14),
    ]
    return Table(
        name=clock.dated_name("leden", network.slug),
        sheet=_("Members"),
        columns=columns,
        rows=_member_rows(network.id),
    )


def _member_rows(network_id: int) -> Iterator[tuple[Any, ...]]:
    statuses = membership_status_labels()
    open_amounts = _open_by_membership().subquery()
    reminded = (
        select(
            MembershipReminder.membership_id.label("membership_id"),
            func.max(MembershipReminder.sent_at).label("sent_at"),
        )
        .group_by(MembershipReminder.membership_id)
        .subquery()
    )
    query = (
        select(
            Organisation.name,
            Organisation.kvk_number,
            Plan.name,
            Membership.status,
            Membership.joined_on,
            Membership.current_period_start,
            Membership.current_period_end,
            func.coalesce(open_amounts.c.open_cents, 0),
            reminded.c.sent_at,
        )
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .join(Plan, Plan.id == Membership.plan_id)
        .outerjoin(open_amounts, open_amounts.c.membership_id == Membership.id)
        .outerjoin(reminded, reminded.c.membership_id == Membership.id)
        .where(Membership.network_id == network_id, Membership.status.in_(MEMBER_STATUSES))
        .order_by(Organisation.name, Membership.id)
        .execution_options(yield_per=1000)
    )
    for name, kvk, plan, status, joined, start, end, open_cents, reminded_at in db.session.execute(
        query
    ):
        # PostgreSQL sums a BIGINT as NUMERIC: back to integer cents.
        status = statuses.get(status, status)
        last = reports.local_date(reminded_at)
        yield (name, kvk, plan, status, joined, start, end, int(open_cents), last)


def invoices_table(network: Organisation, by: User, today: date) -> Table:
    """Every invoice of the network dated in today's year, credit invoices included, in the
    order of the series: one streamed statement."""
    plans.require_network_admin(by, network)
    columns = [
        Column(_("Invoice number"), width=14),
        Column(_("Invoice date"), "date", 12),
        Column(_("Due date"), "date", 12),
        Column(_("Member"), width=32),
        Column(_("KvK number"), width=11),
        Column(_("Description"), width=36),
        Column(_("Period from"), "date", 12),
        Column(_("Period until"), "date", 12),
        Column(_("Amount excl. VAT"), "eur", 15),
        Column(_("VAT"), "eur", 13),
        Column(_("Total"), "eur", 15),
        Column(_("Received"), "eur", 15),
        Column(_("Open amount"), "eur", 15),
        Column(_("Status"), width=12),
        Column(_("Paid on"), "date", 12),
    ]
    return Table(
        name=clock.dated_name("facturen", network.slug, today.year),
        sheet=_("Invoices %(year)d", year=today.year),
        columns=columns,
        rows=_invoice_rows(network.id, today.year),
    )


def _invoice_rows(network_id: int, year: int) -> Iterator[tuple[Any, ...]]:
    statuses = invoice_status_labels()
    i = Invoice
    query = (
        select(
            i.number,
            i.invoice_date,
            i.due_date,
            i.buyer_name,
            i.buyer_kvk,
            i.description,
            i.period_start,
            i.period_end,
            i.amount_excl_vat_cents,
            i.vat_cents,
            i.total_cents,
            i.paid_amount_cents,
            _remaining(),
            i.status,
            i.paid_at,
        )
        .where(i.network_id == network_id, i.year == year)
        .order_by(i.sequence)
        .execution_options(yield_per=1000)
    )
    for row in db.session.execute(query):
        *before, status, paid_at = row
        yield (*before, statuses.get(status, status), paid_at)
