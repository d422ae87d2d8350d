"""Charts (SVG images), exports (CSV, Excel) and PDF compliance reports.

A contract's chart and report are for both sides of that contract (`contracts.get_for`, 404 for
anyone else); the authority-wide ones for the officers of the selected authority only."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask import Blueprint, Response, g, render_template, request, stream_with_context
from flask_babel import format_decimal, get_locale
from flask_login import current_user, login_required

from marketplace import labels
from marketplace.services import charts, contracts, fulfilment, reports
from marketplace.services.errors import NotFound

bp = Blueprint("reports", __name__, url_prefix="/rapportage")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLES = {"contracten": reports.contracts_table, "realisaties": reports.realisations_table}


@bp.app_context_processor
def chart_helpers() -> dict:
    """For the includes on other areas' pages (contract page, officer dashboard): the chart's
    figures for its data table, and the years an annual report exists for."""
    return {
        "contract_chart": lambda contract: charts.contract_chart(contract, date.today()),
        "authority_chart": lambda org: charts.authority_chart(org, date.today()),
        "chart_summary": charts.summary,
        "report_years": lambda org: reports.report_years(org, date.today()),
    }


@bp.context_processor
def report_helpers() -> dict:
    """Labels and number formats the PDF templates use."""
    return {
        "status_label": fulfilment.status_label,
        "state_label": labels.state_label,
        "obligation_label": labels.obligation_label,
        "local_date": reports.local_date,
        "number": lambda value: format_decimal(value, format="#,##0.##"),
        "percent": lambda value: format_decimal(Decimal(value), format="0.0") + "%",
    }


def _authority():
    return reports.require_authority(current_user, g.get("current_org"))


def _file(body, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(body, mimetype=mimetype)
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", filename)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _svg(document: str) -> Response:
    response = Response(document, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/")
@login_required
def index():
    return render_template("reports/index.html", authority=_authority())


@bp.route("/grafiek.svg")
@login_required
def authority_chart():
    """The dashboard's chart sums all the authority's contracts (≈ 100 ms at 5,000): answered
    with 304 from a cheap fingerprint when the browser's copy is still right."""
    authority = _authority()
    today = date.today()
    etag = charts.authority_chart_version(authority, today, str(get_locale()))
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response = _svg(charts.svg(charts.authority_chart(authority, today)))
    response.set_etag(etag)
    return response


@bp.route("/contracten/<int:contract_id>/grafiek.svg")
@login_required
def contract_chart(contract_id: int):
    contract, _side = contracts.get_for(contract_id, current_user)
    return _svg(charts.svg(charts.contract_chart(contract, date.today())))


@bp.route("/<any(contracten, realisaties):what>.csv")
@login_required
def export_csv(what: str):
    table = TABLES[what](_authority(), date.today())
    body = stream_with_context(reports.csv_chunks(table))
    return _file(body, "text/csv; charset=utf-8", f"{table.name}.csv")


@bp.route("/<any(contracten, realisaties):what>.xlsx")
@login_required
def export_xlsx(what: str):
    table = TABLES[what](_authority(), date.today())
    return _file(reports.xlsx_bytes(table), XLSX, f"{table.name}.xlsx")


@bp.route("/contracten/<int:contract_id>/rapport.pdf")
@login_required
def contract_pdf(contract_id: int):
    contract, side = contracts.get_for(contract_id, current_user)
    report = reports.contract_report(contract, side, date.today())
    pdf = reports.render_pdf("reports/pdf_contract.html", report)
    return _file(pdf, "application/pdf", f"sroi-{contract.reference}.pdf", inline=True)


@bp.route("/jaarrapport-<int:year>.pdf")
@login_required
def year_pdf(year: int):
    authority = _authority()
    today = date.today()
    if not 2000 <= year <= today.year + 10:
        raise NotFound()
    report = reports.year_report(authority, year, today)
    pdf = reports.render_pdf("reports/pdf_year.html", report)
    return _file(
        pdf, "application/pdf", f"sroi-jaarrapport-{year}-{authority.slug}.pdf", inline=True
    )
