"""Reports through the web: CSV and Excel exports, PDF reports, chart images, who may see them."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import openpyxl
import pypdf
import pytest
import time_machine

from marketplace.extensions import db
from marketplace.services import realisations
from tests.factories import (
    bulk_realisations,
    fte_realisation,
    make_contract,
    make_org,
    make_user,
)
from tests.querycount import counting_statements

TODAY = date(2026, 9, 1)
OFFICER = "officer@authority.example.com"
OWNER = "owner@contractor.example.com"


@pytest.fixture
def contract(parties):
    """A € 60.000 obligation with one approved PW realisation (submitted and decided on TODAY)."""
    with time_machine.travel(TODAY, tick=False):
        c = parties.register(reference="EM-2026-014")
        parties.approved(c, fte_realisation("KAND-0001"))
    return c


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


def pdf_text(data: bytes) -> str:
    """The PDF's text, pages joined, with whitespace runs made single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def made_file(client, url: str) -> bytes:
    """Ask for a report file (POST), follow to its page and download it when ready; jobs run
    in-process in the tests, so it is ready at once."""
    asked = client.post(url)
    assert asked.status_code == 302, asked.status_code
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/rapportage/bestanden/\d+/[^"]+)"', page)
    assert link, page
    with client.get(link.group(1)) as response:  # closing it closes the file it sends
        assert response.status_code == 200
        return response.data


def first_csv_row(data: bytes) -> dict[str, str]:
    """The first data row of a `;`-separated UTF-8 (BOM) CSV, by column header."""
    return next(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_contracts_csv_opens_in_dutch_excel(client, auth, contract, today):
    auth.login(OFFICER)
    response = client.get("/rapportage/contracten.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    row = first_csv_row(response.data)
    assert row["Kenmerk"] == "EM-2026-014"
    assert row["SROI-verplichting"] == "60.000,00"
    assert row["Contractwaarde"] == "1.200.000,00"
    assert row["Einddatum"] == "2028-02-29"


def test_realisations_csv_lists_the_approved_realisation(client, auth, contract, today):
    auth.login(OFFICER)
    row = first_csv_row(client.get("/rapportage/realisaties.csv").data)
    assert row["Kenmerk contract"] == "EM-2026-014"
    assert row["Stand"] == "goedgekeurd"
    assert row["Kenmerk kandidaat"] == "KAND-0001"
    assert row["Besloten op"] == "2026-09-01"
    assert row["Waarde"] == "13.442,92"


def test_contracts_xlsx_has_real_dates_and_the_euro_format(client, auth, contract, today):
    auth.login(OFFICER)
    with client.get("/rapportage/contracten.xlsx") as response:
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(1, 1).font.bold
    end = sheet.cell(2, header.index("Einddatum") + 1)
    assert end.value == datetime(2028, 2, 29)
    obligation = sheet.cell(2, header.index("SROI-verplichting") + 1)
    assert obligation.value == 60000
    assert obligation.number_format == "[$€-413] #,##0.00;[$€-413] -#,##0.00"


def test_realisations_xlsx_reads_back(client, auth, contract, today):
    auth.login(OFFICER)
    sheet = openpyxl.load_workbook(io.BytesIO(made_file(client, "/rapportage/realisaties.xlsx")))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[1][0] == "EM-2026-014"
    assert rows[1][5] == datetime(2026, 3, 1)


def test_contract_report_pdf_names_the_contract(client, auth, contract, today):
    auth.login(OWNER)
    data = made_file(client, f"/rapportage/contracten/{contract.id}/rapport")
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "EM-2026-014" in text
    assert "€ 60.000,00" in text
    assert "Pagina 1 van" in text


def test_annual_report_of_a_year_without_contracts_says_so(client, auth, contract, today):
    auth.login(OFFICER)
    data = made_file(client, "/rapportage/jaarrapport-2019")
    assert data.startswith(b"%PDF")
    assert "geen actieve contracten" in pdf_text(data)


def test_annual_report_for_an_absurd_year_is_not_found(client, auth, contract, today):
    auth.login(OFFICER)
    assert client.post("/rapportage/jaarrapport-1850").status_code == 404


def test_contract_chart_is_an_svg_image_with_a_title(client, auth, contract, today):
    auth.login(OWNER)
    response = client.get(f"/rapportage/contracten/{contract.id}/grafiek.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert "EM-2026-014" in root.find("{http://www.w3.org/2000/svg}title").text


def test_authority_chart_is_for_officers(client, auth, contract, today):
    auth.login(OFFICER)
    response = client.get("/rapportage/grafiek.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(1900, 1, 1), date(2199, 12, 31)), (date(2026, 3, 1), date(2199, 12, 31))],
)
def test_charts_of_a_contract_running_for_centuries_label_a_few_years(
    client, auth, authority, contractor, contract, today, start, end
):
    """Forms and API accept any date from 1900 to 2199; a contract spanning them broke both its
    own chart and the authority's (no month step fitted three centuries: 500)."""
    officer = authority.members[0].user
    long = make_contract(authority, contractor, officer, start_date=start, end_date=end)
    auth.login(OFFICER)
    for url in (f"/rapportage/contracten/{long.id}/grafiek.svg", "/rapportage/grafiek.svg"):
        response = client.get(url)
        assert response.status_code == 200
        root = ET.fromstring(response.data)
        labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        years = [label for label in labels if label and re.fullmatch(r"\d{4}", label)]
        assert 2 <= len(years) <= 7, years


def test_contractor_of_another_organisation_gets_404_on_chart_and_report(
    client, auth, contract, today
):
    make_org("contractor", owner=make_user("other@contractor.example.com"))
    auth.login("other@contractor.example.com")
    assert client.get(f"/rapportage/contracten/{contract.id}/grafiek.svg").status_code == 404
    assert client.post(f"/rapportage/contracten/{contract.id}/rapport").status_code == 404


@pytest.mark.parametrize(
    "url", ["/rapportage/contracten.csv", "/rapportage/contracten.xlsx", "/rapportage/grafiek.svg"]
)
def test_contractor_cannot_download_authority_exports(client, auth, contract, today, url):
    auth.login(OWNER)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/rapportage/realisaties.xlsx", "/rapportage/jaarrapport-2026"])
def test_contractor_cannot_ask_for_authority_reports(client, auth, contract, today, url):
    auth.login(OWNER)
    assert client.post(url).status_code == 404


def test_officer_of_another_authority_exports_only_its_own_contracts(client, auth, contract, today):
    make_org("authority", owner=make_user("inkoper@elders.example.com"))
    auth.login("inkoper@elders.example.com")
    text = client.get("/rapportage/contracten.csv").data.decode("utf-8")
    assert "EM-2026-014" not in text
    assert "EM-2026-014" not in pdf_text(made_file(client, "/rapportage/jaarrapport-2026"))


def test_anonymous_visitor_is_sent_to_log_in(client, contract):
    response = client.get("/rapportage/contracten.csv")
    assert response.status_code == 302
    assert "/account/inloggen" in response.headers["Location"]


def test_contract_page_shows_the_chart_its_figures_and_the_report(client, auth, contract, today):
    auth.login(OFFICER)
    html = client.get(f"/contracten/{contract.id}").data.decode()
    assert f'src="/rapportage/contracten/{contract.id}/grafiek.svg"' in html
    assert "Toon de cijfers van deze grafiek" in html
    assert f'action="/rapportage/contracten/{contract.id}/rapport"' in html
    assert "/rapportage/realisaties.csv" in html


def test_contractor_sees_the_report_but_not_the_authority_exports(client, auth, contract, today):
    auth.login(OWNER)
    html = client.get(f"/contracten/{contract.id}").data.decode()
    assert f'action="/rapportage/contracten/{contract.id}/rapport"' in html
    assert "/rapportage/realisaties" not in html


def test_reports_page_lists_exports_and_annual_reports(client, auth, contract, today):
    auth.login(OFFICER)
    html = client.get("/rapportage/").data.decode()
    assert 'src="/rapportage/grafiek.svg"' in html
    assert 'href="/rapportage/contracten.xlsx"' in html
    assert 'action="/rapportage/jaarrapport-2026"' in html
    assert 'action="/rapportage/realisaties.xlsx"' in html


def amounts_after(text: str, label: str) -> list[str]:
    """Every euro amount printed right after `label` in a PDF's text."""
    return re.findall(re.escape(label) + r"\s*€\s?(-?[\d.]+,\d\d)", text)


def test_contract_report_total_counts_only_approved_realisations(client, auth, contract, today):
    officer, owner = contract.authority.members[0].user, contract.contractor.members[0].user
    spring = fte_realisation("KAND-0002", date(2026, 3, 1), date(2026, 5, 31))
    rejected = realisations.submit(contract, spring, owner)
    realisations.reject([rejected.id], officer, "Geen loonstrook")
    auth.login(OFFICER)
    text = pdf_text(made_file(client, f"/rapportage/contracten/{contract.id}/rapport"))
    assert "Geen loonstrook" in text  # the rejected row is listed, with its reason
    assert amounts_after(text, "Totaal goedgekeurd") == ["13.442,92"]


def test_contract_report_lists_realisations_in_the_order_they_were_submitted(
    client, auth, contract, today
):
    # Submitted a month before the fixture's realisation, for a later period.
    owner = contract.contractor.members[0].user
    with time_machine.travel(date(2026, 8, 1), tick=False):
        later_period = fte_realisation("KAND-0002", date(2026, 4, 1), date(2026, 7, 31))
        realisations.submit(contract, later_period, owner)
    auth.login(OFFICER)
    text = pdf_text(made_file(client, f"/rapportage/contracten/{contract.id}/rapport"))
    listed = text[text.index("Realisaties") :]
    assert listed.index("1 aug 2026") < listed.index("1 sep 2026")


def test_annual_report_states_one_obligation_total(client, auth, contract, today):
    """A contract that starts next year is not part of this year's report: not in its totals,
    nor in its chart."""
    officer = contract.authority.members[0].user
    make_contract(
        contract.authority,
        contract.contractor,
        officer,
        reference="EM-2027-001",
        award_date=date(2026, 8, 1),
        start_date=date(2027, 1, 1),
        end_date=date(2028, 12, 31),
    )
    auth.login(OFFICER)
    text = pdf_text(made_file(client, "/rapportage/jaarrapport-2026"))
    stated = set(amounts_after(text, "Totale SROI-verplichting"))
    stated |= set(amounts_after(text, "van een verplichting van"))
    assert stated == {"60.000,00"}
    assert "EM-2027-001" not in text


def test_annual_report_in_parts_lists_every_contract_once_with_running_page_numbers(
    app, client, auth, contract, today
):
    """A large report is rendered a few rows at a time (bounded memory) and joined."""
    officer = contract.authority.members[0].user
    for n in range(2):
        make_contract(contract.authority, contract.contractor, officer, reference=f"EM-PART-{n}")
    app.config["REPORT_ROWS_PER_PART"] = 1
    auth.login(OFFICER)
    data = made_file(client, "/rapportage/jaarrapport-2026")
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    text = pdf_text(data)
    for ref in ("EM-2026-014", "EM-PART-0", "EM-PART-1"):
        assert text.count(ref) == 1
    assert text.count("Totale SROI-verplichting") == 1
    numbers = [int(n) for n in re.findall(r"Pagina (\d+)", text)]
    assert numbers == list(range(1, len(pages) + 1))


# 23:30 UTC on 31 December is 00:30 on 1 January in Amsterdam.
NEW_YEAR_IN_AMSTERDAM = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


def download_name(response) -> str:
    return re.search(r'filename="?([^";]+)', response.headers["Content-Disposition"]).group(1)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/rapportage/contracten.csv", "contracten-{slug}-2027-01-01.csv"),
        ("/rapportage/contracten.xlsx", "contracten-{slug}-2027-01-01.xlsx"),
        ("/rapportage/realisaties.csv", "realisaties-{slug}-2027-01-01.csv"),
    ],
)
def test_exports_are_named_with_the_day_in_amsterdam(client, auth, contract, url, name):
    auth.login(OFFICER)
    with time_machine.travel(NEW_YEAR_IN_AMSTERDAM, tick=False), client.get(url) as response:
        assert download_name(response) == name.format(slug=contract.authority.slug)


@pytest.mark.parametrize(
    ("ask", "name"),
    [
        ("/rapportage/realisaties.xlsx", "realisaties-{slug}-2027-01-01.xlsx"),
        ("/rapportage/jaarrapport-2026", "sroi-jaarrapport-2026-{slug}-2027-01-01.pdf"),
        ("/rapportage/contracten/{id}/rapport", "sroi-EM-2026-014-2027-01-01.pdf"),
    ],
)
def test_report_files_are_named_with_the_day_in_amsterdam(client, auth, contract, ask, name):
    auth.login(OFFICER)
    with time_machine.travel(NEW_YEAR_IN_AMSTERDAM, tick=False):
        asked = client.post(ask.format(id=contract.id))
        page = client.get(asked.headers["Location"]).get_data(as_text=True)
        link = re.search(r'href="(/rapportage/bestanden/\d+/[^"]+)"', page).group(1)
        with client.get(link) as response:
            assert download_name(response) == name.format(slug=contract.authority.slug)


# The fixture's KAND-0001: 24 hours a week from 1 March to 31 August 2026 (184 days).
FTE, HOURS = "0,34", "630,86"  # 24/36 × 184/365 = 0,336...; 24 × 184/7 = 630,857...


def table_rows(html: str) -> list[list[str]]:
    """The cells' texts of the first table in `html`, row by row."""
    table = html[: html.index("</table>")]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_reports_page_shows_the_people_of_the_year_next_to_the_euros(client, auth, contract, today):
    auth.login(OFFICER)
    html = client.get("/rapportage/").get_data(as_text=True)
    table = html[html.index('id="people-figures"') :]
    assert "Mensen in 2026" in html
    assert table_rows(table)[1] == [
        "2026",
        "PW Participatiewet",
        "1",
        FTE,
        HOURS,
        "€ 13.442,92",
    ]


def test_reports_page_shows_another_report_year_when_asked(client, auth, contract, today):
    officer = contract.authority.members[0].user
    make_contract(contract.authority, contract.contractor, officer, start_date=date(2025, 3, 1))
    auth.login(OFFICER)
    html = client.get("/rapportage/?jaar=2025").get_data(as_text=True)
    assert "Mensen in 2025" in html
    assert "Er zijn nog geen realisaties goedgekeurd." in html
    assert "Mensen in 2026" in client.get("/rapportage/?jaar=1850").get_data(as_text=True)


def test_contract_page_shows_its_people_per_year(client, auth, contract, today):
    auth.login(OWNER)
    html = client.get(f"/contracten/{contract.id}").get_data(as_text=True)
    table = html[html.index('id="people-figures"') :]
    assert "Kandidaten, fte en uren per jaar en bouwblok" in table
    assert f">{FTE}</td>" in table and f">{HOURS}</td>" in table


def test_people_csv_has_a_row_per_contract_year_and_block(client, auth, contract, today):
    auth.login(OFFICER)
    row = first_csv_row(client.get("/rapportage/mensen.csv").data)
    assert (row["Kenmerk contract"], row["Jaar"], row["Bouwblok"]) == ("EM-2026-014", "2026", "PW")
    assert (row["Kandidaten"], row["Fte"], row["Uren"]) == ("1", FTE, HOURS)
    assert row["Goedgekeurde waarde"] == "13.442,92"


def test_realisations_excel_file_has_a_sheet_of_people_in_numbers(client, auth, contract, today):
    auth.login(OFFICER)
    book = openpyxl.load_workbook(io.BytesIO(made_file(client, "/rapportage/realisaties.xlsx")))
    assert book.sheetnames == ["Realisaties", "Mensen"]
    header, row = list(book["Mensen"].iter_rows(values_only=True))
    assert header[5:8] == ("Kandidaten", "Fte", "Uren")
    assert row == ("EM-2026-014", 2026, "PW", "Participatiewet", 1, 1, 0.34, 630.86, 13442.92)
    assert book["Mensen"].cell(2, 7).number_format == "#,##0.00"


def test_contract_report_pdf_counts_its_people(client, auth, contract, today):
    auth.login(OFFICER)
    text = pdf_text(made_file(client, f"/rapportage/contracten/{contract.id}/rapport"))
    people = text[text.index("Mensen per jaar") :]
    assert f"2026 PW — Participatiewet 1 {FTE} {HOURS} € 13.442,92" in people


def test_annual_report_pdf_counts_the_years_people_per_block_and_contract(
    client, auth, contract, today
):
    auth.login(OFFICER)
    text = pdf_text(made_file(client, "/rapportage/jaarrapport-2026"))
    per_block = text[text.index("Mensen in 2026") :]
    assert f"PW — Participatiewet 1 {FTE} {HOURS} € 13.442,92" in per_block
    assert (
        f"Op schema 1 {FTE} {HOURS}" in text
        or f"1 {FTE} {HOURS}" in text[text.index("EM-2026-014") :]
    )


def test_reports_page_needs_the_same_statements_for_61_approved_realisations_as_for_1(
    client, auth, contract, today
):
    auth.login(OFFICER)

    def statements() -> int:
        db.session.expire_all()  # as a new request finds it, with or without the bulk's commit
        with counting_statements(db.engine) as sent:
            assert client.get("/rapportage/").status_code == 200
        return sent.count

    one = statements()
    bulk_realisations(contract, 60, state="approved")  # of € 100,00 each
    assert statements() == one
    people = client.get("/rapportage/").get_data(as_text=True).split('id="people-figures"')[1]
    assert table_rows(people)[-1][-1] == "€ 19.442,92"  # € 13.442,92 + 60 × € 100,00
