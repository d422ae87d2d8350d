"""An officer verifies a contractor's PSO certificate in a real browser: the contract page says
the obligation is computed without it, the officer checks it and confirms; axe checks pages."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from marketplace.services import pso
from tests.e2e.conftest import assert_no_axe_violations, log_in
from tests.factories import make_contract, make_org, make_policy, make_user

OFFICER = "inkoper@emmen.example.com"


def test_officer_checks_and_verifies_a_pso_certificate(page: Page, live_server):
    with live_server.app.app_context():
        officer = make_user(OFFICER)
        authority = make_org("authority", owner=officer, name="Gemeente Emmen")
        make_policy(authority, pso_remaining_bp={"trede_3": 0})
        owner = make_user("eigenaar@hoek.example.com")
        contractor = make_org("contractor", owner=owner, name="Bouwbedrijf De Hoek B.V.")
        today = date.today()
        pso.record_certificate(
            contractor, "trede_3", "PSO-2026-3", date(today.year + 1, 6, 30), owner, today
        )
        contract_id = make_contract(
            authority,
            contractor,
            officer,
            award_date=today,
            start_date=today,
            end_date=date(today.year + 2, 1, 31),
            reference="EM-PSO-1",
        ).id

    page.goto("/account/inloggen")
    log_in(page, OFFICER)
    page.goto(f"/contracten/{contract_id}")
    expect(page.get_by_text("PSO-certificaat nog niet geverifieerd")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto("/inkoop/pso-certificaten")
    certificates = page.get_by_role("region", name="Te verifiëren PSO-certificaten")
    expect(certificates).to_contain_text("Bouwbedrijf De Hoek B.V.")
    assert_no_axe_violations(page)
    certificates.get_by_role("link", name="Controleer PSO-2026-3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PSO-certificaat PSO-2026-3")
    expect(page.get_by_text("EM-PSO-1")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Ja, verifieer certificaat PSO-2026-3").click()

    expect(page.get_by_role("status")).to_contain_text("is geverifieerd")
    assert_no_axe_violations(page)
    page.goto(f"/contracten/{contract_id}")
    expect(page.get_by_text("PSO-certificaat nog niet geverifieerd")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("vrijgesteld (PSO)")


def test_admin_sees_look_alike_names_and_certificates_to_verify(page: Page, live_server):
    with live_server.app.app_context():
        make_user("admin@example.com", admin=True)
        make_org("authority", name="Gemeente Emmen", kvk_number="01180000")
        make_org("authority", name="Gem. Emmen", verified=False)
        owner = make_user("eigenaar@hoek.example.com")
        contractor = make_org("contractor", owner=owner, name="Bouwbedrijf De Hoek B.V.")
        today = date.today()
        pso.record_certificate(
            contractor, "trede_3", "PSO-9", today + timedelta(days=30), owner, today
        )

    page.goto("/account/inloggen")
    log_in(page, "admin@example.com")
    page.goto("/beheer/")

    expect(page.get_by_text("Lijkt op:")).to_contain_text("Gemeente Emmen")
    certificates = page.get_by_role("region", name="Te verifiëren PSO-certificaten")
    expect(certificates).to_contain_text("PSO-9")
    assert_no_axe_violations(page)
