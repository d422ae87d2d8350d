"""Every figure agrees to the cent wherever it is shown: the pages, the CSV and Excel exports and
the PDF reports, on the demo data (`flask seed-demo`) plus a rejected realisation and a contract
that starts next year, the two cases that made the reports contradict themselves."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date

import openpyxl
import pytest
import time_machine
from sqlalchemy import select

from marketplace.demo import DEMO_PASSWORD, seed_demo
from marketplace.extensions import db
from marketplace.models import Contract, Realisation
from marketplace.services import realisations
from tests.factories import make_contract
from tests.web.test_reports import made_file, pdf_text, table_rows

TODAY = date(2026, 9, 1)
OFFICER = "inkoper.emmen@example.com"
EUR = r"€\s?(-?[\d.]+,\d\d)"


def cents(text: str) -> int:
    """ "1.234,56" (Dutch) -> 123456."""
    return int(text.replace(".", "").replace(",", ""))


def amount_after(text: str, label: str) -> int:
    found = re.findall(re.escape(label) + r"\s*" + EUR, text)
    assert found, f"{label!r} not followed by an amount"
    assert len(set(found)) == 1, f"{label!r} states different amounts: {found}"
    return cents(found[0])


@pytest.fixture
def demo(app, client, auth):
    """The demo data on TODAY, the invoice awaiting a decision rejected, and a contract that
    starts next year; logged in as the Emmen officer."""
    with time_machine.travel(TODAY, tick=False):
        seed_demo()
        officer_contract = db.session.scalar(
            select(Contract).where(Contract.reference == "EM-2025-014")
        )
        officer = officer_contract.authority.members[0].user
        invoice = db.session.scalar(
            select(Realisation).where(Realisation.invoice_number == "EMCO-25-118")
        )
        realisations.reject([invoice.id], officer, "Factuur niet leesbaar")
        make_contract(
            officer_contract.authority,
            officer_contract.contractor,
            officer,
            reference="EM-2027-001",
            award_date=date(2026, 8, 1),
            start_date=date(2027, 1, 1),
            end_date=date(2028, 12, 31),
        )
    traveller = time_machine.travel(TODAY, tick=False)
    traveller.start()
    auth.login(OFFICER, DEMO_PASSWORD)
    yield client
    traveller.stop()


def csv_rows(client, what: str) -> list[dict[str, str]]:
    data = client.get(f"/rapportage/{what}.csv").data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data), delimiter=";"))


def xlsx_rows(client, what: str) -> list[dict[str, object]]:
    data = made_file(client, f"/rapportage/{what}.xlsx") if what == "realisaties" else None
    if data is None:
        with client.get(f"/rapportage/{what}.xlsx") as response:
            data = response.data
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book.active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def xlsx_cents(value) -> int:
    return round(value * 100) if value is not None else 0


def test_contract_figures_agree_on_page_csv_xlsx_and_pdf(demo):
    client = demo
    by_csv = {r["Kenmerk"]: r for r in csv_rows(client, "contracten")}
    by_xlsx = {r["Kenmerk"]: r for r in xlsx_rows(client, "contracten")}
    assert set(by_csv) == set(by_xlsx) and len(by_csv) == 5
    contracts = db.session.scalars(select(Contract).order_by(Contract.id)).all()
    for contract in contracts:
        page = client.get(f"/contracten/{contract.id}").get_data(as_text=True)
        pdf = pdf_text(made_file(client, f"/rapportage/contracten/{contract.id}/rapport"))
        row, xrow = by_csv[contract.reference], by_xlsx[contract.reference]
        obligation = cents(re.search(r'class="app-figure">' + EUR, page).group(1))
        assert obligation == cents(row["SROI-verplichting"])
        assert obligation == xlsx_cents(xrow["SROI-verplichting"])
        assert obligation == amount_after(pdf, "SROI-verplichting")
        if contract.obligation_status != "due":
            continue
        figures = [cents(a) for a in re.findall(r'class="app-card__figure">' + EUR, page)]
        approved, pending = figures[0], figures[1]
        assert approved == cents(row["Goedgekeurd"]) == xlsx_cents(xrow["Goedgekeurd"])
        assert pending == cents(row["Wacht op besluit"]) == xlsx_cents(xrow["Wacht op besluit"])
        assert approved == amount_after(pdf, "Goedgekeurd (gerealiseerd)")
        assert pending == amount_after(pdf, "Wacht op besluit")
        if "Totaal goedgekeurd" in pdf:
            assert approved == amount_after(pdf, "Totaal goedgekeurd")
            assert pending == amount_after(pdf, "Totaal wacht op een besluit")


def test_realisation_exports_add_up_to_the_contract_figures(demo):
    client = demo
    contracts = {r["Kenmerk"]: r for r in csv_rows(client, "contracten")}
    for rows, value_of in (
        (csv_rows(client, "realisaties"), lambda r: cents(r["Waarde"])),
        (xlsx_rows(client, "realisaties"), lambda r: xlsx_cents(r["Waarde"])),
    ):
        approved: dict[str, int] = defaultdict(int)
        pending: dict[str, int] = defaultdict(int)
        states = set()
        for r in rows:
            states.add(r["Stand"])
            if r["Stand"] == "goedgekeurd":
                approved[r["Kenmerk contract"]] += value_of(r)
            elif r["Stand"] == "ingediend":
                pending[r["Kenmerk contract"]] += value_of(r)
        assert "afgewezen" in states  # the rejected invoice is listed, and not counted
        for ref, row in contracts.items():
            assert approved[ref] == cents(row["Goedgekeurd"]), ref
            assert pending[ref] == cents(row["Wacht op besluit"]), ref


def test_annual_report_totals_are_the_sums_of_its_contracts(demo):
    client = demo
    rows = [r for r in csv_rows(client, "contracten") if r["Begindatum"] <= "2026-12-31"]
    assert len(rows) == 4  # the contract that starts in 2027 is not in the 2026 report
    pdf = pdf_text(made_file(client, "/rapportage/jaarrapport-2026"))
    obligation = sum(cents(r["SROI-verplichting"]) for r in rows)
    assert amount_after(pdf, "Totale SROI-verplichting") == obligation
    assert amount_after(pdf, "van een verplichting van") == obligation
    approved = sum(cents(r["Goedgekeurd"]) for r in rows)
    assert amount_after(pdf, "Goedgekeurd in totaal (gerealiseerd)") == approved
    assert amount_after(pdf, "Wacht op besluit") == sum(cents(r["Wacht op besluit"]) for r in rows)
    page = client.get("/rapportage/").get_data(as_text=True)
    all_obligations = sum(cents(r["SROI-verplichting"]) for r in csv_rows(client, "contracten"))
    assert f"{all_obligations // 100:,}".replace(",", ".") in page


def test_people_agree_on_pages_csv_and_xlsx_and_add_up_to_the_approved_value(demo):
    client = demo
    by_csv = {
        (r["Kenmerk contract"], r["Jaar"], r["Bouwblok"]): r for r in csv_rows(client, "mensen")
    }
    book = openpyxl.load_workbook(io.BytesIO(made_file(client, "/rapportage/realisaties.xlsx")))
    header, *rows = list(book["Mensen"].iter_rows(values_only=True))
    by_xlsx = {(r[0], str(r[1]), r[2]): dict(zip(header, r, strict=True)) for r in rows}
    assert set(by_csv) == set(by_xlsx) and by_csv
    for key, row in by_csv.items():
        x = by_xlsx[key]
        assert cents(row["Goedgekeurde waarde"]) == xlsx_cents(x["Goedgekeurde waarde"]), key
        for column in ("Kandidaten", "Fte", "Uren"):
            assert row[column] == ("" if x[column] is None else _dutch(x[column], column)), key
    approved: dict[str, int] = defaultdict(int)
    for (ref, _year, _block), row in by_csv.items():
        approved[ref] += cents(row["Goedgekeurde waarde"])
    for ref, contract in {r["Kenmerk"]: r for r in csv_rows(client, "contracten")}.items():
        assert approved[ref] == cents(contract["Goedgekeurd"]), ref
    for contract in db.session.scalars(select(Contract)):
        page = client.get(f"/contracten/{contract.id}").get_data(as_text=True)
        table = page.split('id="people-figures"')[1] if 'id="people-figures"' in page else ""
        on_page = {
            (row[0], row[1].split()[0]): [cell.replace(".", "") for cell in row[2:5]]
            for row in (table_rows(table)[1:] if table else [])
            if not row[1].startswith("Alle bouwblokken")
        }
        expected = {
            (year, block): [r["Kandidaten"] or "—", r["Fte"] or "—", r["Uren"] or "—"]
            for (ref, year, block), r in by_csv.items()
            if ref == contract.reference
        }
        assert on_page == expected, contract.reference


def _dutch(value, column: str) -> str:
    """An Excel number as the CSV writes it: whole candidates, FTE and hours with two decimals."""
    return str(value) if column == "Kandidaten" else f"{value:.2f}".replace(".", ",")
