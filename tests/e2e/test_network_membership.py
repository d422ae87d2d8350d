"""A company applies to MetWerk, the network admin accepts it and records the transfer of the
manual invoice, and the member's membership is active; axe checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in_as, log_out
from tests.factories import make_network, make_org, make_plan, make_user

ADMIN = "coordinator@metwerk.example.com"
OWNER = "eigenaar@bouw.example.com"


def metwerk_and_applicant(**plan_fields) -> str:
    """MetWerk with one plan (`plan_fields` over the factory's) and Bouw B.V., which has not
    applied yet; MetWerk's slug. Call within the served app's context."""
    network = make_network(make_user(ADMIN))
    make_plan(network, **plan_fields)
    make_org("contractor", owner=make_user(OWNER), name="Bouw B.V.")
    return network.slug


def apply_and_be_accepted(page: Page, slug: str, check: Callable[[Page], None]) -> None:
    """Bouw B.V.'s owner applies to the network, whose admin accepts the application; `check`
    runs axe on each page. Leaves the admin logged in."""
    log_in_as(page, OWNER)
    page.goto(f"/netwerken/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text("MetWerk")
    check(page)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("status")).to_contain_text("Je aanmelding is verstuurd naar MetWerk")
    expect(page.locator("main")).to_contain_text("in behandeling")
    check(page)
    log_out(page)

    log_in_as(page, ADMIN)
    page.goto(f"/netwerken/{slug}/beheer/aanmeldingen")
    check(page)
    page.get_by_role("link", name="Accepteren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bouw B.V. accepteren?")
    check(page)
    page.get_by_role("button", name="Ja, accepteren en factureren").click()
    expect(page.get_by_role("status")).to_contain_text("Bouw B.V. is geaccepteerd")


def test_a_company_applies_is_accepted_and_pays_by_manual_invoice(
    page: Page, live_server: LiveServer
):
    with live_server.app.app_context():
        slug = metwerk_and_applicant(benefits="Toegang tot de ledenbijeenkomsten")

    apply_and_be_accepted(page, slug, assert_no_axe_violations)

    page.goto(f"/netwerken/{slug}/beheer/facturen")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Betaling boeken").click()
    assert_no_axe_violations(page)
    page.get_by_label(re.compile("^Ontvangen bedrag")).fill("1.452")
    page.get_by_role("button", name="Betaling boeken").click()
    expect(page.get_by_role("status")).to_contain_text("De betaling is geboekt")

    page.goto(f"/netwerken/{slug}/beheer/leden")
    expect(page.locator("main")).to_contain_text("actief")
    assert_no_axe_violations(page)
    page.goto(f"/netwerken/{slug}/beheer/pakketten")
    assert_no_axe_violations(page)
    log_out(page)

    log_in_as(page, OWNER)
    page.goto("/netwerken/lidmaatschap")
    expect(page.locator("main")).to_contain_text("actief")
    expect(page.locator("main")).to_contain_text("betaald")
    assert_no_axe_violations(page)
