"""Renewals under frozen time: the next period's invoice 30 days before it starts (due on the
renewal date), for the plan in force then; the period moves when it starts; cancelling at the
period end; never two invoices for one period (docs/domain.md "Dunning and renewals")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.domain.invoicing import Period
from marketplace.extensions import db
from marketplace.models import Invoice, Membership, Plan, User
from marketplace.services import invoices, jobs, memberships, renewals
from marketplace.services.errors import Conflict, NotFound, ServiceError
from tests import backends
from tests.factories import make_membership, make_org, make_plan, make_user
from tests.mailbox import outbox_messages
from tests.served import at_once

JOINED = date(2026, 7, 1)
END = date(2026, 12, 31)  # of the first (pro rata) period
ISSUE_DAY = END + timedelta(days=1) - timedelta(days=30)


@pytest.fixture
def network(metwerk):
    return metwerk


@pytest.fixture
def admin(metwerk_admin) -> User:
    return metwerk_admin


@pytest.fixture
def plan(network) -> Plan:
    return make_plan(network)


@pytest.fixture
def owner(app) -> User:
    return make_user("owner@bouw.example.com")


@pytest.fixture
def member(network, admin, plan, owner) -> Membership:
    """Active: its first invoice is paid."""
    org = make_org("contractor", owner=owner, name="Bouw B.V.")
    membership = make_membership(network, plan, JOINED, org=org)
    [first] = invoices.of_membership(membership)
    memberships.record_payment(first.id, JOINED, first.total_cents, 0, admin)
    return membership


def run_on(day: date) -> None:
    with time_machine.travel(day, tick=False):
        jobs.membership_renewals()
        jobs.membership_renewals()


def renewals_of(membership: Membership) -> list[Invoice]:
    db.session.expire_all()
    return [
        i
        for i in invoices.of_membership(db.session.get(Membership, membership.id))
        if i.period_start > END and i.credit_of_id is None
    ]


def test_the_renewal_is_issued_once_30_days_before_and_due_on_the_renewal_date(member):
    run_on(ISSUE_DAY - timedelta(days=1))
    assert renewals_of(member) == []

    run_on(ISSUE_DAY)
    [renewal] = renewals_of(member)
    assert (renewal.period_start, renewal.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewal.due_date == date(2027, 1, 1)
    assert renewal.total_cents == 145_200  # the full fee from the second year
    assert "Factuur 2026-0002 van MetWerk" in [
        m["Subject"] for m in outbox_messages("owner@bouw.example.com")
    ]

    run_on(END)
    assert len(renewals_of(member)) == 1
    assert db.session.get(Membership, member.id).current_period_start == JOINED

    run_on(END + timedelta(days=1))
    db.session.expire_all()
    moved = db.session.get(Membership, member.id)
    assert (moved.current_period_start, moved.current_period_end) == (
        date(2027, 1, 1),
        date(2027, 12, 31),
    )
    assert len(renewals_of(member)) == 1


def test_one_invoice_per_period_is_a_database_rule(member, admin):
    period = Period(date(2027, 1, 1), date(2027, 12, 31))
    invoices.add_membership_invoice(member, period, ISSUE_DAY, admin)
    db.session.commit()
    with pytest.raises(IntegrityError):
        invoices.add_membership_invoice(member, period, ISSUE_DAY, admin)
    db.session.rollback()


def test_a_plan_change_applies_from_the_next_period(member, network, owner):
    plus = make_plan(network, name="Plus", yearly_fee_cents=240_000)
    with time_machine.travel(ISSUE_DAY - timedelta(days=10), tick=False):
        renewals.change_plan(member.id, plus.id, owner, ISSUE_DAY - timedelta(days=10))
    assert member.plan.name == "Basis"
    assert "Bouw B.V. stapt over op een ander pakket" in [
        m["Subject"] for m in outbox_messages("admin@metwerk.example.com")
    ]

    run_on(ISSUE_DAY)
    [renewal] = renewals_of(member)
    assert renewal.amount_excl_vat_cents == 240_000

    run_on(END + timedelta(days=1))
    db.session.expire_all()
    moved = db.session.get(Membership, member.id)
    assert (moved.plan.name, moved.next_plan_id) == ("Plus", None)


def test_a_plan_change_after_the_renewal_was_issued_issues_it_again(member, network, owner):
    plus = make_plan(network, name="Plus", yearly_fee_cents=240_000)
    run_on(ISSUE_DAY)
    [old] = renewals_of(member)

    renewals.change_plan(member.id, plus.id, owner, ISSUE_DAY + timedelta(days=2))

    db.session.refresh(old)
    assert old.status == "credited"
    [new] = [i for i in renewals_of(member) if i.status == "open"]
    assert new.amount_excl_vat_cents == 240_000


def test_only_plans_with_the_same_billing_rule_are_offered(member, network, owner):
    other = make_plan(network, name="Jaarlijks", billing_rule="yearly_from_join")
    with pytest.raises(ServiceError):
        renewals.change_plan(member.id, other.id, owner, ISSUE_DAY)
    with pytest.raises(NotFound):
        renewals.change_plan(member.id, other.id, make_user(), ISSUE_DAY)


def test_cancelling_at_the_period_end_stops_the_renewal_and_ends_it(member, owner):
    renewals.cancel_at_period_end(member.id, owner, ISSUE_DAY - timedelta(days=5))

    run_on(ISSUE_DAY)
    assert renewals_of(member) == []
    run_on(END)
    assert db.session.get(Membership, member.id).status == "active"

    run_on(END + timedelta(days=1))
    db.session.expire_all()
    assert db.session.get(Membership, member.id).status == "cancelled"
    assert "Je lidmaatschap van MetWerk is beëindigd" in [
        m["Subject"] for m in outbox_messages("owner@bouw.example.com")
    ]


def test_cancelling_after_the_renewal_was_issued_credits_it(member, owner):
    run_on(ISSUE_DAY)
    [renewal] = renewals_of(member)

    renewals.cancel_at_period_end(member.id, owner, ISSUE_DAY + timedelta(days=1))

    db.session.refresh(renewal)
    assert renewal.status == "credited"
    renewals.cancel_at_period_end(member.id, owner, ISSUE_DAY + timedelta(days=2), cancel=False)
    run_on(ISSUE_DAY + timedelta(days=3))  # staying after all: the renewal is issued again
    assert [i.status for i in renewals_of(member)] == ["open", "credited"]


def test_a_paid_renewal_cannot_be_cancelled_by_the_member(member, owner, admin):
    run_on(ISSUE_DAY)
    [renewal] = renewals_of(member)
    memberships.record_payment(renewal.id, ISSUE_DAY, renewal.total_cents, 0, admin)

    with pytest.raises(Conflict):
        renewals.cancel_at_period_end(member.id, owner, ISSUE_DAY + timedelta(days=1))
    db.session.expire_all()
    assert db.session.get(Membership, member.id).cancel_at_period_end is False


def test_a_membership_comped_into_the_next_period_gets_no_renewal(member):
    member.comped_until = date(2027, 3, 31)
    db.session.commit()
    run_on(ISSUE_DAY)
    assert renewals_of(member) == []


def test_the_admin_reissues_a_cancelled_first_invoice(network, admin, plan):
    membership = make_membership(network, plan, JOINED)
    [first] = invoices.of_membership(membership)
    with pytest.raises(Conflict):
        memberships.reissue_first_invoice(membership.id, admin, JOINED)

    memberships.cancel_invoice(first.id, admin, JOINED + timedelta(days=1))
    again = memberships.reissue_first_invoice(membership.id, admin, JOINED + timedelta(days=2))

    assert (again.period_start, again.period_end, again.status) == (JOINED, END, "open")
    assert again.total_cents == first.total_cents
    with pytest.raises(NotFound):
        memberships.reissue_first_invoice(membership.id, make_user(), JOINED)


def _renew_in_own_transaction(app: Flask, day: date) -> dict[str, int]:
    with app.app_context():
        done = renewals.run(day)
        db.session.remove()
        return done


@backends.ONLY_POSTGRESQL
def test_runs_at_once_issue_one_invoice_per_period(app, network, admin, plan):
    members = [make_membership(network, plan, JOINED) for _ in range(4)]
    for m in members:
        [first] = invoices.of_membership(m)
        memberships.record_payment(first.id, JOINED, first.total_cents, 0, admin)

    results = at_once([lambda: _renew_in_own_transaction(app, ISSUE_DAY)] * 3)

    assert sum(r["invoices"] for r in results) == 4
    db.session.rollback()
    numbers = db.session.scalars(
        select(Invoice.sequence).where(Invoice.period_start == date(2027, 1, 1))
    ).all()
    assert len(numbers) == 4
    everything = db.session.scalars(select(Invoice.sequence).order_by(Invoice.sequence)).all()
    assert everything == list(range(1, len(everything) + 1))  # no gap
