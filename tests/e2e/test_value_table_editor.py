"""An officer changes a row of a policy version's value table in a real browser: the example
calculation under the row follows the rate typed before anything is saved (after "Voorbeeld
berekenen", and live with the page's script); axe checks the table and the row's page at laptop
and phone width."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_axe_violations, log_in_as
from tests.factories import make_org, make_policy, make_user

OFFICER = "inkoper@emmen.example.com"
PHONE = {"width": 390, "height": 844}


def test_officer_edits_a_row_and_sees_the_example_change(page: Page, live_server):
    with live_server.app.app_context():
        officer = make_user(OFFICER)
        authority = make_org("authority", owner=officer, name="Gemeente Emmen")
        policy_id = make_policy(authority, name="SROI-beleid 2025").id

    log_in_as(page, OFFICER)
    page.goto(f"/inkoop/beleid/{policy_id}")
    page.get_by_role("link", name="Waardetabel bewerken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waardetabel van SROI-beleid 2025")
    table = page.get_by_role("region", name=re.compile("^Bouwblokken van deze versie"))
    expect(table).to_contain_text("50 jaar of ouder +€ 10.000,00")
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE)
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    table.get_by_role("link", name="Wijzigen PW").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rij PW wijzigen")
    example = page.get_by_role("status")
    expect(example).to_contain_text(
        "24 uur per week, 1 januari 2025 t/m 30 juni 2025, 50 jaar of ouder → € 16.529,68"
    )
    assert_no_axe_violations(page)

    page.get_by_label("Tarief in euro's").fill("20.000")
    page.get_by_role("button", name="Voorbeeld berekenen").click()

    expect(example).to_contain_text("50 jaar of ouder → € 9.917,81")
    expect(page.get_by_label("Tarief in euro's")).to_have_value("20.000")
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE)
    assert_no_axe_violations(page)

    # With its script the example follows the typing, without the button.
    page.get_by_label("Tarief in euro's").fill("30.000")
    expect(example).to_contain_text("50 jaar of ouder → € 13.223,75")
    page.get_by_role("button", name="Rij opslaan").click()

    expect(page.get_by_role("status")).to_contain_text("Rij PW is opgeslagen.")
    rows = page.get_by_role("region", name=re.compile("^Bouwblokken")).get_by_role("row")
    expect(rows.filter(has_text="Participatiewet")).to_contain_text("€ 30.000,00")
    assert_no_axe_violations(page)
