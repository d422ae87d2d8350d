"""A contractor closes its contract's gap in a real browser: the contract page shows the offering
that would close it and what it adds, one click starts a demand pre-filled from the contract, and
the published demand shows the match with its reasons and SROI value; axe checks every page at
desktop and phone width (docs/domain.md "Matches and their SROI value")."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_axe_violations, log_in
from tests.factories import make_contract, make_listing, make_org, make_policy, make_user

BUYER = "inkoop@aannemer.example.com"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def check_both_widths(page: Page) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_no_axe_violations(page)


def test_a_contractor_closes_its_gap_from_the_contract_page(page: Page, live_server):
    with live_server.app.app_context():
        authority = make_org("authority", owner=make_user(), name="Gemeente Emmen")
        make_policy(authority)
        buyer = make_org(
            "contractor", owner=make_user(BUYER), name="Bouwbedrijf Noord", verified=True
        )
        contract = make_contract(authority, buyer, authority.members[0].user, title="Wegonderhoud")
        emco = make_org("werkbedrijf", owner=make_user(), name="EMCO-groep", verified=True)
        make_listing(emco, title="Schoonmaakteam van EMCO", amount_cents=2_500_000, fte=4)
        contract_id = contract.id

    page.goto("/account/inloggen")
    log_in(page, BUYER)
    expect(page.locator("main")).to_contain_text("Zo dicht je het tekort")
    check_both_widths(page)

    page.goto(f"/contracten/{contract_id}")
    gap = page.locator(f"#gap-{contract_id}")
    expect(gap).to_contain_text("Schoonmaakteam van EMCO")
    expect(gap).to_contain_text("Een inkoop van € 25.000,00 telt voor € 25.000,00 mee.")
    check_both_widths(page)

    gap.get_by_role("link", name=re.compile("^Plaats een vraag voor dit contract")).click()
    expect(page.get_by_label(re.compile("^Budget in euro"))).to_have_value("60.000")
    page.get_by_label(re.compile("^Titel")).fill("Schoonmaak van de werkketen")
    page.get_by_label(re.compile("^Omschrijving")).fill("Twee keer per week, 2 fte.")
    page.get_by_label(re.compile("^Sector")).select_option("schoonmaak")
    page.get_by_label(re.compile("^Omvang in fte")).fill("2")
    page.get_by_role("button", name="Opslaan en publiceren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Schoonmaak van de werkketen")
    matches = page.locator("section.app-matches")
    expect(matches).to_contain_text("Schoonmaakteam van EMCO")
    for reason in ("zelfde sector", "in jouw arbeidsmarktregio", "capaciteit 4 fte past"):
        expect(matches).to_contain_text(reason)
    expect(matches).to_contain_text(
        "Een inkoop van € 25.000,00 bij deze leverancier telt voor € 25.000,00 mee voor contract "
        "Wegonderhoud"
    )
    check_both_widths(page)
