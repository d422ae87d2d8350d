"""Reports for procurement officers: CSV and Excel exports of an authority's contracts and
realisations, and PDF compliance reports per contract and per year (WeasyPrint).

Exports stream: one joined query read in batches (`yield_per`), never a query per row, so
10,000 rows stay quick and small in memory. Amounts are integer cents in the database and euros
with two decimals in a file (docs/domain.md "Money and units"); the CSV is what Dutch Excel opens
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

import xlsxwriter
from flask import current_app, render_template
from flask_babel import format_decimal
from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter
from sqlalchemy import BigInteger, Row, Select, case, cast, func, or_, select, tuple_
from sqlalchemy.orm import selectinload
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from marketplace import clock, labels
from marketplace.domain import people
from marketplace.domain.fulfilment import Fulfilment, percent_realised
from marketplace.extensions import db
from marketplace.labels import obligation_labels, state_labels
from marketplace.models import BuildingBlock, Contract, Organisation, Realisation, User
from marketplace.services import charts, contracts, fulfilment, policies, realisations
from marketplace.services.errors import NotFound

# Number formats always use "," for thousands and "." for decimals; Excel shows them the Dutch
# way in a Dutch locale (docs/architecture.md "Reports").
EUR_FORMAT = "[$€-413] #,##0.00;[$€-413] -#,##0.00"
DATE_FORMAT = "dd-mm-yyyy"
DECIMAL_FORMAT = "#,##0.00"
LOCAL_TZ = clock.LOCAL_TZ
# Text a spreadsheet would run as a formula when it opens the CSV (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """An export column: its header, its kind of value (text, eur in cents, date, number,
    decimal: a Decimal of two decimals such as FTE) and its width in characters in Excel."""

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
    count: Callable[[], int] | None = None  # the number of rows, for a job's progress


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


def local_time(moment: datetime) -> datetime:
    """A stored (naive UTC) moment in Dutch time."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


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
        name=clock.dated_name("contracten", authority.slug),
        sheet=_("Contracts"),
        columns=columns,
        rows=_contract_rows(authority.id, today),
    )


@dataclass(frozen=True)
class ContractFigures:
    """One contract as every report shows it: the export row, the annual report's row and the
    dashboard all read these columns (`Contract`'s cached sums, docs/domain.md "Fulfilment status"),
    so a figure cannot differ between them."""

    id: int
    reference: str
    title: str
    contractor: str
    kvk_number: str | None
    department: str
    value_cents: int
    award_date: date
    start_date: date
    end_date: date
    obligation_cents: int
    obligation_status: str
    fulfilment: Fulfilment
    approved_in_period_cents: int = 0

    @property
    def due(self) -> bool:
        return self.obligation_status == "due"


def contract_figures(
    authority_id: int, today: date, year: int | None = None, contract_id: int | None = None
) -> Iterator[ContractFigures]:
    """The authority's contracts, worst status first, read in one streamed query; with `year`,
    only the contracts of that year's report (`year_selection`) with what was approved in it;
    with `contract_id`, that one contract (its report)."""
    c = Contract
    q = (
        contracts.authority_contracts(authority_id)
        .with_only_columns(
            c.id,
            c.reference,
            c.title,
            # A contract waiting for its invited contractor: no name yet, the invited KvK number.
            func.coalesce(Organisation.name, ""),
            func.coalesce(Organisation.kvk_number, c.invited_kvk, ""),
            c.department,
            c.value_cents,
            c.award_date,
            c.start_date,
            c.end_date,
            c.obligation_cents,
            c.obligation_status,
            c.approved_cents,
            c.pending_cents,
        )
        .outerjoin(Organisation, Organisation.id == c.contractor_id)
        .execution_options(yield_per=1000)
    )
    if contract_id is not None:
        q = q.where(c.id == contract_id)
    if year is not None:
        in_year = approved_in_year(authority_id, year).subquery()
        q = (
            q.add_columns(func.coalesce(in_year.c.approved, 0))
            .outerjoin(in_year, in_year.c.contract_id == c.id)
            .where(c.id.in_(year_selection(authority_id, year)))
        )
    for row in db.session.execute(q):
        (cid, ref, title, name, kvk, dept, value, award, start, end, ob, ob_status, a, p) = row[:14]
        f = fulfilment.fulfilment_from(ob, ob_status, a, p, start, end, today)
        yield ContractFigures(
            cid, ref, title, name, kvk, dept, value, award, start, end, ob, ob_status, f,
            int(row[14]) if year is not None else 0,
        )  # fmt: skip


