"""Search, the directory and a profile in a real browser, at desktop and phone width: filters
are plain GET forms (no JavaScript needed), and axe finds nothing on any of the pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, assert_no_axe_violations
from tests.integration.test_search import directory_org, listed

WIDTHS = {"desktop": 1280, "phone": 375}


@pytest.fixture
def market(live_server: LiveServer) -> str:
    with live_server.app.app_context():
        supplier = directory_org(
            "Werkbedrijf Schoon",
            sectors=["schoonmaak", "groenvoorziening"],
            capacity="40 medewerkers",
        )
        listed(supplier, title="Schoonmaak van kantoren")
        listed(supplier, title="Groenonderhoud parken", sector="groenvoorziening")
        return supplier.slug


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_visitor_searches_filters_and_opens_a_profile(page: Page, market: str, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    assert_no_axe_violations(page)

    page.get_by_label("Zoek werk, producten of organisaties").fill("schoonmaken")
    page.get_by_role("button", name="Zoeken", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/zoeken\?q=schoonmaken"))
    expect(page.get_by_role("link", name="Schoonmaak van kantoren")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label(re.compile("^Aanbod")).check()
    page.get_by_role("button", name="Filters toepassen").click()
    expect(page).to_have_url(re.compile(r"kind=offering"))
    assert_no_axe_violations(page)

    page.goto("/organisaties")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Werkbedrijf Schoon").click()
    expect(page.get_by_text("Geverifieerd door het platform")).to_be_visible()
    expect(page.get_by_text("40 medewerkers")).to_be_visible()
    assert_no_axe_violations(page)
