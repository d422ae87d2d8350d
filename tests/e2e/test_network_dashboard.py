"""The network admin lands on the network's dashboard, reads the overdue list, opens a member
and pauses it after confirming; axe checks every page on the way, at desktop and phone width."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from marketplace import clock
from marketplace.services import dunning
from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in
from tests.factories import make_membership, make_network, make_org, make_plan, make_user

ADMIN = "coordinator@metwerk.example.com"


def test_the_admin_sees_the_dashboard_and_pauses_an_overdue_member(
    page: Page, live_server: LiveServer
):
    with live_server.app.app_context():
        network = make_network(make_user(ADMIN))
        plan = make_plan(network)
        late = make_org("contractor", name="Laat B.V.")
        renewal = make_membership(network, plan, clock.today() - timedelta(days=45), org=late)
        renewal.status = "active"  # a member whose invoice (say, a renewal's) is unpaid
        make_membership(network, plan, clock.today(), org=make_org("contractor", name="Op Tijd"))
        dunning.sweep(clock.today())  # Laat B.V.'s invoice is 15 days past due: past_due
        slug = network.slug

    page.goto("/account/inloggen")
    log_in(page, ADMIN)
    expect(page).to_have_url(f"{live_server.url}/netwerken/{slug}/beheer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard van MetWerk")
    expect(page.get_by_role("link", name="Netwerkdashboard")).to_have_attribute(
        "aria-current", "page"
    )
    chart = page.locator("img.app-chart__image")
    expect(chart).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", chart.element_handle()) == 640
    overdue = page.locator("#achterstallig")
    expect(overdue).to_contain_text("Laat B.V.")
    expect(overdue).not_to_contain_text("Op Tijd")
    expect(overdue).to_contain_text("betaling te laat")
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    overdue.get_by_role("button", name="Herinnering sturen aan Laat B.V.").click()
    expect(page.get_by_role("status")).to_contain_text("Laat B.V. heeft een herinnering")

    page.locator("#achterstallig").get_by_role("link", name="Laat B.V.").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laat B.V.")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Lidmaatschap pauzeren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lidmaatschap van Laat B.V. pauzeren?"
    )
    assert_no_axe_violations(page)
    page.get_by_label("Reden (niet verplicht)").fill("Betaling in overleg")
    page.get_by_role("button", name="Ja, lidmaatschap pauzeren").click()
    expect(page.get_by_role("status")).to_contain_text("is gepauzeerd")
    expect(page.locator("main")).to_contain_text("geschorst")
    expect(page.get_by_role("button", name="Lidmaatschap hervatten")).to_be_visible()
    assert_no_axe_violations(page)
