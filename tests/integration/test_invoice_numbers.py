"""The invoice series is gap-free under concurrency: invoices issued at the same moment, each in
its own transaction and connection, get distinct consecutive numbers, and a transaction that
rolls back gives its number back (docs/domain.md "Invoices"; docs/architecture.md "Rules that
must hold under concurrency")."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Invoice, User
from marketplace.services import invoices, memberships
from marketplace.services.errors import Conflict
from tests import backends
from tests.factories import make_network, make_org, make_plan
from tests.served import at_once

RACERS = 6
DAY = date(2026, 7, 1)


def _accept_in_own_transaction(app: Flask, membership_id: int, admin_id: int) -> str:
    """Accept one application from a thread: its own app context, session and connection."""
    with app.app_context():
        admin = db.session.get(User, admin_id)
        membership = memberships.accept(membership_id, admin, DAY)
        number = invoices.of_membership(membership)[0].number
        db.session.remove()
        return number


@backends.ONLY_POSTGRESQL
def test_invoices_issued_at_once_get_distinct_consecutive_numbers(app):
    network = make_network()
    admin_id = network.members[0].user.id
    plan = make_plan(network)
    applications = [
        memberships.apply(org, plan.id, org.members[0].user).id
        for org in (make_org("contractor") for _ in range(RACERS))
    ]

    numbers = at_once(
        [(lambda m=m: _accept_in_own_transaction(app, m, admin_id)) for m in applications]
    )

    assert sorted(numbers) == [f"2026-{n:04d}" for n in range(1, RACERS + 1)]
    db.session.rollback()
    stored = db.session.scalars(select(Invoice.sequence).order_by(Invoice.sequence)).all()
    assert stored == list(range(1, RACERS + 1))


@backends.ONLY_POSTGRESQL
def test_one_application_accepted_at_once_is_invoiced_once(app):
    network = make_network()
    admin_id = network.members[0].user.id
    org = make_org("contractor")
    membership_id = memberships.apply(org, make_plan(network).id, org.members[0].user).id

    def accept() -> str:
        try:
            return _accept_in_own_transaction(app, membership_id, admin_id)
        except Conflict:
            return "conflict"

    outcomes = at_once([accept] * RACERS)

    assert sorted(outcomes) == ["2026-0001"] + ["conflict"] * (RACERS - 1)
    db.session.rollback()
    assert db.session.scalars(select(Invoice.number)).all() == ["2026-0001"]


def test_a_rolled_back_invoice_gives_its_number_back(app):
    network = make_network()
    plan = make_plan(network)
    org = make_org("contractor")
    membership = memberships.apply(org, plan.id, org.members[0].user)

    assert invoices.take_number(network.id, 2026) == 1
    db.session.rollback()

    memberships.accept(membership.id, network.members[0].user, DAY)
    assert invoices.of_membership(membership)[0].number == "2026-0001"
