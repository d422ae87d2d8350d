"""Network-only demand on the pages and in the API: members see it, others get a 404, a member
whose membership is suspended gets a page that says why with a pay button; the form offers the
networks where the organisation is a member; search pages count it for members only."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.models import Listing
from marketplace.services import invoices, search
from tests.factories import add_member, make_listing, make_member, make_network, make_org, make_user
from tests.querycount import counting_statements

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def network(app):
    return make_network(make_user("coordinator@metwerk.example.com"))


@pytest.fixture
def poster(network):
    org = make_org(
        "contractor", owner=make_user("lid@bouw.example.com"), verified=True, name="Bouw B.V."
    )
    make_member(network, org, "active")
    return org


@pytest.fixture
def demand(network, poster) -> Listing:
    return make_listing(poster, "demand", title="Schoonmaak voor de leden", network_id=network.id)


def member(network, email: str, status: str | None):
    org = make_org("social_enterprise", owner=make_user(email), verified=True)
    if status is not None:
        make_member(network, org, status)
    return org


def test_a_member_sees_the_network_demand_marked_as_members_only(client, auth, network, demand):
    member(network, "actief@lid.example.com", "active")
    auth.login("actief@lid.example.com")
    page = client.get(f"/markt/vraag/{demand.id}")
    assert page.status_code == 200
    assert "Alleen voor leden van MetWerk" in page.get_data(as_text=True)


@pytest.mark.parametrize("status", [None, "pending"])
def test_a_non_member_and_a_visitor_get_404(client, auth, network, demand, status):
    assert client.get(f"/markt/vraag/{demand.id}").status_code == 404
    member(network, "vreemd@example.com", status)
    auth.login("vreemd@example.com")
    assert client.get(f"/markt/vraag/{demand.id}").status_code == 404
    assert client.get(f"/markt/vraag/{demand.id}/voorstel").status_code == 404


def test_a_suspended_member_gets_the_reason_and_a_pay_button(client, auth, network, demand):
    org = member(network, "geschorst@lid.example.com", "suspended")
    invoice = invoices.of_membership(org_membership(org))[0]
    auth.login("geschorst@lid.example.com")

    page = client.get(f"/markt/vraag/{demand.id}")

    text = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "geschorst" in text
    assert f"Betaal factuur {invoice.number}" in text
    assert invoice.payment_reference in text  # how to pay, on the page itself
    pay = client.get(f"/netwerken/facturen/{invoice.id}/betalen").get_data(as_text=True)
    assert "NL91 ABNA 0417 1643 00" in pay
    assert invoice.payment_reference in pay


def test_a_cancelled_member_is_sent_to_apply_again(client, auth, network, demand):
    member(network, "opgezegd@lid.example.com", "cancelled")
    auth.login("opgezegd@lid.example.com")
    page = client.get(f"/markt/vraag/{demand.id}")
    assert page.status_code == 403
    assert f'href="/netwerken/{network.slug}"' in page.get_data(as_text=True)


def test_another_organisations_invoice_has_no_pay_page(client, auth, network, poster):
    invoice = invoices.of_membership(org_membership(poster))[0]
    member(network, "ander@lid.example.com", "active")
    auth.login("ander@lid.example.com")
    assert client.get(f"/netwerken/facturen/{invoice.id}/betalen").status_code == 404


def org_membership(org):
    from marketplace.models import Membership

    return db.session.query(Membership).filter_by(organisation_id=org.id).one()


def test_the_demand_form_offers_the_members_network_and_saves_it(client, auth, network, poster):
    auth.login("lid@bouw.example.com")
    form = client.get("/markt/nieuw?soort=vraag").get_data(as_text=True)
    assert "Wie ziet deze vraag" in form
    assert "Alleen leden van MetWerk" in form

    response = client.post(
        "/markt/nieuw?soort=vraag",
        data={
            "title": "Catering voor de ledenavond",
            "description": "Een buffet voor 80 personen.",
            "sector": "horeca_catering",
            "type": "service",
            "region": "Drenthe",
            "network_id": str(network.id),
            "action": "publish",
        },
    )

    assert response.status_code == 302
    saved = db.session.query(Listing).filter_by(title="Catering voor de ledenavond").one()
    assert (saved.network_id, saved.visibility, saved.status) == (network.id, "network", "open")


def test_a_network_the_organisation_is_not_a_member_of_is_refused(client, auth, network, poster):
    other = make_network(name="Ander Netwerk")
    auth.login("lid@bouw.example.com")
    response = client.post(
        "/markt/nieuw?soort=vraag",
        data={
            "title": "Catering voor de ledenavond",
            "description": "Een buffet voor 80 personen.",
            "sector": "horeca_catering",
            "type": "service",
            "region": "Drenthe",
            "network_id": str(other.id),
        },
    )
    assert response.status_code == 200
    assert db.session.query(Listing).count() == 0


def test_a_member_of_no_network_has_no_choice_to_make(client, auth):
    make_org("contractor", owner=make_user("buiten@example.com"), verified=True)
    auth.login("buiten@example.com")
    assert "Wie ziet deze vraag" not in client.get("/markt/nieuw?soort=vraag").get_data(
        as_text=True
    )


def test_a_suspended_poster_sees_why_on_the_form_with_the_pay_button(client, auth, network):
    org = make_org("contractor", owner=make_user("geschorst@bouw.example.com"), verified=True)
    make_member(network, org, "suspended")
    invoice = invoices.of_membership(org_membership(org))[0]
    auth.login("geschorst@bouw.example.com")
    form = client.get("/markt/nieuw?soort=vraag").get_data(as_text=True)
    assert f'href="/netwerken/facturen/{invoice.id}/betalen"' in form
    assert "Factuur betalen" in form


def test_search_shows_and_counts_network_demand_for_members_only(client, auth, network, demand):
    make_listing(make_org("contractor", verified=True), "demand", title="Schoonmaak voor iedereen")
    search._forget_counts()
    public = client.get("/zoeken?q=schoonmaak").get_data(as_text=True)
    assert "Resultaten gevonden: 1" in public
    assert "Schoonmaak voor iedereen" in public
    assert "Schoonmaak voor de leden" not in public

    member(network, "actief@lid.example.com", "active")
    auth.login("actief@lid.example.com")
    page = client.get("/zoeken?q=schoonmaak").get_data(as_text=True)
    assert "Schoonmaak voor de leden" in page
    assert "alleen leden" in page
    assert "Resultaten gevonden: 2" in page
    assert "Schoonmaak voor de leden" not in client.get("/").get_data(as_text=True)


def test_the_network_demand_page_stays_within_ten_statements_for_a_member(
    client, auth, network, demand
):
    member(network, "actief@lid.example.com", "active")
    auth.login("actief@lid.example.com")
    path = f"/markt/vraag/{demand.id}"
    db.session.remove()
    with counting_statements(db.engine) as statements:
        assert client.get(path).status_code == 200
    assert statements.count <= 10, str(statements)


# --- the blocked page offers the way to pay on the spot -------------------------------------

STRIPE_BUTTON = "Betalen met Stripe"


@pytest.fixture
def suspended(network):
    """A suspended member's membership; its owner and a colleague may log in."""
    org = member(network, "eigenaar@lid.example.com", "suspended")
    add_member(org, make_user("collega@lid.example.com"))
    return org_membership(org)


