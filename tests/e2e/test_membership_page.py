"""The member's own page when payment is overdue: what to pay and where, changing plan from the
next period and cancelling at the period end after a confirmation; axe checks each page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import update

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Membership
from marketplace.services import invoices, memberships, renewals
from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in_as
from tests.factories import make_membership, make_network, make_org, make_plan, make_user

OWNER = "eigenaar@bouw.example.com"


def past_due_member() -> None:
    """Bouw B.V., member of MetWerk since 60 days, its renewal invoice overdue."""
    network = make_network(make_user("coordinator@metwerk.example.com"))
    plan = make_plan(network, billing_rule="yearly_from_join")
    make_plan(network, name="Plus", yearly_fee_cents=240_000, billing_rule="yearly_from_join")
    org = make_org("contractor", owner=make_user(OWNER), name="Bouw B.V.")
    joined = clock.today() - timedelta(days=60)
    membership = make_membership(network, plan, joined, org=org)
    [first] = invoices.of_membership(membership)
    admin = network.members[0].user
    memberships.record_payment(first.id, joined, first.total_cents, 0, admin)
    invoices.add_membership_invoice(membership, renewals.next_period(membership), joined, admin)
    db.session.execute(
        update(Membership).where(Membership.id == membership.id).values(status="past_due")
    )
    db.session.commit()


def test_an_overdue_member_sees_how_to_pay_changes_plan_and_cancels(
    page: Page, live_server: LiveServer
):
    with live_server.app.app_context():
        past_due_member()
    log_in_as(page, OWNER)
    page.goto("/netwerken/lidmaatschap")
    main = page.locator("main")
    expect(main).to_contain_text("is nog niet betaald. Betaal hem om je lidmaatschap te houden.")
    expect(main).to_contain_text("NL91 ABNA 0417 1643 00")
    assert_no_axe_violations(page)

    page.get_by_label("Pakket vanaf de volgende periode").select_option(index=1)  # Plus
    page.get_by_role("button", name="Pakket wijzigen").click()
    expect(page.get_by_role("status").first).to_contain_text("is je pakket Plus")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Opzeggen per het eind van de periode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Je lidmaatschap van MetWerk opzeggen?"
    )
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Ja, opzeggen per het eind van de periode").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Je lidmaatschap van MetWerk eindigt op"
    )
    expect(page.get_by_role("button", name="Mijn lidmaatschap van MetWerk houden")).to_be_visible()
    assert_no_axe_violations(page)
