"""The marketplace's "done means" in a real browser (issue 13): EMCO-groep posts an offering, a
contractor posts demand for its contract and sees the match with its reasons and SROI value,
EMCO proposes, they exchange a message, the contractor accepts and marks the deal delivered with
the invoice, and the officer approves the realisation in the queue with the previewed value: the
contract's approved value rises by exactly that value. axe checks every page at desktop and phone
width.

The people, organisations, policy and contract are made directly; everything else goes through
the pages. Dates are relative to today: the server reads the real date."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in
from tests.factories import make_contract, make_org, make_policy, make_user

EMCO = "accountmanager@emco.example.com"
BUYER = "inkoop@devries.example.com"
OFFICER = "inkoper@emmen.example.com"
REFERENCE = "EMM-2026-031"
PHONE = {"width": 390, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
# A werkbedrijf earns 100% purchase credit (docs/domain.md): the invoice counts in full.
AMOUNT = "€ 12.000,00"


def checked(page: Page) -> None:
    """axe at phone and desktop width, ending at desktop width."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_no_axe_violations(page)


def _logged_in(page: Page, email: str) -> Page:
    page.goto("/account/inloggen")
    log_in(page, email)
    return page


def _fill(page: Page, fields: dict[str, str]) -> None:
    for label, value in fields.items():
        page.get_by_label(re.compile("^" + re.escape(label))).fill(value)


