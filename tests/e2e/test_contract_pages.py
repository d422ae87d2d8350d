"""A contract with many realisations in a real browser: the realisations and the history come a
page at a time, the page links say which page is current, and axe finds nothing on either page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in
from tests.factories import bulk_realisations, make_contract, make_org, make_policy, make_user

OFFICER = "inkoper@pagina.example.com"


def test_officer_pages_through_the_realisations_of_a_large_contract(
    page: Page, live_server: LiveServer
):
    with live_server.app.app_context():
        officer = make_user(OFFICER)
        authority = make_org("authority", owner=officer, name="Gemeente Pagina")
        contractor = make_org("contractor", owner=make_user(), name="Aannemer Pagina B.V.")
        make_policy(authority)
        contract = make_contract(authority, contractor, officer)
        bulk_realisations(contract, 60)
        contract_id = contract.id

    page.goto("/account/inloggen")
    log_in(page, OFFICER)
    page.goto(f"/contracten/{contract_id}")
    pages = page.get_by_role("navigation", name="Pagina's met realisaties")
    expect(pages).to_contain_text("Pagina 1 van 2")
    expect(pages.locator('[aria-current="page"]')).to_have_text("Pagina 1")
    expect(page.get_by_role("navigation", name="Pagina's van de geschiedenis")).to_be_visible()
    assert_no_axe_violations(page)

    pages.get_by_role("link", name="Volgende").click()
    expect(page).to_have_url(
        re.compile(rf"/contracten/{contract_id}\?page=2#realisations-heading$")
    )
    pages = page.get_by_role("navigation", name="Pagina's met realisaties")
    expect(pages.locator('[aria-current="page"]')).to_have_text("Pagina 2")
    expect(page.get_by_role("region", name="Realisaties").locator("tbody tr")).to_have_count(10)
    assert_no_axe_violations(page)
