"""An officer asks for the annual report in a real browser: the button makes the job, the file's
page shows it ready with a download link that serves the PDF; axe checks the pages."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from marketplace import clock
from tests.e2e.conftest import assert_no_axe_violations, log_in
from tests.factories import make_contract, make_org, make_policy, make_user

OFFICER = "inkoper@emmen.example.com"


def test_officer_asks_for_the_annual_report_and_downloads_it(page: Page, live_server):
    year = date.today().year
    with live_server.app.app_context():
        officer = make_user(OFFICER)
        authority = make_org("authority", owner=officer, name="Gemeente Emmen")
        make_policy(authority)
        contractor = make_org("contractor", owner=make_user("eigenaar@hoek.example.com"))
        make_contract(
            authority,
            contractor,
            officer,
            reference="EM-JR-1",
            award_date=date(year, 1, 1),
            start_date=date(year, 1, 1),
            end_date=date(year + 1, 12, 31),
        )

    page.goto("/account/inloggen")
    log_in(page, OFFICER)
    page.goto("/rapportage/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name=f"Jaarrapport {year} maken").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Jaarrapport {year}")
    expect(page.get_by_role("status")).to_contain_text("Je bestand is klaar")
    assert_no_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="downloaden").click()
    made_on = clock.today().isoformat()  # the day in Amsterdam (marketplace/clock.py)
    assert download.value.suggested_filename == (
        f"sroi-jaarrapport-{year}-gemeente-emmen-{made_on}.pdf"
    )
    page.goto("/rapportage/")
    expect(page.get_by_role("region", name="Bestanden van vandaag")).to_contain_text("klaar")