def _contract_rows(authority_id: int, today: date) -> Iterator[tuple[Any, ...]]:
    # Labels translated once, not per row: gettext costs more than the rest of a row.
    obligations = obligation_labels()
    statuses = labels.status_labels()
    for c in contract_figures(authority_id, today):
        f = c.fulfilment
        yield (
            c.reference,
            c.title,
            c.contractor,
            c.kvk_number,
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
            f.percent if c.due else None,
            statuses.get(f.status, f.status),
            f.forecast_cents if c.due else None,
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
        name=clock.dated_name("realisaties", authority.slug),
        sheet=_("Realisations"),
        columns=columns,
        rows=_realisation_rows(authority.id),
        count=lambda: db.session.scalar(
            reported_realisations()
            .with_only_columns(func.count(), maintain_column_froms=True)
            .where(Contract.authority_id == authority.id)
        ),
    )


def reported_realisations() -> Select:
    """The realisations a report lists: every one except the contractors' drafts (not yet
    reported), joined with their contract; callers narrow it to an authority or a contract.
    Only approved value counts as realised (docs/domain.md "Realisations"): totals come from
    `realisation_totals`, never from adding up a listing that holds rejected rows too."""
    return (
        select(Realisation)
        .join(Contract, Contract.id == Realisation.contract_id)
        .where(realisations.reported())
    )


def _realisation_rows(authority_id: int) -> Iterator[tuple[Any, ...]]:
    r = Realisation
    q = (
        reported_realisations()
        .with_only_columns(
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
            maintain_column_froms=True,
        )
        .join(BuildingBlock, BuildingBlock.id == r.block_id)
        .where(Contract.authority_id == authority_id)
    )
    states = state_labels()
    for row in _in_batches(q, (Contract.reference, r.id)):
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


def _in_batches(query: Select, keys: tuple, size: int = 5000) -> Iterator[Row]:
    """The rows of `query` ordered by `keys` (unique together, the first two columns), read
    `size` at a time, each batch a query of its own that starts after the last key seen.

    No cursor stays open between batches, so a job may commit its progress while it reads
    (committing closes a streamed PostgreSQL cursor), and memory holds one batch."""
    last: tuple | None = None
    while True:
        q = query.order_by(*keys).limit(size)
        if last is not None:
            q = q.where(tuple_(*keys) > tuple_(*last))
        rows = db.session.execute(q).all()
        yield from rows
        if len(rows) < size:
            return
        last = tuple(rows[-1][: len(keys)])


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
    if kind == "decimal":
        return format(Decimal(value), "f").replace(".", ",")
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


