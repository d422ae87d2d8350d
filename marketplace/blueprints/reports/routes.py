"""Charts (SVG images), exports (CSV, Excel) and PDF compliance reports.

A contract's chart and report are for both sides of that contract
(`contracts.contract_for_party`, 404 for anyone else); the authority-wide ones for the officers
of the selected authority only."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from marketplace import clock
from marketplace.blueprints.downloads import csv_download, revalidated_svg, sent, svg, xlsx_download
from marketplace.services import charts, contracts, report_files, reports

bp = Blueprint("reports", __name__, url_prefix="/rapportage")

TABLES = {
    "contracten": reports.contracts_table,
    "realisaties": reports.realisations_table,
    "mensen": reports.people_table,
}


def _authority():
    return reports.require_authority(current_user, g.get("current_org"))


@bp.route("/")
@login_required
def index():
    authority = _authority()
    today = clock.today()
    years = reports.report_years(authority, today)
    # The year whose people are shown: one of the report years, this year unless asked.
    year = next((y for y in years if str(y) == request.args.get("jaar")), years[0])
    return render_template(
        "reports/index.html",
        authority=authority,
        chart=charts.authority_chart(authority, today),
        report_years=years,
        people_year=year,
        people=reports.people_of_year(authority.id, year).people,
        files=report_files.recent_of(authority),
        describe=report_files.describe,
        state_of=report_files.state_label,
        local_time=lambda moment: reports.local_time(moment).strftime("%H:%M"),
    )


@bp.route("/grafiek.svg")
@login_required
def authority_chart():
    """The dashboard's chart sums all the authority's contracts (≈ 100 ms at 5,000): answered
    with 304 from a cheap fingerprint when the browser's copy is still right."""
    authority = _authority()
    today = clock.today()
    return revalidated_svg(
        charts.authority_chart_version(authority, today, str(get_locale())),
        lambda: charts.svg(charts.authority_chart(authority, today)),
    )


@bp.route("/contracten/<int:contract_id>/grafiek.svg")
@login_required
def contract_chart(contract_id: int):
    contract, _side = contracts.contract_for_party(contract_id, current_user)
    return svg(charts.svg(charts.contract_chart(contract, clock.today())))


@bp.route("/<any(contracten, realisaties, mensen):what>.csv")
@login_required
def export_csv(what: str):
    return csv_download(TABLES[what](_authority(), clock.today()))


@bp.route("/contracten.xlsx")
@login_required
def contracts_xlsx():
    """The contracts as Excel, at once: one row per contract (10,000 in a few seconds), written
    in constant memory to a temporary file that is streamed and then gone."""
    return xlsx_download(reports.contracts_table(_authority(), clock.today()))


@bp.post("/realisaties.xlsx")
@login_required
def ask_realisations_xlsx():
    report = report_files.ask_realisations_xlsx(current_user, g.get("current_org"))
    return redirect(url_for("reports.report_file", report_id=report.id))


@bp.post("/contracten/<int:contract_id>/rapport")
@login_required
def ask_contract_pdf(contract_id: int):
    report = report_files.ask_contract_pdf(current_user, contract_id)
    return redirect(url_for("reports.report_file", report_id=report.id))


@bp.post("/jaarrapport-<int:year>")
@login_required
def ask_year_pdf(year: int):
    report = report_files.ask_year_pdf(current_user, g.get("current_org"), year)
    return redirect(url_for("reports.report_file", report_id=report.id))


@bp.route("/bestanden/<int:report_id>")
@login_required
def report_file(report_id: int):
    """A requested report: its progress (the page refreshes itself while the job runs, with a
    meta refresh: our CSP allows no inline script) and, when ready, its download link."""
    report = report_files.report_for_member(report_id, current_user)
    return render_template(
        "reports/file.html", report=report, describe=report_files.describe(report)
    )


@bp.route("/bestanden/<int:report_id>/<path:filename>")
@login_required
def download_report_file(report_id: int, filename: str):
    report = report_files.report_for_member(report_id, current_user)
    path, mimetype = report_files.file_of(report)
    return sent(path, mimetype, report.filename)
