"""Report files made by a job: the annual and contract PDFs and the realisations Excel file.

Why a job: an authority with thousands of contracts needs minutes for its annual PDF, far
longer than a web request may take (gunicorn answered 500). A member asks for a report, the
job (`generate_report`, through the outbox) writes the file under REPORT_DIR and moves its
progress, the page shows it and then a download link. A file is for the members of the
organisation it was asked for (anyone else gets a 404, like any object that is not theirs) and
kept REPORT_KEEP_HOURS; `cleanup` deletes older rows and files and runs periodically.

The job is idempotent: a report already made is not made again, and a second run after a crash
makes the same file (the day it reports on and the language are fixed when it is asked for)."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Contract, Organisation, ReportFile, User
from marketplace.models._types import utcnow
from marketplace.services import contracts, organisations, reports
from marketplace.services.errors import NotFound
from marketplace.services.outbox import enqueue

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Kind:
    """What a kind of report file is: its file suffix and how the job makes it."""

    suffix: str
    mimetype: str
    make: Callable[[ReportFile, Path, Progress], None]


def _year_pdf(report: ReportFile, target: Path, progress: Progress) -> None:
    params = report.params
    data = reports.year_report(report.organisation, params["year"], _day(params["today"]))
    target.write_bytes(reports.render_pdf("reports/pdf_year.html", data, progress))


def _contract_pdf(report: ReportFile, target: Path, progress: Progress) -> None:
    params = report.params
    contract = db.session.get(Contract, params["contract_id"])
    if contract is None:
        raise NotFound()
    data = reports.contract_report(contract, params["side"], _day(params["today"]))
    target.write_bytes(reports.render_pdf("reports/pdf_contract.html", data, progress))


def _realisations_xlsx(report: ReportFile, target: Path, progress: Progress) -> None:
    today = _day(report.params["today"])
    table = reports.realisations_table(report.organisation, today)
    people = reports.people_table(report.organisation, today)
    reports.write_xlsx(table, target, progress, more=[people])


PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {
    "year_pdf": Kind(".pdf", PDF, _year_pdf),
    "contract_pdf": Kind(".pdf", PDF, _contract_pdf),
    "realisations_xlsx": Kind(".xlsx", XLSX, _realisations_xlsx),
}


# The names `generate` gives its files: "<report id>-<random>.<suffix>", ".part" while written.
OUR_FILE = re.compile(r"\d+-[^/]+\.(?:pdf|xlsx)(?:\.part)?")


def _day(iso: str) -> date:
    return date.fromisoformat(iso)


def _directory() -> Path:
    path = Path(current_app.config["REPORT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _keep() -> timedelta:
    return timedelta(hours=current_app.config.get("REPORT_KEEP_HOURS", 24))


def _ask(org: Organisation, user: User, kind: str, filename: str, **params) -> ReportFile:
    """Record the request and enqueue its job in one transaction; old files go first, so an
    embedded installation (no scheduler) cleans up as it is used."""
    cleanup(utcnow())
    report = ReportFile(
        organisation_id=org.id,
        requested_by_id=user.id,
        kind=kind,
        filename=filename,
        params={**params, "today": clock.today().isoformat(), "locale": str(get_locale())},
    )
    db.session.add(report)
    db.session.flush()
    enqueue("generate_report", report.id)
    db.session.commit()
    return report


def ask_year_pdf(user: User, org: Organisation | None, year: int) -> ReportFile:
    """The annual report of the officer's authority for a year from 2000 to ten years on."""
    authority = reports.require_authority(user, org)
    if not 2000 <= year <= clock.today().year + 10:
        raise NotFound()
    name = clock.dated_name("sroi-jaarrapport", year, authority.slug) + ".pdf"
    return _ask(authority, user, "year_pdf", name, year=year)


def ask_contract_pdf(user: User, contract_id: int) -> ReportFile:
    """A contract's report, for either side of the contract; the file belongs to the side's
    own organisation (the authority's officers or the contractor's members)."""
    contract, side = contracts.contract_for_party(contract_id, user)
    org = contract.authority if side == "officer" else contract.contractor
    name = clock.dated_name("sroi", contract.reference) + ".pdf"
    return _ask(org, user, "contract_pdf", name, contract_id=contract.id, side=side)


