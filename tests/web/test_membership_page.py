"""The member's own membership page: plan, status, next renewal, invoices, what to pay when it is
overdue, changing plan from the next period and cancelling at the period end (with a
confirmation); and the admin issuing a cancelled first invoice again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import update

from marketplace.extensions import db
from marketplace.models import Membership
from marketplace.services import invoices, memberships, plans, renewals
from tests.factories import (
    add_member,
    make_membership,
    make_org,
    make_plan,
    make_user,
)
from tests.querycount import counting_statements

TODAY = date(2026, 7, 1)
ADMIN = "admin@metwerk.example.com"
OWNER = "owner@bouw.example.com"
PAGE = "/netwerken/lidmaatschap"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def network(metwerk):
    return metwerk


@pytest.fixture
def member(network) -> Membership:
    """Active on plan Basis, with a second plan Plus on offer."""
    org = make_org("contractor", owner=make_user(OWNER), name="Bouw B.V.")
    membership = make_membership(network, make_plan(network), TODAY, org=org)
    make_plan(network, name="Plus", yearly_fee_cents=240_000)
    [first] = invoices.of_membership(membership)
    memberships.record_payment(first.id, TODAY, first.total_cents, 0, network.members[0].user)
    return membership


def test_the_member_sees_plan_status_next_renewal_and_invoices(client, auth, member):
    auth.login(OWNER)
    with counting_statements(db.engine) as statements:
        page = client.get(PAGE).get_data(as_text=True)
    assert statements.count <= 10, statements
    assert "Basis" in page and "actief" in page
    assert "Volgende verlenging" in page and "1 jan 2027" in page
    assert f"/netwerken/facturen/{invoices.of_membership(member)[0].id}.pdf" in page
    assert "Pakket wijzigen" in page and "Opzeggen per het eind van de periode" in page


def test_an_overdue_member_is_told_what_to_pay_and_where(client, auth, member, network):
    renewal = invoices.add_membership_invoice(
        member, renewals.next_period(member), TODAY, network.members[0].user
    )
    db.session.execute(
        update(Membership).where(Membership.id == member.id).values(status="suspended")
    )
    db.session.commit()
    auth.login(OWNER)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Je lidmaatschap is opgeschort: factuur 2026-0002 is niet betaald" in page
    assert "NL91 ABNA 0417 1643 00" in page
    assert renewal.payment_reference in page
    assert "1.452,00" in page  # the full fee of 2027 with VAT


def test_the_owner_changes_plan_from_the_next_period(client, auth, member, network):
    plus = [p for p in plans.of_network(network, active_only=True) if p.name == "Plus"][0]
    auth.login(OWNER)
    response = client.post(f"{PAGE}/{member.id}/pakket", data={"plan_id": str(plus.id)})
    assert response.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "Vanaf 1 januari 2027 is je pakket Plus." in page
    assert "Pakket vanaf de volgende periode" in page
    db.session.refresh(member)
    assert (member.plan.name, member.next_plan.name) == ("Basis", "Plus")

    client.post(f"{PAGE}/{member.id}/pakket", data={"plan_id": "nonsense"})
    db.session.refresh(member)
    assert member.next_plan.name == "Plus"


def test_cancelling_asks_first_and_can_be_taken_back(client, auth, member):
    auth.login(OWNER)
    question = client.get(f"{PAGE}/{member.id}/opzeggen").get_data(as_text=True)
    assert "Je lidmaatschap van MetWerk opzeggen?" in question
    db.session.refresh(member)
    assert member.cancel_at_period_end is False

    client.post(f"{PAGE}/{member.id}/opzeggen")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Je lidmaatschap van MetWerk eindigt op 31 december 2026." in page
    assert "Eindigt op" in page and "Volgende verlenging" not in page

    client.post(f"{PAGE}/{member.id}/voortzetten")
    db.session.refresh(member)
    assert member.cancel_at_period_end is False


def test_others_cannot_touch_a_membership(client, auth, member):
    colleague = make_user("collega@bouw.example.com")
    add_member(member.organisation, colleague)
    auth.login("collega@bouw.example.com")  # a member of the organisation, not its owner
    page = client.get(PAGE).get_data(as_text=True)
    assert "Pakket wijzigen" not in page
    client.post(f"{PAGE}/{member.id}/opzeggen")
    db.session.refresh(member)
    assert member.cancel_at_period_end is False

    auth.logout()
    make_org("contractor", owner=make_user("ander@example.com"))
    auth.login("ander@example.com")
    assert client.get(f"{PAGE}/{member.id}/opzeggen").status_code == 404
    assert client.post(f"{PAGE}/{member.id}/opzeggen").status_code == 404
    assert client.post(f"{PAGE}/{member.id}/pakket", data={"plan_id": "1"}).status_code == 404


def test_the_admin_issues_a_cancelled_first_invoice_again(client, auth, network):
    membership = make_membership(network, make_plan(network), TODAY)
    [first] = invoices.of_membership(membership)
    memberships.cancel_invoice(first.id, network.members[0].user, TODAY)
    auth.login(ADMIN)
    page = client.get("/netwerken/metwerk/beheer/aanmeldingen").get_data(as_text=True)
    assert "de factuur is geannuleerd" in page

    with time_machine.travel(TODAY + timedelta(days=1), tick=False):
        client.post(f"/netwerken/metwerk/beheer/aanmeldingen/{membership.id}/factuur")
        client.post(f"/netwerken/metwerk/beheer/aanmeldingen/{membership.id}/factuur")
        page = client.get("/netwerken/metwerk/beheer/aanmeldingen").get_data(as_text=True)

    in_force = [i for i in invoices.of_membership(membership) if i.status == "open"]
    assert [i.number for i in in_force] == ["2026-0003"]
    assert "factuur verstuurd" in page
    assert "Voor deze periode is al een factuur; annuleer die eerst." in page  # the 2nd click
