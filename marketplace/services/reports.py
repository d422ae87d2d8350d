"""Reports for procurement officers: CSV and Excel exports of an authority's contracts and
realisations, and PDF compliance reports per contract and per year (WeasyPrint).

Exports stream: one joined query read in batches (`yield_per`), never a query per row, so
10,000 rows stay quick and small in memory. Amounts are integer cents in the database and euros
with two decimals in a file (DOMAIN.md "Money and units"); the CSV is what Dutch Excel opens
without a wizard: UTF-8 with BOM, `;` between fields and a decimal comma.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import xlsxwriter
from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, selectinload
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from marketplace.domain.fulfilment import STATUSES, Fulfilment, percent_realised
from marketplace.extensions import db
from marketplace.labels import obligation_labels, state_labels
from marketplace.models import BuildingBlock, Contract, Organisation, Realisation, User
from marketplace.services import charts, contracts, fulfilment, policies
from marketplace.services.errors import NotFound

# Number formats always use "," for thousands and "." for decimals; Excel shows them the Dutch
# way in a Dutch locale (RECIPES.md "Reports").
EUR_FORMAT = "[$€-413] #,##0.00;[$€-413] -#,##0.00"
DATE_FORMAT = "dd-mm-yyyy"
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
# Text a spreadsheet would run as a formula when it opens the CSV (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """An export column: its header, its kind of value (text, eur in cents, date, number) and
    its width in characters in Excel."""

    label: str
    kind: str = "text"
    width: int = 14


@dataclass
class Table:
    """An export: file name without extension, sheet name, columns and a stream of rows."""

    name: str
    sheet: str
    columns: list[Column]
    rows: Iterable[tuple[Any, ...]]


def require_authority(user: User, org: Organisation | None) -> Organisation:
    """Reports of an authority are for its own procurement officers; 404 when the selected
    organisation is no authority, 403 for anyone not a member."""
    if org is None:
        raise NotFound()
    policies.require_officer(user, org)
    return org


def local_date(moment: datetime | None) -> date | None:
    """The Dutch calendar day of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date() if moment else None


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


# --- contracts export ------------------------------------------------------------------------


def contracts_table(authority: Organisation, today: date) -> Table:
    """All of the authority's contracts, worst status first, with their fulfilment today."""
    columns = [
        Column(_("Reference"), width=16),
        Column(_("Title"), width=36),
        Column(_("Contractor"), width=28),
        Column(_("KvK number"), width=11),
        Column(_("Department"), width=16),
        Column(_("Contract value"), "eur", 17),
        Column(_("Award date"), "date", 12),
        Column(_("Start date"), "date", 12),
        Column(_("End date"), "date", 12),
        Column(_("SROI obligation"), "eur", 15),
        Column(_("Obligation status"), width=20),
        Column(_("Approved"), "eur", 15),
        Column(_("Awaiting a decision"), "eur", 15),
        Column(_("Remaining"), "eur", 15),
        Column(_("Percentage realised"), "number", 12),
        Column(_("Status"), width=16),
        Column(_("Forecast at end"), "eur", 16),
    ]
    return Table(
        name=f"contracten-{authority.slug}-{today.isoformat()}",
        sheet=_("Contracts"),
        columns=columns,
        rows=_contract_rows(authority.id, today),
    )


def _contract_rows(authority_id: int, today: date) -> Iterator[tuple[Any, ...]]:
    q = (
        contracts.authority_contracts(authority_id)
        .join(Organisation, Organisation.id == Contract.contractor_id)
        .add_columns(Organisation.name, Organisation.kvk_number)
        .execution_options(yield_per=1000)
    )
    # Labels translated once, not per row: gettext costs more than the rest of a row.
    obligations = obligation_labels()
    statuses = {s: fulfilment.status_label(s) for s in STATUSES}
    for c, contractor, kvk in db.session.execute(q):
        f = fulfilment.fulfilment_of(c, today)
        due = c.obligation_status == "due"
        yield (
            c.reference,
            c.title,
            contractor,
            kvk,
            c.department,
            c.value_cents,
            c.award_date,
            c.start_date,
            c.end_date,
            c.obligation_cents,
            obligations.get(c.obligation_status, c.obligation_status),
            f.approved_cents,
            f.pending_cents,
            f.remaining_cents,
            f.percent if due else None,
            statuses.get(f.status, f.status),
            f.forecast_cents if due else None,
        )


# --- realisations export ---------------------------------------------------------------------


