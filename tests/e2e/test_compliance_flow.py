"""The compliance cycle in a real browser: an officer sets a policy and registers a contract, the
contractor reports a realisation with evidence, the officer approves it; axe checks every page.

Only the people and organisations are made directly; everything else goes through the forms.
Dates are relative to today, as the server's status rules read the real date."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from marketplace.services.policies import CSV_COLUMNS
from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in
from tests.factories import make_org, make_user

OFFICER = "inkoper@emmen.example.com"
CONTRACTOR_OWNER = "eigenaar@devries.example.com"
CONTRACTOR = "Bouwbedrijf De Vries B.V."
REFERENCE = "EMM-2026-017"
# The value table as the policy page's CSV export writes it: PW with a bonus, and MA.
VALUE_TABLE = "\n".join(
    [
        ",".join(CSV_COLUMNS),
        "PW,Participatiewet-uitkering naar werk,fte_year,4000000,12,730,age_50_plus=1000000,",
        "MA,Maatschappelijke activiteit,hour,10000,,,,",
    ]
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# PW at € 40.000 plus the 50+ bonus at € 10.000, 24 of 36 hours, 181 days (docs/domain.md example).
VALUE = "€ 16.529,68"
NBSP_VALUE = VALUE.replace(" ", "\xa0")


def _visit_checked(page: Page, url: str) -> None:
    page.goto(url)
    assert_no_axe_violations(page)


def _fill(page: Page, fields: dict[str, str]) -> None:
    """Type into the fields whose label starts with each key (a label may end in "(verplicht)")."""
    for label, value in fields.items():
        page.get_by_label(re.compile("^" + re.escape(label))).fill(value)


def _officer_creates_policy(page: Page, csv_file: Path, start: date) -> None:
    page.goto("/account/inloggen")
    log_in(page, OFFICER)
    expect(page).to_have_url(re.compile(r"/inkoop/$"))
    expect(page.locator("main")).to_contain_text("Begin met je SROI-beleid")
    assert_no_axe_violations(page)

    page.locator("main").get_by_role("link", name="Beleid maken").click()
    expect(page).to_have_url(re.compile(r"/inkoop/beleid/nieuw$"))
    assert_no_axe_violations(page)
    _fill(
        page,
        {
            "Naam van deze versie": "SROI-beleid Emmen",
            "Geldig vanaf": (start - timedelta(days=60)).isoformat(),
            "Drempel": "250.000",
            "Minimale looptijd": "6",
            "SROI-percentage": "5",
            "PSO trede 1": "50",  # PSO: the part of the obligation that remains
            "PSO trede 2": "0",
        },
    )
    page.get_by_label(re.compile(r"^Waardetabel \(CSV")).set_input_files(csv_file)
    page.get_by_role("button", name="Beleidsversie opslaan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("SROI-beleid Emmen")
    expect(page.get_by_role("status")).to_contain_text("Beleidsversie SROI-beleid Emmen is")
    table = page.get_by_role("region", name="Waardetabel (bouwblokken)")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row").nth(1)).to_contain_text("50 jaar of ouder +€ 10.000,00")
    assert_no_axe_violations(page)


def _officer_registers_contract(page: Page, start: date) -> str:
    """The contract page's path."""
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.locator("main")).to_contain_text("Nog geen contracten")
    assert_no_axe_violations(page)
    page.locator("main").get_by_role("link", name="Contract registreren").click()
    expect(page).to_have_url(re.compile(r"/inkoop/contracten/nieuw$"))
    assert_no_axe_violations(page)
    page.get_by_label(re.compile("^Opdrachtnemer")).select_option(label=CONTRACTOR)
    _fill(
        page,
        {
            "Titel": "Onderhoud openbaar groen",
            "Kenmerk": REFERENCE,
            "Contractwaarde": "1.200.000",
            "Gunningsdatum": (start - timedelta(days=14)).isoformat(),
            "Begindatum": start.isoformat(),
            "Einddatum": (start + timedelta(days=729)).isoformat(),
        },
    )
    page.get_by_role("button", name="Contract registreren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Onderhoud openbaar groen")
    obligation = page.get_by_role("region", name="SROI-verplichting")
    expect(obligation.locator(".app-figure")).to_have_text("€ 60.000,00")
    expect(obligation.get_by_role("list")).to_contain_text("5% van € 1.200.000,00 = € 60.000,00")
    expect(_status_badge(page)).to_have_text("risico")  # nothing approved half a year in
    assert_no_axe_violations(page)
    return re.sub(r"^https?://[^/]+", "", page.url)


def _status_badge(page: Page):
    return page.locator(".app-lead .utrecht-status-badge")


def _figure(page: Page, label: str):
    """The amount on the contract page's fulfilment card with this label."""
    region = page.get_by_role("region", name="Stand van zaken")
    card = region.locator(".app-card").filter(has=page.get_by_text(label, exact=True))
    return card.locator(".app-card__figure")