def write_xlsx(
    table: Table,
    path: str | Path,
    progress: Callable[[int], None] | None = None,
    more: Iterable[Table] = (),
) -> None:
    """The table as an Excel workbook at `path`, and `more` tables as sheets after it: bold
    frozen header, real dates, euro number format. XlsxWriter's constant_memory mode flushes
    each row to a temporary file as soon as the next one starts, so 100,000 rows take the memory
    of one (the rows must come in order, sheet after sheet, which they do). `progress` hears the
    percentage of the first table written every 5,000 rows."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    formats = {
        "eur": book.add_format({"num_format": EUR_FORMAT}),
        "date": book.add_format({"num_format": DATE_FORMAT}),
        "decimal": book.add_format({"num_format": DECIMAL_FORMAT}),
        "number": None,
        "text": None,
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
    }
    total = max(table.count(), 1) if progress and table.count else None
    _write_sheet(book, formats, table, progress if total else None, total)
    for other in more:
        _write_sheet(book, formats, other, None, None)
    book.close()
    if progress:
        progress(100)


def _write_sheet(
    book: xlsxwriter.Workbook,
    formats: dict[str, Any],
    table: Table,
    progress: Callable[[int], None] | None,
    total: int | None,
) -> None:
    sheet = book.add_worksheet(table.sheet[:31])
    for i, column in enumerate(table.columns):
        sheet.set_column(i, i, column.width, formats[column.kind])
        sheet.write_string(0, i, column.label, formats["header"])
    sheet.freeze_panes(1, 0)
    writers: dict[str, Callable[[int, int, Any], Any]] = {
        "eur": lambda r, i, v: sheet.write_number(r, i, float(_euros(v)), formats["eur"]),
        "date": lambda r, i, v: sheet.write_datetime(r, i, v, formats["date"]),
        "number": lambda r, i, v: sheet.write_number(r, i, float(v)),
        "decimal": lambda r, i, v: sheet.write_number(r, i, float(v), formats["decimal"]),
        "text": lambda r, i, v: sheet.write_string(r, i, str(v)),
    }
    kinds = [c.kind for c in table.columns]
    last = 0
    for last, row in enumerate(table.rows, 1):
        for i, (kind, value) in enumerate(zip(kinds, row, strict=True)):
            if value is not None and value != "":
                writers[kind](last, i, value)
        if progress and total and last % 5000 == 0:
            progress(min(99, 100 * last // total))
    sheet.autofilter(0, 0, max(last, 1), len(table.columns) - 1)


# --- PDF reports -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockTotals:
    """A contract's reported value of one building block, by state: what was approved counts,
    what awaits a decision is pending, what was rejected is listed but never counted."""

    code: str
    label: str
    count: int
    approved_cents: int
    pending_cents: int
    rejected_cents: int


@dataclass(frozen=True)
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
    """What a PDF report shows; `chart` is the fulfilment SVG as a data: URI. `rows` are the
    report's table: one `ContractFigures` per contract (annual report) or the contract's
    realisations (contract report); they are rendered in parts (`render_pdf`)."""

    title: str
    authority: Organisation
    period_start: date
    period_end: date
    generated_on: date
    totals: Totals
    chart: str
    chart_summary: str
    rows: list[Any] = field(default_factory=list)
    side: str = "officer"
    contract: ContractFigures | None = None
    contract_record: Contract | None = None
    blocks: list[BlockTotals] = field(default_factory=list)
    people: People | None = None
    people_by_contract: dict[int, people.Figures] = field(default_factory=dict)


def _totals(rows: list[ContractFigures]) -> Totals:
    """Totals of the very rows the report lists, so the summary and the table agree."""
    obligation = sum(c.obligation_cents for c in rows)
    approved = sum(c.fulfilment.approved_cents for c in rows)
    counts = Counter(c.fulfilment.status for c in rows)
    order = ("overdue", "at_risk", "on_track", "fulfilled", "exempt", "not_applicable")
    return Totals(
        contracts=len(rows),
        obligation_cents=obligation,
        approved_cents=approved,
        pending_cents=sum(c.fulfilment.pending_cents for c in rows),
        percent=percent_realised(approved, obligation),
        by_status=[(status, counts[status]) for status in order if counts[status]],
        approved_in_period_cents=sum(c.approved_in_period_cents for c in rows),
    )


def realisation_totals(contract_id: int) -> list[BlockTotals]:
    """A contract's reported value per building block and state, summed in SQL (one query)."""
    r = Realisation

    def by_state(state: str):
        return cast(func.sum(case((r.state == state, r.value_cents), else_=0)), BigInteger)

    q = (
        reported_realisations()
        .with_only_columns(
            BuildingBlock.code,
            BuildingBlock.label,
            func.count(r.id),
            by_state("approved"),
            by_state("submitted"),
            by_state("rejected"),
            maintain_column_froms=True,
        )
        .join(BuildingBlock, BuildingBlock.id == r.block_id)
        .where(r.contract_id == contract_id)
        .group_by(BuildingBlock.code, BuildingBlock.label)
        .order_by(BuildingBlock.code)
    )
    return [
        BlockTotals(code, label, n, int(a or 0), int(p or 0), int(x or 0))
        for code, label, n, a, p, x in db.session.execute(q)
    ]


