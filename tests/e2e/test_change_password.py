"""A user changes their password from the account page in a real browser, at desktop and phone
width, and axe finds nothing on the page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in_as
from tests.factories import PASSWORD, make_user

EMAIL = "wijzig@example.com"
NEW = "een heel nieuw wachtwoord"


def fill_in(page: Page, current: str) -> None:
    page.get_by_label("Huidig wachtwoord").fill(current)
    page.get_by_role("textbox", name="Nieuw wachtwoord (verplicht)", exact=True).fill(NEW)
    page.get_by_label("Herhaal wachtwoord").fill(NEW)
    page.get_by_role("button", name="Wachtwoord opslaan").click()


def test_a_user_changes_the_password_from_the_account_page(page: Page, live_server: LiveServer):
    with live_server.app.app_context():
        make_user(EMAIL)
    log_in_as(page, EMAIL)
    page.goto("/account")
    page.get_by_role("link", name="Wijzig je wachtwoord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wijzig je wachtwoord")
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_axe_violations(page)

    fill_in(page, "niet mijn wachtwoord")
    expect(page.get_by_text("Dit is niet je wachtwoord.").first).to_be_visible()
    assert_no_axe_violations(page)

    fill_in(page, PASSWORD)
    expect(page.get_by_role("status")).to_contain_text("Je wachtwoord is gewijzigd")
    expect(page).to_have_url(f"{live_server.url}/account")