def _listing(page: Page, kind: str, fields: dict[str, str], contract_id: int | None = None) -> str:
    """Post a listing through its form; returns its page's path."""
    page.goto(f"/markt/nieuw?soort={kind}")
    checked(page)
    _fill(page, fields)
    page.get_by_label(re.compile("^Sector")).select_option("schoonmaak")
    page.get_by_label(re.compile("^Soort")).select_option("service")
    page.get_by_label(re.compile("^Regio")).select_option("Drenthe")
    if contract_id is not None:
        page.get_by_label(re.compile("^Voor contract")).select_option(str(contract_id))
    page.get_by_role("button", name="Opslaan en publiceren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fields["Titel"])
    checked(page)
    return re.sub(r"^https?://[^/]+", "", page.url)


def _approved(page: Page, contract_path: str) -> str:
    """The contract page's approved (realised) value."""
    page.goto(contract_path)
    region = page.get_by_role("region", name="Stand van zaken")
    card = region.locator(".app-card").filter(
        has=page.get_by_text("Goedgekeurd (gerealiseerd)", exact=True)
    )
    return card.locator(".app-card__figure").inner_text().replace("\xa0", " ").strip()


def test_a_demand_becomes_an_approved_purchase_through_the_marketplace(
    page: Page, new_context, live_server: LiveServer
):
    start = date.today() - timedelta(days=60)
    with live_server.app.app_context():
        officer = make_user(OFFICER)
        authority = make_org("authority", owner=officer, name="Gemeente Emmen")
        make_policy(authority, effective_from=start - timedelta(days=400))
        contractor = make_org(
            "contractor", owner=make_user(BUYER), name="Bouwbedrijf De Vries B.V.", verified=True
        )
        contract = make_contract(
            authority,
            contractor,
            officer,
            reference=REFERENCE,
            title="Onderhoud openbare ruimte",
            award_date=start - timedelta(days=30),
            start_date=start,
            end_date=start + timedelta(days=730),
        )
        contract_id, contract_path = contract.id, f"/contracten/{contract.id}"
        make_org("werkbedrijf", owner=make_user(EMCO), name="EMCO-groep", verified=True)

    # EMCO-groep offers cleaning.
    emco = _logged_in(new_context().new_page(), EMCO)
    _listing(
        emco,
        "aanbod",
        {
            "Titel": "Schoonmaak van kantoren en openbare gebouwen",
            "Omschrijving": "Vaste ploegen met begeleiding, in heel Drenthe.",
            "Prijs in euro": "12.000",
        },
    )

    # The contractor asks for cleaning for its contract and sees EMCO's offering as a match.
    buyer = _logged_in(new_context().new_page(), BUYER)
    demand_path = _listing(
        buyer,
        "vraag",
        {
            "Titel": "Schoonmaak bouwketen en kantoor",
            "Omschrijving": "Dagelijkse schoonmaak van onze bouwketen.",
            "Budget in euro": "12.000",
        },
        contract_id,
    )
    match = buyer.locator(".app-match").filter(has_text="Schoonmaak van kantoren")
    expect(match).to_contain_text("zelfde sector")
    expect(match).to_contain_text(
        f"Een inkoop van {AMOUNT} bij deze leverancier telt voor {AMOUNT} mee voor contract"
    )

    # EMCO proposes on the demand.
    emco.goto(demand_path)
    emco.get_by_role("link", name="Doe een voorstel").click()
    checked(emco)
    _fill(emco, {"Je aanbod": "Wij schonen dagelijks, met een vaste ploeg.", "Prijs": "12.000"})
    emco.get_by_role("button", name="Verstuur voorstel").click()
    expect(emco.get_by_role("status")).to_contain_text("Je voorstel is verstuurd")
    checked(emco)
    proposal_path = re.sub(r"^https?://[^/]+", "", emco.url)

    # They exchange a message.
    buyer.goto(demand_path)
    buyer.get_by_role("region", name="Voorstellen").get_by_role("link", name="EMCO-groep").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Voorstel van EMCO-groep")
    checked(buyer)
    buyer.get_by_label(re.compile("^Bericht")).fill("Kunnen jullie ook op zaterdag?")
    buyer.get_by_role("button", name="Verstuur bericht").click()
    emco.goto(proposal_path)
    expect(emco.get_by_role("region", name="Gesprek")).to_contain_text("ook op zaterdag")
    emco.get_by_label(re.compile("^Bericht")).fill("Ja, zaterdag kan ook.")
    emco.get_by_role("button", name="Verstuur bericht").click()
    checked(emco)

    # The contractor accepts, after confirming.
    buyer.goto(proposal_path)
    expect(buyer.get_by_role("region", name="Gesprek")).to_contain_text("zaterdag kan ook")
    buyer.get_by_role("link", name="Accepteer dit voorstel").click()
    checked(buyer)
    buyer.get_by_role("button", name="Ja, accepteer en leg de deal vast").click()
    expect(buyer.get_by_role("status")).to_contain_text("Deal vastgelegd met EMCO-groep")
    checked(buyer)

    # The work is done: the contractor marks the deal delivered with the invoice.
    _fill(
        buyer,
        {
            "Factuurnummer": "EMCO-2026-1187",
            "Factuurdatum": date.today().isoformat(),
            "Bedrag exclusief btw": "12.000",
        },
    )
    buyer.get_by_role("button", name="Meld levering").click()
    expect(buyer.get_by_role("status")).to_contain_text("De deal is geleverd")
    expect(buyer.locator("main")).to_contain_text(AMOUNT)
    expect(buyer.locator("main")).to_contain_text("ingediend")
    checked(buyer)

    # The officer finds it in the queue with the previewed value and approves it.
    officer_page = _logged_in(page, OFFICER)
    assert _approved(officer_page, contract_path) == "€ 0,00"
    officer_page.goto("/inkoop/beoordelen")
    row = officer_page.get_by_role("row").filter(has_text=REFERENCE)
    expect(row.get_by_role("cell", name=AMOUNT, exact=True)).to_be_visible()
    checked(officer_page)
    officer_page.get_by_label(re.compile(f"^Selecteer realisatie \\d+ van {REFERENCE}$")).check()
    officer_page.get_by_role("button", name="Selectie goedkeuren").click()
    expect(officer_page.get_by_role("status")).to_contain_text("1 realisatie goedgekeurd.")

    assert _approved(officer_page, contract_path) == AMOUNT
    checked(officer_page)