def ask_realisations_xlsx(user: User, org: Organisation | None) -> ReportFile:
    authority = reports.require_authority(user, org)
    name = clock.dated_name("realisaties", authority.slug) + ".xlsx"
    return _ask(authority, user, "realisations_xlsx", name)


def generate(report_id: int) -> None:
    """The job: make the file of one request, moving its progress as it goes. A report that
    is done (its file still there) or gone (cleaned up) is left alone."""
    report = db.session.get(ReportFile, report_id)
    if report is None or (report.state == "done" and report.path and Path(report.path).exists()):
        return
    kind = KINDS[report.kind]
    report.state, report.progress, report.error = "running", 0, None
    db.session.commit()
    target = _directory() / f"{report.id}-{secrets.token_hex(8)}{kind.suffix}"
    partial = target.with_name(target.name + ".part")

    def progress(percent: int) -> None:
        report.progress = percent
        db.session.commit()

    try:
        with force_locale(report.params.get("locale", "nl")):
            kind.make(report, partial, progress)
        os.replace(partial, target)
    except Exception as exc:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        failed = db.session.get(ReportFile, report_id)
        failed.state, failed.error = "failed", f"{type(exc).__name__}: {exc}"[:500]
        db.session.commit()
        raise  # the outbox retries it, then lists it as a failed job
    report.state, report.progress, report.path = "done", 100, str(target)
    report.finished_at = utcnow()
    db.session.commit()


def report_for_member(report_id: int, user: User) -> ReportFile:
    """A report file for a member of the organisation it was asked for; 404 for anyone else,
    and once it is older than REPORT_KEEP_HOURS."""
    report = db.session.get(ReportFile, report_id)
    if report is None or report.created_at < utcnow() - _keep():
        raise NotFound()
    if not organisations.role_of(user, report.organisation):
        raise NotFound()
    return report


def file_of(report: ReportFile) -> tuple[Path, str]:
    """The finished file and its mimetype; 404 while it is not made (or was cleaned up)."""
    if report.state != "done" or not report.path or not Path(report.path).exists():
        raise NotFound()
    return Path(report.path), KINDS[report.kind].mimetype


def recent_of(org: Organisation, limit: int = 20) -> list[ReportFile]:
    """The organisation's report files still kept, newest first."""
    return list(
        db.session.scalars(
            select(ReportFile)
            .where(ReportFile.organisation_id == org.id)
            .where(ReportFile.created_at >= utcnow() - _keep())
            .order_by(ReportFile.id.desc())
            .limit(limit)
        )
    )


def describe(report: ReportFile) -> str:
    """What the file is, in the user's words."""
    params = report.params
    if report.kind == "year_pdf":
        return _("Annual report %(year)d", year=params["year"])
    if report.kind == "contract_pdf":
        return _("Contract report (PDF): %(name)s", name=report.filename)
    return _("All realisations (Excel)")


def state_label(report: ReportFile) -> str:
    return {
        "queued": _("waiting to be made"),
        "running": _("being made, %(percent)d%%", percent=report.progress),
        "done": _("ready"),
        "failed": _("failed"),
    }.get(report.state, report.state)


def cleanup(now: datetime) -> int:
    """Delete report files older than REPORT_KEEP_HOURS, their rows and any file left in
    REPORT_DIR by an interrupted job; returns how many rows went. Safe to repeat."""
    cutoff = now - _keep()
    old = list(db.session.scalars(select(ReportFile).where(ReportFile.created_at < cutoff)))
    for report in old:
        if report.path:
            Path(report.path).unlink(missing_ok=True)
    if old:
        db.session.execute(delete(ReportFile).where(ReportFile.id.in_([r.id for r in old])))
        db.session.commit()
    directory = Path(current_app.config["REPORT_DIR"])
    if directory.is_dir():
        for leftover in directory.iterdir():
            if not (OUR_FILE.fullmatch(leftover.name) and leftover.is_file()):
                continue  # REPORT_DIR may hold more than reports: touch only what generate wrote
            modified = datetime.fromtimestamp(leftover.stat().st_mtime, UTC).replace(tzinfo=None)
            if modified < cutoff:
                leftover.unlink(missing_ok=True)
    return len(old)