def contract_report(contract: Contract, side: str, today: date) -> Report:
    """A contract's compliance report: figures, obligation, chart, the value per building block
    and every reported realisation in the order they were submitted (drafts left out)."""
    figures = next(contract_figures(contract.authority_id, today, contract_id=contract.id))
    rows = list(
        db.session.scalars(
            reported_realisations()
            .where(Realisation.contract_id == contract.id)
            .options(selectinload(Realisation.block))
            .order_by(Realisation.submitted_at, Realisation.id)
        )
    )
    chart = charts.contract_chart(contract, today)
    return Report(
        title=_("Social return report %(ref)s", ref=contract.reference),
        authority=contract.authority,
        period_start=contract.start_date,
        period_end=contract.end_date,
        generated_on=today,
        totals=_totals([figures]),
        chart=charts.data_uri(charts.svg(chart)),
        chart_summary=charts.summary(chart),
        rows=rows,
        side=side,
        contract=figures,
        contract_record=contract,
        blocks=realisation_totals(contract.id),
        people=people_of_contract(contract.id),
    )


def _utc_start_of(day: date) -> datetime:
    """Midnight of a Dutch calendar day as a naive UTC moment, as stored."""
    local = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def approved_in_year(authority_id: int, year: int) -> Select:
    """(contract_id, approved): value approved in a calendar year (Dutch time) per contract."""
    since, until = _utc_start_of(date(year, 1, 1)), _utc_start_of(date(year + 1, 1, 1))
    r = Realisation
    return (
        select(r.contract_id, cast(func.sum(r.value_cents), BigInteger).label("approved"))
        .join(Contract, Contract.id == r.contract_id)
        .where(
            Contract.authority_id == authority_id,
            r.state == "approved",
            r.decided_at >= since,
            r.decided_at < until,
        )
        .group_by(r.contract_id)
    )


def year_selection(authority_id: int, year: int) -> Select:
    """Ids of the contracts a year's report covers: active in that year (start on or before
    31 December, end on or after 1 January), or with a realisation approved in it (a contract
    that ended before the year appears with its late approvals). A contract that starts after
    the year is not in it: not in the table, the totals or the chart."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    late = approved_in_year(authority_id, year).with_only_columns(Realisation.contract_id)
    return select(Contract.id).where(
        Contract.authority_id == authority_id,
        or_((Contract.start_date <= last) & (Contract.end_date >= first), Contract.id.in_(late)),
    )


def year_report(authority: Organisation, year: int, today: date) -> Report:
    """The authority's report for a calendar year: a summary and one row per contract of the
    year (`year_selection`) with what was approved in it. The realisations themselves are in
    the Excel export: listing them made a 10,000-contract report 1,400 pages long."""
    rows = list(contract_figures(authority.id, today, year=year))
    chart = charts.authority_chart(authority, today, selection=year_selection(authority.id, year))
    counted = people_of_year(authority.id, year, per_contract=True)
    return Report(
        title=_("Social return annual report %(year)d", year=year),
        authority=authority,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        generated_on=today,
        totals=_totals(rows),
        chart=charts.data_uri(charts.svg(chart)),
        chart_summary=charts.summary(chart),
        rows=rows,
        people=counted.people,
        people_by_contract=counted.by_contract,
    )


def report_years(authority: Organisation, today: date) -> list[int]:
    """Years an annual report can cover: from the first contract's start to this year."""
    first = db.session.scalar(
        select(func.min(Contract.start_date)).where(Contract.authority_id == authority.id)
    )
    start = min(first.year if first else today.year, today.year)
    return list(range(today.year, start - 1, -1))


# --- people: candidates, FTE and hours --------------------------------------------------------


@dataclass(frozen=True)
class PeopleYear:
    """One year of a people table: a row per building block, and the year's total (each
    candidate once, however many blocks)."""

    year: int
    rows: list[people.Row]
    total: people.Figures


@dataclass(frozen=True)
class People:
    """Candidates, FTE and hours of approved realisations per year and building block, with
    their approved value (domain/people.py says how they are counted). `labels` names the
    blocks by code; `total` is every year together."""

    years: list[PeopleYear]
    labels: dict[str, str]
    total: people.Figures

    @property
    def counts_people(self) -> bool:
        return any(row.counts_people for year in self.years for row in year.rows)