def blocked_page(client, auth, email: str, listing: Listing) -> str:
    auth.login(email)
    page = client.get(f"/markt/vraag/{listing.id}")
    assert page.status_code == 403
    return page.get_data(as_text=True)


def test_without_stripe_the_blocked_page_gives_the_transfer_details(
    client, auth, demand, suspended
):
    invoice = invoices.of_membership(suspended)[0]

    text = blocked_page(client, auth, "eigenaar@lid.example.com", demand)

    assert "NL91 ABNA 0417 1643 00" in text
    assert invoice.payment_reference in text
    assert f'href="/netwerken/facturen/{invoice.id}.pdf"' in text
    assert STRIPE_BUTTON not in text


def test_with_stripe_the_owner_gets_the_stripe_button_instead(app, client, auth, demand, suspended):
    app.config["STRIPE_SECRET_KEY"] = "sk_test_blocked_page"
    invoice = invoices.of_membership(suspended)[0]

    text = blocked_page(client, auth, "eigenaar@lid.example.com", demand)

    assert STRIPE_BUTTON in text
    assert f'action="/netwerken/lidmaatschap/{suspended.id}/stripe"' in text
    assert invoice.payment_reference not in text


def test_with_stripe_a_member_who_may_not_start_it_gets_the_transfer_details(
    app, client, auth, demand, suspended
):
    app.config["STRIPE_SECRET_KEY"] = "sk_test_blocked_page"
    invoice = invoices.of_membership(suspended)[0]

    text = blocked_page(client, auth, "collega@lid.example.com", demand)

    assert STRIPE_BUTTON not in text
    assert invoice.payment_reference in text
