"""The member's side of a network beyond its invoices: the member badge on its profile, the
network's member directory (members, the network's people and the platform admin only), and
the member's consent to be named on the network's public page (docs/domain.md "Memberships")."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.models import AuditLog, Membership
from marketplace.services import invoices
from tests.factories import make_member, make_network, make_org, make_user

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def network(app):
    return make_network(make_user("coordinator@metwerk.example.com"))


def member(network, email: str, status: str | None, name: str | None = None):
    org = make_org("contractor", owner=make_user(email), verified=True, name=name)
    if status is not None:
        make_member(network, org, status)
    return org


def membership_of(org) -> Membership:
    return db.session.query(Membership).filter_by(organisation_id=org.id).one()


@pytest.mark.parametrize(
    ("status", "badge"),
    [("active", True), ("past_due", True), ("suspended", False), ("pending", False)],
)
def test_the_profile_shows_the_member_badge_while_member_features_work(
    client, network, status, badge
):
    org = member(network, "lid@bouw.example.com", status, name="Bouw B.V.")
    page = client.get(f"/organisaties/{org.slug}").get_data(as_text=True)
    assert ("Lid van MetWerk" in page) is badge


def test_members_the_network_and_the_admin_see_the_member_directory(client, auth, network):
    member(network, "lid@bouw.example.com", "active", name="Bouw B.V.")
    member(network, "achter@bouw.example.com", "past_due", name="Achter B.V.")
    member(network, "weg@bouw.example.com", "suspended", name="Geschorst B.V.")
    make_user("admin@example.com", admin=True)
    path = f"/netwerken/{network.slug}/ledenlijst"
    for email in ("lid@bouw.example.com", "coordinator@metwerk.example.com", "admin@example.com"):
        auth.login(email)
        page = client.get(path)
        assert page.status_code == 200, email
        text = page.get_data(as_text=True)
        assert "Bouw B.V." in text and "Achter B.V." in text
        assert "Geschorst B.V." not in text
        auth.logout()


def test_the_member_directory_is_404_for_outsiders_and_asks_the_suspended_to_pay(
    client, auth, network
):
    path = f"/netwerken/{network.slug}/ledenlijst"
    assert client.get(path).status_code == 302  # log in first
    member(network, "buiten@example.com", None)
    auth.login("buiten@example.com")
    assert client.get(path).status_code == 404
    auth.logout()

    org = member(network, "weg@bouw.example.com", "suspended")
    invoice = invoices.of_membership(membership_of(org))[0]
    auth.login("weg@bouw.example.com")
    page = client.get(path)
    assert page.status_code == 403
    assert invoice.payment_reference in page.get_data(as_text=True)


def named(client, network, org) -> bool:
    """Whether the network's public page names `org` among its members."""
    page = client.get(f"/netwerken/{network.slug}").get_data(as_text=True)
    return f'href="/organisaties/{org.slug}">{org.name}</a>' in page


def test_the_public_page_names_only_members_that_consented(client, auth, network):
    bouw = member(network, "lid@bouw.example.com", "active", name="Bouw B.V.")
    stil = member(network, "stil@bouw.example.com", "active", name="Stil B.V.")
    assert not named(client, network, bouw)

    auth.login("lid@bouw.example.com")
    page = client.get("/netwerken/lidmaatschap").get_data(as_text=True)
    assert "Noem ons op de openbare pagina" in page
    consent = membership_of(bouw)
    response = client.post(f"/netwerken/lidmaatschap/{consent.id}/vermelding", data={"listed": "1"})
    assert response.status_code == 302

    assert named(client, network, bouw)
    assert not named(client, network, stil)
    assert db.session.query(AuditLog).filter_by(action="membership.listing_consent").count() == 1

    client.post(f"/netwerken/lidmaatschap/{consent.id}/vermelding", data={"listed": "0"})
    assert not named(client, network, bouw)


def test_a_suspended_member_is_not_named_even_with_consent(client, network):
    org = member(network, "lid@bouw.example.com", "active", name="Bouw B.V.")
    m = membership_of(org)
    m.listed_publicly = True
    m.status = "suspended"
    db.session.commit()
    assert not named(client, network, org)


def test_only_the_members_owner_switches_its_consent(client, auth, network):
    org = member(network, "lid@bouw.example.com", "active")
    consent_id = membership_of(org).id
    member(network, "ander@bouw.example.com", "active")
    auth.login("ander@bouw.example.com")
    response = client.post(f"/netwerken/lidmaatschap/{consent_id}/vermelding", data={"listed": "1"})
    assert response.status_code == 404
    auth.login("coordinator@metwerk.example.com")
    response = client.post(f"/netwerken/lidmaatschap/{consent_id}/vermelding", data={"listed": "1"})
    assert response.status_code == 404
    assert db.session.get(Membership, consent_id).listed_publicly is False


@pytest.mark.parametrize("status", ["past_due", "suspended"])
def test_the_membership_page_offers_to_pay_an_unpaid_membership(client, auth, network, status):
    org = member(network, "lid@bouw.example.com", status)
    invoice = invoices.of_membership(membership_of(org))[0]
    auth.login("lid@bouw.example.com")
    page = client.get("/netwerken/lidmaatschap").get_data(as_text=True)
    assert invoice.number in page
    assert invoice.payment_reference in page
