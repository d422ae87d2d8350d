"""Issue 14's "done means" in a real browser, paid by manual invoice (the Stripe run is the Stripe
helper's): on the demo data, the demo contractor applies to MetWerk, the coordinator accepts it,
the invoice PDF carries every field Dutch invoice law asks, the coordinator records the transfer
and the membership is active; the member posts a network-only demand that an organisation
outside MetWerk cannot see (nor MetWerk's own members-only demand). Under frozen time the next
period's invoice, issued by the daily renewal job, is left unpaid: the daily dunning job makes
the membership past due at the due date and suspended 30 days later; opening MetWerk's
members-only demand then tells the member why, with a pay button, and the payment makes it
active again. axe checks the pages at desktop and phone width. The daily jobs run as the worker
runs them (services/jobs.py), renewals first."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pypdf
import pytest
import time_machine
from playwright.sync_api import Page, expect
from sqlalchemy import select

from marketplace.demo import DEMO_PASSWORD, seed_demo
from marketplace.extensions import db
from marketplace.models import Invoice, Listing, Membership, Organisation
from marketplace.services import invoices, jobs
from tests.e2e.conftest import LiveServer, assert_no_axe_violations

MEMBER = "aannemer@example.com"
COORDINATOR = "netwerk.metwerk@example.com"
OUTSIDER = "buurtsupport@example.com"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DEMAND = "Schoonmaak van de gezamenlijke kantine"
# The demo network's own demand, for its members only (marketplace/demo_market.py).
METWERK_ASKS = "Leerwerkplekken logistiek voor leden van het netwerk"
# 11:00 in Amsterdam: the day is the same there and here.
JOINED = datetime(2026, 12, 1, 10, 0)
# The first period ends 31 December; the next one's invoice is issued 30 days before it starts,
# due on 1 January, the day the next period starts.
RENEWAL_INVOICED = datetime(2026, 12, 2, 10, 0)
RENEWAL_DUE = datetime(2027, 1, 1, 10, 0)
SUSPENDED_ON = datetime(2027, 1, 31, 10, 0)  # 30 days after the due date


def checked(page: Page) -> None:
    """axe at phone and desktop width, ending at desktop width."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_no_axe_violations(page)


def as_user(page: Page, email: str) -> None:
    """Log out whoever is logged in and log in as `email` (a demo user)."""
    page.context.clear_cookies()
    page.goto("/account/inloggen")
    page.get_by_label(re.compile("^E-mail")).fill(email)
    page.get_by_label(re.compile("^Wachtwoord")).fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def pdf_text(page: Page, path: str) -> str:
    response = page.request.get(path)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.body()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def legal_fields(app, invoice_id: int) -> list[str]:
    """What the PDF must print, formatted as the app prints it (docs/domain.md "Invoices")."""
    with app.test_request_context():
        invoice = db.session.get(Invoice, invoice_id)
        day, eur = app.jinja_env.filters["date"], app.jinja_env.filters["eur"]
        fields = [
            invoice.number,
            day(invoice.invoice_date),
            invoice.seller_name,
            invoice.seller_address,
            invoice.seller_kvk,
            invoice.seller_btw,
            invoice.buyer_name,
            invoice.buyer_address,
            invoice.buyer_kvk,
            invoice.description,
            f"{day(invoice.period_start)} – {day(invoice.period_end)}",
            eur(invoice.amount_excl_vat_cents),
            "21%",
            eur(invoice.vat_cents),
            eur(invoice.total_cents),
            day(invoice.due_date),
            invoices.iban_text(invoice.seller_iban),
            invoice.payment_reference,
        ]
        db.session.remove()
    return [" ".join(f.replace("\xa0", " ").split()) for f in fields]


def record_payment(page: Page, app, invoice_id: int) -> None:
    """The coordinator books the transfer of the whole invoice."""
    with app.app_context():
        total = db.session.get(Invoice, invoice_id).total_cents
        db.session.remove()
    as_user(page, COORDINATOR)
    page.goto(f"/netwerken/metwerk/beheer/facturen/{invoice_id}/betaling")
    checked(page)
    page.get_by_label(re.compile("^Ontvangen bedrag")).fill(f"{total / 100:.2f}".replace(".", ","))
    page.get_by_role("button", name="Betaling boeken").click()
    expect(page.get_by_role("status")).to_contain_text("De betaling is geboekt")


def membership_of_member(app) -> tuple[int, str]:
    with app.app_context():
        membership = db.session.scalar(
            select(Membership)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Organisation.name.like("Bouwbedrijf%"))
        )
        found = membership.id, membership.status
        db.session.remove()
    return found


def open_invoice_id(app, membership_id: int) -> int:
    with app.app_context():
        invoice_id = db.session.scalar(
            select(Invoice.id).where(
                Invoice.membership_id == membership_id, Invoice.status == "open"
            )
        )
        db.session.remove()
    return invoice_id


def daily_jobs(app) -> None:
    """The morning's membership jobs, as the worker runs them: renewals, then dunning."""
    with app.test_request_context():  # their mails link to pages
        jobs.membership_renewals()
        jobs.membership_dunning()
        db.session.remove()


@pytest.fixture
def frozen():
    with time_machine.travel(JOINED, tick=False) as traveller:
        yield traveller


