"""A contractor invited by KvK number registers and finds its contract, in a real browser: the
officer invites from the contract form (laptop), the company's owner registers from the mail on a
phone, the admin checks and verifies the organisation, and the owner sees the contract. axe checks
every page at 1280 and 390 px."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in, log_in_as, log_out
from tests.factories import PASSWORD, make_org, make_policy, make_user
from tests.mailbox import outbox_messages

OFFICER = "inkoper@emmen.example.com"
ADMIN = "beheer@platform.example.com"
INVITED = "anna@nieuwbouw.example.com"
KVK = "87654321"
REFERENCE = "EMM-2026-042"
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _checked(page: Page) -> None:
    """axe at both widths, back at the width the page was at."""
    width = page.viewport_size
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        assert_no_axe_violations(page)
    page.set_viewport_size(width)


def _link_in_mail(live_server: LiveServer, to: str) -> str:
    with live_server.app.app_context():
        body = outbox_messages(to)[-1].get_content()
    return re.search(r"https?://\S+", body).group(0)


def _fill(page: Page, fields: dict[str, str]) -> None:
    for label, value in fields.items():
        page.get_by_label(re.compile("^" + re.escape(label))).fill(value)


def test_a_contractor_invited_by_kvk_registers_and_finds_its_contract(page: Page, live_server):
    with live_server.app.app_context():
        authority = make_org("authority", owner=make_user(OFFICER), name="Gemeente Emmen")
        make_policy(authority)
        make_user(ADMIN, admin=True)

    # The officer invites the company from the contract form.
    page.set_viewport_size(LAPTOP)
    log_in_as(page, OFFICER)
    page.goto("/inkoop/contracten/nieuw")
    _checked(page)
    _fill(
        page,
        {
            "Titel": "Nieuwbouw sporthal",
            "Kenmerk": REFERENCE,
            "Contractwaarde": "1.200.000",
            "Gunningsdatum": "2026-02-01",
            "Begindatum": "2026-03-01",
            "Einddatum": "2028-02-29",
            "KvK-nummer van het bedrijf": KVK,
            "E-mailadres voor de uitnodiging": INVITED,
        },
    )
    page.get_by_role("button", name="Contract registreren").click()
    expect(page.locator("main")).to_contain_text(f"wacht op registratie van KvK {KVK}")
    expect(page.locator("main")).to_contain_text(f"De uitnodiging is gemaild naar {INVITED}")
    _checked(page)
    log_out(page)

    # The invited owner follows the mail's link on a phone, and registers account and company.
    page.set_viewport_size(PHONE)
    page.goto(_link_in_mail(live_server, INVITED))
    expect(page).to_have_title(re.compile("^Account aanmaken"))
    page.get_by_label(re.compile("^E-mailadres")).fill(INVITED)
    page.get_by_label(re.compile("^Wachtwoord")).fill(PASSWORD)
    page.get_by_label(re.compile("^Herhaal wachtwoord")).fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer je e-mail")
    page.goto(_link_in_mail(live_server, INVITED))
    log_in(page, INVITED)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn organisaties")
    page.goto("/organisaties/registreren")
    page.get_by_label(re.compile("^Naam")).fill("Nieuwbouw Anna B.V.")
    page.get_by_label("Soort organisatie").select_option("contractor")
    page.get_by_label("KvK-nummer").fill(KVK)
    page.get_by_label("Straat en huisnummer").fill("Hoofdstraat 12")
    page.get_by_label(re.compile("^Postcode")).fill("7811ab")
    page.get_by_label(re.compile("^Plaats")).fill("Emmen")
    page.get_by_label(re.compile("^Arbeidsmarktregio")).select_option("Drenthe")
    page.get_by_role("button", name="Organisatie registreren").click()
    expect(page.locator("main")).to_contain_text("Nog niet geverifieerd")
    page.goto("/opdrachtnemer/")
    expect(page.locator("main")).not_to_contain_text(REFERENCE)  # not before verification
    page.set_viewport_size(LAPTOP)  # on a phone the log-out button is in the menu
    log_out(page)

    # The admin checks the organisation and verifies it.
    page.set_viewport_size(LAPTOP)
    log_in_as(page, ADMIN)
    page.goto("/beheer/")
    page.get_by_role("link", name="Nieuwbouw Anna B.V. controleren").click()
    expect(page.locator("main")).to_contain_text(KVK)
    expect(page.locator("main")).to_contain_text(INVITED)
    _checked(page)
    page.get_by_role("button", name="Verifieer Nieuwbouw Anna B.V.").click()
    expect(page.get_by_role("status")).to_contain_text("Nieuwbouw Anna B.V. is geverifieerd")
    log_out(page)

    # The owner finds the contract in the overview, on the phone.
    log_in_as(page, INVITED)
    page.set_viewport_size(PHONE)
    page.goto("/opdrachtnemer/")
    expect(page.locator("main")).to_contain_text(REFERENCE)
    _checked(page)
    page.locator("main").get_by_role("link", name=re.compile("Nieuwbouw sporthal")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwbouw sporthal")
    expect(page.locator("main")).to_contain_text("Gemeente Emmen")
    _checked(page)
