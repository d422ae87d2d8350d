"""A realisation's rounds in a real browser (issue 15): a draft edited and deleted, a rejection
corrected and sent again, a question answered. axe checks every page at desktop (1280 px) and
phone (390 px) width.

The people, the contract and (for the officer's rounds) the submitted realisation are made
directly; everything the issue is about goes through the pages. Dates lie within the factory
contract's term (2026-03-01 to 2028-02-29)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from marketplace.services import realisations
from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in
from tests.factories import fte_realisation, make_org, make_parties, make_user

OFFICER = "inkoper@emmen.example.com"
OWNER = "eigenaar@devries.example.com"
REFERENCE = "EMM-01"
WIDTHS = (1280, 390)


@pytest.fixture
def contract_id(live_server: LiveServer) -> int:
    with live_server.app.test_request_context():
        authority = make_org("authority", owner=make_user(OFFICER), name="Gemeente Emmen")
        contractor = make_org("contractor", owner=make_user(OWNER), name="Bouwbedrijf De Vries")
        return make_parties(authority, contractor).contract.id


def _submitted(live_server: LiveServer, contract_id: int, candidate: str) -> int:
    """A PW realisation the contractor submitted (24 hours a week, March to August 2026)."""
    from marketplace.extensions import db
    from marketplace.models import Contract, User

    with live_server.app.test_request_context():
        contract = db.session.get(Contract, contract_id)
        owner = db.session.query(User).filter_by(email=OWNER).one()
        return realisations.submit(contract, fte_realisation(candidate), owner).id


def _checked(page: Page) -> None:
    """axe on the current page at each width, leaving the page at desktop width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_axe_violations(page)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _log_in(page: Page, email: str) -> None:
    page.goto("/account/inloggen")
    log_in(page, email)


def _label(page: Page, text: str):
    """The field whose label starts with `text` (a label may end in "(verplicht)")."""
    return page.get_by_label(re.compile("^" + re.escape(text)))