def _claims() -> Select:
    """Approved realisations as the people count reads them, block and contract joined; the
    first columns are the contract's id and reference (for `_in_batches` and the export)."""
    r, b = Realisation, BuildingBlock
    return (
        select(
            r.contract_id,
            r.id,
            Contract.reference,
            r.contractor_id,
            b.code,
            b.label,
            b.unit,
            r.candidate_key,
            r.start_date,
            r.end_date,
            r.hours_per_week,
            r.hours,
            r.value_cents,
            r.decided_at,
        )
        .join(Contract, Contract.id == r.contract_id)
        .join(b, b.id == r.block_id)
        .where(r.state == "approved")
    )


def _claim(row: Row) -> people.Claim:
    (_cid, _rid, _ref, contractor, code, _label, unit, key, start, end, per_week, hours, value,
     decided) = row  # fmt: skip
    return people.Claim(
        block=code,
        unit=unit,
        value_cents=int(value),
        # The same reference of two contractors is two people (docs/domain.md "Privacy").
        candidate=(contractor, key) if key else None,
        start=start,
        end=end,
        hours_per_week=per_week,
        hours=hours,
        approved_on=local_date(decided),
    )


def _people(tally: people.Tally, labels: dict[str, str]) -> People:
    by_year: dict[int, list[people.Row]] = {}
    for row in tally.rows():
        by_year.setdefault(row.year, []).append(row)
    totals = tally.years()
    return People(
        [PeopleYear(year, rows, totals[year]) for year, rows in by_year.items()],
        labels,
        tally.total(),
    )


def people_of_contract(contract_id: int) -> People:
    """A contract's people per year and block, every year of its approved realisations (one
    query)."""
    tally, labels = people.Tally(), {}
    for row in db.session.execute(_claims().where(Realisation.contract_id == contract_id)):
        labels.setdefault(row.code, row.label)
        tally.add(_claim(row))
    return _people(tally, labels)


@dataclass(frozen=True)
class YearPeople:
    """An authority's people in one year: per block over all its contracts, and per contract."""

    people: People
    by_contract: dict[int, people.Figures]


def people_of_year(authority_id: int, year: int, per_contract: bool = False) -> YearPeople:
    """The people the authority's approved realisations count in a calendar year, in one
    streamed query: those whose period reaches into the year, and those without a period
    approved in it (domain/people.py "The period"). Only the year's part of a period counts.
    With `per_contract` also each contract's figures (the annual report's rows); the reports
    page needs only the whole (≈ 20 µs a realisation: 50,000 of a year take a second)."""
    r = Realisation
    first, last = date(year, 1, 1), date(year, 12, 31)
    dated = r.start_date.is_not(None) & r.end_date.is_not(None)
    q = (
        _claims()
        .where(Contract.authority_id == authority_id)
        .where(
            or_(
                dated & (r.start_date <= last) & (r.end_date >= first),
                ~dated
                & (r.decided_at >= _utc_start_of(first))
                & (r.decided_at < _utc_start_of(date(year + 1, 1, 1))),
            )
        )
        .execution_options(yield_per=1000)
    )
    tally, by_contract, labels = people.Tally({year}), {}, {}
    for row in db.session.execute(q):
        claim = _claim(row)
        labels.setdefault(row.code, row.label)
        parts = people.shares(claim)  # split once, counted in both tallies
        tally.add(claim, parts)
        if per_contract:
            by_contract.setdefault(row.contract_id, people.Tally({year})).add(claim, parts)
    return YearPeople(_people(tally, labels), {cid: t.total() for cid, t in by_contract.items()})


def people_table(authority: Organisation, today: date) -> Table:
    """Per contract, year and building block the approved realisations' candidates, FTE, hours
    and value: the people next to the euros, for Excel (a sheet of the realisations file) and
    CSV. Cells a block does not count (FTE of a month block, people of an invoice) are empty."""
    columns = [
        Column(_("Contract reference"), width=16),
        Column(_("Year"), "number", 7),
        Column(_("Building block"), width=10),
        Column(_("Target group"), width=32),
        Column(_("Realisations"), "number", 11),
        Column(_("Candidates"), "number", 11),
        Column(_("FTE"), "decimal", 9),
        Column(_("Hours"), "decimal", 11),
        Column(_("Approved value"), "eur", 15),
    ]
    return Table(
        name=clock.dated_name("mensen", authority.slug),
        sheet=_("People"),
        columns=columns,
        rows=_people_rows(authority.id),
    )


