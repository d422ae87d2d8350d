"""The daily dunning sweep under frozen time: a reminder 14 days before the due date, past_due with
a reminder at the due date, a second reminder 14 days after, suspended 30 days after with the
network told, and active again on payment; each step once, however often or concurrently the
job runs (docs/domain.md "Memberships", "Dunning and renewals")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from marketplace.domain.invoicing import Period, next_period
from marketplace.extensions import db
from marketplace.models import AuditLog, Invoice, Membership, MembershipReminder, Plan, User
from marketplace.services import dunning, invoices, jobs, memberships, outbox
from marketplace.services.errors import Forbidden, ServiceError
from tests import backends
from tests.factories import make_membership, make_org, make_plan, make_user
from tests.mailbox import outbox_messages
from tests.querycount import counting_statements
from tests.served import at_once

JOINED = date(2026, 7, 1)
ISSUED = date(2026, 12, 2)  # the renewal invoice, due 2027-01-01 (30 days)
DUE = date(2027, 1, 1)


@pytest.fixture
def network(metwerk):
    return metwerk


@pytest.fixture
def admin(metwerk_admin) -> User:
    return metwerk_admin


def active_member(network, admin, email: str = "owner@bouw.example.com") -> Membership:
    """A member that paid its first invoice and has its renewal invoice open, due on DUE."""
    org = make_org("contractor", owner=make_user(email), name="Bouw B.V.")
    plan = db.session.scalar(select(Plan).where(Plan.network_id == network.id))
    membership = make_membership(network, plan or make_plan(network), JOINED, org=org)
    [first] = invoices.of_membership(membership)
    memberships.record_payment(first.id, JOINED, first.total_cents, 0, admin)
    period = next_period(
        membership.plan.billing_rule,
        membership.joined_on,
        Period(membership.current_period_start, membership.current_period_end),
    )
    invoices.add_membership_invoice(membership, period, ISSUED, admin)
    db.session.commit()
    return membership


def run_on(day: date) -> None:
    """The daily job on `day`, twice: the second run must change nothing."""
    with time_machine.travel(day, tick=False):
        jobs.membership_dunning()
        jobs.membership_dunning()


def status(membership: Membership) -> str:
    db.session.expire_all()
    return db.session.get(Membership, membership.id).status


def subjects(email: str = "owner@bouw.example.com") -> list[str]:
    return [m["Subject"] for m in outbox_messages(email)]


def dunning_subjects(email: str = "owner@bouw.example.com") -> list[str]:
    """The subjects of the mails about the renewal invoice (2026-0002) and the suspension."""
    return [
        s
        for s in subjects(email)
        if ("2026-0002 van" in s and s != "Factuur 2026-0002 van MetWerk") or "opgeschort" in s
    ]


def test_the_steps_each_happen_once_on_their_day(network, admin):
    membership = active_member(network, admin)

    run_on(DUE - timedelta(days=15))
    assert dunning_subjects() == []
    run_on(DUE - timedelta(days=14))
    assert dunning_subjects() == ["Factuur 2026-0002 van MetWerk vervalt op 1 januari 2027"]
    assert status(membership) == "active"

    run_on(DUE - timedelta(days=1))
    assert status(membership) == "active"
    run_on(DUE)
    assert status(membership) == "past_due"
    assert dunning_subjects()[-1] == "Factuur 2026-0002 van MetWerk is te laat betaald"

    run_on(DUE + timedelta(days=14))
    assert dunning_subjects()[-1] == "Tweede herinnering: factuur 2026-0002 van MetWerk"
    assert status(membership) == "past_due"

    run_on(DUE + timedelta(days=29))
    assert status(membership) == "past_due"
    run_on(DUE + timedelta(days=30))
    assert status(membership) == "suspended"
    assert len(dunning_subjects()) == 4
    assert dunning_subjects()[-1] == "Je lidmaatschap van MetWerk is opgeschort"
    [suspension] = [
        m for m in outbox_messages("owner@bouw.example.com") if "opgeschort" in m["Subject"]
    ]
    body = suspension.get_content()
    assert "NL91 ABNA 0417 1643 00" in body
    assert "RF" in body
    assert (
        subjects("admin@metwerk.example.com")[-1] == "Bouw B.V. is opgeschort wegens niet-betalen"
    )

    run_on(DUE + timedelta(days=60))
    assert len(dunning_subjects()) == 4
    steps = db.session.scalars(
        select(MembershipReminder.step).order_by(MembershipReminder.id)
    ).all()
    assert steps == ["reminder_before_due", "past_due", "reminder_after_due", "suspended"]
    actions = db.session.scalars(
        select(AuditLog.action)
        .where(AuditLog.object_type == "Membership", AuditLog.object_id == membership.id)
        .order_by(AuditLog.id)
    ).all()
    assert actions[-4:] == [
        "membership.reminded",
        "membership.fall_due",
        "membership.reminded",
        "membership.suspend",
    ]


def test_payment_at_any_point_makes_it_active_and_ends_the_dunning(network, admin):
    membership = active_member(network, admin)
    run_on(DUE + timedelta(days=30))
    assert status(membership) == "suspended"

    renewal = invoices.of_membership(membership)[0]
    with time_machine.travel(DUE + timedelta(days=31), tick=False):
        memberships.record_payment(
            renewal.id, DUE + timedelta(days=31), renewal.total_cents, 0, admin
        )
    assert status(membership) == "active"
    sent = len(subjects())

    run_on(DUE + timedelta(days=45))
    assert status(membership) == "active"
    assert len(subjects()) == sent


def test_a_sweep_after_a_pause_moves_on_but_skips_the_overtaken_reminders(network, admin):
    membership = active_member(network, admin)

    run_on(DUE + timedelta(days=40))

    assert status(membership) == "suspended"
    assert dunning_subjects() == [
        "Factuur 2026-0002 van MetWerk is te laat betaald",
        "Je lidmaatschap van MetWerk is opgeschort",
    ]


def test_a_comped_membership_is_not_dunned(network, admin):
    membership = active_member(network, admin)
    membership.comped_until = DUE + timedelta(days=20)
    db.session.commit()

    run_on(DUE + timedelta(days=14))
    assert status(membership) == "active"
    assert dunning_subjects() == []

    run_on(DUE + timedelta(days=21))  # the comp has ended
    assert status(membership) == "past_due"


def test_an_unpaid_first_invoice_is_reminded_but_the_application_stays_pending(network):
    org = make_org("contractor", owner=make_user("owner@bouw.example.com"), name="Bouw B.V.")
    membership = make_membership(network, make_plan(network), JOINED, org=org)
    first_due = JOINED + timedelta(days=30)

    for day in (first_due - timedelta(days=14), first_due, first_due + timedelta(days=14)):
        run_on(day)
    run_on(first_due + timedelta(days=30))

    assert status(membership) == "pending"
    assert [s for s in subjects() if "2026-0001 van" in s] == [
        "Factuur 2026-0001 van MetWerk",  # the invoice itself
        "Factuur 2026-0001 van MetWerk vervalt op 31 juli 2026",
        "Tweede herinnering: factuur 2026-0001 van MetWerk",
    ]


def test_the_sweep_is_set_based(network, admin, monkeypatch):
    """The number of statements does not grow with the number of members dunned."""
    monkeypatch.setattr(outbox, "dispatch", lambda ids: None)  # count the sweep, not the mails

    def statements_for(members: int) -> int:
        for n in range(members):
            active_member(network, admin, f"owner{members}-{n}@bouw.example.com")
        with (
            time_machine.travel(DUE + timedelta(days=40), tick=False),
            counting_statements(db.engine) as counted,
        ):
            taken = dunning.sweep(DUE + timedelta(days=40))
        assert taken["suspended"] == members
        return counted.count

    assert statements_for(2) == statements_for(9)


def test_the_admin_reminds_by_hand_as_often_as_needed(network, admin):
    membership = active_member(network, admin)
    with time_machine.travel(DUE + timedelta(days=3), tick=False):
        dunning.remind(membership, admin)
        dunning.remind(membership, admin)
    assert dunning_subjects().count("Herinnering: factuur 2026-0002 van MetWerk") == 2
    assert dunning.last_reminders([membership.id])[membership.id].by_id == admin.id
    with pytest.raises(Forbidden):
        dunning.remind(membership, make_user())


def test_nothing_to_remind_of_without_an_open_invoice(network, admin):
    membership = active_member(network, admin)
    renewal = invoices.of_membership(membership)[0]
    memberships.record_payment(renewal.id, ISSUED, renewal.total_cents, 0, admin)
    with pytest.raises(ServiceError):
        dunning.remind(membership, admin)


def _sweep_in_own_transaction(app: Flask, day: date) -> dict[str, int]:
    with app.app_context():
        taken = dunning.sweep(day)
        db.session.remove()
        return taken


@backends.ONLY_POSTGRESQL
def test_sweeps_at_once_take_each_step_once(app, network, admin):
    members = [active_member(network, admin, f"owner{n}@bouw.example.com") for n in range(5)]
    day = DUE + timedelta(days=30)

    with time_machine.travel(day, tick=False):
        results = at_once([lambda: _sweep_in_own_transaction(app, day)] * 4)

    assert sum(r["past_due"] for r in results) == 5
    assert sum(r["suspended"] for r in results) == 5
    db.session.rollback()
    assert {status(m) for m in members} == {"suspended"}
    assert db.session.scalar(select(func.count()).select_from(MembershipReminder)) == 10
    assert (
        db.session.scalar(select(func.count()).where(AuditLog.action == "membership.suspend")) == 5
    )
    assert len(dunning_subjects("owner0@bouw.example.com")) == 2


def _pay_in_own_transaction(app: Flask, invoice_id: int, admin_id: int) -> None:
    with app.app_context():
        admin = db.session.get(User, admin_id)
        invoice = db.session.get(Invoice, invoice_id)
        memberships.record_payment(invoice_id, DUE, invoice.total_cents, 0, admin)
        db.session.remove()


@backends.ONLY_POSTGRESQL
def test_a_payment_racing_the_sweep_leaves_the_member_active(app, network, admin):
    members = [active_member(network, admin, f"owner{n}@bouw.example.com") for n in range(4)]
    renewals = [invoices.of_membership(m)[0].id for m in members]
    admin_id = admin.id

    with time_machine.travel(DUE, tick=False):
        at_once(
            [lambda: _sweep_in_own_transaction(app, DUE)]
            + [(lambda i=i: _pay_in_own_transaction(app, i, admin_id)) for i in renewals]
        )

    db.session.rollback()
    assert {status(m) for m in members} == {"active"}


def test_each_person_is_dunned_in_their_own_language(network, admin):
    membership = active_member(network, admin)
    owner = membership.organisation.members[0].user
    owner.locale = "en"
    db.session.commit()

    run_on(DUE)

    assert "Invoice 2026-0002 from MetWerk is overdue" in subjects()
    [mail] = [m for m in outbox_messages("owner@bouw.example.com") if "overdue" in m["Subject"]]
    assert "January 2027" in mail.get_content()
