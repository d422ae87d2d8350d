"""The public calculator in a real browser, at desktop and phone width: a visitor (no login)
picks Den Haag's published policy, a building block of its value table, and gets the value with
the steps of its calculation; the obligation of a tender under the same policy too. Axe finds
nothing on the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from marketplace.demo_sroi import seed_municipal_policies
from tests.e2e.conftest import LiveServer, assert_no_axe_violations
from tests.factories import make_user

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def _municipal_policies(live_server: LiveServer) -> None:
    with live_server.app.app_context():
        seed_municipal_policies(make_user("beheer@example.com", admin=True))


@pytest.mark.usefixtures("_municipal_policies")
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_visitor_values_a_block_of_den_haags_table_step_by_step(page: Page, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/sroi-calculator")
    assert_no_axe_violations(page)

    page.get_by_label("Gepubliceerd beleid").select_option(
        label="Gemeente Den Haag — Social return Gemeente Den Haag (bouwblokken)"
    )
    page.get_by_role("button", name="Beleid kiezen").click()
    expect(
        page.get_by_role("heading", name="Social return Gemeente Den Haag (bouwblokken)")
    ).to_be_visible()
    expect(page.locator('[name="block-rate"]')).to_have_count(0)  # the table's rates count

    blocks = page.get_by_role("region", name="Waarde van een bouwblok")
    blocks.get_by_label("Bouwblok").select_option("PW")
    hours = blocks.get_by_label("Uren per week")
    expect(hours).to_have_value("")
    expect(hours).to_have_attribute("placeholder", "24")
    blocks.get_by_label("Begindatum").fill("2026-01-01")
    blocks.get_by_label("Einddatum").fill("2026-12-31")
    hours.fill("8")
    blocks.get_by_role("button", name="Bereken de waarde").click()

    result = page.locator("#block-result")
    expect(result).to_contain_text("€ 8.888,89")
    steps = result.get_by_role("listitem")
    expect(steps).to_have_text(
        [
            "8 uur per week van een volledige werkweek van 36 uur",
            "1 januari 2026 tot en met 31 december 2026: 365 dagen",
            "PW: € 40.000,00 per fte-jaar × 8/36 uur × 365/365 dagen = € 8.888,89",
        ]
    )
    assert_no_axe_violations(page)

    obligation = page.get_by_role("region", name="SROI-verplichting van een opdracht")
    obligation.get_by_label("Opdrachtwaarde (excl. btw)").fill("1.200.000")
    obligation.get_by_label("Gunningsdatum").fill("2026-02-01")
    obligation.get_by_label("Begin van de opdracht").fill("2026-03-01")
    obligation.get_by_label("Einde van de opdracht").fill("2028-02-29")
    obligation.get_by_role("button", name="Bereken de verplichting").click()
    expect(page.locator("#obligation-result").get_by_role("listitem")).to_have_text(
        ["5% van € 1.200.000,00 = € 60.000,00"]
    )
    assert_no_axe_violations(page)
