"""The app on a phone (390 px wide): the navigation is one row with a menu button, and the
approval queue and the contracts list stack their rows instead of scrolling sideways."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in_as
from tests.factories import (
    add_member,
    bulk_realisations,
    make_contract,
    make_org,
    make_policy,
    make_user,
)

OFFICER = "inkoper@telefoon.example.com"
PHONE = {"width": 390, "height": 844}


def seed_officer(live_server: LiveServer) -> None:
    """An officer of a municipality with long contract titles and contractor names, submitted
    realisations waiting, and a second organisation (so the nav bar carries the switch too)."""
    with live_server.app.app_context():
        officer = make_user(OFFICER)
        authority = make_org("authority", owner=officer, name="Gemeente Telefoonstad aan de Vecht")
        make_policy(authority)
        for n, name in enumerate(
            ["Bouwbedrijf Van der Veen en Zonen B.V.", "Schoonmaakdiensten Noord-Nederland B.V."]
        ):
            contractor = make_org("contractor", owner=make_user(), name=name)
            contract = make_contract(
                authority,
                contractor,
                officer,
                title=f"Onderhoud openbare ruimte en groenvoorziening perceel {n + 1}",
                reference=f"2026-OR-{n + 1:04d}",
                department="Stadsbeheer",
            )
            bulk_realisations(contract, 3)
        add_member(make_org("contractor", name="Eigen Aannemer B.V."), officer)


def as_phone_officer(page: Page, live_server: LiveServer) -> None:
    """Log in at desktop width (the menu is open there), pick the municipality, then turn into
    a phone."""
    seed_officer(live_server)
    log_in_as(page, OFFICER)
    page.select_option("#org-switch", label="Gemeente Telefoonstad aan de Vecht")
    page.get_by_role("button", name="Wissel").click()
    page.set_viewport_size(PHONE)


def no_sideways_scroll(page: Page) -> None:
    """Neither the page nor a stacked table is wider than the screen (others may scroll in their
    wrapper)."""
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    widths = page.evaluate(
        """[...document.querySelectorAll('.app-table-wrap:has(.app-table--stack)')]
            .map(w => [w.scrollWidth, w.clientWidth])"""
    )
    assert widths
    assert all(scroll <= client for scroll, client in widths), widths


def test_on_a_phone_the_navigation_is_one_row_with_a_menu_button(
    page: Page, live_server: LiveServer
):
    as_phone_officer(page, live_server)
    page.goto("/inkoop/")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    button = nav.get_by_role("button", name="Menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    nav_box, button_box = nav.bounding_box(), button.bounding_box()
    assert nav_box["height"] <= button_box["height"] + 16, (nav_box, button_box)
    expect(nav.get_by_role("link", name="Zoeken")).to_be_hidden()
    assert_no_axe_violations(page)

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    for name in ("Zoeken", "Dashboard", "Te beoordelen (6)", "Meldingen", "Mijn organisaties"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    expect(nav.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(nav.get_by_label("Organisatie")).to_be_visible()
    no_sideways_scroll(page)
    assert_no_axe_violations(page)

    nav.get_by_role("link", name="Te beoordelen (6)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Realisaties beoordelen")
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_the_phone_menu_works_from_the_keyboard(page: Page, live_server: LiveServer):
    as_phone_officer(page, live_server)
    page.goto("/inkoop/")
    button = page.get_by_role("button", name="Menu")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Zoeken")).to_be_focused()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()


def test_on_a_wide_screen_the_links_show_without_a_menu_button(page: Page, live_server: LiveServer):
    seed_officer(live_server)
    log_in_as(page, OFFICER)
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    expect(nav.get_by_role("link", name="Zoeken")).to_be_visible()


def test_without_javascript_the_phone_links_stay_in_one_row(
    browser: Browser, base_url: str, live_server: LiveServer
):
    context = browser.new_context(base_url=base_url, java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto("/")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    first = nav.get_by_role("link", name="Zoeken")
    last = nav.get_by_role("link", name="Registreren")
    assert last.bounding_box()["y"] == first.bounding_box()["y"]
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    context.close()


def test_the_approval_queue_stacks_its_rows_on_a_phone(page: Page, live_server: LiveServer):
    as_phone_officer(page, live_server)
    page.goto("/inkoop/beoordelen")
    row = page.locator("main tbody tr").first
    contractor = row.locator('td[data-label="Opdrachtnemer"]')
    expect(contractor).to_have_text("Bouwbedrijf Van der Veen en Zonen B.V.")
    expect(contractor).to_be_in_viewport()
    assert contractor.bounding_box()["x"] + contractor.bounding_box()["width"] <= PHONE["width"]
    assert page.locator("main thead").bounding_box()["height"] <= 1  # for screen readers only
    no_sideways_scroll(page)
    assert_no_axe_violations(page)

    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Selectie goedkeuren").click()
    expect(page.locator("main tbody tr")).to_have_count(5)


def test_the_contracts_list_stacks_its_rows_on_a_phone(page: Page, live_server: LiveServer):
    as_phone_officer(page, live_server)
    page.goto("/inkoop/")
    contracts = page.locator("#contracten tbody tr")
    expect(contracts).to_have_count(2)
    for label in ("Opdrachtnemer", "Verplichting", "Status", "Prognose"):
        cell = contracts.first.locator(f'td[data-label="{label}"]')
        cell.scroll_into_view_if_needed()
        expect(cell).to_be_in_viewport(ratio=1)
    no_sideways_scroll(page)
    assert_no_axe_violations(page)


def test_a_contracts_realisations_stack_on_a_phone(page: Page, live_server: LiveServer):
    as_phone_officer(page, live_server)
    page.goto("/inkoop/")
    page.locator("#contracten").get_by_role("link").first.click()
    rows = page.get_by_role("region", name="Realisaties").locator("tbody tr")
    expect(rows).to_have_count(3)
    rows.first.locator("summary").first.click()
    reason = rows.first.get_by_label("Reden van afwijzing")
    reason.scroll_into_view_if_needed()
    expect(reason).to_be_in_viewport(ratio=1)
    no_sideways_scroll(page)
    assert_no_axe_violations(page)


def test_the_policy_versions_stack_on_a_phone(page: Page, live_server: LiveServer):
    as_phone_officer(page, live_server)
    page.goto("/inkoop/beleid")
    expect(page.locator('main td[data-label="Drempelwaarde"]')).to_be_in_viewport(ratio=1)
    no_sideways_scroll(page)
    assert_no_axe_violations(page)


def test_the_desktop_keeps_the_tables(page: Page, live_server: LiveServer):
    seed_officer(live_server)
    log_in_as(page, OFFICER)
    page.select_option("#org-switch", label="Gemeente Telefoonstad aan de Vecht")
    page.get_by_role("button", name="Wissel").click()
    page.goto("/inkoop/beoordelen")
    expect(page.get_by_role("columnheader", name="Opdrachtnemer")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto("/inkoop/")
    expect(page.locator("#contracten").get_by_role("columnheader", name="Prognose")).to_be_visible()
    assert_no_axe_violations(page)
