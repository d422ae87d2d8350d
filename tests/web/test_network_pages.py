"""Network pages: a company applies to MetWerk on its public page, the network admin manages
plans, accepts, marks the manual invoice paid, and both download the invoice PDF with every
field Dutch invoice law asks (docs/domain.md "Memberships")."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from pypdf import PdfReader

from marketplace.models import Membership
from marketplace.services import invoices, memberships
from tests.factories import make_network, make_org, make_plan, make_user
from tests.mailbox import outbox_messages

TODAY = date(2026, 7, 1)
ADMIN = "admin@metwerk.example.com"
OWNER = "owner@bouw.example.com"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def network(app):
    return make_network(make_user(ADMIN))


@pytest.fixture
def applicant(app):
    return make_org(
        "contractor", owner=make_user(OWNER), name="Bouw B.V.", btw_number="NL000099998B57"
    )


def _plan_form(**overrides) -> dict[str, str]:
    return {
        "plan-name": "Basis",
        "plan-description": "Voor werkgevers tot 50 medewerkers",
        "plan-yearly_fee_cents": "1.200",
        "plan-size_band": "10_to_50",
        "plan-benefits": "Toegang tot het netwerk",
        "plan-vat_rate_bp": "2100",
        "plan-vat_exemption_reason": "",
        "plan-billing_rule": "calendar_year_pro_rata",
        "plan-active": "y",
        **overrides,
    }


def _accepted(network, applicant) -> Membership:
    membership = memberships.apply(applicant, make_plan(network).id, applicant.members[0].user)
    return memberships.accept(membership.id, network.members[0].user, TODAY)


def test_the_public_network_page_shows_its_plans(client, network):
    make_plan(network, benefits="Toegang tot de ledenbijeenkomsten")
    page = client.get("/netwerken/metwerk").get_data(as_text=True)
    assert "MetWerk" in page
    assert "Basis" in page and "Toegang tot de ledenbijeenkomsten" in page
    assert "€\xa01.200,00" in page
    assert "Log in om lid te worden." in page


def test_an_organisation_applies_on_the_network_page(client, auth, network, applicant):
    plan = make_plan(network)
    auth.login(OWNER)
    assert "Lidmaatschap aanvragen" in client.get("/netwerken/metwerk").get_data(as_text=True)

    response = client.post("/netwerken/metwerk/aanmelden", data={"plan_id": plan.id})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/netwerken/lidmaatschap")
    page = client.get("/netwerken/lidmaatschap").get_data(as_text=True)
    assert "MetWerk" in page and "in behandeling" in page


def test_the_admin_creates_a_plan_and_every_wrong_field_is_marked_at_once(client, auth, network):
    auth.login(ADMIN)
    page = client.post(
        "/netwerken/metwerk/beheer/pakketten",
        data=_plan_form(
            **{"plan-name": "", "plan-yearly_fee_cents": "twaalf", "plan-vat_rate_bp": "exempt"}
        ),
    ).get_data(as_text=True)
    assert page.count("utrecht-form-field--invalid") == 3
    assert "Geef de reden waarom de bijdrage is vrijgesteld van btw." in page

    response = client.post("/netwerken/metwerk/beheer/pakketten", data=_plan_form())
    assert response.status_code == 302
    page = client.get("/netwerken/metwerk/beheer/pakketten").get_data(as_text=True)
    assert "Basis" in page and "Per kalenderjaar, het eerste jaar naar rato" in page


def test_an_exempt_plan_without_a_reason_is_refused_next_to_the_reason(client, auth, network):
    auth.login(ADMIN)
    page = client.post(
        "/netwerken/metwerk/beheer/pakketten", data=_plan_form(**{"plan-vat_rate_bp": "exempt"})
    ).get_data(as_text=True)
    assert "Geef de reden waarom de bijdrage is vrijgesteld van btw." in page
    assert "Basis" not in page.split("Nieuw pakket")[0]


def test_the_admin_accepts_after_confirming_and_the_first_invoice_is_issued(
    client, auth, network, applicant
):
    membership = memberships.apply(applicant, make_plan(network).id, applicant.members[0].user)
    auth.login(ADMIN)
    page = client.get("/netwerken/metwerk/beheer/aanmeldingen").get_data(as_text=True)
    assert "Bouw B.V." in page

    confirm = client.get(f"/netwerken/metwerk/beheer/aanmeldingen/{membership.id}/accepteren")
    assert "Ja, accepteren en factureren" in confirm.get_data(as_text=True)
    client.post(f"/netwerken/metwerk/beheer/aanmeldingen/{membership.id}/accepteren")

    page = client.get("/netwerken/metwerk/beheer/facturen").get_data(as_text=True)
    assert "2026-0001" in page and "€\xa0731,97" in page
    assert "Welkom bij MetWerk" in [m["Subject"] for m in outbox_messages(OWNER)]


def test_the_admin_rejects_with_a_reason(client, auth, network, applicant):
    membership = memberships.apply(applicant, make_plan(network).id, applicant.members[0].user)
    auth.login(ADMIN)
    path = f"/netwerken/metwerk/beheer/aanmeldingen/{membership.id}/afwijzen"
    page = client.post(path, data={"reason": ""}).get_data(as_text=True)
    assert "Geef aan waarom de aanmelding wordt afgewezen." in page

    client.post(path, data={"reason": "Alleen werkgevers uit Twente"})
    assert membership.status == "rejected"


def test_a_partial_payment_leaves_the_invoice_open_then_the_rest_makes_it_paid(
    client, auth, network, applicant
):
    membership = _accepted(network, applicant)
    [invoice] = invoices.of_membership(membership)
    auth.login(ADMIN)
    path = f"/netwerken/metwerk/beheer/facturen/{invoice.id}/betaling"
    assert 'value="0"' in client.get(path).get_data(as_text=True)

    client.post(path, data={"paid_on": "2026-07-10", "amount": "500", "seen_paid_cents": "0"})
    assert (invoice.status, invoice.paid_amount_cents, membership.status) == (
        "open",
        50_000,
        "pending",
    )
    # The same form sent again (a double click) records nothing more.
    page = client.post(
        path, data={"paid_on": "2026-07-10", "amount": "500", "seen_paid_cents": "0"}
    ).get_data(as_text=True)
    assert "Deze factuur is intussen gewijzigd" in page
    client.post(
        path, data={"paid_on": "2026-07-20", "amount": "231,97", "seen_paid_cents": "50000"}
    )
    assert (invoice.status, membership.status) == ("paid", "active")


def test_the_invoice_pdf_carries_every_legal_field(client, auth, network, applicant):
    membership = _accepted(network, applicant)
    [invoice] = invoices.of_membership(membership)
    auth.login(OWNER)

    response = client.get(f"/netwerken/facturen/{invoice.id}.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in (
        "2026-0001",  # invoice number
        "1 jul 2026",  # invoice date
        "31 jul 2026",  # due date
        "MetWerk",
        "Straat 1, 7811 AP Emmen",  # seller's and buyer's address
        network.kvk_number,
        "NL004495445B01",  # seller's BTW
        "Bouw B.V.",
        applicant.kvk_number,
        "NL000099998B57",  # buyer's BTW
        "Lidmaatschap MetWerk, pakket Basis",
        "31 dec 2026",  # period
        "604,93",  # excluding VAT
        "btw 21%",
        "127,04",  # VAT
        "731,97",  # total
        "NL91 ABNA 0417 1643 00",
        invoice.payment_reference,
    ):
        assert expected in text, expected


def test_a_credit_invoice_pdf_refers_to_the_original(client, auth, network, applicant):
    membership = _accepted(network, applicant)
    [invoice] = invoices.of_membership(membership)
    auth.login(ADMIN)
    confirm = client.get(f"/netwerken/metwerk/beheer/facturen/{invoice.id}/annuleren")
    assert "Ja, creditfactuur maken" in confirm.get_data(as_text=True)
    client.post(f"/netwerken/metwerk/beheer/facturen/{invoice.id}/annuleren")
    credit = invoices.of_membership(membership)[0]

    text = (
        PdfReader(io.BytesIO(client.get(f"/netwerken/facturen/{credit.id}.pdf").data))
        .pages[0]
        .extract_text()
    )

    assert "Creditfactuur 2026-0002" in text
    assert "2026-0001" in text
    assert "-731,97" in text


def test_others_get_404_on_the_admin_pages_and_the_invoices(client, auth, network, applicant):
    membership = _accepted(network, applicant)
    [invoice] = invoices.of_membership(membership)
    make_org("contractor", owner=make_user("stranger@example.com"))
    auth.login("stranger@example.com")
    for path in (
        "/netwerken/metwerk/beheer/pakketten",
        "/netwerken/metwerk/beheer/aanmeldingen",
        "/netwerken/metwerk/beheer/leden",
        "/netwerken/metwerk/beheer/facturen",
        f"/netwerken/metwerk/beheer/facturen/{invoice.id}/betaling",
        f"/netwerken/facturen/{invoice.id}.pdf",
    ):
        assert client.get(path).status_code == 404, path
    auth.logout()
    auth.login(OWNER)  # the member is no admin of its network
    assert client.get("/netwerken/metwerk/beheer/leden").status_code == 404


def test_the_member_sees_plan_status_and_invoices(client, auth, network, applicant):
    _accepted(network, applicant)
    auth.login(OWNER)
    page = client.get("/netwerken/lidmaatschap").get_data(as_text=True)
    assert "Basis" in page and "in behandeling" in page
    assert "2026-0001" in page and "1 jul 2026 – 31 dec 2026" in page


def test_the_admins_applications_and_members_tables_come_from_one_macro(
    app, client, auth, network, applicant
):
    """macros.html data_table draws the region named for screen readers, the header row (the
    shared table_head), the caller's rows, or the empty text; both admin lists use it."""
    with app.test_request_context():
        render = app.jinja_env.from_string(
            '{% from "macros.html" import data_table %}'
            "{% call data_table('Leden', ['Naam', ('Bedrag', 'numeric')], rows, 'Geen leden') %}"
            "<tr><td>Bouw</td></tr>{% endcall %}"
        ).render
        table = render(rows=[1])
        assert 'aria-label="Leden"' in table
        assert '<th scope="col" class="utrecht-table__header-cell">Naam</th>' in table
        assert "utrecht-table__header-cell--numeric-column" in table
        assert "<td>Bouw</td>" in table
        assert render(rows=[]).strip() == '<p class="utrecht-paragraph">Geen leden</p>'

    memberships.apply(applicant, make_plan(network).id, applicant.members[0].user)
    auth.login(ADMIN)
    for path, heading in (("aanmeldingen", "Aangemeld op"), ("leden", "Huidige periode")):
        page = client.get(f"/netwerken/metwerk/beheer/{path}").get_data(as_text=True)
        assert f'<th scope="col" class="utrecht-table__header-cell">{heading}</th>' in page, path
