"""A visitor becomes a user with an organisation, in a real browser; axe checks every page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in
from tests.factories import PASSWORD, make_org, make_user
from tests.mailbox import outbox_messages

EMAIL = "anna@bouwbedrijf.example.com"


def _confirmation_link(live_server: LiveServer, to: str) -> str:
    with live_server.app.app_context():
        body = outbox_messages(to)[-1].get_content()
    return re.search(r"https?://\S+", body).group(0)


def _fill_organisation(page: Page, kvk: str) -> None:
    page.get_by_label(re.compile("^Naam")).fill("Bouwbedrijf Anna B.V.")
    page.get_by_label("Soort organisatie").select_option("contractor")
    page.get_by_label("KvK-nummer").fill(kvk)
    page.get_by_label("Btw-identificatienummer").fill("NL000099998B57")
    page.get_by_label("Straat en huisnummer").fill("Hoofdstraat 12")
    page.get_by_label(re.compile("^Postcode")).fill("7811ab")
    page.get_by_label(re.compile("^Plaats")).fill("Emmen")
    page.get_by_label(re.compile("^Arbeidsmarktregio")).select_option("Drenthe")
    page.get_by_role("button", name="Organisatie registreren").click()


def test_visitor_registers_confirms_and_registers_an_organisation(page: Page, live_server):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Social return, eenvoudig geregeld")
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Registreren").click()
    expect(page).to_have_title(re.compile("^Account aanmaken"))
    assert_no_axe_violations(page)
    page.get_by_label(re.compile("^Naam")).fill("Anna de Vries")
    page.get_by_label(re.compile("^E-mailadres")).fill(EMAIL)
    page.get_by_label(re.compile("^Wachtwoord")).fill(PASSWORD)
    page.get_by_label(re.compile("^Herhaal wachtwoord")).fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer je e-mail")
    assert_no_axe_violations(page)

    link = _confirmation_link(live_server, EMAIL)
    assert link.startswith(f"{live_server.url}/account/bevestigen/")
    page.goto(link)
    expect(page.get_by_role("status")).to_contain_text("Je e-mailadres is bevestigd")
    assert_no_axe_violations(page)
    log_in(page, EMAIL)  # the link confirms only: the password is still asked
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.locator("main").get_by_role("link", name="Organisatie registreren").click()
    assert_no_axe_violations(page)
    _fill_organisation(page, kvk="12345678")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bouwbedrijf Anna B.V.")
    expect(page.locator("main")).to_contain_text("Nog niet geverifieerd")
    expect(page.locator("main")).to_contain_text("NL000099998B57")
    expect(page.locator("main")).to_contain_text("7811 AB")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("Not yet verified")
    expect(page.get_by_role("navigation", name="Main menu")).to_contain_text("My organisations")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Log in").click()
    assert_no_axe_violations(page)
    log_in(page, EMAIL)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("link", name="My organisations").click()
    page.get_by_role("link", name="Bouwbedrijf Anna B.V.").click()
    page.get_by_role("link", name="Members and invitations").click()
    expect(page.get_by_role("cell", name=EMAIL, exact=True)).to_be_visible()
    assert_no_axe_violations(page)


def test_organisation_form_shows_the_dutch_error_next_to_a_bad_kvk_number(page: Page, live_server):
    with live_server.app.app_context():
        piet = make_user("piet@example.com")
        for name in ("Schoonmaak Piet B.V.", "Groenbedrijf Piet B.V."):  # shows the org switch
            make_org("contractor", owner=piet, name=name)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing may stick out
    page.goto("/organisaties/registreren")
    expect(page).to_have_title(re.compile("^Inloggen"))  # sent to log in first
    assert_no_axe_violations(page)
    log_in(page, "piet@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisatie registreren")

    _fill_organisation(page, kvk="1234")
    kvk = page.get_by_label("KvK-nummer")
    expect(page.get_by_role("alert")).to_contain_text("Verbeter de gemarkeerde velden")
    expect(kvk).to_have_attribute("aria-invalid", "true")
    expect(kvk).to_have_accessible_description(
        re.compile("Een KvK-nummer heeft precies 8 cijfers.")
    )
    expect(page.get_by_label("Btw-identificatienummer")).to_have_value("NL000099998B57")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)


def test_unknown_page_shows_the_dutch_error_page(page: Page):
    response = page.goto("/bestaat-niet")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    assert_no_axe_violations(page)