def test_a_company_joins_metwerk_posts_members_only_demand_lapses_and_pays_again(
    page: Page, live_server: LiveServer, frozen
):
    app = live_server.app
    with app.test_request_context():  # the demo's match notices link to pages
        seed_demo()
        network_demand = db.session.scalar(select(Listing.id).where(Listing.title == METWERK_ASKS))
        db.session.remove()
    network_demand_path = f"/markt/vraag/{network_demand}"

    # The demo contractor applies with a plan on MetWerk's public page.
    as_user(page, MEMBER)
    page.goto("/netwerken/metwerk")
    expect(page.get_by_role("heading", level=1)).to_have_text("MetWerk")
    checked(page)
    page.get_by_label("Pakket").select_option(label="Middelgroot (10-50 medewerkers)")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("status")).to_contain_text("Je aanmelding is verstuurd naar MetWerk")

    # The coordinator accepts: the first invoice is issued.
    as_user(page, COORDINATOR)
    page.goto("/netwerken/metwerk/beheer/aanmeldingen")
    checked(page)
    page.get_by_role("link", name="Accepteren").click()
    page.get_by_role("button", name="Ja, accepteren en factureren").click()
    expect(page.get_by_role("status")).to_contain_text("is geaccepteerd")
    membership_id, status = membership_of_member(app)
    assert status == "pending"
    first = open_invoice_id(app, membership_id)

    # The member finds the invoice; its PDF names every legal field.
    as_user(page, MEMBER)
    page.goto("/netwerken/lidmaatschap")
    expect(page.locator("main")).to_contain_text("in behandeling")
    checked(page)
    text = pdf_text(page, f"/netwerken/facturen/{first}.pdf")
    missing = [f for f in legal_fields(app, first) if f not in text]
    assert not missing, f"not on the invoice PDF: {missing}\n{text}"

    # The coordinator books the transfer: active.
    record_payment(page, app, first)
    assert membership_of_member(app)[1] == "active"

    # The member posts demand for MetWerk's members only; its profile shows the badge.
    as_user(page, MEMBER)
    page.goto("/markt/nieuw?soort=vraag")
    page.get_by_label(re.compile("^Titel")).fill(DEMAND)
    page.get_by_label(re.compile("^Omschrijving")).fill("Dagelijks, door een vast team.")
    page.get_by_label(re.compile("^Sector")).select_option(label="Schoonmaak")
    page.get_by_label("Wie ziet deze vraag").select_option(label="Alleen leden van MetWerk")
    checked(page)
    page.get_by_role("button", name="Opslaan en publiceren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMAND)
    expect(page.locator("main")).to_contain_text("Alleen voor leden van MetWerk")
    checked(page)
    demand_path = page.url.removeprefix(live_server.url)
    with app.app_context():
        demand = db.session.scalar(select(Listing).where(Listing.title == DEMAND))
        assert demand.visibility == "network" and demand.status == "open"
        member_slug = demand.organisation.slug
        db.session.remove()
    page.goto(f"/organisaties/{member_slug}")
    expect(page.locator("main")).to_contain_text("Lid van MetWerk")

    page.goto(network_demand_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(METWERK_ASKS)

    # An organisation outside MetWerk sees nothing of either: 404, and not in search.
    as_user(page, OUTSIDER)
    assert page.goto(demand_path).status == 404
    checked(page)
    assert page.goto(network_demand_path).status == 404
    page.goto("/zoeken?q=kantine")
    expect(page.locator("main")).not_to_contain_text(DEMAND)
    page.goto("/zoeken?q=leerwerkplekken")
    expect(page.locator("main")).not_to_contain_text(METWERK_ASKS)
    page.goto("/netwerken/metwerk/ledenlijst")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")

    # The renewal job issues the next period's invoice, which stays unpaid.
    frozen.move_to(RENEWAL_INVOICED)
    daily_jobs(app)
    renewal_id = open_invoice_id(app, membership_id)
    assert renewal_id is not None and renewal_id != first
    with app.app_context():
        assert db.session.get(Invoice, renewal_id).due_date == date(2027, 1, 1)
        db.session.remove()

    # At the due date the daily sweep makes it past due: member features still work.
    frozen.move_to(RENEWAL_DUE)
    daily_jobs(app)
    assert membership_of_member(app)[1] == "past_due"
    as_user(page, MEMBER)
    assert page.goto(network_demand_path).status == 200
    page.goto("/netwerken/lidmaatschap")
    expect(page.locator("main")).to_contain_text("betaling te laat")
    checked(page)

    # 30 days later the sweep suspends it: the demand page says why and offers to pay.
    frozen.move_to(SUSPENDED_ON)
    daily_jobs(app)
    assert membership_of_member(app)[1] == "suspended"
    as_user(page, MEMBER)
    assert page.goto(network_demand_path).status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Alleen voor leden")
    expect(page.locator("main")).to_contain_text("geschorst")
    checked(page)
    expect(page.locator("main")).to_contain_text("NL91 ABNA 0417 1643 00")
    page.goto("/netwerken/metwerk/ledenlijst")
    expect(page.locator("main")).to_contain_text("NL91 ABNA 0417 1643 00")

    # The transfer arrives: active again, and the demand is there again.
    record_payment(page, app, renewal_id)
    assert membership_of_member(app)[1] == "active"
    as_user(page, MEMBER)
    assert page.goto(network_demand_path).status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(METWERK_ASKS)
    page.goto("/netwerken/metwerk/ledenlijst")
    expect(page.locator("main")).to_contain_text("Bouwbedrijf")
    checked(page)
