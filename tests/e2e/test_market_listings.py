"""EMCO-groep posts an offering in a real browser: the form marks every wrong field at once, the
offering is published, paused and closed after confirming; axe checks every page at desktop and
phone width."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_axe_violations, log_in
from tests.factories import make_org, make_user

EMCO = "accountmanager@emco.example.com"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def check_both_widths(page: Page) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_no_axe_violations(page)


def test_emco_posts_pauses_and_closes_an_offering(page: Page, live_server):
    with live_server.app.app_context():
        make_org("werkbedrijf", owner=make_user(EMCO), name="EMCO-groep", verified=True)

    page.goto("/account/inloggen")
    log_in(page, EMCO)
    expect(page).to_have_url(re.compile("/markt/mijn$"))
    expect(page.locator("main")).to_contain_text("EMCO-groep heeft nog geen vraag of aanbod.")
    check_both_widths(page)

    page.get_by_role("link", name="Nieuw aanbod").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw aanbod")
    check_both_widths(page)
    page.get_by_label(re.compile("^Prijs in euro")).fill("-5")
    page.get_by_role("button", name="Opslaan en publiceren").click()
    summary = page.get_by_role("alert")
    for field in ("Titel", "Omschrijving", "Sector", "Prijs in euro"):
        expect(summary).to_contain_text(field)
    check_both_widths(page)

    page.get_by_label(re.compile("^Titel")).fill("Groepsdetachering productie en assemblage")
    page.get_by_label(re.compile("^Omschrijving")).fill("Een vaste groep van 8 medewerkers.")
    page.get_by_label(re.compile("^Sector")).select_option("productie_assemblage")
    page.get_by_label(re.compile("^Soort")).select_option("placement")
    page.get_by_label(re.compile("^Prijs in euro")).fill("29.500")
    page.get_by_label(re.compile("^Omvang in fte")).fill("8")
    page.get_by_role("button", name="Opslaan en publiceren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Groepsdetachering productie en assemblage"
    )
    expect(page.locator("main")).to_contain_text("€ 29.500,00")
    check_both_widths(page)

    page.get_by_role("button", name=re.compile("^Pauzeren")).click()
    expect(page.locator("main")).to_contain_text("gepauzeerd")
    page.get_by_role("link", name=re.compile("^Sluiten")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dit sluiten?")
    check_both_widths(page)
    page.get_by_role("button", name="Ja, sluiten").click()
    expect(page.locator("main")).to_contain_text("Gesloten. Je kunt het later weer openen.")

    page.goto("/markt/mijn")
    expect(page.locator("main")).to_contain_text("Gesloten (1)")
    check_both_widths(page)