def realisations_table(authority: Organisation, today: date) -> Table:
    """Every realisation on the authority's contracts except the contractors' drafts."""
    columns = [
        Column(_("Contract reference"), width=16),
        Column(_("Realisation"), "number", 11),
        Column(_("State"), width=13),
        Column(_("Building block"), width=10),
        Column(_("Candidate reference"), width=16),
        Column(_("Period from"), "date", 12),
        Column(_("Period until"), "date", 12),
        Column(_("Hours per week"), "number", 10),
        Column(_("Invoice number"), width=16),
        Column(_("Supplier"), width=24),
        Column(_("Value"), "eur", 15),
        Column(_("Submitted on"), "date", 12),
        Column(_("Decided on"), "date", 12),
        Column(_("Reason for rejection"), width=40),
    ]
    return Table(
        name=f"realisaties-{authority.slug}-{today.isoformat()}",
        sheet=_("Realisations"),
        columns=columns,
        rows=_realisation_rows(authority.id),
    )


def _realisation_rows(authority_id: int) -> Iterator[tuple[Any, ...]]:
    r = Realisation
    q = (
        select(
            Contract.reference,
            r.id,
            r.state,
            BuildingBlock.code,
            r.candidate_ref,
            r.start_date,
            r.end_date,
            r.hours_per_week,
            r.invoice_number,
            r.supplier_name,
            r.value_cents,
            r.submitted_at,
            r.decided_at,
            r.rejection_reason,
        )
        .join(Contract, Contract.id == r.contract_id)
        .join(BuildingBlock, BuildingBlock.id == r.block_id)
        .where(Contract.authority_id == authority_id, r.state != "draft")
        .order_by(Contract.reference, r.id)
        .execution_options(yield_per=2000)
    )
    states = state_labels()
    for row in db.session.execute(q):
        (ref, rid, state, code, cand, start, end, hours, inv, supplier, value, sub, dec, why) = row
        yield (
            ref,
            rid,
            states.get(state, state),
            code,
            cand,
            start,
            end,
            hours,
            inv,
            supplier,
            value,
            local_date(sub),
            local_date(dec),
            why,
        )


# --- file formats ----------------------------------------------------------------------------