def _contractor_reports(page: Page, start: date) -> None:
    page.goto("/opdrachtnemer/")
    expect(page).to_have_title(re.compile("^Inloggen"))  # sent to log in first, then back
    log_in(page, CONTRACTOR_OWNER)
    expect(page).to_have_url(re.compile(r"/opdrachtnemer/$"))
    expect(page.get_by_role("heading", level=2)).to_have_text("Onderhoud openbaar groen")
    assert_no_axe_violations(page)

    page.get_by_role("link", name=f"Realisatie melden — {REFERENCE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Realisatie melden")
    assert_no_axe_violations(page)
    page.get_by_label(re.compile("^Bouwblok")).select_option("PW")
    page.get_by_label("50 jaar of ouder").check()
    _fill(
        page,
        {
            "Kenmerk kandidaat": "KAND-2026-014",
            "Begindatum": start.isoformat(),
            "Einddatum": (start + timedelta(days=180)).isoformat(),  # 181 days
            "Uren per week": "24",
        },
    )
    page.get_by_role("button", name="Waarde berekenen").click()

    preview = page.get_by_role("region", name=re.compile("^Waarde van deze realisatie"))
    expect(preview.get_by_role("heading", level=2)).to_have_text(
        f"Waarde van deze realisatie: {VALUE}"
    )
    expect(preview.get_by_role("listitem").last).to_have_text(f"Totaal: {VALUE}")
    assert_no_axe_violations(page)
    evidence = {"name": "arbeidsovereenkomst.pdf", "mimeType": "application/pdf", "buffer": PDF}
    page.get_by_label(re.compile("^Bewijs")).set_input_files(evidence)
    page.get_by_role("button", name="Indienen", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(f"Realisatie ingediend: {VALUE}")
    expect(_figure(page, "Wacht op goedkeuring")).to_have_text(VALUE)
    expect(page.get_by_role("cell", name="arbeidsovereenkomst.pdf")).to_be_visible()
    assert_no_axe_violations(page)


def _chart_svg(page: Page) -> str:
    """The chart image the contract page shows, fetched with the officer's session."""
    src = page.get_by_role("img", name=re.compile("^Social return van")).get_attribute("src")
    assert re.fullmatch(r"/rapportage/contracten/\d+/grafiek\.svg", src)
    response = page.request.get(src)
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
    return response.text()


def _officer_approves(page: Page) -> None:
    _visit_checked(page, "/inkoop/beoordelen")
    row = page.get_by_role("row").filter(has_text=REFERENCE)
    expect(row).to_contain_text("arbeidsovereenkomst.pdf")
    expect(row.get_by_role("cell", name=VALUE)).to_be_visible()
    page.get_by_label(re.compile(f"^Selecteer realisatie \\d+ van {REFERENCE}$")).check()
    page.get_by_role("button", name="Selectie goedkeuren").click()
    expect(page.get_by_role("status")).to_contain_text("1 realisatie goedgekeurd.")
    assert_no_axe_violations(page)


def test_officer_and_contractor_go_through_the_compliance_cycle(
    page: Page, new_context, live_server: LiveServer, tmp_path: Path
):
    with live_server.app.app_context():
        make_org("authority", owner=make_user(OFFICER), name="Gemeente Emmen")
        make_org("contractor", owner=make_user(CONTRACTOR_OWNER), name=CONTRACTOR, verified=True)
    csv_file = tmp_path / "waardetabel.csv"
    csv_file.write_text(VALUE_TABLE, encoding="utf-8")

    # The contract started half a year ago: part of its obligation is expected by now.
    start = date.today() - timedelta(days=182)
    _officer_creates_policy(page, csv_file, start)
    contract_path = _officer_registers_contract(page, start)

    contractor_context: BrowserContext = new_context()
    _contractor_reports(contractor_context.new_page(), start)

    _visit_checked(page, contract_path)
    expect(_figure(page, "Wacht op goedkeuring")).to_have_text(VALUE)
    chart_before = _chart_svg(page)
    assert "€\xa00,00 goedgekeurd" in chart_before
    assert f"{NBSP_VALUE} wacht op een besluit" in chart_before

    _officer_approves(page)
    _visit_checked(page, contract_path)
    expect(_figure(page, "Goedgekeurd (gerealiseerd)")).to_have_text(VALUE)
    expect(_figure(page, "Wacht op goedkeuring")).to_have_text("€ 0,00")
    expect(_status_badge(page)).to_have_text("op schema")
    page.get_by_text("Toon de cijfers van deze grafiek").click()
    today_row = page.locator("#chart-figures tbody tr").last
    expect(today_row.get_by_role("rowheader")).to_contain_text("(vandaag)")
    expect(today_row.get_by_role("cell").first).to_have_text(VALUE)  # the approved column
    assert_no_axe_violations(page)

    chart_after = _chart_svg(page)
    assert chart_after != chart_before
    assert f"{NBSP_VALUE} goedgekeurd" in chart_after
    assert "€\xa00,00 wacht op een besluit" in chart_after

    # The people behind the euros: the candidate on the contract page and the reports page.
    people = page.locator("#people-figures")
    expect(people).to_contain_text("Participatiewet")
    _visit_checked(page, "/rapportage/")
    expect(page.locator("#people-figures")).to_contain_text("Participatiewet")