def _people_rows(authority_id: int) -> Iterator[tuple[Any, ...]]:
    """Realisations read 5,000 at a time in contract order, each contract's tally written out
    when the next contract begins: memory holds one batch and one contract."""
    q = _claims().where(Contract.authority_id == authority_id)
    current: tuple[int, str] | None = None
    tally, labels = people.Tally(), {}

    def flush() -> Iterator[tuple[Any, ...]]:
        for row in tally.rows():
            f = row.figures
            yield (
                current[1],
                row.year,
                row.block,
                labels[row.block],
                f.realisations,
                f.candidates if row.counts_people else None,
                f.fte_shown if row.counts_fte else None,
                f.hours_shown if row.counts_hours else None,
                f.value_cents,
            )

    for row in _in_batches(q, (Realisation.contract_id, Realisation.id)):
        if current is not None and row.contract_id != current[0]:
            yield from flush()
            tally, labels = people.Tally(), {}  # another contract may name a block otherwise
        current = (row.contract_id, row.reference)
        labels.setdefault(row.code, row.label)
        tally.add(_claim(row))
    if current is not None:
        yield from flush()


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


@dataclass(frozen=True)
class Part:
    """Which part of a report a rendering is: the first holds the cover and the summary, the
    last the table's totals; `page_offset` continues the page numbers of the parts before."""

    first: bool
    last: bool
    single: bool
    page_offset: int


def _pdf_of(html: str, root: Path) -> bytes:
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=_LocalOnly(root))
    return document.write_pdf()


def pdf_of_page(html: str) -> bytes:
    """A one-part PDF of rendered HTML (an invoice), reading only static/ like the reports."""
    return _pdf_of(html, Path(current_app.static_folder).resolve())


def _pdf_helpers() -> dict[str, Any]:
    """Labels and number formats of the PDF templates, passed in rather than from a context
    processor: a job renders them outside any request."""
    return {
        "status_label": labels.status_label,
        "obligation_steps": labels.obligation_steps,
        "state_label": labels.state_label,
        "obligation_label": labels.obligation_label,
        "local_date": local_date,
        "number": lambda value: format_decimal(value, format="#,##0.##"),
        "two_decimals": lambda value: format_decimal(value, format="#,##0.00"),
        "percent": lambda value: format_decimal(Decimal(value), format="0.0") + "%",
    }


def render_pdf(
    template: str,
    report: Report,
    progress: Callable[[int], None] | None = None,
    rows_per_part: int | None = None,
) -> bytes:
    """Render a report template to PDF; links are resolved against static/ (print.css).

    WeasyPrint keeps every laid-out page in memory until it writes (≈ 3 MB a page), so a
    report's table is rendered in parts of REPORT_ROWS_PER_PART rows, each written and
    released before the next, then joined (pypdf). Memory stays that of one part whatever the
    number of rows; `progress` hears the percentage done after each part."""
    root = Path(current_app.static_folder).resolve()
    size = rows_per_part or current_app.config.get("REPORT_ROWS_PER_PART", 400)
    chunks = [report.rows[i : i + size] for i in range(0, len(report.rows), size)] or [[]]
    pages, joined, helpers = 0, None, _pdf_helpers()
    for n, chunk in enumerate(chunks):
        part = Part(n == 0, n == len(chunks) - 1, len(chunks) == 1, pages)
        html = render_template(template, report=report, rows=chunk, part=part, **helpers)
        pdf = _pdf_of(html, root)
        if progress:
            progress(100 * (n + 1) // len(chunks))
        if part.single:
            return pdf
        reader = PdfReader(io.BytesIO(pdf))
        pages += len(reader.pages)
        if joined is None:
            joined = PdfWriter()
            joined.add_metadata({k: v for k, v in (reader.metadata or {}).items()})
        joined.append(reader)
    out = io.BytesIO()
    joined.write(out)
    return out.getvalue()