def _dutch_amount(cents: int) -> str:
    """Cents as Dutch Excel reads a number: 6000000 -> "60.000,00" (Babel is too slow for
    100,000 cells; this is the same text)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d}"


def _csv_cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "eur":
        return _dutch_amount(value)
    if kind == "date":
        return value.isoformat()
    if kind == "number":
        return format(Decimal(value).normalize(), "f").replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_chunks(table: Table, batch: int = 500) -> Iterator[str]:
    """The table as CSV text in chunks of `batch` rows, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")  # the BOM tells Excel the file is UTF-8
    writer.writerow([c.label for c in table.columns])
    kinds = [c.kind for c in table.columns]
    for n, row in enumerate(table.rows, 1):
        writer.writerow([_csv_cell(k, v) for k, v in zip(kinds, row, strict=True)])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(table: Table) -> bytes:
    """The table as an Excel workbook: bold frozen header, real dates, euro number format."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(table.sheet[:31])
    formats = {
        "eur": book.add_format({"num_format": EUR_FORMAT}),
        "date": book.add_format({"num_format": DATE_FORMAT}),
        "number": None,
        "text": None,
    }
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for i, column in enumerate(table.columns):
        sheet.set_column(i, i, column.width, formats[column.kind])
        sheet.write_string(0, i, column.label, header)
    sheet.freeze_panes(1, 0)
    writers: dict[str, Callable[[int, int, Any], Any]] = {
        "eur": lambda r, i, v: sheet.write_number(r, i, float(_euros(v)), formats["eur"]),
        "date": lambda r, i, v: sheet.write_datetime(r, i, v, formats["date"]),
        "number": lambda r, i, v: sheet.write_number(r, i, float(v)),
        "text": lambda r, i, v: sheet.write_string(r, i, str(v)),
    }
    kinds = [c.kind for c in table.columns]
    last = 0
    for last, row in enumerate(table.rows, 1):
        for i, (kind, value) in enumerate(zip(kinds, row, strict=True)):
            if value is not None and value != "":
                writers[kind](last, i, value)
    sheet.autofilter(0, 0, max(last, 1), len(table.columns) - 1)
    book.close()
    return out.getvalue()


# --- PDF reports -----------------------------------------------------------------------------


@dataclass
class ContractSection:
    """One contract in a report: its fulfilment today and the realisations listed with it."""

    contract: Contract
    fulfilment: Fulfilment
    realisations: list[Realisation] = field(default_factory=list)
    approved_in_period_cents: int = 0


@dataclass
class Totals:
    contracts: int
    obligation_cents: int
    approved_cents: int
    pending_cents: int
    percent: Decimal
    by_status: list[tuple[str, int]]
    approved_in_period_cents: int


@dataclass
class Report:
    """What a PDF report shows; `chart` is the fulfilment SVG as a data: URI."""

    title: str
    authority: Organisation
    period_start: date
    period_end: date
    generated_on: date
    sections: list[ContractSection]
    totals: Totals
    chart: str
    chart_summary: str
    side: str = "officer"


def _totals(sections: list[ContractSection]) -> Totals:
    obligation = sum(s.contract.obligation_cents for s in sections)
    approved = sum(s.fulfilment.approved_cents for s in sections)
    counts = Counter(s.fulfilment.status for s in sections)
    order = ("overdue", "at_risk", "on_track", "fulfilled", "exempt", "not_applicable")
    return Totals(
        contracts=len(sections),
        obligation_cents=obligation,
        approved_cents=approved,
        pending_cents=sum(s.fulfilment.pending_cents for s in sections),
        percent=percent_realised(approved, obligation),
        by_status=[(status, counts[status]) for status in order if counts[status]],
        approved_in_period_cents=sum(s.approved_in_period_cents for s in sections),
    )


def contract_report(contract: Contract, side: str, today: date) -> Report:
    """A contract's compliance report: figures, obligation, chart and its realisations
    (drafts left out: they are not yet reported)."""
    rows = list(
        db.session.scalars(
            select(Realisation)
            .where(Realisation.contract_id == contract.id, Realisation.state != "draft")
            .options(selectinload(Realisation.block))
            .order_by(Realisation.start_date, Realisation.id)
        )
    )
    section = ContractSection(contract, fulfilment.fulfilment_of(contract, today), rows)
    section.approved_in_period_cents = section.fulfilment.approved_cents
    chart = charts.contract_chart(contract, today)
    return Report(
        title=_("Social return report %(ref)s", ref=contract.reference),
        authority=contract.authority,
        period_start=contract.start_date,
        period_end=contract.end_date,
        generated_on=today,
        sections=[section],
        totals=_totals([section]),
        chart=charts.data_uri(charts.svg(chart)),
        chart_summary=charts.summary(chart),
        side=side,
    )


def _utc_start_of(day: date) -> datetime:
    """Midnight of a Dutch calendar day as a naive UTC moment, as stored."""
    local = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def year_report(authority: Organisation, year: int, today: date) -> Report:
    """The authority's report for a calendar year: the contracts active in that year (start on
    or before 31 December, end on or after 1 January) and the realisations approved in it.

    A contract that ended before the year but had a realisation approved in it is listed too,
    so the year's approvals all appear. Three queries, whatever the number of contracts."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    since, until = _utc_start_of(first), _utc_start_of(date(year + 1, 1, 1))
    approved = list(
        db.session.scalars(
            select(Realisation)
            .join(Contract, Contract.id == Realisation.contract_id)
            .where(
                Contract.authority_id == authority.id,
                Realisation.state == "approved",
                Realisation.decided_at >= since,
                Realisation.decided_at < until,
            )
            .options(selectinload(Realisation.block))
            .order_by(Realisation.decided_at, Realisation.id)
        )
    )
    late_ids = {r.contract_id for r in approved}
    q = (
        contracts.authority_contracts(authority.id)
        .join(Organisation, Organisation.id == Contract.contractor_id)
        .options(contains_eager(Contract.contractor))
        .where(
            or_(
                (Contract.start_date <= last) & (Contract.end_date >= first),
                Contract.id.in_(late_ids),
            )
        )
    )
    sections = {
        c.id: ContractSection(c, fulfilment.fulfilment_of(c, today))
        for c in db.session.scalars(q).unique()
    }
    for r in approved:
        sections[r.contract_id].realisations.append(r)
        sections[r.contract_id].approved_in_period_cents += r.value_cents
    chart = charts.authority_chart(authority, today)
    return Report(
        title=_("Social return annual report %(year)d", year=year),
        authority=authority,
        period_start=first,
        period_end=last,
        generated_on=today,
        sections=list(sections.values()),
        totals=_totals(list(sections.values())),
        chart=charts.data_uri(charts.svg(chart)),
        chart_summary=charts.summary(chart),
    )


def report_years(authority: Organisation, today: date) -> list[int]:
    """Years an annual report can cover: from the first contract's start to this year."""
    first = db.session.scalar(
        select(func.min(Contract.start_date)).where(Contract.authority_id == authority.id)
    )
    start = min(first.year if first else today.year, today.year)
    return list(range(today.year, start - 1, -1))


class _LocalOnly(URLFetcher):
    """Lets WeasyPrint read data: URIs and files under static/ only: a report never reaches
    the network or the rest of the disk, whatever ends up in its HTML."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"data", "file"})
        self.root = root

    def fetch(self, url: str, headers: dict | None = None):
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self.root):
                raise ValueError(f"refused to read {url}")
        return super().fetch(url, headers)


def render_pdf(template: str, **context: Any) -> bytes:
    """Render a report template to PDF; links are resolved against static/ (print.css)."""
    root = Path(current_app.static_folder).resolve()
    html = render_template(template, **context)
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=_LocalOnly(root))
    return document.write_pdf()