def test_a_draft_is_saved_without_candidate_edited_and_deleted(page: Page, contract_id: int):
    _log_in(page, OWNER)
    page.goto(f"/opdrachtnemer/contracten/{contract_id}/realisaties/nieuw")
    _label(page, "Bouwblok").select_option("PW")
    _label(page, "Begindatum").fill(date(2026, 3, 1).isoformat())
    _label(page, "Einddatum").fill(date(2026, 8, 31).isoformat())
    page.get_by_role("button", name="Opslaan als concept").click()

    expect(page.get_by_role("status")).to_contain_text("Concept opgeslagen")
    drafts = page.get_by_role("region", name="Realisaties melden")
    expect(drafts).to_contain_text("Je concepten")
    table = page.get_by_role("region", name="Realisaties", exact=True)
    expect(table.get_by_role("row").nth(1)).to_contain_text("niet ingediend")
    _checked(page)

    drafts.get_by_role("link", name=re.compile("^Wijzigen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concept bewerken")
    _checked(page)
    _label(page, "Kenmerk kandidaat").fill("KAND-2026-050")
    _label(page, "Uren per week").fill("24")
    page.get_by_role("button", name="Opslaan als concept").click()

    expect(page.get_by_role("status")).to_contain_text("Concept opgeslagen")
    expect(drafts).to_contain_text("Kandidaat KAND-2026-050")

    drafts.get_by_role("link", name=re.compile("^Verwijderen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dit concept verwijderen?")
    _checked(page)
    page.get_by_role("button", name="Ja, verwijderen").click()

    expect(page.get_by_role("status")).to_contain_text("Het concept is verwijderd.")
    expect(page.get_by_text("Kandidaat KAND-2026-050")).to_have_count(0)
    expect(page.get_by_text("Je concepten")).to_have_count(0)
    _checked(page)


def test_a_rejection_is_corrected_and_sent_again(
    page: Page, new_context, live_server: LiveServer, contract_id: int
):
    realisation_id = _submitted(live_server, contract_id, "KAND-2026-061")
    _log_in(page, OFFICER)
    page.goto(f"/contracten/{contract_id}")
    page.get_by_text(re.compile(f"^Afwijzen realisatie {realisation_id}")).click()
    page.get_by_label("Reden van afwijzing").fill("De uren wijken af van de arbeidsovereenkomst.")
    page.get_by_role("button", name="Afwijzen", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 realisatie afgewezen.")
    _checked(page)

    contractor = new_context().new_page()
    _log_in(contractor, OWNER)
    contractor.goto("/opdrachtnemer/")
    todo = contractor.get_by_role("region", name="Wat je nog moet doen")
    expect(todo).to_contain_text("De uren wijken af van de arbeidsovereenkomst.")
    _checked(contractor)
    todo.get_by_role("link", name=re.compile("^Corrigeren en opnieuw indienen")).click()
    expect(contractor.get_by_role("heading", level=1)).to_have_text(
        "Corrigeren en opnieuw indienen"
    )
    expect(contractor.locator(".app-decision")).to_contain_text("De uren wijken af")
    _checked(contractor)
    _label(contractor, "Uren per week").fill("20")
    _label(contractor, "Je antwoord").fill("Uren aangepast: 20 per week.")
    contractor.get_by_role("button", name="Opnieuw indienen").click()

    expect(contractor.get_by_role("status")).to_contain_text("Realisatie ingediend")
    history = contractor.get_by_role("region", name="Geschiedenis")
    expect(history).to_contain_text("opnieuw ingediend")
    expect(history).to_contain_text("Reden: De uren wijken af")  # the earlier decision stays
    _checked(contractor)

    page.goto("/inkoop/beoordelen")
    row = page.get_by_role("row").filter(has_text=REFERENCE)
    expect(row).to_contain_text("Antwoord: Uren aangepast: 20 per week.")
    _checked(page)


def test_a_question_is_answered_and_approved(
    page: Page, new_context, live_server: LiveServer, contract_id: int
):
    realisation_id = _submitted(live_server, contract_id, "KAND-2026-072")
    _log_in(page, OFFICER)
    page.goto("/inkoop/beoordelen")
    page.get_by_label(f"Selecteer realisatie {realisation_id} van {REFERENCE}").check()
    _label(page, "Vraag aan de opdrachtnemer").fill("Stuur de arbeidsovereenkomst mee.")
    page.get_by_role("button", name="Vraag om aanvulling").click()
    expect(page.get_by_role("status")).to_contain_text("Je vraag is met 1 realisatie(s)")
    _checked(page)

    contractor = new_context().new_page()
    _log_in(contractor, OWNER)
    contractor.goto("/opdrachtnemer/")
    todo = contractor.get_by_role("region", name="Wat je nog moet doen")
    expect(todo).to_contain_text("Stuur de arbeidsovereenkomst mee.")
    todo.get_by_role("link", name=re.compile("^Beantwoorden")).click()
    expect(contractor.locator(".app-decision")).to_contain_text("Stuur de arbeidsovereenkomst")
    _checked(contractor)
    _label(contractor, "Je antwoord").fill("Bijgevoegd.")
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    _label(contractor, "Bewijs").set_input_files(
        {"name": "arbeidsovereenkomst.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    contractor.get_by_role("button", name="Opnieuw indienen").click()
    expect(contractor.get_by_role("status")).to_contain_text("Realisatie ingediend")
    _checked(contractor)

    page.goto("/inkoop/beoordelen")
    row = page.get_by_role("row").filter(has_text=REFERENCE)
    expect(row).to_contain_text("Antwoord: Bijgevoegd.")
    expect(row).to_contain_text("arbeidsovereenkomst.pdf")
    page.get_by_label(f"Selecteer realisatie {realisation_id} van {REFERENCE}").check()
    page.get_by_role("button", name="Selectie goedkeuren").click()
    expect(page.get_by_role("status")).to_contain_text("1 realisatie goedgekeurd.")
    _checked(page)
